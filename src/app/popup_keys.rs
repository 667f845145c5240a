//! Keys as data for the popups of editing (cell editor, insert form, delete, conflict), the search prompt, the column chooser, the export prompt and the user panel's
//! impersonation step. Each table drives its popup's key handling and its help
//! section, like the tables in `keymap`.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use super::keymap::{Binding, Chord, ListKey, When, ch, ctrl, help_rows, hint, hint_if, key};

const fn with(code: KeyCode, modifiers: KeyModifiers) -> Chord {
    Chord { code, modifiers }
}

/// What a key does in the cell editor (other keys type into the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKey {
    Stage,
    /// A line break in the value.
    Newline,
    /// Set the value to NULL.
    Null,
    /// A boolean toggles; in other kinds Space is typed.
    Space,
    /// An enum steps through the values seen (negative: back); elsewhere the cursor moves.
    Step(i8),
    Cancel,
}

/// Keys of the cell editor.
#[rustfmt::skip]
pub static CELL_KEYS: &[Binding<CellKey>] = &[
    Binding { keys: "Enter", description: "stage the value (Ctrl-s reviews and commits)", chords: &[key(KeyCode::Enter)], action: Some(CellKey::Stage), hints: &[hint(1, "Enter", "stage")] },
    Binding { keys: "Alt-Enter", description: "a new line in the value", chords: &[with(KeyCode::Enter, KeyModifiers::ALT)], action: Some(CellKey::Newline), hints: &[] },
    Binding { keys: "Ctrl-n", description: "set NULL", chords: &[ctrl('n')], action: Some(CellKey::Null), hints: &[hint(3, "Ctrl-n", "NULL")] },
    Binding { keys: "Space", description: "toggle a boolean (typed elsewhere)", chords: &[ch(' ')], action: Some(CellKey::Space), hints: &[] },
    Binding { keys: "↑ ↓", description: "step through an enum's values seen", chords: &[key(KeyCode::Up)], action: Some(CellKey::Step(-1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down)], action: Some(CellKey::Step(1)), hints: &[] },
    Binding { keys: "Ctrl-u", description: "clear to the start of the field", chords: &[], action: None, hints: &[hint(2, "Ctrl-u", "clear")] },
    Binding { keys: "Esc", description: "cancel, nothing staged", chords: &[key(KeyCode::Esc)], action: Some(CellKey::Cancel), hints: &[hint(4, "Esc", "cancel")] },
];

/// What a key does in the insert form (other keys type into the focused field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertKey {
    Next,
    Previous,
    Stage,
    /// Pick the focused foreign key's row by its label.
    PickReference,
    Null,
    /// Back to the column's DEFAULT (the column is left out of the INSERT).
    Default,
    /// A boolean toggles; in other kinds Space is typed.
    Space,
    Cancel,
}

/// Keys of the insert form.
#[rustfmt::skip]
pub static INSERT_KEYS: &[Binding<InsertKey>] = &[
    Binding { keys: "Tab / ↓", description: "next field", chords: &[key(KeyCode::Tab), key(KeyCode::Down)], action: Some(InsertKey::Next), hints: &[hint(1, "Tab ↑↓", "field")] },
    Binding { keys: "Shift-Tab / ↑", description: "previous field", chords: &[key(KeyCode::BackTab), key(KeyCode::Up)], action: Some(InsertKey::Previous), hints: &[] },
    Binding { keys: "Enter", description: "stage the new row", chords: &[key(KeyCode::Enter)], action: Some(InsertKey::Stage), hints: &[hint(2, "Enter", "stage")] },
    Binding { keys: "Ctrl-f", description: "pick a foreign key's row by its label", chords: &[ctrl('f')], action: Some(InsertKey::PickReference), hints: &[hint(3, "Ctrl-f", "pick")] },
    Binding { keys: "Ctrl-n", description: "set NULL", chords: &[ctrl('n')], action: Some(InsertKey::Null), hints: &[hint(4, "Ctrl-n", "NULL")] },
    Binding { keys: "Ctrl-d", description: "the column's DEFAULT (an empty field means it too)", chords: &[ctrl('d')], action: Some(InsertKey::Default), hints: &[hint(5, "Ctrl-d", "default")] },
    Binding { keys: "Space", description: "toggle a boolean (typed elsewhere)", chords: &[ch(' ')], action: Some(InsertKey::Space), hints: &[] },
    Binding { keys: "Esc", description: "cancel, nothing staged", chords: &[key(KeyCode::Esc)], action: Some(InsertKey::Cancel), hints: &[hint(6, "Esc", "cancel")] },
];

