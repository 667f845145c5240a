//! The user table's computed columns: a compact status (ban with the date it ends, an
//! unverified email) and the count of active sessions.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use rusqlite::types::Value;

use super::theme;
use crate::app::layout::text_width;
use crate::app::{App, StatusTone, TableTab, grid_status};
use crate::present::fit;

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
        // Unreadable (a remote out of reach) is `?`: blank would read as "nothing to say".
        let text = if statuses_unknown(app, tab) { "?" } else { "" };
        // Still being read (or gone): the column keeps its width.
        return vec![Span::styled(fit(text, width), theme::dim())];
    };
    status_spans(grid_status(user, &app.ctx), width)
}

/// Whether reading the statuses of `tab`'s users failed: their cells are unknown, not empty.
fn statuses_unknown(app: &App, tab: &TableTab) -> bool {
    app.users.statuses_failed && app.users.table.as_ref().is_some_and(|t| t.table == tab.name)
}

/// The pieces of a status, one space apart, in `width` cells: when they do not all fit, the
/// last one shown ends in `…`, so a cut never hides that something (`unverified`) follows.
fn status_spans(parts: Vec<(String, StatusTone)>, width: u16) -> Vec<Span<'static>> {
    let mut pieces = Vec::new();
    for (i, (text, tone)) in parts.into_iter().enumerate() {
        if i > 0 {
            pieces.push((" ".to_string(), theme::dim()));
        }
        pieces.push((text, tone_style(tone)));
    }
    let total: u16 = pieces.iter().map(|(piece, _)| text_width(piece)).sum();
    let budget = if total > width { width.saturating_sub(1) } else { width };
    let mut spans = Vec::new();
    let mut used = 0u16;
    for (piece, style) in pieces {
        let room = budget.saturating_sub(used);
        if room == 0 {
            break;
        }
        // A cut piece ends in `…`, in the cell the budget kept for it.
        let piece = if text_width(&piece) > room { fit(&format!("{piece}…"), room + 1) } else { piece };
        used += text_width(&piece);
        spans.push(Span::styled(piece, style));
    }
    // A separator with nothing after it: the `…` takes its place.
    if total > width && spans.last().is_some_and(|s| s.content == " ") {
        spans.pop();
        used -= 1;
    }
    if total > width && width > 0 && !spans.last().is_some_and(|s| s.content.ends_with('…')) {
        spans.push(Span::styled("…", theme::dim()));
        used += 1;
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
        None if statuses_unknown(app, tab) => Span::styled(format!("{:>width$}", "?"), theme::dim()),
        None => Span::raw(" ".repeat(width)),
    }
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;

#[cfg(test)]
mod status_tests {
    use super::*;

    fn shown(parts: &[(&str, StatusTone)], width: u16) -> String {
        let parts = parts.iter().map(|(t, tone)| (t.to_string(), *tone)).collect();
        status_spans(parts, width).iter().map(|s| s.content.to_string()).collect()
    }

    #[test]
    fn a_temporary_ban_keeps_unverified_or_ends_in_an_ellipsis() {
        let parts = [("banned→2027-02-22", StatusTone::Banned), ("unverified", StatusTone::Unverified)];
        assert_eq!(shown(&parts, 28), "banned→2027-02-22 unverified");
        assert_eq!(shown(&parts, 30), "banned→2027-02-22 unverified  ");
        assert_eq!(shown(&parts, 17), "banned→2027-02-2…");
        assert_eq!(shown(&parts, 18), "banned→2027-02-22…");
        assert_eq!(shown(&parts, 19), "banned→2027-02-22… ");
        assert_eq!(shown(&parts, 22), "banned→2027-02-22 unv…");
        assert_eq!(shown(&[("banned", StatusTone::Banned)], 17), format!("banned{}", " ".repeat(11)));
    }
}
