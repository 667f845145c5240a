//! Keys as data: each screen and popup has one table that drives both its key handling and
//! its part of the help screen, so help cannot list a key that does nothing or miss one that
//! works. A table maps chords to a command of its own screen (the grid's are [`Action`]s).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Action;
use crate::er::Direction;

/// A key and the modifiers it needs (Shift is implied by upper-case characters).
#[derive(Debug, Clone, Copy)]
pub struct Chord {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

pub(super) const fn key(code: KeyCode) -> Chord {
    Chord { code, modifiers: KeyModifiers::NONE }
}

pub(super) const fn ch(c: char) -> Chord {
    key(KeyCode::Char(c))
}

pub(super) const fn ctrl(c: char) -> Chord {
    Chord { code: KeyCode::Char(c), modifiers: KeyModifiers::CONTROL }
}

/// One line of help, and the chords that trigger its command. A binding with empty `keys`
/// continues the help line above it (`↑ ↓` is one line, two commands).
pub struct Binding<C: 'static> {
    pub keys: &'static str,
    pub description: &'static str,
    pub chords: &'static [Chord],
    /// `None` for what is handled by hand (sequences such as `gg`, the mouse, typing).
    pub action: Option<C>,
    /// How it shows in the hint line under the screen (none: help only). Usually one; several
    /// when what the key does there depends on the case (see [`When`]).
    pub hints: &'static [HintSpec],
}

/// A binding's place in the hint line: the short key text and label, its rank (lower first:
/// the line is cut from the end to fit the width, so the most useful keys come first), and
/// when it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HintSpec {
    pub rank: u8,
    pub keys: &'static str,
    pub label: &'static str,
    pub when: When,
}

/// When a hint applies: what the screen or popup shows decides which of its keys are worth
/// the room (judged by `hints::HintCase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// On better-auth's user table (its grid, its row detail).
    UserTable,
    NotUserTable,
    /// A user's detail listing sessions or accounts (the arrows select them).
    Links,
    NoLinks,
    /// Not on a remote database (the TUI does not apply migrations there).
    Local,
    /// On a remote database.
    Remote,
    /// A conflict where a row was deleted meanwhile (it cannot be overwritten).
    RowGone,
    NoRowGone,
    /// The confirmation to quit with changes staged.
    Quit,
    /// The review of staged changes before the commit.
    Commit,
    /// Any other confirmation.
    Plain,
    /// The confirmation to stage a delete.
    Delete,
    /// The removal of a user (confirmed by typing their email).
    Removal,
    /// Help opened with `?` over a popup (any key goes back to it).
    OverPopup,
    NotOverPopup,
    /// A confirmation whose preview scrolls (the review, migrations to apply).
    Scrolls,
}

/// A hint always shown (at `rank`).
pub(super) const fn hint(rank: u8, keys: &'static str, label: &'static str) -> HintSpec {
    HintSpec { rank, keys, label, when: When::Always }
}

/// A hint shown only `when`.
pub(super) const fn hint_if(when: When, rank: u8, keys: &'static str, label: &'static str) -> HintSpec {
    HintSpec { rank, keys, label, when }
}

/// A binding of the grid.
pub type KeyHelp = Binding<Action>;