/// What a key does when a commit met rows changed by someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKey {
    Overwrite,
    /// Drop the staged changes of rows someone else deleted.
    DropGone,
    Reload,
    Back,
}

/// Keys of the conflict popup.
#[rustfmt::skip]
pub static CONFLICT_KEYS: &[Binding<ConflictKey>] = &[
    Binding { keys: "o", description: "overwrite: commit again without the checks", chords: &[ch('o')], action: Some(ConflictKey::Overwrite), hints: &[hint_if(When::NoRowGone, 1, "o", "overwrite")] },
    Binding { keys: "d", description: "drop the changes to rows deleted meanwhile", chords: &[ch('d')], action: Some(ConflictKey::DropGone), hints: &[hint_if(When::RowGone, 1, "d", "drop changes to deleted rows")] },
    Binding { keys: "r", description: "reload the rows, dropping what is staged", chords: &[ch('r')], action: Some(ConflictKey::Reload), hints: &[hint(2, "r", "reload")] },
    Binding { keys: "Esc", description: "back, the changes stay staged", chords: &[key(KeyCode::Esc)], action: Some(ConflictKey::Back), hints: &[hint(3, "Esc", "back")] },
];

/// What a key does in a one-line prompt (search; other keys type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKey {
    Submit,
    Cancel,
}

/// Keys of the search prompt.
#[rustfmt::skip]
pub static SEARCH_KEYS: &[Binding<PromptKey>] = &[
    Binding { keys: "type", description: "text to find in the text columns", chords: &[], action: None, hints: &[] },
    Binding { keys: "Enter", description: "search (empty: clear the search)", chords: &[key(KeyCode::Enter)], action: Some(PromptKey::Submit), hints: &[hint(1, "Enter", "search")] },
    Binding { keys: "Esc", description: "cancel", chords: &[key(KeyCode::Esc)], action: Some(PromptKey::Cancel), hints: &[hint(2, "Esc", "cancel")] },
];

/// What a key does in the column chooser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnsKey {
    /// Select the column this many places down (negative: up).
    Select(i8),
    /// Move the selected column this many places down (negative: up).
    Move(i8),
    Toggle,
    /// Narrow (negative) or widen the selected column.
    Resize(i8),
    Reset,
    Close,
}

/// Keys of the column chooser (Shift-arrows come first: an arrow's chord also takes it shifted).
#[rustfmt::skip]
pub static COLUMNS_KEYS: &[Binding<ColumnsKey>] = &[
    Binding { keys: "K J / Shift-↑ ↓", description: "move it up / down", chords: &[ch('K'), with(KeyCode::Up, KeyModifiers::SHIFT)], action: Some(ColumnsKey::Move(-1)), hints: &[hint(2, "K J", "move")] },
    Binding { keys: "", description: "", chords: &[ch('J'), with(KeyCode::Down, KeyModifiers::SHIFT)], action: Some(ColumnsKey::Move(1)), hints: &[] },
    Binding { keys: "↑ ↓ / k j", description: "select a column", chords: &[key(KeyCode::Up), ch('k')], action: Some(ColumnsKey::Select(-1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(ColumnsKey::Select(1)), hints: &[] },
    Binding { keys: "Space / Enter", description: "show / hide it", chords: &[ch(' '), key(KeyCode::Enter)], action: Some(ColumnsKey::Toggle), hints: &[hint(1, "Space", "show/hide")] },
    Binding { keys: "< >", description: "narrow / widen it", chords: &[ch('<')], action: Some(ColumnsKey::Resize(-1)), hints: &[hint(3, "< >", "width")] },
    Binding { keys: "", description: "", chords: &[ch('>')], action: Some(ColumnsKey::Resize(1)), hints: &[] },
    Binding { keys: "r", description: "reset order, widths and visibility", chords: &[ch('r')], action: Some(ColumnsKey::Reset), hints: &[hint(4, "r", "reset")] },
    Binding { keys: "Esc / c / q", description: "close (the choices are remembered)", chords: &[key(KeyCode::Esc), ch('c'), ch('q')], action: Some(ColumnsKey::Close), hints: &[hint(5, "Esc", "close")] },
];

/// What a key does in the export prompt (other keys type into the path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKey {
    /// The next format (negative: the previous one).
    Format(i8),
    Secrets,
    Write,
    Cancel,
}

/// Keys of the export prompt.
#[rustfmt::skip]
pub static EXPORT_KEYS: &[Binding<ExportKey>] = &[
    Binding { keys: "Tab / Shift-Tab", description: "next / previous format", chords: &[key(KeyCode::Tab)], action: Some(ExportKey::Format(1)), hints: &[hint(1, "Tab", "format")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::BackTab)], action: Some(ExportKey::Format(-1)), hints: &[] },
    Binding { keys: "Ctrl-r", description: "include or mask secrets", chords: &[ctrl('r')], action: Some(ExportKey::Secrets), hints: &[hint(2, "Ctrl-r", "secrets")] },
    Binding { keys: "Enter", description: "write the file", chords: &[key(KeyCode::Enter)], action: Some(ExportKey::Write), hints: &[hint(3, "Enter", "write")] },
    Binding { keys: "Esc", description: "cancel", chords: &[key(KeyCode::Esc)], action: Some(ExportKey::Cancel), hints: &[hint(4, "Esc", "cancel")] },
];

