//! Editing popups: the cell editor, the insert form, the delete confirmation with its cascade,
//! the review of staged SQL, the conflict choice and the quit question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use rusqlite::types::Value;

use super::form::{self, Row};
use super::theme;
use crate::app::{App, EditPopup, insert_key_line};
use crate::db::kinds::{Affinity, ColumnKind, affinity};
use crate::db::value::raw_text;

fn popup(frame: &mut Frame, width: u16, height: u16, title: &str, hint: &str) -> Rect {
    super::popup::open_with_keys(frame, width, height, super::popup::block(format!(" {title} ")), hint, theme::key())
}

/// What a kind accepts, shown under the editor. A key declared INTEGER takes a whole number.
fn kind_hint(kind: &ColumnKind, decl_type: &str) -> String {
    let integer = affinity(decl_type) == Affinity::Integer;
    match kind {
        ColumnKind::Id | ColumnKind::ForeignKey { .. } if integer => "a whole number (a key)".into(),
        // `+7d` counts from now, not from the cell's value: say so, or it reads as "a week later".
        ColumnKind::Timestamp { format: crate::db::kinds::TimeFormat::Seconds } => {
            "now, +7d / -3h from now, 2026-12-01 12:00, or epoch seconds".into()
        }
        ColumnKind::Timestamp { .. } => "now, +7d / -3h from now, 2026-12-01 12:00, or epoch ms".into(),
        ColumnKind::Boolean => "Space toggles · or type true / false, yes / no, 1 / 0".into(),
        ColumnKind::Enum { values } => {
            format!("↑↓ pick a value seen: {} · or type one (several roles comma-joined)", values.join(", "))
        }
        ColumnKind::Json => "JSON".into(),
        ColumnKind::Integer => "a whole number".into(),
        ColumnKind::Real => "a number".into(),
        _ => "text (empty stays an empty string, Ctrl-n sets NULL)".into(),
    }
}