/// The grid's key bindings, in the order help lists them. One line a binding, so the table
/// reads as the help screen does.
#[rustfmt::skip]
pub static BROWSER_KEYS: &[KeyHelp] = &[
    KeyHelp { keys: "↑ ↓ / k j", description: "move up / down", chords: &[key(KeyCode::Up), ch('k')], action: Some(Action::MoveRows { delta: -1 }), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(Action::MoveRows { delta: 1 }), hints: &[] },
    KeyHelp { keys: "← → / h l", description: "move left / right", chords: &[key(KeyCode::Left), ch('h')], action: Some(Action::MoveColumns { delta: -1 }), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[key(KeyCode::Right), ch('l')], action: Some(Action::MoveColumns { delta: 1 }), hints: &[] },
    KeyHelp { keys: "PgDn / Ctrl-f", description: "page down", chords: &[key(KeyCode::PageDown), ctrl('f'), ctrl('d')], action: Some(Action::PageDown), hints: &[] },
    KeyHelp { keys: "PgUp / Ctrl-b", description: "page up", chords: &[key(KeyCode::PageUp), ctrl('b'), ctrl('u')], action: Some(Action::PageUp), hints: &[] },
    KeyHelp { keys: "Home / gg", description: "first row", chords: &[key(KeyCode::Home)], action: Some(Action::FirstRow), hints: &[] },
    KeyHelp { keys: "End / G", description: "last row", chords: &[key(KeyCode::End), ch('G')], action: Some(Action::LastRow), hints: &[] },
    KeyHelp { keys: "0 / $", description: "first / last column", chords: &[ch('0'), ch('^')], action: Some(Action::FirstColumn), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[ch('$')], action: Some(Action::LastColumn), hints: &[] },
    KeyHelp { keys: "c", description: "columns: hide, show, reorder (remembered)", chords: &[ch('c')], action: Some(Action::OpenColumns), hints: &[hint(8, "c", "columns")] },
    KeyHelp { keys: "< / >", description: "narrow / widen the column (remembered)", chords: &[ch('<')], action: Some(Action::ResizeColumn { steps: -1 }), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[ch('>')], action: Some(Action::ResizeColumn { steps: 1 }), hints: &[] },
    KeyHelp { keys: "Tab / Shift-Tab", description: "next / previous tab", chords: &[key(KeyCode::Tab), ch(']')], action: Some(Action::NextTab), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[key(KeyCode::BackTab), ch('[')], action: Some(Action::PrevTab), hints: &[] },
    KeyHelp { keys: "gd", description: "go to the row this foreign key points at", chords: &[], action: None, hints: &[] },
    KeyHelp { keys: "gr", description: "rows of other tables that point at this row", chords: &[], action: None, hints: &[] },
    KeyHelp { keys: "Backspace", description: "go back along the gd / gr path", chords: &[key(KeyCode::Backspace)], action: Some(Action::Back), hints: &[] },
    KeyHelp { keys: "t", description: "pick a table (fuzzy)", chords: &[ch('t')], action: Some(Action::OpenPicker), hints: &[] },
    KeyHelp { keys: "s", description: "sort by column: asc → desc → none", chords: &[ch('s')], action: Some(Action::CycleSort), hints: &[hint_if(When::NotUserTable, 5, "s", "sort")] },
    KeyHelp { keys: "/", description: "search the text columns", chords: &[ch('/')], action: Some(Action::OpenSearch), hints: &[hint(3, "/", "search")] },
    KeyHelp { keys: "f", description: "add a filter (column, operator, value)", chords: &[ch('f')], action: Some(Action::OpenFilter), hints: &[hint(4, "f", "filter")] },
    KeyHelp { keys: "F", description: "clear filters and search", chords: &[ch('F')], action: Some(Action::ClearFilters), hints: &[] },
    KeyHelp { keys: "Enter", description: "row detail", chords: &[key(KeyCode::Enter)], action: Some(Action::OpenDetail), hints: &[hint(1, "Enter", "detail")] },
    KeyHelp { keys: "A", description: "user actions (user table, also in its row detail)", chords: &[ch('A')], action: Some(Action::OpenUserMenu), hints: &[hint_if(When::UserTable, 2, "A", "user actions")] },
    KeyHelp { keys: "e", description: "edit the cell (staged until Ctrl-s)", chords: &[ch('e')], action: Some(Action::EditCell), hints: &[hint(6, "e", "edit")] },
    KeyHelp { keys: "a", description: "add a row (pre-filled form)", chords: &[ch('a')], action: Some(Action::InsertRow), hints: &[hint_if(When::NotUserTable, 7, "a", "add")] },
    KeyHelp { keys: "Space / d", description: "mark ◆ / delete the marked or selected (show cascade)", chords: &[ch(' ')], action: Some(Action::ToggleMark), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[ch('d')], action: Some(Action::DeleteRows), hints: &[] },
    KeyHelp { keys: "u", description: "undo the last staged change", chords: &[ch('u')], action: Some(Action::UndoEdit), hints: &[] },
    KeyHelp { keys: "Ctrl-s", description: "review staged SQL; y commits them all in one batch", chords: &[ctrl('s')], action: Some(Action::ReviewChanges), hints: &[] },
    KeyHelp { keys: "x", description: "export the view (filters, search, sort) to a file", chords: &[ch('x')], action: Some(Action::OpenExport), hints: &[] },
    KeyHelp { keys: "y / Y", description: "copy the cell / the row as JSON (OSC 52 clipboard)", chords: &[ch('y')], action: Some(Action::CopyCell), hints: &[] },
    KeyHelp { keys: "", description: "", chords: &[ch('Y')], action: Some(Action::CopyRow), hints: &[] },
    KeyHelp { keys: ":", description: "SQL console, fresh for this table (old text: Ctrl-p)", chords: &[ch(':')], action: Some(Action::OpenConsole), hints: &[] },
    KeyHelp { keys: "i", description: "show / hide internal tables", chords: &[ch('i')], action: Some(Action::ToggleInternal), hints: &[] },
    KeyHelp { keys: "Ctrl-r", description: "reload rows and count", chords: &[ctrl('r')], action: Some(Action::Refresh), hints: &[] },
    KeyHelp { keys: "#", description: "exact row count (remote: says what it reads first)", chords: &[ch('#')], action: Some(Action::ExactCount), hints: &[hint_if(When::Remote, 5, "#", "exact count")] },
    KeyHelp { keys: "Esc", description: "cancel a running query, or clear the marks", chords: &[key(KeyCode::Esc)], action: Some(Action::Cancel), hints: &[] },
    KeyHelp { keys: "?", description: "this help", chords: &[ch('?')], action: Some(Action::OpenHelp), hints: &[] },
    KeyHelp { keys: "m", description: "messages of this session, each in full (errors too)", chords: &[ch('m')], action: Some(Action::OpenMessages), hints: &[] },
    KeyHelp { keys: "q / Ctrl-c", description: "quit (asks first when changes are staged)", chords: &[ch('q'), ctrl('c')], action: Some(Action::Quit), hints: &[] },
    KeyHelp { keys: "mouse", description: "click selects, wheel scrolls, click a tab or header", chords: &[], action: None, hints: &[] },
];