/// What a key does in a read-only step of the user panel (impersonations, a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKey {
    Scroll(i16),
    Back,
}

/// Keys of the impersonation list (and of a failed action's message).
#[rustfmt::skip]
pub static VIEW_KEYS: &[Binding<ViewKey>] = &[
    Binding { keys: "↑ ↓ / k j", description: "scroll", chords: &[key(KeyCode::Up), ch('k')], action: Some(ViewKey::Scroll(-1)), hints: &[hint(1, "↑↓", "scroll")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(ViewKey::Scroll(1)), hints: &[] },
    Binding { keys: "Esc / Enter / q", description: "back to the menu", chords: &[key(KeyCode::Esc), key(KeyCode::Enter), ch('q')], action: Some(ViewKey::Back), hints: &[hint(2, "Esc", "back")] },
];

/// Keys of the foreign-key picker (other keys type into its search, so no letters here).
#[rustfmt::skip]
pub static REF_PICKER_KEYS: &[Binding<ListKey>] = &[
    Binding { keys: "type", description: "search the referenced rows by label", chords: &[], action: None, hints: &[hint(1, "type", "search by label")] },
    Binding { keys: "↑ ↓", description: "select", chords: &[key(KeyCode::Up)], action: Some(ListKey::Move(-1)), hints: &[hint(2, "↑↓", "select")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down)], action: Some(ListKey::Move(1)), hints: &[] },
    Binding { keys: "Enter", description: "pick the row: its key goes in the field", chords: &[key(KeyCode::Enter)], action: Some(ListKey::Open), hints: &[hint(3, "Enter", "pick")] },
    Binding { keys: "Esc", description: "back to the field, to type the key", chords: &[key(KeyCode::Esc)], action: Some(ListKey::Close), hints: &[hint(4, "Esc", "type the key")] },
];

/// The help sections of these popups on the table browser.
pub fn browser_sections() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("Search prompt", help_rows(SEARCH_KEYS)),
        ("Remote: a question before a read that scans", help_rows(super::cost::COST_KEYS)),
        ("Cell editor", help_rows(CELL_KEYS)),
        ("Insert form", help_rows(INSERT_KEYS)),
        ("Typed confirmations (large deletes, removals)", help_rows(super::confirm::TYPED_CONFIRM_KEYS)),
        ("Conflict", help_rows(CONFLICT_KEYS)),
        ("Review, quit and other confirmations", help_rows(super::CONFIRM_KEYS)),
        ("Foreign-key picker", help_rows(REF_PICKER_KEYS)),
        ("Column chooser", help_rows(COLUMNS_KEYS)),
        ("Export prompt", help_rows(EXPORT_KEYS)),
        ("Impersonations", help_rows(VIEW_KEYS)),
    ]
}
