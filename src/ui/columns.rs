//! The column chooser popup (`c`): every column, shown or hidden, in grid order.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{popup, theme};
use crate::app::{App, ColumnChooser};

pub fn draw(frame: &mut Frame, app: &App, chooser: &ColumnChooser) {
    let entries = app.chooser_entries();
    let area = popup::screen(frame);
    let height = (entries.len() as u16 + 2).min(area.height.saturating_sub(2)).max(3);
    let table = app.active_tab().map_or("", |t| t.name.as_str());
    let inner = popup::open(frame, popup::centered(area, 44, height), popup::block(format!(" columns of {table} ")));
    let rows = inner.height as usize;
    let selected = chooser.selected.min(entries.len().saturating_sub(1));
    let first = selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = entries
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, entry)| {
            let mark = if entry.hidden { "[ ]" } else { "[x]" };
            let width = entry.width.map(|w| format!("  width {w}")).unwrap_or_default();
            let style = match (i == selected, entry.hidden) {
                (true, _) => theme::selected_cell(),
                (false, true) => theme::dim(),
                (false, false) => ratatui::style::Style::new(),
            };
            Line::from(vec![Span::styled(format!(" {mark} {}", entry.title), style), Span::styled(width, theme::dim())])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