fn matches(chord: &Chord, event: &KeyEvent) -> bool {
    if chord.code != event.code {
        return false;
    }
    // Terminals report Shift with upper-case letters and symbols; the character already says it.
    // A chord that names Shift (Shift-↑) wants it.
    if chord.modifiers.contains(KeyModifiers::SHIFT) {
        return event.modifiers == chord.modifiers;
    }
    let relevant = event.modifiers - KeyModifiers::SHIFT;
    relevant == chord.modifiers
}

/// The command a table binds to a key, if any (the first binding holding the chord).
pub fn lookup<C: Clone>(table: &[Binding<C>], event: &KeyEvent) -> Option<C> {
    table
        .iter()
        .find(|binding| binding.chords.iter().any(|chord| matches(chord, event)))
        .and_then(|binding| binding.action.clone())
}

/// The help lines of a table: its bindings that start a line.
pub fn help_rows<C>(table: &[Binding<C>]) -> Vec<(&'static str, &'static str)> {
    table.iter().filter(|b| !b.keys.is_empty()).map(|b| (b.keys, b.description)).collect()
}

/// The grid action for a key, if it has one.
pub fn browser_action(event: &KeyEvent) -> Option<Action> {
    lookup(BROWSER_KEYS, event)
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

/// What a key does on the ER screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErKey {
    /// Select the neighbouring table this way.
    Select(Direction),
    /// Open the selected table's tab.
    Open,
    /// Show or hide internal tables.
    ToggleInternal,
    /// Compact or full detail.
    Compact,
    /// Scroll the diagram by this many cells.
    Scroll { dx: i64, dy: i64 },
    /// Read the schema again.
    Reread,
}