pub fn draw(frame: &mut Frame, app: &App, popup_state: &EditPopup) {
    match popup_state {
        EditPopup::Cell { column, input, set_null, error, .. } => {
            let Some(meta) = app.active_tab().and_then(|t| t.meta()) else { return };
            let (Some(info), Some(kind)) = (meta.info.columns.get(*column), meta.kinds.get(*column)) else { return };
            let title = format!("edit {}.{} ({})", meta.info.name, info.name, kind.label());
            // A long warning (a key change naming every table that points at the row) gets the
            // lines it needs, up to 6, rather than being cut after two.
            let width = frame.area().width.clamp(20, 80).saturating_sub(4).max(1) as usize;
            let message_lines = error.as_ref().map_or(2, |e| (e.chars().count() / width + 2).clamp(2, 6)) as u16;
            // Only the keys that do something here: a boolean is one line, NOT NULL takes no NULL.
            let keys = [
                Some("Enter stage"),
                (*kind != ColumnKind::Boolean).then_some("Alt-Enter new line"),
                Some("Ctrl-u clear"),
                (!info.not_null).then_some("Ctrl-n NULL"),
                Some("Esc cancel"),
            ];
            let keys: Vec<&str> = keys.into_iter().flatten().collect();
            let inner = popup(frame, 80, 10 + message_lines, &title, &keys.join(" · "));
            let [field, hint, message] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(1), Constraint::Length(message_lines)])
                    .areas(inner);
            if *set_null {
                frame.render_widget(Paragraph::new("NULL").style(theme::null()), field);
            } else {
                frame.render_widget(input, field);
            }
            let not_null = if info.not_null { " · NOT NULL" } else { "" };
            frame.render_widget(
                Paragraph::new(format!("{}{not_null}", kind_hint(kind, &info.decl_type))).style(theme::dim()),
                hint,
            );
            if let Some(error) = error {
                frame.render_widget(
                    Paragraph::new(error.as_str()).style(theme::error()).wrap(Wrap { trim: true }),
                    message,
                );
            }
        }
        EditPopup::Insert { form, fields } => {
            let Some(meta) = app.active_tab().and_then(|t| t.meta()) else { return };
            // The refusal or warning on the last rows, as tall as it wraps at the popup's width:
            // the unknown-role warning ends with what Enter does next, which must not be cut.
            let message_row = form.error.as_deref().map(|error| Row::Text(Line::styled(error, theme::error())));
            let width = frame.area().width.min(100);
            let message_lines = message_row.as_ref().map_or(1, |row| form::height(std::slice::from_ref(row), width));
            let height = fields.len() as u16 + 4 + message_lines;
            let title = format!("new row in {}", meta.info.name);
            let keys = format!("* required · {}", insert_key_line());
            // 100 wide: the keys fit on the bottom edge on a wide screen.
            let inner = popup(frame, 100, height, &title, &keys);
            let name_width = fields.iter().map(|f| f.column.chars().count()).max().unwrap_or(4) as u16 + 3;
            // Required: NOT NULL with no DEFAULT (a rowid alias numbers itself).
            let required = |name: &str| {
                meta.info.column(name).is_some_and(|c| c.not_null && c.default.is_none() && c.pk_position == 0)
                    || (meta.info.primary_key.len() == 1
                        && meta.info.primary_key[0] == name
                        && meta.info.column(name).is_some_and(|c| !c.decl_type.eq_ignore_ascii_case("integer")))
            };
            // The form's rows, a blank row, then the refusal on the last row.
            let rows: Vec<Row> = fields
                .iter()
                .zip(&form.fields)
                .enumerate()
                .map(|(i, (field, input))| {
                    let style = if i == form.focus { theme::selected_cell() } else { theme::header() };
                    let label = Line::from(vec![
                        Span::styled(if required(&field.column) { "*" } else { " " }, theme::warning()),
                        Span::styled(format!("{:>w$} ", field.column, w = name_width as usize - 2), style),
                    ]);
                    let empty = form.text(i).is_empty();
                    let instead = if field.set_null {
                        Some(Span::styled("NULL", theme::null()))
                    } else if field.use_default && empty {
                        Some(Span::styled("(column default)", theme::dim()))
                    } else if field.generated_secret.as_deref().is_some_and(|secret| form.text(i) == secret) {
                        // Redacted as the grid and the review redact secrets.
                        Some(Span::styled("••••••• (generated)", theme::dim()))
                    } else if let Some((key, label)) =
                        field.picked.as_ref().filter(|(key, _)| i != form.focus && form.text(i) == *key)
                    {
                        // The picked row named as the grid names it, beside its key.
                        Some(Span::raw(format!("{key}  {label}")))
                    } else {
                        None
                    };
                    Row::Labelled { label, width: name_width, field: input, focused: i == form.focus, instead }
                })
                .collect();
            let [body, _, message] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(1), Constraint::Length(message_lines)])
                    .areas(inner);
            form::draw(frame, body, rows);
            if let Some(row) = message_row {
                form::draw(frame, message, vec![row]);
            }
        }
        EditPopup::Conflict { conflicts } => {
            let mut lines: Vec<Line> = vec![Line::styled(
                "Nothing was written. These rows changed since squall loaded them:",
                theme::warning(),
            )];
            for row in &conflicts.rows {
                let key: Vec<String> = row.key.iter().map(|(c, v)| format!("{c} = {}", raw_text(v))).collect();
                let gone = if row.row_exists { "" } else { " (deleted by someone else)" };
                lines.push(Line::styled(format!("{} {}{gone}", row.table, key.join(", ")), theme::header()));
                // A row that is gone has nothing to compare column by column.
                if !row.row_exists {
                    lines.push(Line::raw(if row.columns.is_empty() {
                        "  this row was deleted by someone else: nothing to delete".to_string()
                    } else {
                        "  row gone: this row was deleted by someone else; its staged edit cannot be written"
                            .to_string()
                    }));
                    continue;
                }
                for column in &row.columns {
                    let now = column.current.as_ref().map_or_else(|| "—".to_string(), value_text);
                    lines.push(Line::raw(format!(
                        "  {}: loaded {} · now {}",
                        column.column,
                        value_text(&column.expected),
                        now
                    )));
                }
            }
            let keys = if conflicts.rows.iter().any(|row| !row.row_exists) {
                "r reload (drop staged) · d drop changes to deleted rows · Esc back"
            } else {
                "r reload (drop staged) · o overwrite · Esc back"
            };
            let inner = popup(frame, 90, lines.len() as u16 + 2, "conflict", keys);
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Text(text) => format!("{text:?}"),
        other => raw_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::kinds::TimeFormat;

    #[test]
    fn the_date_hint_says_relative_dates_count_from_now() {
        for format in [TimeFormat::Millis, TimeFormat::Seconds, TimeFormat::IsoText, TimeFormat::Mixed] {
            let hint = kind_hint(&ColumnKind::Timestamp { format }, "integer");
            assert!(hint.contains("+7d / -3h from now"), "{hint}");
            assert!(hint.chars().count() + " · NOT NULL".chars().count() <= 78, "fits the editor's hint row: {hint}");
        }
        assert!(
            kind_hint(&ColumnKind::Timestamp { format: TimeFormat::Seconds }, "integer").ends_with("epoch seconds")
        );
    }
}
