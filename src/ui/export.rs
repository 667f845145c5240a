//! The export prompt (`x`): format, path and secrets, in the bar above the status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::ExportPrompt;
use crate::db::export::ExportFormat;
use crate::present::group_thousands;

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
            let approx = if prompt.estimated { "~" } else { "" };
            let rows = match prompt.rows {
                Some(1) => format!("{approx}1 row"),
                Some(n) => format!("{approx}{} rows", group_thousands(n)),
                None => "the rows".into(),
            };
            let reads = prompt.reads.as_ref().map_or(String::new(), |reads| format!(" · {reads}"));
            let secrets = if prompt.include_secrets { "secrets INCLUDED" } else { "secrets redacted" };
            let table = &prompt.table;
            let keys = format!("Tab format · Ctrl-r {secrets} · Enter write · Esc cancel");
            // On a narrow terminal the explanation goes first and the keys stay whole.
            let long = format!(" {rows} of {table} (the view: filters, search, sort){reads} · {keys}");
            let short = format!(" {keys} · {rows} of {table}{reads}");
            let fits = crate::app::layout::text_width(&long) <= bottom.width;
            Span::styled(if fits { long } else { short }, theme::dim())
        }
    };
    frame.render_widget(Paragraph::new(Line::from(hint)), bottom);
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::Action;
    use crate::app::tests::{open_app, settle, users_db};
    use crate::ui::tests::render;

    #[test]
    fn export_prompt_over_a_search() {
        let (_dir, mut conn) = users_db(30);
        let mut app = open_app(&mut conn, 120, 12);
        for code in [KeyCode::Char('/'), KeyCode::Char('1'), KeyCode::Char('2'), KeyCode::Enter, KeyCode::Char('x')] {
            let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
            settle(&mut app, &mut conn, effects);
        }
        insta::assert_snapshot!(render(&app));
    }
}