/// Keys of the ER screen.
#[rustfmt::skip]
pub static ER_KEYS: &[Binding<ErKey>] = &[
    Binding { keys: "arrows / hjkl", description: "select the neighbouring table", chords: &[key(KeyCode::Up), ch('k')], action: Some(ErKey::Select(Direction::Up)), hints: &[hint(1, "arrows", "select")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(ErKey::Select(Direction::Down)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Left), ch('h')], action: Some(ErKey::Select(Direction::Left)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Right), ch('l')], action: Some(ErKey::Select(Direction::Right)), hints: &[] },
    Binding { keys: "Enter / click", description: "open the selected table", chords: &[key(KeyCode::Enter)], action: Some(ErKey::Open), hints: &[hint(2, "Enter", "open table")] },
    Binding { keys: "i", description: "show / hide internal tables (sqlite_*, _cf_*)", chords: &[ch('i')], action: Some(ErKey::ToggleInternal), hints: &[] },
    Binding { keys: "c", description: "compact / full detail", chords: &[ch('c')], action: Some(ErKey::Compact), hints: &[hint(3, "c", "compact/full")] },
    Binding { keys: "PgUp PgDn, H L", description: "scroll", chords: &[key(KeyCode::PageUp)], action: Some(ErKey::Scroll { dx: 0, dy: -10 }), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown)], action: Some(ErKey::Scroll { dx: 0, dy: 10 }), hints: &[] },
    Binding { keys: "", description: "", chords: &[ch('H')], action: Some(ErKey::Scroll { dx: -20, dy: 0 }), hints: &[] },
    Binding { keys: "", description: "", chords: &[ch('L')], action: Some(ErKey::Scroll { dx: 20, dy: 0 }), hints: &[] },
    Binding { keys: "r", description: "re-read the schema", chords: &[ch('r')], action: Some(ErKey::Reread), hints: &[hint(4, "r", "re-read")] },
];

/// What a key does on the migrations screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationKey {
    /// Select the migration this many places down (negative: up).
    Select(i64),
    /// Scroll the selected migration's SQL this many lines.
    ScrollSql(i64),
    /// Apply what is pending, after the confirmation.
    Apply,
    /// Read the folder and the tracker again.
    Reread,
}

/// Keys of the migrations screen.
#[rustfmt::skip]
pub static MIGRATION_KEYS: &[Binding<MigrationKey>] = &[
    Binding { keys: "↑ ↓ / k j", description: "select a migration", chords: &[key(KeyCode::Up), ch('k')], action: Some(MigrationKey::Select(-1)), hints: &[hint(1, "↑↓", "select")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(MigrationKey::Select(1)), hints: &[] },
    Binding { keys: "PgUp PgDn / K J", description: "scroll its SQL", chords: &[key(KeyCode::PageUp), ch('K')], action: Some(MigrationKey::ScrollSql(-10)), hints: &[hint(2, "J K", "scroll SQL")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown), ch('J')], action: Some(MigrationKey::ScrollSql(10)), hints: &[] },
    Binding { keys: "A", description: "apply what is pending (shows the plan and asks first; backs up the database)", chords: &[ch('A')], action: Some(MigrationKey::Apply), hints: &[hint_if(When::Local, 3, "A", "apply pending"), hint_if(When::Remote, 3, "A", "apply (bookmark first)")] },
    Binding { keys: "r / Ctrl-r", description: "re-read the folder and the tracker", chords: &[ch('r'), ctrl('r')], action: Some(MigrationKey::Reread), hints: &[hint(4, "r", "re-read")] },
];

/// What a key does in the row detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailKey {
    /// Reveal or mask secrets.
    Reveal,
    /// Copy the cell.
    CopyCell,
    /// Copy the row as JSON.
    CopyRow,
    /// The user action menu (user table only).
    UserMenu,
    /// The review of staged changes (Ctrl-s, as on the grid).
    Review,
    /// Scroll this many lines (`i32::MIN` / `MAX`: to the top / bottom; `PAGE`: a page).
    Scroll(i32),
    /// Close the detail.
    Close,
}

/// A page of the detail, for [`DetailKey::Scroll`] (its height is known only when it runs).
pub const PAGE: i32 = i32::MAX - 1;

