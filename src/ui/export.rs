//! The export prompt (`x`): format, path and secrets, in the bar above the status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::ExportPrompt;
use crate::app::group_thousands;
use crate::db::export::ExportFormat;

pub fn draw_bar(frame: &mut Frame, prompt: &ExportPrompt, area: Rect) {
    let [top, bottom] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let mut head = vec![Span::raw(" export: ")];
    for format in ExportFormat::ALL {
        let style = if format == prompt.format { theme::selected_cell() } else { theme::dim() };
        head.push(Span::styled(format!(" {} ", format.extension()), style));
    }
    head.push(Span::raw("  to: "));
    let head_width: u16 = head.iter().map(|s| crate::app::layout::text_width(&s.content)).sum();
    let [head_area, path_area] = Layout::horizontal([Constraint::Length(head_width), Constraint::Fill(1)]).areas(top);
    frame.render_widget(Paragraph::new(Line::from(head)), head_area);
    frame.render_widget(&prompt.path, path_area);
    let hint = match &prompt.error {
        Some(error) => Span::styled(format!(" {error}"), theme::error()),
        None => {
            let rows = prompt.rows.map(|n| format!("{} rows", group_thousands(n))).unwrap_or_else(|| "the rows".into());
            let secrets = if prompt.include_secrets { "secrets INCLUDED" } else { "secrets redacted" };
            Span::styled(
                format!(
                    " {rows} of {} as filtered, searched and sorted · Tab format · Ctrl-r {secrets} · Enter write · Esc cancel",
                    prompt.table
                ),
                theme::dim(),
            )
        }
    };
    frame.render_widget(Paragraph::new(Line::from(hint)), bottom);
}
