//! The confirmation popup: its question and the preview of exactly what runs, scrollable,
//! with the keys on its frame so they stay visible however long the preview is.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::theme;
use crate::app::{App, Confirmation, PreviewLine};

pub fn draw(frame: &mut Frame, app: &App, confirmation: &Confirmation) {
    let mut lines: Vec<Line> = Vec::new();
    for line in &confirmation.preview {
        match line {
            PreviewLine::Heading(text) => lines.push(Line::styled(text.clone(), theme::header())),
            PreviewLine::Note(text) => lines.push(Line::styled(text.clone(), theme::dim())),
            PreviewLine::Item(text) => lines.push(Line::styled(text.clone(), theme::warning())),
            PreviewLine::Problem(text) => lines.push(Line::styled(text.clone(), theme::error())),
            PreviewLine::Sql(sql) => lines.extend(super::sql::highlight(sql).into_iter().map(|mut l| {
                l.spans.insert(0, Span::raw("    "));
                l
            })),
            PreviewLine::Blank => lines.push(Line::raw("")),
        }
    }
    let popup = confirmation.popup(app);
    let height = popup.height;
    frame.render_widget(Clear, popup);
    let keys = format!(" y {} · n / Esc cancel ", confirmation.on_yes.verb());
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme::popup_border())
        .title(format!(" {} ", confirmation.title))
        // The question stays on the frame, visible however long the preview is.
        .title_bottom(Line::styled(keys, theme::key()));
    // Where the view is, when the preview does not fit.
    let visible = usize::from(height.saturating_sub(2));
    let total = confirmation.height(app);
    if total > visible {
        let top = usize::from(confirmation.scroll) + 1;
        let bottom = (usize::from(confirmation.scroll) + visible).min(total);
        let position = format!(" ↑↓ {top}-{bottom} of {total} ");
        block = block.title_bottom(Line::styled(position, theme::dim()).right_aligned());
    }
    let scroll = confirmation.scroll.min(confirmation.last_scroll(app));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((scroll, 0)), popup);
}