/// Keys of the row detail. On a user's detail ↑ ↓ and Enter first go to the list of sessions
/// and accounts (see `user_links`).
#[rustfmt::skip]
pub static DETAIL_KEYS: &[Binding<DetailKey>] = &[
    Binding { keys: "r", description: "reveal / mask secrets", chords: &[ch('r')], action: Some(DetailKey::Reveal), hints: &[hint_if(When::NoLinks, 4, "r", "reveal secrets"), hint_if(When::Links, 4, "r", "reveal")] },
    Binding { keys: "y / Y", description: "copy the cell / the row as JSON", chords: &[ch('y')], action: Some(DetailKey::CopyCell), hints: &[] },
    Binding { keys: "", description: "", chords: &[ch('Y')], action: Some(DetailKey::CopyRow), hints: &[] },
    Binding { keys: "A", description: "user actions (user table)", chords: &[ch('A')], action: Some(DetailKey::UserMenu), hints: &[hint_if(When::UserTable, 5, "A", "user actions")] },
    Binding { keys: "Ctrl-s", description: "review staged changes, as on the grid", chords: &[ctrl('s')], action: Some(DetailKey::Review), hints: &[] },
    Binding { keys: "↑ ↓ PgUp PgDn", description: "scroll a line, a page (also k j, wheel)", chords: &[key(KeyCode::Up), ch('k')], action: Some(DetailKey::Scroll(-1)), hints: &[hint_if(When::NoLinks, 1, "↑↓", "scroll")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(DetailKey::Scroll(1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageUp)], action: Some(DetailKey::Scroll(-PAGE)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown), ch(' ')], action: Some(DetailKey::Scroll(PAGE)), hints: &[hint_if(When::Links, 3, "PgDn", "scroll")] },
    Binding { keys: "Home End", description: "first / last line", chords: &[key(KeyCode::Home), ch('g')], action: Some(DetailKey::Scroll(i32::MIN)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::End), ch('G')], action: Some(DetailKey::Scroll(i32::MAX)), hints: &[] },
    Binding { keys: "↑ ↓ Enter", description: "a user's sessions, accounts: select, open", chords: &[], action: None, hints: &[hint_if(When::Links, 1, "↑↓", "sessions, accounts"), hint_if(When::Links, 2, "Enter", "open")] },
    Binding { keys: "Esc / Enter / q", description: "close", chords: &[key(KeyCode::Esc), key(KeyCode::Enter), ch('q')], action: Some(DetailKey::Close), hints: &[hint(6, "Esc", "close")] },
];

/// What a key does in a scrolled text popup (help, the message log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrollKey {
    /// Scroll this many lines.
    Lines(i16),
}

/// Keys of help and the message log; any other key closes them.
#[rustfmt::skip]
pub static SCROLL_KEYS: &[Binding<ScrollKey>] = &[
    Binding { keys: "↑ ↓ / k j", description: "scroll a line", chords: &[key(KeyCode::Up), ch('k')], action: Some(ScrollKey::Lines(-1)), hints: &[hint(1, "↑↓ PgUp PgDn", "scroll")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(ScrollKey::Lines(1)), hints: &[] },
    Binding { keys: "PgUp PgDn / Space", description: "scroll a page", chords: &[key(KeyCode::PageUp)], action: Some(ScrollKey::Lines(-10)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown), ch(' ')], action: Some(ScrollKey::Lines(10)), hints: &[] },
    Binding { keys: "Home g / End G", description: "first / last line", chords: &[key(KeyCode::Home), ch('g')], action: Some(ScrollKey::Lines(i16::MIN)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::End), ch('G')], action: Some(ScrollKey::Lines(i16::MAX)), hints: &[] },
    Binding { keys: "any other key", description: "close", chords: &[], action: None, hints: &[hint_if(When::NotOverPopup, 2, "Esc", "close"), hint_if(When::OverPopup, 2, "any key", "back to the popup")] },
];

/// What a key does in the filter bar (other keys type into the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    Next,
    Previous,
    /// Change the column or operator (negative: back).
    Change(i8),
    Add,
    /// On an empty value: remove the last condition (otherwise Backspace edits the value); on
    /// the listed conditions: remove the one shown.
    RemoveLast,
    /// On a foreign key: pick the referenced row by its label (the value gets its key).
    PickReference,
    Close,
}

