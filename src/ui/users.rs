//! The user table's status columns: active sessions, then ban (with reason and end), roles and
//! an unverified email, left of the table's own columns.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use rusqlite::types::Value;

use super::grid::fit;
use super::theme;
use crate::app::layout::{GUTTER, text_width};
use crate::app::{App, SESSIONS_WIDTH, STATUS_TITLE, StatusTone, TableTab, status_parts};

/// The colour of a piece of a status.
pub fn tone_style(tone: StatusTone) -> Style {
    match tone {
        StatusTone::Banned => theme::banned(),
        StatusTone::BanExpired => theme::ban_expired(),
        StatusTone::Admin => Style::new().fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
        StatusTone::Role => Style::new().fg(Color::LightBlue),
        StatusTone::Unverified => Style::new().fg(Color::Yellow),
    }
}

/// Width of the status text column inside a lead of `lead` cells (0 when there is none).
fn status_width(lead: u16) -> u16 {
    lead.saturating_sub(GUTTER + SESSIONS_WIDTH + 2)
}

/// The two header lines of the status columns: names, then what they hold.
pub fn status_headers(lead: u16) -> (Vec<Span<'static>>, Vec<Span<'static>>) {
    if lead <= GUTTER {
        return (Vec::new(), Vec::new());
    }
    let width = status_width(lead);
    let sessions = SESSIONS_WIDTH as usize;
    let names = vec![
        Span::styled(format!("{:>sessions$} ", "sessions"), theme::header()),
        Span::styled(format!("{} ", fit(STATUS_TITLE, width)), theme::header()),
    ];
    let kinds =
        vec![Span::styled(format!("{:>sessions$} {} ", "active", fit("computed", width)), theme::header_kind())];
    (names, kinds)
}

/// The status cells of one row (empty on tables other than the user table).
pub fn status_cells(app: &App, tab: &TableTab, values: &[Value], lead: u16) -> Vec<Span<'static>> {
    if lead <= GUTTER {
        return Vec::new();
    }
    let width = status_width(lead);
    let sessions = SESSIONS_WIDTH as usize;
    let Some(Some(user)) = app.users.status_of(tab, values) else {
        // Still being read (or gone): keep the columns aligned.
        return vec![Span::styled(format!("{:>sessions$} {} ", "…", fit("", width)), theme::dim())];
    };
    let count_style = if user.active_sessions > 0 { Style::new().fg(Color::Green) } else { theme::dim() };
    let mut spans = vec![Span::styled(format!("{:>sessions$} ", user.active_sessions), count_style)];
    let mut used = 0u16;
    for (i, (text, tone)) in status_parts(user, &app.ctx).into_iter().enumerate() {
        let pieces = [(if i == 0 { "" } else { " · " }.to_string(), theme::dim()), (text, tone_style(tone))];
        for (piece, style) in pieces {
            let room = width.saturating_sub(used);
            if piece.is_empty() || room == 0 {
                continue;
            }
            let shown = if text_width(&piece) > room { fit(&piece, room) } else { piece };
            used += text_width(&shown);
            spans.push(Span::styled(shown, style));
        }
    }
    spans.push(Span::raw(" ".repeat((width.saturating_sub(used) + 1) as usize)));
    spans
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;
