//! One form type for every popup that asks for a few fields (the filter form, the insert
//! form, ban, role, password): fields that are a text input or a choice among options, which one
//! has the keyboard, the validation message, and one key path. Each owner's keys are a keymap
//! table consulted through [`Form::key_with`], so help and hints keep coming from that table;
//! what Enter does with the values stays with each owner.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::input::{field_text, type_key};
use super::keymap::{Binding, hint, key, lookup};

/// One field of a form.
// A form holds a handful of fields, most of them text: boxing the text buffer would cost an
// allocation per field for nothing worth saving.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Field {
    /// Typed text (one line).
    Text(TextArea<'static>),
    /// One of `options`, changed with ← →.
    Choice { options: Vec<String>, selected: usize },
}

impl Field {
    /// A choice among `options` with `selected` chosen (clamped).
    pub fn choice(options: Vec<String>, selected: usize) -> Field {
        let selected = selected.min(options.len().saturating_sub(1));
        Field::Choice { options, selected }
    }
}

/// The fields of a form and where the keyboard is.
#[derive(Debug, Clone)]
pub struct Form {
    pub fields: Vec<Field>,
    /// The field with the keyboard.
    pub focus: usize,
    /// Why the last Enter was refused, shown under the fields until the next key is typed.
    pub error: Option<String>,
    /// Fields not drawn just now (the filter form's value under `is null`): the focus skips
    /// them, so the keyboard never goes where nothing shows it.
    hidden: Vec<usize>,
}

/// What a key does in a form (other keys type into the focused text field, Ctrl-u clearing it
/// the shell's way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    Next,
    Previous,
    /// The focused choice's next option (negative: previous); in a text field the key moves the
    /// cursor, as typed.
    Cycle(i8),
    Submit,
    Cancel,
}

/// A command of a form owner's keymap: which, if any, the form itself carries out (moving the
/// focus, cycling a choice). The others come back to the owner.
pub trait FormCommand: Copy {
    fn as_form(self) -> Option<FormKey>;
}

impl FormCommand for FormKey {
    fn as_form(self) -> Option<FormKey> {
        Some(self)
    }
}