/// Keys of the filter bar.
#[rustfmt::skip]
pub static FILTER_KEYS: &[Binding<FilterKey>] = &[
    Binding { keys: "Tab / ↓", description: "next field: column → operator → value", chords: &[key(KeyCode::Tab), key(KeyCode::Down)], action: Some(FilterKey::Next), hints: &[hint(1, "Tab ↑↓", "field")] },
    Binding { keys: "Shift-Tab / ↑", description: "previous field", chords: &[key(KeyCode::BackTab), key(KeyCode::Up)], action: Some(FilterKey::Previous), hints: &[] },
    Binding { keys: "← →", description: "change the column or operator", chords: &[key(KeyCode::Left)], action: Some(FilterKey::Change(-1)), hints: &[hint(2, "←→", "change")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Right)], action: Some(FilterKey::Change(1)), hints: &[] },
    Binding { keys: "Enter", description: "add the condition (conditions combine with AND)", chords: &[key(KeyCode::Enter)], action: Some(FilterKey::Add), hints: &[hint(3, "Enter", "add")] },
    Binding { keys: "Backspace/Del", description: "remove the last condition (value empty)", chords: &[key(KeyCode::Backspace), key(KeyCode::Delete)], action: Some(FilterKey::RemoveLast), hints: &[] },
    Binding { keys: "Tab past value", description: "the conditions: ←→ choose, Del remove, Enter edit", chords: &[], action: None, hints: &[] },
    Binding { keys: "Ctrl-f", description: "on a foreign key: pick the row by its label", chords: &[ctrl('f')], action: Some(FilterKey::PickReference), hints: &[] },
    Binding { keys: "Esc", description: "close the bar (conditions stay)", chords: &[key(KeyCode::Esc)], action: Some(FilterKey::Close), hints: &[hint(4, "Esc", "close")] },
];

/// What a key does in a list popup (the table picker, the `gr` list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKey {
    /// Select the entry this many places down (negative: up).
    Move(i8),
    Open,
    Close,
    /// `gr` on a remote: count through the relations left uncounted (no index: reads their table).
    Count,
}

/// Keys of the table picker (other keys type into its query, so no letters here).
#[rustfmt::skip]
pub static PICKER_KEYS: &[Binding<ListKey>] = &[
    Binding { keys: "type", description: "filter the tables (fuzzy)", chords: &[], action: None, hints: &[hint(1, "type", "filter")] },
    Binding { keys: "↑ ↓", description: "select", chords: &[key(KeyCode::Up)], action: Some(ListKey::Move(-1)), hints: &[hint(2, "↑↓", "select")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down)], action: Some(ListKey::Move(1)), hints: &[] },
    Binding { keys: "Enter", description: "open the table", chords: &[key(KeyCode::Enter)], action: Some(ListKey::Open), hints: &[hint(3, "Enter", "open")] },
    Binding { keys: "Esc", description: "close", chords: &[key(KeyCode::Esc)], action: Some(ListKey::Close), hints: &[hint(4, "Esc", "close")] },
];

/// Keys of the `gr` list of rows that point at the selected one.
#[rustfmt::skip]
pub static REFERENCES_KEYS: &[Binding<ListKey>] = &[
    Binding { keys: "↑ ↓ / k j", description: "select", chords: &[key(KeyCode::Up), ch('k')], action: Some(ListKey::Move(-1)), hints: &[hint(1, "↑↓", "select")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), ch('j')], action: Some(ListKey::Move(1)), hints: &[] },
    Binding { keys: "Enter", description: "show the rows", chords: &[key(KeyCode::Enter)], action: Some(ListKey::Open), hints: &[hint(2, "Enter", "show rows")] },
    Binding { keys: "Esc / q", description: "close", chords: &[key(KeyCode::Esc), ch('q')], action: Some(ListKey::Close), hints: &[hint(3, "Esc", "close")] },
    Binding { keys: "y", description: "count the rows not counted (no index: reads their whole table)", chords: &[ch('y')], action: Some(ListKey::Count), hints: &[] },
];

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
