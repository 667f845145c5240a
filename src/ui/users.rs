//! The user table's computed columns: a compact status (ban with the date it ends, an
//! unverified email) and the count of active sessions.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use rusqlite::types::Value;

use super::grid::fit;
use super::theme;
use crate::app::layout::text_width;
use crate::app::{App, StatusTone, TableTab, grid_status};

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

/// The compact status cell of one row, `width` cells wide.
pub fn status_cell(app: &App, tab: &TableTab, values: &[Value], width: u16) -> Vec<Span<'static>> {
    let Some(Some(user)) = app.users.status_of(tab, values) else {
        // Still being read (or gone, or unreadable): the column keeps its width.
        return vec![Span::styled(fit("", width), theme::dim())];
    };
    let mut spans = Vec::new();
    let mut used = 0u16;
    for (i, (text, tone)) in grid_status(user, &app.ctx).into_iter().enumerate() {
        let pieces = [(if i == 0 { "" } else { " " }.to_string(), theme::dim()), (text, tone_style(tone))];
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
    spans.push(Span::raw(" ".repeat(width.saturating_sub(used) as usize)));
    spans
}

/// The active-sessions cell of one row, right-aligned; `…` while being read.
pub fn sessions_cell(app: &App, tab: &TableTab, values: &[Value], width: u16) -> Span<'static> {
    let width = width as usize;
    match app.users.status_of(tab, values) {
        Some(Some(user)) => {
            let style = if user.active_sessions > 0 { Style::new().fg(Color::Green) } else { theme::dim() };
            Span::styled(format!("{:>width$}", user.active_sessions), style)
        }
        Some(None) => Span::styled(format!("{:>width$}", "…"), theme::dim()),
        None => Span::raw(" ".repeat(width)),
    }
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;