/// What [`Form::key_with`] did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<K> {
    /// The owner's command (also Submit and Cancel).
    Owner(K),
    /// The focus moved.
    Moved,
    /// The focused choice changed.
    Chose,
    /// The key was typed into the focused text field.
    Typed,
    /// A key with no binding on a choice field: the owner may use it.
    Unbound,
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
        Form::of(fields.into_iter().map(Field::Text).collect())
    }

    /// A form of text and choice fields.
    pub fn of(fields: Vec<Field>) -> Form {
        Form { fields, focus: 0, error: None, hidden: Vec::new() }
    }

    /// What field `index` holds (a choice: its option).
    pub fn text(&self, index: usize) -> String {
        match self.fields.get(index) {
            Some(Field::Text(input)) => field_text(input),
            Some(Field::Choice { options, selected }) => options.get(*selected).cloned().unwrap_or_default(),
            None => String::new(),
        }
    }

    /// Text field `index`'s input.
    pub fn input(&self, index: usize) -> Option<&TextArea<'static>> {
        match self.fields.get(index) {
            Some(Field::Text(input)) => Some(input),
            _ => None,
        }
    }

    pub fn input_mut(&mut self, index: usize) -> Option<&mut TextArea<'static>> {
        match self.fields.get_mut(index) {
            Some(Field::Text(input)) => Some(input),
            _ => None,
        }
    }

    /// Which option choice field `index` has (0 for a text field).
    pub fn chosen(&self, index: usize) -> usize {
        match self.fields.get(index) {
            Some(Field::Choice { selected, .. }) => *selected,
            _ => 0,
        }
    }

    /// Chooses option `option` of choice field `index`.
    pub fn choose(&mut self, index: usize, option: usize) {
        if let Some(Field::Choice { options, selected }) = self.fields.get_mut(index) {
            *selected = option.min(options.len().saturating_sub(1));
        }
    }

    /// Shows or hides field `index`. Hiding the field with the keyboard moves it to the nearest
    /// shown field before it (after it, for the first).
    pub fn set_shown(&mut self, index: usize, shown: bool) {
        self.hidden.retain(|i| *i != index);
        if !shown {
            self.hidden.push(index);
            if self.focus == index {
                self.step_focus(-1);
            }
        }
    }

    /// Whether field `index` is drawn.
    pub fn is_shown(&self, index: usize) -> bool {
        !self.hidden.contains(&index)
    }

    /// Moves the focus `step` (±1) round the fields, over the hidden ones.
    fn step_focus(&mut self, step: isize) {
        let count = self.fields.len().max(1);
        let mut at = self.focus;
        for _ in 0..count {
            at = (at + count).wrapping_add_signed(step) % count;
            if self.is_shown(at) {
                self.focus = at;
                return;
            }
        }
    }

    /// Gives field `index` the keyboard.
    pub fn focus_on(&mut self, index: usize) {
        self.focus = index.min(self.fields.len().saturating_sub(1));
    }

    /// Whether `key` asks for the form's help: F1, or `?` on a choice (in a text field `?` is a
    /// character).
    pub fn asks_help(&self, key: &KeyEvent) -> bool {
        let on_choice = matches!(self.fields.get(self.focus), Some(Field::Choice { .. }));
        let question = key.code == KeyCode::Char('?')
            && (key.modifiers - ratatui::crossterm::event::KeyModifiers::SHIFT).is_empty();
        key.code == KeyCode::F(1) || (question && on_choice)
    }

    /// Types `key` into the focused text field (for an owner with keys of its own), clearing the
    /// message.
    pub fn type_key(&mut self, key: KeyEvent) {
        if let Some(input) = self.input_mut(self.focus) {
            type_key(input, key);
        }
        self.error = None;
    }

    /// The one key path of every form: `keys` is the owner's table. Its commands that are form
    /// commands move the focus or cycle the focused choice; the others go back to the owner.
    /// An unbound key types into a text field.
    pub fn key_with<K: FormCommand>(&mut self, keys: &[Binding<K>], key: KeyEvent) -> Outcome<K> {
        let on_choice = matches!(self.fields.get(self.focus), Some(Field::Choice { .. }));
        let Some(command) = lookup(keys, &key) else {
            if on_choice {
                return Outcome::Unbound;
            }
            self.type_key(key);
            return Outcome::Typed;
        };
        match command.as_form() {
            Some(FormKey::Next) => self.step_focus(1),
            Some(FormKey::Previous) => self.step_focus(-1),
            Some(FormKey::Cycle(step)) => {
                let Some(Field::Choice { options, selected }) = self.fields.get_mut(self.focus) else {
                    self.type_key(key);
                    return Outcome::Typed;
                };
                let len = options.len().max(1);
                *selected = if step < 0 { (*selected + len - 1) % len } else { (*selected + 1) % len };
                self.error = None;
                return Outcome::Chose;
            }
            _ => return Outcome::Owner(command),
        }
        Outcome::Moved
    }

    /// [`Form::key_with`] on [`FORM_KEYS`]: Submit and Cancel are returned for the owner to act on.
    pub fn key(&mut self, key: KeyEvent) -> Option<FormKey> {
        match self.key_with(FORM_KEYS, key) {
            Outcome::Owner(command) => Some(command),
            _ => None,
        }
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

    #[test]
    fn tab_and_arrows_skip_a_hidden_field() {
        let mut form = Form::new(vec![text_input(""), text_input(""), text_input("")]);
        form.set_shown(1, false);
        press(&mut form, KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(form.focus, 2, "Tab skips the hidden field");
        press(&mut form, KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(form.focus, 0, "↑ too");
        form.focus_on(2);
        form.set_shown(2, false);
        assert_eq!(form.focus, 0, "hiding the focused field moves the keyboard off it");
        press(&mut form, KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(form.focus, 0, "the only shown field keeps it");
        form.set_shown(1, true);
        press(&mut form, KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(form.focus, 1, "shown again, it takes the keyboard again");
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Owned {
        Form(FormKey),
        Mine,
    }

    impl FormCommand for Owned {
        fn as_form(self) -> Option<FormKey> {
            match self {
                Owned::Form(key) => Some(key),
                Owned::Mine => None,
            }
        }
    }

    static OWNED: &[Binding<Owned>] = &[
        Binding {
            keys: "Tab",
            description: "",
            chords: &[key(KeyCode::Tab)],
            action: Some(Owned::Form(FormKey::Next)),
            hints: &[],
        },
        Binding {
            keys: "←",
            description: "",
            chords: &[key(KeyCode::Left)],
            action: Some(Owned::Form(FormKey::Cycle(-1))),
            hints: &[],
        },
        Binding {
            keys: "→",
            description: "",
            chords: &[key(KeyCode::Right)],
            action: Some(Owned::Form(FormKey::Cycle(1))),
            hints: &[],
        },
        Binding {
            keys: "Ctrl-n",
            description: "",
            chords: &[crate::app::keymap::ctrl('n')],
            action: Some(Owned::Mine),
            hints: &[],
        },
    ];

    #[test]
    fn an_owners_keys_layer_on_the_form_and_arrows_cycle_a_choice_or_move_the_cursor() {
        let choice = Field::choice(vec!["a".into(), "b".into(), "c".into()], 0);
        let mut form = Form::of(vec![choice, Field::Text(text_input("xy"))]);
        let press = |form: &mut Form, code| form.key_with(OWNED, KeyEvent::new(code, KeyModifiers::NONE));
        assert_eq!(press(&mut form, KeyCode::Left), Outcome::Chose);
        assert_eq!(form.text(0), "c", "← goes round to the last option");
        assert_eq!(press(&mut form, KeyCode::Right), Outcome::Chose);
        assert_eq!(form.chosen(0), 0);
        assert_eq!(press(&mut form, KeyCode::Char('z')), Outcome::Unbound, "a choice takes no text");
        assert_eq!(
            form.key_with(OWNED, KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
            Outcome::Owner(Owned::Mine)
        );
        assert_eq!(press(&mut form, KeyCode::Tab), Outcome::Moved);
        assert_eq!(press(&mut form, KeyCode::Left), Outcome::Typed, "in text, ← moves the cursor");
        press(&mut form, KeyCode::Char('!'));
        assert_eq!(form.text(1), "x!y");
    }
}
