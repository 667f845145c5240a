//! The console's keys as data: the editor (with what works in both halves), the result grid
//! and the question before a write. Each table drives `console_keys` and the help section.

use ratatui::crossterm::event::KeyCode;

use super::keymap::{Binding, ch, ctrl, hint, key};

/// What a key does anywhere in the console (the editor takes other keys as typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleKey {
    /// Run the statement under the cursor (Ctrl-r on an empty editor searches the history).
    Run,
    Plan,
    Help,
    /// Cancel what runs, else close the plan, else switch between editor and results.
    Escape,
    /// In the editor: complete a name or keyword.
    Complete,
    PrevTab,
    /// In the editor: walk the history this way.
    History(i8),
    /// In the editor: clear it (Ctrl-u, as in every other field; Ctrl-z brings it back).
    Clear,
    /// In the editor: undo the last change.
    Undo,
}

/// Keys of the console (the editor, and the first four in the results too).
#[rustfmt::skip]
pub static CONSOLE_KEYS: &[Binding<ConsoleKey>] = &[
    Binding { keys: "F5 / Ctrl-r", description: "run the statement under the cursor (or the selection; several run one at a time)", chords: &[key(KeyCode::F(5)), ctrl('r')], action: Some(ConsoleKey::Run), hints: &[hint(1, "F5", "run")] },
    Binding { keys: "Ctrl-e", description: "query plan of the statement under the cursor", chords: &[ctrl('e')], action: Some(ConsoleKey::Plan), hints: &[hint(3, "Ctrl-e", "plan")] },
    Binding { keys: "F1", description: "this help (? in the results)", chords: &[key(KeyCode::F(1))], action: Some(ConsoleKey::Help), hints: &[] },
    Binding { keys: "Esc", description: "cancel a running query; else go to the results (and back)", chords: &[key(KeyCode::Esc)], action: Some(ConsoleKey::Escape), hints: &[hint(5, "Esc", "cancel")] },
    Binding { keys: "Ctrl-r (empty editor)", description: "search the history (Ctrl-r again: older, Enter takes it)", chords: &[], action: None, hints: &[] },
    Binding { keys: "Tab", description: "complete the word before the cursor (a table, column or keyword); with no word there, indent (after FROM / JOIN: the tables)", chords: &[key(KeyCode::Tab)], action: Some(ConsoleKey::Complete), hints: &[hint(2, "Tab", "complete/indent")] },
    Binding { keys: "Shift-Tab", description: "previous tab", chords: &[key(KeyCode::BackTab)], action: Some(ConsoleKey::PrevTab), hints: &[] },
    Binding { keys: "Ctrl-p / Ctrl-n", description: "previous / next statement of the history", chords: &[ctrl('p')], action: Some(ConsoleKey::History(-1)), hints: &[hint(4, "Ctrl-p/n", "history")] },
    Binding { keys: "", description: "", chords: &[ctrl('n')], action: Some(ConsoleKey::History(1)), hints: &[] },
    Binding { keys: "Ctrl-u", description: "clear the editor (as in every field)", chords: &[ctrl('u')], action: Some(ConsoleKey::Clear), hints: &[] },
    Binding { keys: "Ctrl-z", description: "undo", chords: &[ctrl('z')], action: Some(ConsoleKey::Undo), hints: &[] },
    Binding { keys: "Shift-arrows", description: "select text", chords: &[], action: None, hints: &[] },
];

/// How many console keys work in the results too (run, plan, help, Esc).
pub const SHARED_WITH_RESULTS: usize = 4;

/// What a key does on the console's result grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKey {
    /// Move this many rows (`PAGE`: a page, negative: up).
    Rows(i64),
    Columns(i64),
    Top,
    /// The first `g` of `gg`.
    FirstG,
    Bottom,
    Sort,
    Detail,
    /// The previous (negative) or next statement's result.
    Result(i64),
    Editor,
    NextTab,
    PrevTab,
    Quit,
    Help,
    /// Open the table picker.
    Picker,
}

/// A page of the result grid, for [`ResultKey::Rows`].
pub const PAGE: i64 = i64::MAX / 4;

/// Keys of the console's result grid.
#[rustfmt::skip]
pub static RESULT_KEYS: &[Binding<ResultKey>] = &[
    Binding { keys: "results: ↑ ↓ / k j", description: "move a row", chords: &[key(KeyCode::Up), ch('k')], action: Some(ResultKey::Rows(-1)), hints: &[hint(1, "↑↓ gg G", "move")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(ResultKey::Rows(1)), hints: &[] },
    Binding { keys: "results: PgUp PgDn", description: "move a page (also Ctrl-b Ctrl-f)", chords: &[key(KeyCode::PageUp), ctrl('b')], action: Some(ResultKey::Rows(-PAGE)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown), ctrl('f')], action: Some(ResultKey::Rows(PAGE)), hints: &[] },
    Binding { keys: "results: ← → / h l", description: "move a column", chords: &[key(KeyCode::Left), ch('h')], action: Some(ResultKey::Columns(-1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Right), ch('l')], action: Some(ResultKey::Columns(1)), hints: &[] },
    Binding { keys: "results: 0 / $", description: "first / last column", chords: &[ch('0')], action: Some(ResultKey::Columns(i64::MIN / 2)), hints: &[] },
    Binding { keys: "", description: "", chords: &[ch('$')], action: Some(ResultKey::Columns(i64::MAX / 2)), hints: &[] },
    Binding { keys: "results: gg / G", description: "first / last row (also Home End; G reaches the last)", chords: &[key(KeyCode::Home)], action: Some(ResultKey::Top), hints: &[] },
    Binding { keys: "", description: "", chords: &[ch('g')], action: Some(ResultKey::FirstG), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::End), ch('G')], action: Some(ResultKey::Bottom), hints: &[] },
    Binding { keys: "results: s", description: "sort the rows on screen", chords: &[ch('s')], action: Some(ResultKey::Sort), hints: &[hint(3, "s", "sort")] },
    Binding { keys: "results: Enter", description: "row detail (r reveals secrets in it)", chords: &[key(KeyCode::Enter)], action: Some(ResultKey::Detail), hints: &[hint(2, "Enter", "detail")] },
    Binding { keys: "results: [ ]", description: "previous / next statement's result", chords: &[ch('[')], action: Some(ResultKey::Result(-1)), hints: &[hint(4, "[ ]", "result")] },
    Binding { keys: "", description: "", chords: &[ch(']')], action: Some(ResultKey::Result(1)), hints: &[] },
    Binding { keys: "results: i or :", description: "back to the editor", chords: &[ch('i'), ch(':')], action: Some(ResultKey::Editor), hints: &[hint(5, "i", "editor")] },
    Binding { keys: "results: Tab", description: "next / previous tab (Shift-Tab)", chords: &[key(KeyCode::Tab)], action: Some(ResultKey::NextTab), hints: &[hint(6, "Tab", "next tab")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::BackTab)], action: Some(ResultKey::PrevTab), hints: &[] },
    Binding { keys: "results: q", description: "quit", chords: &[ch('q')], action: Some(ResultKey::Quit), hints: &[] },
    Binding { keys: "results: ?", description: "this help", chords: &[ch('?')], action: Some(ResultKey::Help), hints: &[] },
    Binding { keys: "results: t", description: "pick a table to open", chords: &[ch('t')], action: Some(ResultKey::Picker), hints: &[] },
];
