//! The column chooser popup (`c`): every column, shown or hidden, in grid order.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::theme;
use crate::app::{App, ColumnChooser};

pub fn draw(frame: &mut Frame, app: &App, chooser: &ColumnChooser) {
    let entries = app.chooser_entries();
    let area = frame.area();
    let height = (entries.len() as u16 + 2).min(area.height.saturating_sub(2)).max(3);
    let [vertical] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(44.min(area.width))]).flex(Flex::Center).areas(vertical);
    frame.render_widget(Clear, popup);
    let table = app.active_tab().map_or("", |t| t.name.as_str());
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::popup_border())
        .title(format!(" columns of {table} "));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
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
