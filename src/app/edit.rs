//! Editing from the grid: cells are edited in a popup and staged; `u` undoes; Ctrl-S shows the
//! SQL of everything staged and `y` commits it as one atomic batch, with optimistic checks and a
//! conflict choice (reload or overwrite). Deletes show what cascades first.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;
use rusqlite::types::Value;

use crate::db::edit::{ColumnValues, LoadedRow, RowConflicts, StagedChange, stage_delete, stage_update};
use crate::db::kinds::ColumnKind;
use crate::db::labels::LabelLookup;
use crate::db::page::PageRow;
use crate::db::value::{edit_text, parse_value_like};
use crate::present::plural;

use super::confirm::{Confirmation, Confirmed, PreviewLine};
use super::edit_values::{KEY_COUNTING, step_value, toggled, unknown_enum_warning};
use super::input::{field_text, text_input};
use super::keymap::lookup;
use super::popup_keys::{CELL_KEYS, CONFLICT_KEYS, CellKey, ConflictKey};
use super::{App, DbRequest, Effect, Level, Overlay, Waiting, Worker};

/// Deletes of more rows than this ask the user to type the count.
pub const TYPE_COUNT_ABOVE: usize = 10;

/// A staged change and where it shows in the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct StagedEdit {
    pub change: StagedChange,
    /// The row's paging key, to mark its cells in the grid (empty for inserts).
    pub cursor_key: Vec<Value>,
    /// The gesture that staged it: the rows of one multi-row delete share it, so `u` undoes
    /// them together as they were staged.
    pub gesture: u64,
}

/// Staged changes and the requests about them.
#[derive(Debug, Clone, Default)]
pub struct EditState {
    pub staged: Vec<StagedEdit>,
    /// Rows marked with Space for a multi-row delete: (table, paging key).
    pub marked: Vec<(String, Vec<Value>)>,
    /// The request is a commit: keys other than Esc (which cancels it) are answered "busy".
    pub committing: bool,
    /// Esc asked to cancel the running commit: its failure is the user's doing, not an error
    /// to open the message log for.
    pub cancel_asked: bool,
    /// The last gesture number given to staged edits.
    pub gestures: u64,
}

impl EditState {
    /// A number for the edits staged by one gesture.
    pub fn next_gesture(&mut self) -> u64 {
        self.gestures += 1;
        self.gestures
    }
}

/// The popups of editing.
// Only one popup lives at a time, in the overlay: the cell editor's text buffer being the
// largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum EditPopup {
    /// Editing one cell.
    Cell {
        column: usize,
        input: TextArea<'static>,
        set_null: bool,
        error: Option<String>,
        /// The row as it was when the editor opened: the change is staged against it, even if the
        /// rows under the cursor are re-read (a sort or a reload landing) while the editor is open.
        row: Box<PageRow>,
    },
    /// A new row's fields: the one [`super::form::Form`] (text, focus, refusal) and, indexed
    /// like its fields, what each stands for.
    Insert { form: super::form::Form, fields: Vec<InsertField> },
    /// A commit found rows changed by someone else.
    Conflict { conflicts: RowConflicts },
}

/// What one field of the insert form stands for (its text is the form's field of that index).
#[derive(Debug, Clone)]
pub struct InsertField {
    pub column: String,
    pub kind: ColumnKind,
    /// Leave the column out (its DEFAULT applies) while the input is empty.
    pub use_default: bool,
    pub set_null: bool,
    /// A `createdAt` / `updatedAt` squall pre-filled: the value and the text shown. Left as
    /// shown, it is stamped again with the staging time, the same instant for both.
    pub stamped: Option<(Value, String)>,
    /// The key picked with Ctrl-f and its row's label (an email), shown beside the key while
    /// the field still holds it.
    pub picked: Option<(String, String)>,
    /// A secret the form was opened with (the session token squall generates): shown redacted
    /// while the field still holds it, as the grid and the review show secrets; a key that types
    /// or erases replaces it whole, so the user's own is typed in the clear.
    pub generated_secret: Option<String>,
}

impl App {
    /// Writes are refused up front in a read-only session, with the reason.
    fn refuse_if_read_only(&mut self) -> bool {
        if let Some(reason) = self.source.read_only {
            self.say(Level::Error, format!("read-only session ({}): nothing can be changed", reason.describe()));
            return true;
        }
        false
    }

    /// Why the active table cannot be edited, if it cannot.
    fn not_editable(&self) -> Option<String> {
        let meta = self.active_tab()?.meta()?;
        crate::db::edit::row_identity(&meta.info).err()
    }

