//! The message log (`m`): every status message of the session, newest first, wrapped so a long
//! error (a constraint name, a foreign key failure) reads whole at any terminal width.

use ratatui::Frame;
use ratatui::text::Line;

use super::{popup, theme};
use crate::app::{App, Level};

pub fn draw(frame: &mut Frame, app: &App, scroll: u16) {
    let area = popup::screen(frame);
    let width = area.width.saturating_sub(4).min(110);
    let height = area.height.saturating_sub(4).max(3);
    let area = popup::centered(area, width, height);
    let mut lines: Vec<Line> = Vec::new();
    for status in app.messages.iter().rev() {
        let (mark, style) = match status.level {
            Level::Info => ("·", theme::info()),
            Level::Warning => ("!", theme::warning()),
            Level::Error => ("✗", theme::error()),
        };
        lines.push(Line::styled(format!("{mark} {}", status.text), style));
    }
    if lines.is_empty() {
        lines.push(Line::styled("no messages yet", theme::dim()));
    }
    let hint = " newest first · ↑↓ PgUp PgDn scroll · any other key closes ";
    let outer = popup::block(" messages ").title_bottom(Line::styled(hint, theme::dim()));
    popup::scrolled_text(frame, area, outer, lines, scroll);
}
