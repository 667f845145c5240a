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
/// On a remote D1 the count is an estimate (`~N`): the exact one is a key away.
const GRID_REMOTE: &[Hint] = &[
    ("Enter", "detail"),
    ("/", "search"),
    ("f", "filter"),
    ("s", "sort"),
    ("#", "exact count"),
    ("e", "edit"),
    ("c", "columns"),
];
const USER_GRID_REMOTE: &[Hint] = &[
    ("Enter", "detail"),
    ("A", "user actions"),
    ("/", "search"),
    ("f", "filter"),
    ("#", "exact count"),
    ("c", "columns"),
];
/// A remote read that scans the table, held until confirmed (see `app::cost`).
const COST_ASK: &[Hint] = &[("y", "run it (reads the table)"), ("any other key", "cancels")];
const ER: &[Hint] = &[("arrows", "select"), ("Enter", "open table"), ("c", "compact/full"), ("r", "re-read")];
const MIGRATIONS: &[Hint] = &[("↑↓", "select"), ("J K", "scroll SQL"), ("A", "apply pending"), ("r", "re-read")];
/// On a remote D1 the TUI does not apply migrations (`squall migrate apply --remote` does).
const MIGRATIONS_REMOTE: &[Hint] = &[("↑↓", "select"), ("J K", "scroll SQL"), ("r", "re-read")];
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
const DELETE: &[Hint] = &[("y", "stage the delete"), ("n / Esc", "no")];
const QUIT: &[Hint] = &[("y", "quit, discarding staged"), ("n / Esc", "stay")];
/// A removal is confirmed by typing the email: `y` would be typed, not taken as yes.
const REMOVE: &[Hint] = &[("type", "the email"), ("Enter", "remove"), ("Esc", "back")];
const REVIEW: &[Hint] = &[("y", "commit"), ("↑↓ PgUp PgDn", "scroll"), ("Esc", "back")];
/// A confirmation whose preview scrolls (see `confirm`).
const CONFIRM_SCROLL: &[Hint] = &[("y", "yes"), ("↑↓ PgUp PgDn", "scroll"), ("n / Esc", "no")];
const CONFLICT: &[Hint] = &[("o", "overwrite"), ("r", "reload"), ("Esc", "back")];
/// When a conflicting row was deleted meanwhile: it cannot be overwritten, only dropped.
const CONFLICT_GONE: &[Hint] = &[("d", "drop changes to deleted rows"), ("r", "reload"), ("Esc", "back")];
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
            Screen::Migrations if app.remote.is_some() => MIGRATIONS_REMOTE,
            Screen::Migrations => MIGRATIONS,
            Screen::Console if app.console.focus == super::console::ConsoleFocus::Results => CONSOLE_RESULTS,
            Screen::Console => CONSOLE,
            Screen::Browser if app.remote.as_ref().is_some_and(|r| r.cost.ask.is_some()) => COST_ASK,
            Screen::Browser if app.remote.is_some() && app.on_user_table() => USER_GRID_REMOTE,
            Screen::Browser if app.remote.is_some() => GRID_REMOTE,
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
            EditPopup::Delete { .. } => DELETE,
            EditPopup::Conflict { conflicts } if conflicts.rows.iter().any(|row| !row.row_exists) => CONFLICT_GONE,
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
        Overlay::Confirm(confirmation) => match confirmation.on_yes {
            super::Confirmed::Commit { .. } => REVIEW,
            super::Confirmed::Quit => QUIT,
            super::Confirmed::ApplyMigrations => CONFIRM_SCROLL,
        },
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

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::keymap::{self, Binding};
    use super::*;

    /// The key events a hint's key text names (`↑↓`, `n / Esc`, `Ctrl-r`, `J K`); words that
    /// name no key (`type`, `any key`) give none.
    fn events(text: &str) -> Vec<KeyEvent> {
        let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
        text.split([' ', '/'])
            .filter(|t| !t.is_empty())
            .flat_map(|token| match token {
                "↑↓" => vec![plain(KeyCode::Up), plain(KeyCode::Down)],
                "arrows" => [KeyCode::Up, KeyCode::Down, KeyCode::Left, KeyCode::Right].map(plain).to_vec(),
                "Enter" => vec![plain(KeyCode::Enter)],
                "Esc" => vec![plain(KeyCode::Esc)],
                "Tab" => vec![plain(KeyCode::Tab)],
                "PgUp" => vec![plain(KeyCode::PageUp)],
                "PgDn" => vec![plain(KeyCode::PageDown)],
                "Space" => vec![plain(KeyCode::Char(' '))],
                "type" | "any" | "key" => Vec::new(),
                function if function.len() > 1 && function.starts_with('F') => {
                    function[1..].parse().map(|n| plain(KeyCode::F(n))).into_iter().collect()
                }
                ctrl if ctrl.starts_with("Ctrl-") => ctrl
                    .chars()
                    .last()
                    .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
                    .into_iter()
                    .collect(),
                one => one.chars().map(|c| plain(KeyCode::Char(c))).collect(),
            })
            .collect()
    }

    /// Every key a hint line names is bound in the table that handles it (`except`: keys the
    /// handler takes by hand, such as "any other key closes").
    fn check<C: Clone>(name: &str, line: &[Hint], table: &[Binding<C>], except: &[KeyCode]) {
        for (keys, what) in line {
            for event in events(keys) {
                if except.contains(&event.code) {
                    continue;
                }
                assert!(
                    keymap::lookup(table, &event).is_some(),
                    "{name}: hint {keys:?} ({what}) names {event:?}, unbound"
                );
            }
        }
    }

    #[test]
    fn every_key_a_hint_line_names_is_bound_in_its_table() {
        check("grid", GRID, keymap::BROWSER_KEYS, &[]);
        check("user grid", USER_GRID, keymap::BROWSER_KEYS, &[]);
        check("ER", ER, keymap::ER_KEYS, &[]);
        check("migrations", MIGRATIONS, keymap::MIGRATION_KEYS, &[]);
        check("filter", FILTER, keymap::FILTER_KEYS, &[]);
        check("detail", DETAIL, keymap::DETAIL_KEYS, &[]);
        check("user detail", USER_DETAIL, keymap::DETAIL_KEYS, &[]);
        check("user detail links", USER_DETAIL_LINKS, keymap::DETAIL_KEYS, &[]);
        check("help", HELP, keymap::SCROLL_KEYS, &[]);
        check("messages", MESSAGES, keymap::SCROLL_KEYS, &[KeyCode::Esc]);
        check("picker", PICKER, keymap::PICKER_KEYS, &[]);
        check("references", REFERENCES, keymap::REFERENCES_KEYS, &[]);
        check("confirmation", CONFIRM_SCROLL, super::super::CONFIRM_KEYS, &[]);
        check("menu", MENU, super::super::MENU_KEYS, &[]);
        check("form", FORM, super::super::FORM_KEYS, &[]);
        check("role", ROLE, super::super::ROLE_KEYS, &[]);
        check("user action", CONFIRM, super::super::CONFIRM_KEYS, &[]);
        use super::super::popup_keys as popup;
        check("search", SEARCH, popup::SEARCH_KEYS, &[]);
        // Ctrl-u clears the shell's way, by hand in every text field.
        check("cell", CELL, popup::CELL_KEYS, &[KeyCode::Char('u')]);
        check("insert", INSERT, popup::INSERT_KEYS, &[]);
        check("delete", DELETE, popup::DELETE_KEYS, &[]);
        check("quit", QUIT, super::super::CONFIRM_KEYS, &[]);
        check("review", REVIEW, super::super::CONFIRM_KEYS, &[]);
        check("conflict", CONFLICT, popup::CONFLICT_KEYS, &[]);
        check("conflict with a deleted row", CONFLICT_GONE, popup::CONFLICT_KEYS, &[]);
        check("migrations on a remote", MIGRATIONS_REMOTE, keymap::MIGRATION_KEYS, &[]);
        check("removal", REMOVE, popup::REMOVAL_KEYS, &[]);
        check("impersonations", SCROLL, popup::VIEW_KEYS, &[]);
        check("export", EXPORT, popup::EXPORT_KEYS, &[]);
        check("columns", COLUMNS, popup::COLUMNS_KEYS, &[]);
        // `Ctrl-p/n` reads as Ctrl-p and a plain n: n is Ctrl-n there.
        check("console", CONSOLE, super::super::CONSOLE_KEYS, &[KeyCode::Char('n')]);
        // `gg` is two presses of g, each bound.
        check("console results", CONSOLE_RESULTS, super::super::RESULT_KEYS, &[]);
    }
}