    /// Refuses a write gesture in a read-only session or on a table without row identity,
    /// saying why. True when refused.
    fn refuse_write(&mut self) -> bool {
        if self.refuse_if_read_only() {
            return true;
        }
        match self.not_editable() {
            Some(reason) => {
                self.say(Level::Error, reason);
                true
            }
            None => false,
        }
    }

    pub(super) fn start_cell_edit(&mut self) -> Vec<Effect> {
        if self.refuse_write() {
            return Vec::new();
        }
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let (Some(meta), Some(row)) = (tab.meta(), tab.window.selected_row()) else { return Vec::new() };
        let column = tab.selected_col;
        let current =
            self.staged_value(&tab.name, &row.cursor.key, column).unwrap_or_else(|| row.values[column].clone());
        let text = edit_text(&current, &meta.kinds[column], &self.ctx);
        let set_null = matches!(current, Value::Null);
        let is_reference = matches!(meta.kinds[column], ColumnKind::ForeignKey { .. });
        let row = Box::new(row.clone());
        self.overlay = Overlay::Edit(EditPopup::Cell { column, input: text_input(&text), set_null, error: None, row });
        // A foreign key is picked by the referenced row's label (Esc goes to typing the key).
        if is_reference {
            return self.open_ref_picker(None);
        }
        Vec::new()
    }

    /// The newest staged value of a cell, shown instead of the loaded one.
    pub fn staged_value(&self, table: &str, cursor_key: &[Value], column: usize) -> Option<Value> {
        let meta = self.tabs.iter().find(|t| t.name == table)?.meta()?;
        let name = &meta.info.columns.get(column)?.name;
        self.edits.staged.iter().rev().find_map(|edit| match &edit.change {
            StagedChange::Update { table: t, column: c, new, .. }
                if t == table && c == name && edit.cursor_key == cursor_key =>
            {
                Some(new.clone())
            }
            _ => None,
        })
    }

    /// Whether a row is staged for deletion.
    pub fn staged_for_delete(&self, table: &str, cursor_key: &[Value]) -> bool {
        self.edits.staged.iter().any(|e| {
            matches!(&e.change, StagedChange::Delete { table: t, .. } if t == table) && e.cursor_key == cursor_key
        })
    }

    pub(super) fn start_insert(&mut self) -> Vec<Effect> {
        if self.refuse_write() {
            return Vec::new();
        }
        let Some(table) = self.active_tab().map(|t| t.name.clone()) else { return Vec::new() };
        let (_, effect) = self.request(
            Worker::Foreground,
            super::Waiting::Edit,
            DbRequest::InsertTemplate { table, now: self.ctx.now },
        );
        vec![effect]
    }

    pub(super) fn toggle_mark(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(row) = tab.window.selected_row() else { return Vec::new() };
        let entry = (tab.name.clone(), row.cursor.key.clone());
        match self.edits.marked.iter().position(|m| *m == entry) {
            Some(i) => {
                self.edits.marked.remove(i);
            }
            None => self.edits.marked.push(entry),
        }
        let count = self.edits.marked.len();
        self.say(Level::Info, format!("{} marked · d deletes them", plural(count as u64, "row")));
        self.update_browser(super::Action::MoveRows { delta: 1 })
    }

    pub(super) fn start_delete(&mut self) -> Vec<Effect> {
        if self.refuse_write() {
            return Vec::new();
        }
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(meta) = tab.meta() else { return Vec::new() };
        let columns: Vec<String> = meta.info.columns.iter().map(|c| c.name.clone()).collect();
        let marked: Vec<&Vec<Value>> =
            self.edits.marked.iter().filter(|(t, _)| *t == tab.name).map(|(_, key)| key).collect();
        let rows: Vec<&crate::db::page::PageRow> = if marked.is_empty() {
            tab.window.selected_row().into_iter().collect()
        } else {
            tab.window.rows.iter().filter(|r| marked.contains(&&r.cursor.key)).collect()
        };
        let mut changes = Vec::new();
        for row in &rows {
            let loaded = LoadedRow { columns: &columns, values: &row.values, cursor_key: &row.cursor.key };
            match stage_delete(&meta.info, &loaded) {
                Ok(change) => changes.push(StagedEdit { change, cursor_key: row.cursor.key.clone(), gesture: 0 }),
                Err(reason) => {
                    self.say(Level::Error, reason);
                    return Vec::new();
                }
            }
        }
        if changes.is_empty() {
            return Vec::new();
        }
        let keys: Vec<ColumnValues> = changes
            .iter()
            .filter_map(|e| match &e.change {
                StagedChange::Delete { key, .. } => Some(key.clone()),
                _ => None,
            })
            .collect();
        let table = tab.name.clone();
        let owners = owner_lookups(meta, &rows);
        let (_, effect) =
            self.request(Worker::Foreground, super::Waiting::Edit, DbRequest::CascadePreview { table, keys });
        let mut effects = vec![effect];
        if let Some(lookups) = owners {
            let (_, effect) =
                self.request(Worker::Foreground, super::Waiting::DeleteOwners, DbRequest::Labels { lookups });
            effects.push(effect);
        }
        self.ask_delete(changes);
        effects
    }

