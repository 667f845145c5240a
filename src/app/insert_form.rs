//! Staging the insert form (`a`): each field's value, the stamps taken at staging, and the
//! cursor put on the field a refusal names.

use rusqlite::types::Value;

use crate::db::edit::{restamp, stage_insert, validate_value};
use crate::db::value::parse_value;

use ratatui::crossterm::event::KeyEvent;

use crate::db::kinds::ColumnKind;

use super::edit::{EditPopup, InsertField, StagedEdit};
use super::edit_values::toggled;
use super::input::{field_text, text_input};
use super::keymap::lookup;
use super::popup_keys::{INSERT_KEYS, InsertKey};
use super::{App, Effect, Level, Overlay};

impl App {
    /// A key in the insert form (`popup_keys::INSERT_KEYS`; other keys type into the field).
    pub(super) fn insert_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Edit(EditPopup::Insert { fields, focus, error }) = &mut self.overlay else { return Vec::new() };
        let count = fields.len().max(1);
        match lookup(INSERT_KEYS, &key) {
            Some(InsertKey::Cancel) => self.overlay = Overlay::None,
            Some(InsertKey::Next) => *focus = (*focus + 1) % count,
            Some(InsertKey::Previous) => *focus = (*focus + count - 1) % count,
            Some(InsertKey::Stage) => return self.stage_insert_form(),
            Some(InsertKey::PickReference) => {
                let focus = *focus;
                return self.open_ref_picker(Some(focus));
            }
            Some(InsertKey::Space) if fields.get(*focus).is_some_and(|f| f.kind == ColumnKind::Boolean) => {
                if let Some(field) = fields.get_mut(*focus) {
                    field.input = toggled(&field.input);
                    field.set_null = false;
                    field.use_default = false;
                }
            }
            Some(InsertKey::Null) => {
                if let Some(field) = fields.get_mut(*focus) {
                    field.set_null = true;
                    field.use_default = false;
                    field.input = text_input("");
                }
            }
            _ => {
                *error = None;
                if let Some(field) = fields.get_mut(*focus) {
                    field.set_null = false;
                    field.use_default = false;
                    super::input::type_key(&mut field.input, key);
                }
            }
        }
        Vec::new()
    }

    pub(super) fn stage_insert_form(&mut self) -> Vec<Effect> {
        let Overlay::Edit(EditPopup::Insert { fields, .. }) = &self.overlay else { return Vec::new() };
        let Some(meta) = self.active_tab().and_then(|t| t.meta()) else { return Vec::new() };
        let mut values: Vec<(String, Option<Value>)> = Vec::new();
        let mut problem = None;
        for (at, field) in fields.iter().enumerate() {
            let text = field_text(&field.input);
            let value = if field.set_null {
                Some(Value::Null)
            } else if let Some((like, _)) = field.stamped.as_ref().filter(|(_, shown)| *shown == text) {
                Some(restamp(like, &field.kind, self.ctx.now))
            } else if field.use_default && text.is_empty() {
                None
            } else {
                match parse_value(&text, &field.kind, &self.ctx) {
                    Ok(value) => Some(value),
                    Err(reason) => {
                        problem = Some((at, format!("{}: {reason}", field.column)));
                        break;
                    }
                }
            };
            if let Some(value) = &value
                && let Err(reason) = validate_value(&meta.info, &meta.kinds, &field.column, value)
            {
                problem = Some((at, reason));
                break;
            }
            values.push((field.column.clone(), value));
        }
        let staged = match problem {
            Some(found) => Err(found),
            // The message names the column: the cursor goes to its field.
            None => stage_insert(&meta.info, &meta.kinds, &values)
                .map_err(|reason| (field_named_in(fields, &reason).unwrap_or(0), reason)),
        };
        match staged {
            Ok(change) => {
                let gesture = self.edits.next_gesture();
                self.edits.staged.push(StagedEdit { change, cursor_key: Vec::new(), gesture });
                self.overlay = Overlay::None;
                self.say(Level::Info, "new row staged · Ctrl-S reviews and commits · u undoes");
                // It is shown above the rows: keep the selection on screen below it.
                return self.after_move();
            }
            Err((at, reason)) => {
                if let Overlay::Edit(EditPopup::Insert { error, focus, .. }) = &mut self.overlay {
                    *error = Some(reason);
                    *focus = at;
                }
            }
        }
        Vec::new()
    }
}

/// The field whose column a message about the new row starts with (the longest name wins:
/// `token` over `to`).
fn field_named_in(fields: &[InsertField], message: &str) -> Option<usize> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| message.starts_with(&f.column))
        .max_by_key(|(_, f)| f.column.len())
        .map(|(at, _)| at)
}
