//! Staging the insert form (`a`): each field's value, the stamps taken at staging, and the
//! cursor put on the field a refusal names.

use rusqlite::types::Value;

use crate::db::edit::{restamp, stage_insert, validate_value};
use crate::db::value::parse_value;

use ratatui::crossterm::event::KeyEvent;

use crate::db::kinds::ColumnKind;

use super::edit::{EditPopup, InsertField, StagedEdit};
use super::edit_values::toggled;
use super::form::{FormCommand, FormKey, Outcome};
use super::input::text_input;
use super::popup_keys::{INSERT_KEYS, InsertKey};
use super::{App, Effect, Level, Overlay};

impl App {
    /// A key in the insert form: the one form key path with `popup_keys::INSERT_KEYS` as the
    /// owner's table (NULL, the reference picker, a boolean's Space); other keys type.
    pub(super) fn insert_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Edit(EditPopup::Insert { form, fields }) = &mut self.overlay else { return Vec::new() };
        let focus = form.focus;
        let boolean = fields.get(focus).is_some_and(|f| f.kind == ColumnKind::Boolean);
        let typed = match form.key_with(INSERT_KEYS, key) {
            Outcome::Owner(InsertKey::Cancel) => {
                self.overlay = Overlay::None;
                return Vec::new();
            }
            Outcome::Owner(InsertKey::Stage) => return self.stage_insert_form(),
            Outcome::Owner(InsertKey::PickReference) => return self.open_ref_picker(Some(focus)),
            Outcome::Owner(InsertKey::Space) if boolean => {
                if let Some(input) = form.input_mut(focus) {
                    *input = toggled(input);
                }
                true
            }
            Outcome::Owner(InsertKey::Null) => {
                if let Some(input) = form.input_mut(focus) {
                    *input = text_input("");
                }
                if let Some(field) = fields.get_mut(focus) {
                    field.set_null = true;
                    field.use_default = false;
                }
                false
            }
            // Space in a field that is not a boolean is a space.
            Outcome::Owner(_) => {
                form.type_key(key);
                true
            }
            Outcome::Typed => true,
            Outcome::Moved | Outcome::Chose | Outcome::Unbound => false,
        };
        // What was typed replaces NULL and the column's default.
        if typed && let Some(field) = fields.get_mut(focus) {
            field.set_null = false;
            field.use_default = false;
        }
        Vec::new()
    }

    pub(super) fn stage_insert_form(&mut self) -> Vec<Effect> {
        let Overlay::Edit(EditPopup::Insert { form, fields }) = &self.overlay else { return Vec::new() };
        let Some(meta) = self.active_tab().and_then(|t| t.meta()) else { return Vec::new() };
        let mut values: Vec<(String, Option<Value>)> = Vec::new();
        let mut problem = None;
        for (at, field) in fields.iter().enumerate() {
            let text = form.text(at);
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
                if let Overlay::Edit(EditPopup::Insert { form, .. }) = &mut self.overlay {
                    form.error = Some(reason);
                    form.focus_on(at);
                }
            }
        }
        Vec::new()
    }
}

impl FormCommand for InsertKey {
    fn as_form(self) -> Option<FormKey> {
        match self {
            InsertKey::Next => Some(FormKey::Next),
            InsertKey::Previous => Some(FormKey::Previous),
            _ => None,
        }
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