    pub(super) fn undo_staged(&mut self) -> Vec<Effect> {
        let gone = self.gone_rows();
        match self.edits.staged.pop() {
            Some(edit) => {
                // The rest of the gesture goes with it: a delete of 12 marked rows is undone whole.
                let mut undone = 1;
                while self.edits.staged.last().is_some_and(|e| e.gesture == edit.gesture) {
                    self.edits.staged.pop();
                    undone += 1;
                }
                // A row deleted underneath was only kept on screen for this change.
                self.let_go_of_gone_rows(&gone);
                let what = match &edit.change {
                    StagedChange::Update { table, column, .. } => format!("the staged edit of {table}.{column}"),
                    StagedChange::Insert { table, .. } => format!("the staged new row of {table}"),
                    StagedChange::Delete { table, .. } if undone > 1 => {
                        format!("the staged delete of {} from {table}", plural(undone as u64, "row"))
                    }
                    StagedChange::Delete { table, .. } => format!("the staged delete from {table}"),
                };
                let left = self.edits.staged.len();
                self.say(Level::Info, format!("undid {what} · {} still staged", plural(left as u64, "change")));
                // A staged new row is not a grid row to select: `u` takes it back into the form.
                if let StagedChange::Insert { table, values } = &edit.change
                    && self.active_tab().is_some_and(|t| t.name == *table)
                {
                    self.reopen_insert(values);
                }
            }
            None => self.say(Level::Info, "nothing staged to undo"),
        }
        Vec::new()
    }

    pub(super) fn review_staged(&mut self) -> Vec<Effect> {
        if self.edits.staged.is_empty() {
            self.say(Level::Info, "nothing staged: e edits a cell, a adds a row, d deletes");
            return Vec::new();
        }
        let changes = self.edits.staged.iter().map(|e| e.change.clone()).collect();
        let now = self.ctx.now;
        let (_, effect) =
            self.request(Worker::Foreground, super::Waiting::Edit, DbRequest::PreviewChanges { changes, now });
        // The review is a confirmation; yes waits for the SQL it shows (committed as of `now`,
        // the `updatedAt` the preview has).
        // Rows the live check found changed underneath are flagged before the user says yes.
        let mut preview = self.known_conflict_lines();
        preview.push(PreviewLine::Note("Preparing the SQL…".into()));
        self.ask(Confirmation {
            title: format!("{}: one batch", plural(self.edits.staged.len() as u64, "staged change")),
            preview,
            scroll: 0,
            on_yes: Confirmed::Commit { now },
            waiting: true,
            answer: None,
        });
        vec![effect]
    }

    pub(super) fn commit_staged(&mut self, overwrite: bool, now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
        let changes = self.edits.staged.iter().map(|e| e.change.clone()).collect();
        let request = DbRequest::CommitChanges { changes, overwrite, now, audit: self.source.audit.clone() };
        let (_, effect) = self.request(Worker::Foreground, super::Waiting::Edit, request);
        self.edits.committing = true;
        self.overlay = Overlay::None;
        self.say(Level::Info, "committing…");
        vec![effect]
    }

    /// A key while a commit runs (it may wait up to 5 s on another process's lock): Esc cancels
    /// it, anything else says busy rather than vanishing, and nothing moves under the commit.
    pub(super) fn key_while_committing(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.code == KeyCode::Esc && self.remote.is_some() {
            return self.stop_waiting_for_remote_commit();
        }
        if key.code == KeyCode::Esc {
            self.say(Level::Info, "cancelling the commit…");
            self.edits.cancel_asked = true;
            let commit = self.pending.id_of(&super::Waiting::Edit);
            return commit.map(|id| Effect::Interrupt { worker: Worker::Foreground, id }).into_iter().collect();
        }
        self.say(Level::Warning, "busy: committing (it may be waiting for a lock) · Esc cancels");
        Vec::new()
    }

