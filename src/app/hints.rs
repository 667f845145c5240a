//! The key-hint line: the few most useful keys of whatever has the keyboard, as data (the
//! full list is in help, `?`).

use super::{App, EditPopup, Overlay, PanelStep, Screen};

/// One hint: the key and what it does.
pub type Hint = (&'static str, &'static str);

const GRID: &[Hint] = &[
    ("Enter", "detail"),
    ("/", "search"),
    ("f", "filter"),
    ("s", "sort"),
    ("e", "edit"),
    ("a", "add"),
    ("c", "columns"),
];
const USER_GRID: &[Hint] =
    &[("Enter", "detail"), ("A", "user actions"), ("/", "search"), ("f", "filter"), ("e", "edit"), ("c", "columns")];
const ER: &[Hint] = &[("arrows", "select"), ("Enter", "open table"), ("c", "compact/full"), ("r", "re-read")];
const MIGRATIONS: &[Hint] = &[("↑↓", "select"), ("J K", "scroll SQL"), ("A", "apply pending"), ("r", "re-read")];
const CONSOLE: &[Hint] =
    &[("F5", "run"), ("Tab", "complete"), ("Ctrl-e", "plan"), ("Ctrl-p/n", "history"), ("Esc", "cancel")];
/// The console with the keyboard on its result grid (there Tab switches tabs again).
const CONSOLE_RESULTS: &[Hint] =
    &[("↑↓ gg G", "move"), ("Enter", "detail"), ("s", "sort"), ("[ ]", "result"), ("i", "editor"), ("Tab", "next tab")];
const SEARCH: &[Hint] = &[("Enter", "search"), ("Esc", "cancel")];
const FILTER: &[Hint] = &[("Tab", "next field"), ("↑↓", "change"), ("Enter", "add"), ("Esc", "close")];
const DETAIL: &[Hint] = &[("↑↓", "scroll"), ("r", "reveal secrets"), ("Esc", "close")];
const USER_DETAIL: &[Hint] = &[("↑↓", "scroll"), ("r", "reveal secrets"), ("A", "user actions"), ("Esc", "close")];
/// A user's detail listing sessions or accounts: the arrows select them.
const USER_DETAIL_LINKS: &[Hint] = &[
    ("↑↓", "sessions, accounts"),
    ("Enter", "open"),
    ("PgDn", "scroll"),
    ("r", "reveal"),
    ("A", "user actions"),
    ("Esc", "close"),
];
const HELP: &[Hint] = &[("↑↓", "scroll"), ("any key", "close")];
const PICKER: &[Hint] = &[("type", "filter"), ("↑↓", "select"), ("Enter", "open"), ("Esc", "close")];
const REFERENCES: &[Hint] = &[("↑↓", "select"), ("Enter", "show rows"), ("Esc", "close")];
const CELL: &[Hint] = &[("Enter", "stage"), ("Ctrl-u", "clear"), ("Ctrl-n", "NULL"), ("Esc", "cancel")];
const INSERT: &[Hint] = &[
    ("Tab ↑↓", "field"),
    ("Enter", "stage row"),
    ("Ctrl-f", "pick a reference"),
    ("Ctrl-n", "NULL"),
    ("Esc", "cancel"),
];
const CONFIRM: &[Hint] = &[("y", "yes"), ("n / Esc", "no")];
/// A removal is confirmed by typing the email: `y` would be typed, not taken as yes.
const REMOVE: &[Hint] = &[("type", "the email"), ("Enter", "remove"), ("Esc", "back")];
const REVIEW: &[Hint] = &[("y", "commit"), ("↑↓ PgUp PgDn", "scroll"), ("Esc", "back")];
/// A confirmation whose preview scrolls (see `confirm`).
const CONFIRM_SCROLL: &[Hint] = &[("y", "yes"), ("↑↓ PgUp PgDn", "scroll"), ("n / Esc", "no")];
const CONFLICT: &[Hint] = &[("o", "overwrite"), ("r", "reload"), ("Esc", "back")];
const MENU: &[Hint] = &[("↑↓", "choose"), ("Enter", "select"), ("Esc", "close")];
const FORM: &[Hint] = &[("Tab", "next field"), ("Enter", "preview"), ("Esc", "back")];
const ROLE: &[Hint] = &[("↑↓", "role"), ("Space", "tick"), ("Enter", "preview"), ("Esc", "back")];
const SCROLL: &[Hint] = &[("↑↓", "scroll"), ("Esc", "back")];
const REF_PICK: &[Hint] = &[("type", "search by label"), ("↑↓", "select"), ("Enter", "pick"), ("Esc", "type the key")];
const MESSAGES: &[Hint] = &[("↑↓ PgUp PgDn", "scroll"), ("Esc", "close")];
const EXPORT: &[Hint] = &[("Tab", "format"), ("Ctrl-r", "secrets"), ("Enter", "write"), ("Esc", "cancel")];
const COLUMNS: &[Hint] = &[("Space", "show/hide"), ("K J", "move"), ("< >", "width"), ("r", "reset"), ("Esc", "close")];

