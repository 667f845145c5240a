//! One form type for the popups that ask for a few typed fields (ban reason and expiry, a new
//! password twice): labelled fields, which one has the keyboard, the validation message, and
//! one keymap. What Enter does with the text stays with each form's owner.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::input::{field_text, type_key};
use super::keymap::{Binding, hint, key, lookup};

/// The fields of a popup form and where the keyboard is.
#[derive(Debug, Clone)]
pub struct Form {
    pub fields: Vec<TextArea<'static>>,
    /// The field with the keyboard.
    pub focus: usize,
    /// Why the last Enter was refused, shown under the fields until the next key is typed.
    pub error: Option<String>,
}

/// What a key does in a form (other keys type into the focused field, Ctrl-u clearing it the
/// shell's way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    Next,
    Previous,
    Submit,
    Cancel,
}

/// Keys of a form.
#[rustfmt::skip]
pub static FORM_KEYS: &[Binding<FormKey>] = &[
    Binding { keys: "Tab / ↓", description: "next field", chords: &[key(KeyCode::Tab), key(KeyCode::Down)], action: Some(FormKey::Next), hints: &[hint(1, "Tab", "next field")] },
    Binding { keys: "Shift-Tab / ↑", description: "previous field", chords: &[key(KeyCode::BackTab), key(KeyCode::Up)], action: Some(FormKey::Previous), hints: &[] },
    Binding { keys: "Enter", description: "go on (review what will run)", chords: &[key(KeyCode::Enter)], action: Some(FormKey::Submit), hints: &[hint(2, "Enter", "preview")] },
    Binding { keys: "Esc", description: "back, nothing changed", chords: &[key(KeyCode::Esc)], action: Some(FormKey::Cancel), hints: &[hint(3, "Esc", "back")] },
    Binding { keys: "Ctrl-u", description: "clear to the start of the field", chords: &[], action: None, hints: &[] },
];

impl Form {
    pub fn new(fields: Vec<TextArea<'static>>) -> Form {
        Form { fields, focus: 0, error: None }
    }

    /// What field `index` holds.
    pub fn text(&self, index: usize) -> String {
        self.fields.get(index).map(field_text).unwrap_or_default()
    }

    /// Gives field `index` the keyboard.
    pub fn focus_on(&mut self, index: usize) {
        self.focus = index.min(self.fields.len().saturating_sub(1));
    }

    /// Types `key` into the focused field (for an owner with keys of its own), clearing the
    /// message.
    pub fn type_key(&mut self, key: KeyEvent) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            type_key(field, key);
        }
        self.error = None;
    }

    /// Moves the focus and types; Submit and Cancel are returned for the owner to act on.
    pub fn key(&mut self, key: KeyEvent) -> Option<FormKey> {
        let count = self.fields.len().max(1);
        match lookup(FORM_KEYS, &key) {
            Some(FormKey::Next) => self.focus = (self.focus + 1) % count,
            Some(FormKey::Previous) => self.focus = (self.focus + count - 1) % count,
            Some(command) => return Some(command),
            None => self.type_key(key),
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::input::text_input;
    use ratatui::crossterm::event::KeyModifiers;

    fn press(form: &mut Form, code: KeyCode, modifiers: KeyModifiers) -> Option<FormKey> {
        form.key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn tab_and_arrows_move_the_focus_round_and_keys_type_into_it() {
        let mut form = Form::new(vec![text_input(""), text_input("x")]);
        assert_eq!(press(&mut form, KeyCode::Char('a'), KeyModifiers::NONE), None);
        assert_eq!(press(&mut form, KeyCode::Tab, KeyModifiers::NONE), None);
        assert_eq!(form.focus, 1);
        assert_eq!(press(&mut form, KeyCode::Down, KeyModifiers::NONE), None);
        assert_eq!(form.focus, 0, "round to the first");
        assert_eq!(press(&mut form, KeyCode::BackTab, KeyModifiers::SHIFT), None);
        assert_eq!(form.focus, 1);
        form.error = Some("bad".into());
        press(&mut form, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(form.text(1), "", "Ctrl-u clears the shell's way");
        assert_eq!(form.error, None, "typing clears the message");
        assert_eq!(form.text(0), "a");
        assert_eq!(press(&mut form, KeyCode::Enter, KeyModifiers::NONE), Some(FormKey::Submit));
        assert_eq!(press(&mut form, KeyCode::Esc, KeyModifiers::NONE), Some(FormKey::Cancel));
    }
}