    /// Quit asks first when changes are staged.
    pub(super) fn confirm_quit(&mut self) -> bool {
        if self.edits.staged.is_empty() || self.confirming(&Confirmed::Quit) {
            return true;
        }
        let count = self.edits.staged.len();
        let verb = if count == 1 { "is" } else { "are" };
        self.ask(Confirmation {
            title: "quit?".into(),
            preview: vec![
                PreviewLine::Item(format!("{} {verb} not committed.", plural(count as u64, "staged change"))),
                PreviewLine::Note("Quitting discards them.".into()),
            ],
            scroll: 0,
            on_yes: Confirmed::Quit,
            waiting: false,
            answer: None,
        });
        false
    }

    pub(super) fn edit_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let cell_kind = match &self.overlay {
            Overlay::Edit(EditPopup::Cell { column, .. }) => {
                self.active_tab().and_then(|t| t.meta()).and_then(|m| m.kinds.get(*column)).cloned()
            }
            _ => None,
        };
        let Overlay::Edit(popup) = &mut self.overlay else { return Vec::new() };
        match popup {
            EditPopup::Cell { input, set_null, error, .. } => match lookup(CELL_KEYS, &key) {
                Some(CellKey::Cancel) => self.overlay = Overlay::None,
                Some(CellKey::Stage) => return self.stage_cell(),
                Some(CellKey::Space) if cell_kind == Some(ColumnKind::Boolean) => {
                    *input = toggled(input);
                    *set_null = false;
                    *error = None;
                }
                // An enum offers the values seen: ↑ ↓ step through them (typing stays free).
                Some(CellKey::Step(step)) if matches!(cell_kind, Some(ColumnKind::Enum { .. })) => {
                    if let Some(ColumnKind::Enum { values }) = &cell_kind {
                        *input = text_input(&step_value(values, &field_text(input), step < 0));
                        *set_null = false;
                        *error = None;
                    }
                }
                Some(CellKey::Null) => {
                    *set_null = true;
                    *input = text_input("");
                    *error = None;
                }
                command => {
                    *set_null = false;
                    *error = None;
                    if command == Some(CellKey::Newline) {
                        input.insert_newline();
                    } else {
                        super::input::type_key(input, key);
                    }
                }
            },
            EditPopup::Insert { .. } => return self.insert_key(key),
            EditPopup::Conflict { conflicts } => match lookup(CONFLICT_KEYS, &key) {
                // An update cannot overwrite a row that is gone: its staged change is dropped
                // instead (`d`), and the rest can then be committed.
                Some(ConflictKey::Overwrite) if conflicts.rows.iter().any(|row| !row.row_exists) => {
                    self.say(Level::Warning, "a staged row was deleted meanwhile: d drops its changes, r reloads");
                }
                Some(ConflictKey::DropGone) => {
                    let gone_rows = self.gone_rows();
                    let Overlay::Edit(EditPopup::Conflict { conflicts }) = &self.overlay else { return Vec::new() };
                    let gone: Vec<usize> = conflicts
                        .rows
                        .iter()
                        .filter(|row| !row.row_exists)
                        .flat_map(|row| row.changes.clone())
                        .collect();
                    let mut index = 0;
                    self.edits.staged.retain(|_| {
                        index += 1;
                        !gone.contains(&(index - 1))
                    });
                    self.overlay = Overlay::None;
                    self.let_go_of_gone_rows(&gone_rows);
                    let left = self.edits.staged.len();
                    self.say(
                        Level::Info,
                        format!("dropped the changes to deleted rows; {left} staged (Ctrl-s commits them)"),
                    );
                }
                Some(ConflictKey::Overwrite) => {
                    let now = self.ctx.now;
                    return self.commit_staged(true, now);
                }
                Some(ConflictKey::Reload) => {
                    self.edits.staged.clear();
                    self.overlay = Overlay::None;
                    self.say(Level::Warning, "staged changes dropped; rows reloaded from the database");
                    return self.refresh_in_place();
                }
                Some(ConflictKey::Back) => self.overlay = Overlay::None,
                None => {}
            },
        }
        Vec::new()
    }

    fn stage_cell(&mut self) -> Vec<Effect> {
        let Overlay::Edit(EditPopup::Cell { column, input, set_null, error, row }) = &self.overlay else {
            return Vec::new();
        };
        let (column, text, set_null, shown_error) = (*column, field_text(input), *set_null, error.clone());
        let row = row.clone();
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(meta) = tab.meta() else { return Vec::new() };
        let kind = &meta.kinds[column];
        let original = row.values.get(column).cloned().unwrap_or(Value::Null);
        // Enter on an untouched editor, or a value that parses to what is stored, writes nothing:
        // re-parsing the shown text would drop a date's milliseconds and bump updatedAt.
        let untouched = !set_null && text == edit_text(&original, kind, &self.ctx);
        let parsed = if set_null { Ok(Value::Null) } else { parse_value_like(&text, kind, &self.ctx, &original) };
        if untouched || parsed.as_ref() == Ok(&original) {
            self.overlay = Overlay::None;
            self.say(Level::Info, "unchanged: nothing staged");
            return Vec::new();
        }
        // A value never seen in an enum (`superadmin` as a role) is warned about once; a second
        // Enter stages it, since the app may define it.
        if let (Ok(Value::Text(typed)), ColumnKind::Enum { values }) = (&parsed, kind)
            && let Some(warning) = unknown_enum_warning(&meta.info.columns[column].name, values, typed)
            && shown_error.as_ref() != Some(&warning)
        {
            if let Overlay::Edit(EditPopup::Cell { error, .. }) = &mut self.overlay {
                *error = Some(warning);
            }
            return Vec::new();
        }
        // A primary key's new value is warned about once, naming each table that points at the
        // row and how many of its rows do (counted by the worker); a second Enter stages it (a
        // foreign key may cascade the change, or the commit fails).
        if parsed.is_ok()
            && meta.info.columns[column].pk_position > 0
            && let Some(head) = super::edit_values::key_warning_head(&meta.info, column)
            && !shown_error.as_deref().is_some_and(|e| e.starts_with(&head) && !e.ends_with(KEY_COUNTING))
        {
            if shown_error.as_deref().is_some_and(|e| e.starts_with(&head)) {
                return Vec::new(); // still counting
            }
            let request = DbRequest::KeyReferences {
                table: meta.info.name.clone(),
                columns: meta.info.columns.iter().map(|c| c.name.clone()).collect(),
                values: row.values.clone(),
                column: meta.info.columns[column].name.clone(),
            };
            if let Overlay::Edit(EditPopup::Cell { error, .. }) = &mut self.overlay {
                *error = Some(format!("{head}{KEY_COUNTING}"));
            }
            let (_, effect) = self.request(Worker::Foreground, Waiting::Navigation, request);
            return vec![effect];
        }
        let columns: Vec<String> = meta.info.columns.iter().map(|c| c.name.clone()).collect();
        let loaded = LoadedRow { columns: &columns, values: &row.values, cursor_key: &row.cursor.key };
        let staged = parsed.and_then(|value| stage_update(&meta.info, &meta.kinds, &loaded, &columns[column], value));
        match staged {
            Ok(change) => {
                let gesture = self.edits.next_gesture();
                let edit = StagedEdit { change, cursor_key: row.cursor.key.clone(), gesture };
                self.edits.staged.push(edit);
                self.overlay = Overlay::None;
                let count = self.edits.staged.len();
                self.say(
                    Level::Info,
                    format!("{} staged · Ctrl-S reviews and commits · u undoes", plural(count as u64, "change")),
                );
            }
            Err(reason) => {
                if let Overlay::Edit(EditPopup::Cell { error, .. }) = &mut self.overlay {
                    *error = Some(reason);
                }
            }
        }
        Vec::new()
    }
}

/// For rows whose table has no label column (a session), the label to read of the row their
/// first foreign key points at, one a row; `None` when a row has none to follow.
fn owner_lookups(meta: &super::TableMeta, rows: &[&crate::db::page::PageRow]) -> Option<Vec<LabelLookup>> {
    if crate::db::labels::label_column(&meta.info.columns).is_some() {
        return None;
    }
    let (at, (table, column)) = meta.kinds.iter().enumerate().find_map(|(i, kind)| match kind {
        ColumnKind::ForeignKey { table, column } => Some((i, (table, column))),
        _ => None,
    })?;
    rows.iter()
        .map(|row| match row.values.get(at) {
            Some(Value::Null) | None => None,
            Some(value) => Some(LabelLookup { table: table.clone(), column: column.clone(), value: value.clone() }),
        })
        .collect()
}
