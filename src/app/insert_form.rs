//! Staging the insert form (`a`): each field's value, the stamps taken at staging, and the
//! cursor put on the field a refusal names.

use rusqlite::types::Value;

use crate::db::edit::{is_stamp_column, restamp, stage_insert, validate_value};
use crate::db::value::edit_text;
use crate::db::value::parse_value;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::db::kinds::ColumnKind;

use super::edit::{EditPopup, InsertField, StagedEdit};
use super::edit_values::{toggled, unknown_enum_warning};
use super::form::{FormCommand, FormKey, Outcome};
use super::input::text_input;
use super::popup_keys::{INSERT_KEYS, InsertKey};
use super::{App, DbReply, DbRequest, DbResult, Effect, Level, Overlay, Waiting, Worker};
use crate::db::edit::StagedChange;

impl App {
    /// A key in the insert form: the one form key path with `popup_keys::INSERT_KEYS` as the
    /// owner's table (NULL, the reference picker, a boolean's Space); other keys type.
    pub(super) fn insert_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let has_default = self.focused_has_default();
        let Overlay::Edit(EditPopup::Insert { form, fields }) = &mut self.overlay else { return Vec::new() };
        let focus = form.focus;
        let boolean = fields.get(focus).is_some_and(|f| f.kind == ColumnKind::Boolean);
        // Typing over a redacted generated secret starts the user's own: appending to a text
        // they cannot see would make a token nobody knows.
        let types = matches!(key.code, KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete)
            && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let holds_secret = fields
            .get(focus)
            .and_then(|f| f.generated_secret.as_deref())
            .is_some_and(|secret| form.text(focus) == secret);
        if types && holds_secret {
            if let Some(input) = form.input_mut(focus) {
                *input = text_input("");
            }
            if let Some(field) = fields.get_mut(focus) {
                field.generated_secret = None;
            }
        }
        let typed = match form.key_with(INSERT_KEYS, key) {
            Outcome::Owner(InsertKey::Cancel) => {
                self.overlay = Overlay::None;
                // Not silently: what was typed is gone.
                self.say(Level::Info, "new row discarded: nothing staged (a opens a new form)");
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
            Outcome::Owner(InsertKey::Default) => {
                let column = fields.get(focus).map(|f| f.column.clone()).unwrap_or_default();
                if !has_default {
                    form.error = Some(format!("{column} has no DEFAULT: type a value, or Ctrl-n for NULL"));
                    return Vec::new();
                }
                if let Some(input) = form.input_mut(focus) {
                    *input = text_input("");
                }
                if let Some(field) = fields.get_mut(focus) {
                    field.use_default = true;
                    field.set_null = false;
                    field.stamped = None;
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

    /// Opens the insert form with these values: the worker's template, or a staged new row
    /// taken back to change it (`None`: left to the column's DEFAULT).
    pub(super) fn open_insert_form(&mut self, template: Vec<(String, Option<Value>)>) {
        let Some(meta) = self.active_tab().and_then(|t| t.meta()) else { return };
        let (fields, inputs): (Vec<InsertField>, Vec<_>) = template
            .into_iter()
            .filter_map(|(column, value)| {
                let index = meta.info.columns.iter().position(|c| c.name == column)?;
                let kind = meta.kinds[index].clone();
                let text = value.as_ref().map_or_else(String::new, |v| edit_text(v, &kind, &self.ctx));
                let set_null = matches!(value, Some(Value::Null));
                let stamped =
                    value.clone().filter(|_| is_stamp_column(&column, &kind)).map(|value| (value, text.clone()));
                let generated_secret = (kind == ColumnKind::Secret && !text.is_empty()).then(|| text.clone());
                let field = InsertField {
                    column,
                    kind,
                    use_default: value.is_none(),
                    set_null,
                    stamped,
                    picked: None,
                    generated_secret,
                };
                Some((field, text_input(&text)))
            })
            .unzip();
        let form = super::form::Form::new(inputs);
        self.overlay = Overlay::Edit(EditPopup::Insert { form, fields });
    }

    /// The roles the user table's insert form checks a typed role against, from the source the
    /// role dialog reads: every role in use (`SELECT DISTINCT`, asked of the worker) locally,
    /// those in sight on a remote (listing them all reads every user). The sampled kind alone
    /// missed a role one user has (`superuser`), which the role dialog listed.
    pub(super) fn read_insert_form_roles(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        if self.user_table_of(tab).is_none() || self.insert_role_field().is_none() {
            return Vec::new();
        }
        if self.remote.is_some() {
            let roles = self.roles_in_sight();
            self.set_insert_form_roles(roles);
            return Vec::new();
        }
        let request = DbRequest::Users(super::UsersRequest::Roles);
        let (_, effect) = self.request(Worker::Foreground, Waiting::UserPanel, request);
        vec![effect]
    }

    /// The insert form's field of the user table's role column, if the form is open on it.
    fn insert_role_field(&self) -> Option<usize> {
        let Overlay::Edit(EditPopup::Insert { fields, .. }) = &self.overlay else { return None };
        let meta = self.active_tab()?.meta()?;
        let role = crate::db::users::MappedTable::new(meta.info.clone()).column("role")?.to_string();
        fields.iter().position(|f| f.column == role && matches!(f.kind, ColumnKind::Enum { .. } | ColumnKind::Text))
    }

    /// The roles read for the insert form: its role field checks against them.
    pub(super) fn set_insert_form_roles(&mut self, roles: Vec<String>) {
        let Some(at) = self.insert_role_field() else { return };
        let Overlay::Edit(EditPopup::Insert { fields, .. }) = &mut self.overlay else { return };
        if let Some(field) = fields.get_mut(at) {
            field.kind = ColumnKind::Enum { values: roles };
        }
    }

    /// A staged new row back in the form, its values as staged, the rest left to the DEFAULT.
    pub(super) fn reopen_insert(&mut self, values: &[(String, Value)]) {
        let Some(meta) = self.active_tab().and_then(|t| t.meta()) else { return };
        let template = meta
            .info
            .columns
            .iter()
            .filter(|c| !c.generated)
            .map(|c| (c.name.clone(), values.iter().find(|(v, _)| *v == c.name).map(|(_, v)| v.clone())))
            .collect();
        self.open_insert_form(template);
        self.say(Level::Info, "the staged new row is back in the form: change it and Enter, or Esc drops it");
    }

    /// Whether the focused field's column has a DEFAULT.
    fn focused_has_default(&self) -> bool {
        let Overlay::Edit(EditPopup::Insert { form, fields }) = &self.overlay else { return false };
        let Some(field) = fields.get(form.focus) else { return false };
        let meta = self.active_tab().and_then(|t| t.meta());
        meta.and_then(|m| m.info.column(&field.column)).is_some_and(|c| c.default.is_some())
    }

    pub(super) fn stage_insert_form(&mut self) -> Vec<Effect> {
        let Overlay::Edit(EditPopup::Insert { form, fields }) = &self.overlay else { return Vec::new() };
        let Some(meta) = self.active_tab().and_then(|t| t.meta()) else { return Vec::new() };
        // An empty field of a column with a DEFAULT leaves it to the DEFAULT.
        let has_default = |column: &str| meta.info.column(column).is_some_and(|c| c.default.is_some());
        let mut values: Vec<(String, Option<Value>)> = Vec::new();
        let mut problem = None;
        for (at, field) in fields.iter().enumerate() {
            let text = form.text(at);
            let value = if field.set_null {
                Some(Value::Null)
            } else if let Some((like, _)) = field.stamped.as_ref().filter(|(_, shown)| *shown == text) {
                Some(restamp(like, &field.kind, self.ctx.now))
            } else if text.is_empty() && (field.use_default || has_default(&field.column)) {
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
        // A value an enum never held (`superadmin` as a role) is warned about once, as the cell
        // editor does; a second Enter goes on.
        let shown = form.error.clone();
        let unknown = fields.iter().enumerate().find_map(|(at, field)| {
            let ColumnKind::Enum { values: seen } = &field.kind else { return None };
            let typed = values.iter().find(|(c, _)| *c == field.column).and_then(|(_, v)| match v {
                Some(Value::Text(text)) => Some(text.clone()),
                _ => None,
            })?;
            unknown_enum_warning(&field.column, seen, &typed).map(|warning| (at, warning))
        });
        let staged = match (staged, unknown) {
            (Ok(_), Some((at, warning))) if shown.as_ref() != Some(&warning) => Err((at, warning)),
            (staged, _) => staged,
        };
        match staged {
            Ok(change) => {
                // SQLite would refuse a UNIQUE value another row holds or a key matching no
                // row only at commit: the worker looks them up now (indexed lookups).
                self.say(Level::Info, "checking the new row against the database…");
                let request = DbRequest::CheckRow { change: change.clone() };
                let (_, effect) = self.request(Worker::Foreground, Waiting::InsertCheck { change }, request);
                return vec![effect];
            }
            Err((at, reason)) => self.refuse_in_form(at, reason),
        }
        Vec::new()
    }

    /// The reply to the new row's check: staged when the database would take it, else the
    /// form says why with the cursor on the field; a form closed meanwhile stages nothing.
    pub(super) fn on_insert_check(&mut self, change: StagedChange, reply: DbReply) -> Vec<Effect> {
        if !matches!(self.overlay, Overlay::Edit(EditPopup::Insert { .. })) {
            return Vec::new();
        }
        let problems = match reply.result {
            Ok(DbResult::RowProblems(problems)) => problems,
            Ok(_) => Vec::new(),
            Err(error) => {
                self.say(Level::Warning, format!("the new row was not checked ({error}): the review checks it again"));
                Vec::new()
            }
        };
        if let Some(first) = problems.first() {
            let Overlay::Edit(EditPopup::Insert { fields, .. }) = &self.overlay else { return Vec::new() };
            let at = field_mentioned_in(fields, first).unwrap_or(0);
            let reason = format!("{}: SQLite would refuse this row", problems.join("; "));
            self.refuse_in_form(at, reason);
            self.say(Level::Warning, "the new row is not staged: see the form");
            return Vec::new();
        }
        let gesture = self.edits.next_gesture();
        self.edits.staged.push(StagedEdit { change, cursor_key: Vec::new(), gesture });
        self.overlay = Overlay::None;
        self.say(Level::Info, "new row staged · Ctrl-S reviews and commits · u takes it back into the form");
        // It is shown above the rows: keep the selection on screen below it.
        self.after_move()
    }

    fn refuse_in_form(&mut self, at: usize, reason: String) {
        if let Overlay::Edit(EditPopup::Insert { form, .. }) = &mut self.overlay {
            form.error = Some(reason);
            form.focus_on(at);
        }
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

/// The field whose column a problem names as `column = value` (the longest name wins).
fn field_mentioned_in(fields: &[InsertField], message: &str) -> Option<usize> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let pair = format!("{} = ", f.column);
            message.starts_with(&pair) || message.contains(&format!(" {pair}"))
        })
        .max_by_key(|(_, f)| f.column.len())
        .map(|(at, _)| at)
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
