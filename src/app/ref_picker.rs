//! Picking what a foreign key points at by the referenced row's label: `session.userId` by the
//! user's email, in the cell editor (it opens on the picker), the insert form and the filter
//! form (Ctrl-f).

use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::db::kinds::ColumnKind;
use crate::db::labels::{FindByLabel, LabelMatch};
use crate::db::value::raw_text;

use super::input::{field_text, text_input};
use super::keymap::{ListKey, lookup};
use super::popup_keys::REF_PICKER_KEYS;
use super::{App, DbReply, DbRequest, DbResult, EditPopup, Effect, Level, Overlay, Worker};

/// Rows offered at once.
const PICK_ROWS: usize = 12;

/// The picker, over the editor it fills in.
#[derive(Debug, Clone)]
pub struct RefPicker {
    /// The referenced table and column.
    pub table: String,
    pub key_column: String,
    pub query: TextArea<'static>,
    pub matches: Vec<LabelMatch>,
    pub selected: usize,
    /// The editor to go back to, and which of its fields gets the key (`None`: the cell editor).
    pub back: Box<Overlay>,
    pub field: Option<usize>,
}

impl App {
    /// Opens the picker over the open editor when its field `field` is a foreign key.
    pub(super) fn open_ref_picker(&mut self, field: Option<usize>) -> Vec<Effect> {
        let kind = match (&self.overlay, field) {
            (Overlay::Edit(EditPopup::Cell { column, .. }), None) => {
                self.active_tab().and_then(|t| t.meta()).and_then(|m| m.kinds.get(*column)).cloned()
            }
            (Overlay::Edit(EditPopup::Insert { fields, .. }), Some(i)) => fields.get(i).map(|f| f.kind.clone()),
            (Overlay::Filter(bar), Some(_)) => {
                self.active_tab().and_then(|t| t.meta()).and_then(|m| m.kinds.get(bar.column())).cloned()
            }
            _ => None,
        };
        let Some(ColumnKind::ForeignKey { table, column }) = kind else {
            self.say(Level::Info, "this field is not a foreign key: nothing to pick from");
            return Vec::new();
        };
        let back = Box::new(std::mem::take(&mut self.overlay));
        self.overlay = Overlay::RefPick(Box::new(RefPicker {
            table,
            key_column: column,
            query: text_input(""),
            matches: Vec::new(),
            selected: 0,
            back,
            field,
        }));
        self.search_referenced()
    }

    /// Asks for the rows matching the picker's query (a reply to an older query is dropped).
    fn search_referenced(&mut self) -> Vec<Effect> {
        let Overlay::RefPick(picker) = &self.overlay else { return Vec::new() };
        let find = FindByLabel {
            table: picker.table.clone(),
            key_column: picker.key_column.clone(),
            text: field_text(&picker.query).trim().to_string(),
            limit: PICK_ROWS,
        };
        let (_, effect) = self.request(Worker::Foreground, super::Waiting::RefPicker, DbRequest::FindByLabel(find));
        vec![effect]
    }

    /// The matches for the picker's latest query (an older query's request was superseded in
    /// the table, a closed picker's let go). `None` when no picker is open.
    pub(super) fn on_ref_picker_reply(&mut self, reply: &DbReply) -> Option<Vec<Effect>> {
        let Overlay::RefPick(picker) = &mut self.overlay else { return None };
        match &reply.result {
            Ok(DbResult::Found(found)) => {
                picker.matches = found.clone();
                picker.selected = picker.selected.min(found.len().saturating_sub(1));
            }
            Ok(_) => {}
            Err(message) => {
                let text = format!("searching {} failed: {message}", picker.table);
                self.say(Level::Error, text);
            }
        }
        Some(Vec::new())
    }

    pub(super) fn ref_picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::RefPick(picker) = &mut self.overlay else { return Vec::new() };
        match lookup(REF_PICKER_KEYS, &key) {
            Some(ListKey::Close) => self.close_ref_picker(None),
            Some(ListKey::Count) => {} // not a picker key
            Some(ListKey::Move(step)) if step < 0 => picker.selected = picker.selected.saturating_sub(1),
            Some(ListKey::Move(_)) => {
                picker.selected = (picker.selected + 1).min(picker.matches.len().saturating_sub(1))
            }
            Some(ListKey::Open) => match picker.matches.get(picker.selected).cloned() {
                Some(found) => {
                    let label = found.label.clone();
                    let then = if matches!(*picker.back, Overlay::Filter(_)) { "adds the filter" } else { "stages it" };
                    self.close_ref_picker(Some(found));
                    self.say(Level::Info, format!("picked {label}: Enter {then}"));
                }
                None => self.say(Level::Warning, "nothing matches: type part of the label, or Esc to type the key"),
            },
            // Ctrl-u clears the search as it clears every other field.
            None if key.modifiers.contains(KeyModifiers::CONTROL)
                && key.code == ratatui::crossterm::event::KeyCode::Char('u') =>
            {
                picker.query = text_input("");
                picker.selected = 0;
                return self.search_referenced();
            }
            None if key.modifiers.contains(KeyModifiers::CONTROL) => {}
            None => {
                super::input::type_key(&mut picker.query, key);
                picker.selected = 0;
                return self.search_referenced();
            }
        }
        Vec::new()
    }

    /// Back to the editor, with the picked row's key in its field.
    fn close_ref_picker(&mut self, picked: Option<LabelMatch>) {
        let Overlay::RefPick(picker) = std::mem::take(&mut self.overlay) else { return };
        // A search still running was for this picker: its reply must not fill the next one.
        self.pending.forget(&super::Waiting::RefPicker);
        let RefPicker { back, field, .. } = *picker;
        self.overlay = *back;
        let Some(found) = picked else { return };
        let text = raw_text(&found.key);
        match (&mut self.overlay, field) {
            (Overlay::Edit(EditPopup::Cell { input, set_null, error, .. }), None) => {
                *input = text_input(&text);
                *set_null = false;
                *error = None;
            }
            (Overlay::Edit(EditPopup::Insert { form, fields }), Some(i)) => {
                // The field changed: a refusal about the old value no longer holds (Enter checks
                // the form again).
                form.error = None;
                if let Some(input) = form.input_mut(i) {
                    *input = text_input(&text);
                }
                if let Some(field) = fields.get_mut(i) {
                    field.set_null = false;
                    field.use_default = false;
                    field.picked = Some((text, found.label));
                }
            }
            (Overlay::Filter(_), Some(_)) => self.filter_picked(&text),
            _ => {}
        }
    }
}
