//! The foreign-key picker: the referenced rows matching what is typed, by label.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{popup, theme};
use crate::app::{App, RefPicker};
use crate::db::value::raw_text;
use crate::present::fit;

pub fn draw(frame: &mut Frame, app: &App, picker: &RefPicker) {
    let area = frame.area();
    let height = (picker.matches.len() as u16 + 4).clamp(6, 16);
    let keys = "type to search · ↑↓ select · Enter pick · Esc type the key";
    // Named after the field it fills (userId or impersonatedBy), not only the table.
    let title = match field_name(app, picker) {
        Some(field) => format!(" {field}: pick a row of {} ", picker.table),
        None => format!(" pick a row of {} ", picker.table),
    };
    let block = popup::with_keys(popup::block(title), keys, theme::key());
    // On a short screen a centred picker covers the whole form: it takes the top half instead,
    // leaving the form's last fields (where foreign keys usually are) in sight.
    let at = if area.height < 30 {
        let top = area.height.saturating_sub(1) / 2;
        let half = ratatui::layout::Rect { y: area.y + 1, height: height.min(top.max(6)), ..area };
        popup::centered(half, 70, half.height)
    } else {
        popup::centered(area, 70, height)
    };
    let inner = popup::open(frame, at, block);
    let [query, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(&picker.query, query);
    if picker.matches.is_empty() {
        let searching = app.pending.awaits(&crate::app::Waiting::RefPicker);
        let text = if searching { "searching…" } else { "no row matches" };
        frame.render_widget(Paragraph::new(text).style(theme::dim()), list);
        return;
    }
    let label_width = inner.width.saturating_sub(14).max(8);
    let lines: Vec<Line> = picker
        .matches
        .iter()
        .enumerate()
        .take(list.height as usize)
        .map(|(i, found)| {
            let style = if i == picker.selected { theme::selected_cell() } else { ratatui::style::Style::new() };
            Line::from(vec![
                Span::styled(fit(&found.label, label_width), style),
                Span::styled(format!(" {}", fit(&raw_text(&found.key), 12)), theme::key()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

/// The column of the editor the picker fills.
fn field_name(app: &App, picker: &RefPicker) -> Option<String> {
    match (&*picker.back, picker.field) {
        (crate::app::Overlay::Edit(crate::app::EditPopup::Insert { fields, .. }), Some(i)) => {
            fields.get(i).map(|f| f.column.clone())
        }
        (crate::app::Overlay::Edit(crate::app::EditPopup::Cell { column, .. }), None) => {
            app.active_tab().and_then(|t| t.meta()).and_then(|m| m.info.columns.get(*column)).map(|c| c.name.clone())
        }
        _ => None,
    }
}
