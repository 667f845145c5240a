//! The confirmation popup: its question and the preview of exactly what runs, scrollable,
//! with the keys on its frame so they stay visible however long the preview is.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::theme;
use crate::app::{App, Confirmation, Confirmed, PreviewLine};

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
    // The typed answer goes right under the question, visible however long the preview is.
    if let Some(answer) = &confirmation.answer {
        let at = lines.len().min(1);
        let mut asked = vec![Line::from(vec![
            Span::styled(answer.prompt(), theme::warning()),
            Span::styled(format!("{}▏", answer.typed), theme::header()),
        ])];
        if let Some(refused) = &answer.refused {
            asked.push(Line::styled(format!("✗ {refused}"), theme::error()));
        }
        lines.splice(at..at, asked);
    }
    let popup = confirmation.popup(app);
    let height = popup.height;
    frame.render_widget(Clear, popup);
    let keys = match &confirmation.answer {
        None if matches!(confirmation.on_yes, Confirmed::ConsoleWrite { .. }) => {
            "y runs it · n skips it · Esc stops".to_string()
        }
        Some(_) => format!("type the answer, Enter {} · Esc cancel", confirmation.on_yes.verb()),
        None => format!("y {} · n / Esc {}", confirmation.on_yes.verb(), confirmation.on_yes.no_word()),
    };
    // The question stays on the frame, visible however long the preview is.
    let mut block =
        super::popup::with_keys(super::popup::block(format!(" {} ", confirmation.title)), &keys, theme::key());
    // Where the view is, when the preview does not fit.
    let total = u16::try_from(confirmation.height(app)).unwrap_or(u16::MAX);
    if let Some(position) = super::popup::position(confirmation.scroll, height.saturating_sub(2), total) {
        block = block.title_bottom(Line::styled(position, theme::dim()).right_aligned());
    }
    let scroll = confirmation.scroll.min(confirmation.last_scroll(app));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((scroll, 0)), popup);
}
