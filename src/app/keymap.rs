//! The grid's keys, as data: one table drives both key handling and the help screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Action;

/// A key and the modifiers it needs (Shift is implied by upper-case characters).
#[derive(Debug, Clone, Copy)]
pub struct Chord {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn key(code: KeyCode) -> Chord {
    Chord { code, modifiers: KeyModifiers::NONE }
}

const fn ch(c: char) -> Chord {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Chord {
    Chord { code: KeyCode::Char(c), modifiers: KeyModifiers::CONTROL }
}

/// One line of help, and the chords that trigger its action.
pub struct KeyHelp {
    pub keys: &'static str,
    pub description: &'static str,
    pub chords: &'static [Chord],
    /// `None` for sequences handled by hand (`gg`).
    pub action: Option<Action>,
}

/// The grid's key bindings, in the order help lists them. One line a binding, so the table
/// reads as the help screen does.
#[rustfmt::skip]
pub static BROWSER_KEYS: &[KeyHelp] = &[
    KeyHelp { keys: "↑ ↓ / k j", description: "move up / down", chords: &[key(KeyCode::Up), ch('k')], action: Some(Action::MoveRows { delta: -1 }) },
    KeyHelp { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(Action::MoveRows { delta: 1 }) },
    KeyHelp { keys: "← → / h l", description: "move left / right", chords: &[key(KeyCode::Left), ch('h')], action: Some(Action::MoveColumns { delta: -1 }) },
    KeyHelp { keys: "", description: "", chords: &[key(KeyCode::Right), ch('l')], action: Some(Action::MoveColumns { delta: 1 }) },
    KeyHelp { keys: "PgDn / Ctrl-f", description: "page down", chords: &[key(KeyCode::PageDown), ctrl('f'), ctrl('d')], action: Some(Action::PageDown) },
    KeyHelp { keys: "PgUp / Ctrl-b", description: "page up", chords: &[key(KeyCode::PageUp), ctrl('b'), ctrl('u')], action: Some(Action::PageUp) },
    KeyHelp { keys: "Home / gg", description: "first row", chords: &[key(KeyCode::Home)], action: Some(Action::FirstRow) },
    KeyHelp { keys: "End / G", description: "last row", chords: &[key(KeyCode::End), ch('G')], action: Some(Action::LastRow) },
    KeyHelp { keys: "0 / $", description: "first / last column", chords: &[ch('0'), ch('^')], action: Some(Action::FirstColumn) },
    KeyHelp { keys: "", description: "", chords: &[ch('$')], action: Some(Action::LastColumn) },
    KeyHelp { keys: "c", description: "columns: hide, show, reorder (remembered)", chords: &[ch('c')], action: Some(Action::OpenColumns) },
    KeyHelp { keys: "< / >", description: "narrow / widen the column (remembered)", chords: &[ch('<')], action: Some(Action::ResizeColumn { steps: -1 }) },
    KeyHelp { keys: "", description: "", chords: &[ch('>')], action: Some(Action::ResizeColumn { steps: 1 }) },
    KeyHelp { keys: "Tab / Shift-Tab", description: "next / previous tab", chords: &[key(KeyCode::Tab), ch(']')], action: Some(Action::NextTab) },
    KeyHelp { keys: "", description: "", chords: &[key(KeyCode::BackTab), ch('[')], action: Some(Action::PrevTab) },
    KeyHelp { keys: "gd", description: "go to the row this foreign key points at", chords: &[], action: None },
    KeyHelp { keys: "gr", description: "rows of other tables that point at this row", chords: &[], action: None },
    KeyHelp { keys: "Backspace", description: "go back along the gd / gr path", chords: &[key(KeyCode::Backspace)], action: Some(Action::Back) },
    KeyHelp { keys: "t", description: "pick a table (fuzzy)", chords: &[ch('t')], action: Some(Action::OpenPicker) },
    KeyHelp { keys: "s", description: "sort by column: asc → desc → none", chords: &[ch('s')], action: Some(Action::CycleSort) },
    KeyHelp { keys: "/", description: "search the text columns", chords: &[ch('/')], action: Some(Action::OpenSearch) },
    KeyHelp { keys: "f", description: "add a filter (column, operator, value)", chords: &[ch('f')], action: Some(Action::OpenFilter) },
    KeyHelp { keys: "F", description: "clear filters and search", chords: &[ch('F')], action: Some(Action::ClearFilters) },
    KeyHelp { keys: "Enter", description: "row detail", chords: &[key(KeyCode::Enter)], action: Some(Action::OpenDetail) },
    KeyHelp { keys: "A", description: "user actions (user table, also in its row detail)", chords: &[ch('A')], action: Some(Action::OpenUserMenu) },
    KeyHelp { keys: "e", description: "edit the cell (staged until Ctrl-s)", chords: &[ch('e')], action: Some(Action::EditCell) },
    KeyHelp { keys: "a", description: "add a row (pre-filled form)", chords: &[ch('a')], action: Some(Action::InsertRow) },
    KeyHelp { keys: "Space / d", description: "mark rows / delete marked or selected (shows cascade)", chords: &[ch(' ')], action: Some(Action::ToggleMark) },
    KeyHelp { keys: "", description: "", chords: &[ch('d')], action: Some(Action::DeleteRows) },
    KeyHelp { keys: "u", description: "undo the last staged change", chords: &[ch('u')], action: Some(Action::UndoEdit) },
    KeyHelp { keys: "Ctrl-s", description: "review staged SQL; y commits all in one transaction", chords: &[ctrl('s')], action: Some(Action::ReviewChanges) },
    KeyHelp { keys: "x", description: "export the view (filters, search, sort) to a file", chords: &[ch('x')], action: Some(Action::OpenExport) },
    KeyHelp { keys: "y / Y", description: "copy the cell / the row as JSON (OSC 52 clipboard)", chords: &[ch('y')], action: Some(Action::CopyCell) },
    KeyHelp { keys: "", description: "", chords: &[ch('Y')], action: Some(Action::CopyRow) },
    KeyHelp { keys: ":", description: "SQL console (the table's name ready to complete)", chords: &[ch(':')], action: Some(Action::OpenConsole) },
    KeyHelp { keys: "i", description: "show / hide internal tables", chords: &[ch('i')], action: Some(Action::ToggleInternal) },
    KeyHelp { keys: "Ctrl-r", description: "reload rows and count", chords: &[ctrl('r')], action: Some(Action::Refresh) },
    KeyHelp { keys: "Esc", description: "cancel a running query", chords: &[key(KeyCode::Esc)], action: Some(Action::Cancel) },
    KeyHelp { keys: "?", description: "this help", chords: &[ch('?')], action: Some(Action::OpenHelp) },
    KeyHelp { keys: "m", description: "messages of this session, each in full (errors too)", chords: &[ch('m')], action: Some(Action::OpenMessages) },
    KeyHelp { keys: "q / Ctrl-c", description: "quit (asks first when changes are staged)", chords: &[ch('q'), ctrl('c')], action: Some(Action::Quit) },
    KeyHelp { keys: "mouse", description: "click selects, wheel scrolls, click a tab or header", chords: &[], action: None },
];

/// Keys of the row detail.
pub static DETAIL_KEYS: &[(&str, &str)] = &[
    ("r", "reveal / mask secrets"),
    ("y / Y", "copy the cell / the row as JSON"),
    ("↑ ↓ PgUp PgDn", "scroll a line, a page (also k j, wheel)"),
    ("Home End", "first / last line"),
    ("Esc / Enter / q", "close"),
];

/// Keys of the filter bar.
pub static FILTER_KEYS: &[(&str, &str)] = &[
    ("Tab", "next field: column → operator → value"),
    ("↑ ↓", "change column or operator"),
    ("Enter", "add the condition (conditions combine with AND)"),
    ("Backspace", "on an empty value: remove the last condition"),
    ("Esc", "close the bar (conditions stay)"),
];

fn matches(chord: &Chord, event: &KeyEvent) -> bool {
    if chord.code != event.code {
        return false;
    }
    // Terminals report Shift with upper-case letters and symbols; the character already says it.
    let relevant = event.modifiers - KeyModifiers::SHIFT;
    relevant == chord.modifiers
}

/// The grid action for a key, if it has one.
pub fn browser_action(event: &KeyEvent) -> Option<Action> {
    BROWSER_KEYS
        .iter()
        .find(|binding| binding.chords.iter().any(|chord| matches(chord, event)))
        .and_then(|binding| binding.action.clone())
}

/// Keys every screen shares (tabs, help, quit, reload).
pub fn screen_action(event: &KeyEvent) -> Option<Action> {
    browser_action(event).filter(|action| {
        matches!(
            action,
            Action::NextTab
                | Action::PrevTab
                | Action::Quit
                | Action::OpenHelp
                | Action::OpenMessages
                | Action::OpenPicker
                | Action::Refresh
                | Action::ToggleInternal
        )
    })
}

/// Keys of the migrations screen.
pub static MIGRATION_KEYS: &[(&str, &str)] = &[
    ("↑ ↓ / k j", "select a migration"),
    ("PgUp PgDn / K J", "scroll its SQL"),
    ("A", "apply what is pending (shows the plan and asks first; backs up the database)"),
    ("r / Ctrl-r", "re-read the folder and the tracker"),
];

/// Keys of the ER screen.
pub static ER_KEYS: &[(&str, &str)] = &[
    ("arrows / hjkl", "select the neighbouring table"),
    ("Enter / click", "open the selected table"),
    ("i", "show / hide internal tables (sqlite_*, _cf_*)"),
    ("c", "compact / full detail"),
    ("PgUp PgDn, H L", "scroll"),
    ("r", "re-read the schema"),
];