/// The hints for what has the keyboard now.
pub fn hints(app: &App) -> &'static [Hint] {
    match &app.overlay {
        Overlay::None => match app.screen {
            Screen::Er => ER,
            Screen::Migrations => MIGRATIONS,
            Screen::Console if app.console.focus == super::console::ConsoleFocus::Results => CONSOLE_RESULTS,
            Screen::Console => CONSOLE,
            Screen::Browser if app.on_user_table() => USER_GRID,
            Screen::Browser => GRID,
        },
        Overlay::Help { .. } => HELP,
        Overlay::Picker(_) => PICKER,
        Overlay::Detail { .. } if app.detail_links().is_some_and(|l| l.entries() > 0) => USER_DETAIL_LINKS,
        Overlay::Detail { .. } if app.on_user_table() => USER_DETAIL,
        Overlay::Detail { .. } => DETAIL,
        Overlay::Search { .. } => SEARCH,
        Overlay::Filter(_) => FILTER,
        Overlay::References { .. } => REFERENCES,
        Overlay::Edit(popup) => match popup {
            EditPopup::Cell { .. } => CELL,
            EditPopup::Insert { .. } => INSERT,
            EditPopup::Delete { .. } | EditPopup::ConfirmQuit => CONFIRM,
            EditPopup::Review { .. } => REVIEW,
            EditPopup::Conflict { .. } => CONFLICT,
        },
        Overlay::User(panel) => match &panel.step {
            PanelStep::Menu | PanelStep::Running { .. } | PanelStep::Failed { .. } => MENU,
            PanelStep::Ban(_) | PanelStep::Password(_) => FORM,
            PanelStep::Role(_) => ROLE,
            PanelStep::Confirm { action: crate::db::users::UserAction::Remove, .. } => REMOVE,
            PanelStep::Confirm { .. } => CONFIRM,
            PanelStep::Impersonations { .. } => SCROLL,
        },
        Overlay::Messages { .. } => MESSAGES,
        Overlay::Export(_) => EXPORT,
        Overlay::Columns(_) => COLUMNS,
        Overlay::RefPick(_) => REF_PICK,
        Overlay::Confirm(_) => CONFIRM_SCROLL,
    }
}

/// The key that opens help from here: `?` types itself in the console's editor, so F1 there.
pub fn help_key(app: &App) -> &'static str {
    let typing = app.screen == Screen::Console
        && app.console.focus == super::console::ConsoleFocus::Editor
        && matches!(app.overlay, Overlay::None);
    if typing { "F1" } else { "?" }
}

impl App {
    /// Whether the grid on screen is better-auth's user table.
    pub fn on_user_table(&self) -> bool {
        self.screen == Screen::Browser && self.active_tab().is_some_and(|tab| self.user_table_of(tab).is_some())
    }
}
