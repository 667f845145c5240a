//! The key-hint line: the few most useful keys of whatever has the keyboard, drawn from its
//! keymap (each binding says whether, how and in what order it shows; the full list is in
//! help, `?`).

use super::keymap::{self, Binding, HintSpec, When};
use super::layout::text_width;
use super::popup_keys as popup;
use super::{App, EditPopup, Overlay, PanelStep, Screen};

/// One hint: the key and what it does.
pub type Hint = (&'static str, &'static str);

/// What decides which of a keymap's hints apply (see [`When`]).
#[derive(Debug, Clone, Copy, Default)]
struct HintCase {
    user_table: bool,
    links: bool,
    remote: bool,
    row_gone: bool,
    quit: bool,
    commit: bool,
    scrolls: bool,
    delete: bool,
    removal: bool,
    over_popup: bool,
}

impl HintCase {
    fn holds(&self, when: When) -> bool {
        match when {
            When::Always => true,
            When::UserTable => self.user_table,
            When::NotUserTable => !self.user_table,
            When::Links => self.links,
            When::NoLinks => !self.links,
            When::Local => !self.remote,
            When::Remote => self.remote,
            When::RowGone => self.row_gone,
            When::NoRowGone => !self.row_gone,
            When::Quit => self.quit,
            When::Commit => self.commit,
            When::Plain => !self.quit && !self.commit && !self.delete && !self.removal,
            When::Delete => self.delete,
            When::Removal => self.removal,
            When::OverPopup => self.over_popup,
            When::NotOverPopup => !self.over_popup,
            When::Scrolls => self.scrolls,
        }
    }
}

/// The hints a keymap gives in `case`, most useful first.
fn drawn_from<C>(table: &[Binding<C>], case: HintCase) -> Vec<Hint> {
    let mut specs: Vec<&HintSpec> =
        table.iter().flat_map(|b| b.hints.iter()).filter(|spec| case.holds(spec.when)).collect();
    specs.sort_by_key(|spec| spec.rank);
    specs.into_iter().map(|spec| (spec.keys, spec.label)).collect()
}

/// A popup's key line on its edge, drawn from its keymap's hints that always apply (`key
/// label · key label`), so the edge and the hint line cannot disagree.
fn key_line<C>(table: &[Binding<C>]) -> String {
    drawn_from(table, HintCase::default())
        .into_iter()
        .map(|(keys, label)| format!("{keys} {label}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The insert form's key line (`INSERT_KEYS`).
pub fn insert_key_line() -> String {
    key_line(popup::INSERT_KEYS)
}

/// A review or commit waiting for another writer's lock: Esc lets go of it, nothing else
/// answers until it ends.
const LOCK_WAIT: &[Hint] = &[("Esc", "cancel")];

/// Whether the review, or the commit after it, waits for another writer's lock now.
fn waits_for_lock(app: &App) -> bool {
    let said = app.status.as_ref().is_some_and(|s| s.text == super::edit_replies::LOCK_WAIT);
    let review =
        matches!(&app.overlay, Overlay::Confirm(c) if c.waiting && matches!(c.on_yes, super::Confirmed::Commit { .. }));
    said && (review || (app.edits.committing && matches!(app.overlay, Overlay::None)))
}

/// The hints for what has the keyboard now, most useful first, drawn from its keymap.
pub fn hints(app: &App) -> Vec<Hint> {
    if waits_for_lock(app) {
        return LOCK_WAIT.to_vec();
    }
    // A remote request waited on for a while: how to stop waiting, not the keys of a screen
    // that cannot answer yet.
    if let Some(keys) = app.shown_remote_wait().and_then(|wait| wait.hints()) {
        return keys;
    }
    let case = HintCase { user_table: app.on_user_table(), remote: app.remote.is_some(), ..HintCase::default() };
    match &app.overlay {
        Overlay::None => match app.screen {
            Screen::Er => drawn_from(keymap::ER_KEYS, case),
            Screen::Migrations => drawn_from(keymap::MIGRATION_KEYS, case),
            Screen::Console if app.question_on_screen().is_some() => drawn_from(super::cost::COST_KEYS, case),
            Screen::Console if app.console.focus == super::console::ConsoleFocus::Results => {
                drawn_from(super::RESULT_KEYS, case)
            }
            Screen::Console => drawn_from(super::CONSOLE_KEYS, case),
            Screen::Browser if app.remote.as_ref().is_some_and(|r| r.cost.ask.is_some()) => {
                drawn_from(super::cost::COST_KEYS, case)
            }
            Screen::Browser => drawn_from(keymap::BROWSER_KEYS, case),
        },
        Overlay::Help { over, .. } => drawn_from(keymap::SCROLL_KEYS, HintCase { over_popup: over.is_some(), ..case }),
        Overlay::Messages { .. } => drawn_from(keymap::SCROLL_KEYS, case),
        Overlay::Picker(_) => drawn_from(keymap::PICKER_KEYS, case),
        Overlay::Detail { .. } => {
            let links = app.detail_links().is_some_and(|l| l.entries() > 0);
            drawn_from(keymap::DETAIL_KEYS, HintCase { links, ..case })
        }
        Overlay::Search { .. } => drawn_from(popup::SEARCH_KEYS, case),
        Overlay::Filter(_) => drawn_from(keymap::FILTER_KEYS, case),
        Overlay::References { .. } => drawn_from(keymap::REFERENCES_KEYS, case),
        Overlay::Edit(popup) => match popup {
            EditPopup::Cell { .. } => drawn_from(popup::CELL_KEYS, case),
            EditPopup::Insert { .. } => drawn_from(popup::INSERT_KEYS, case),
            EditPopup::Conflict { conflicts } => {
                let row_gone = conflicts.rows.iter().any(|row| !row.row_exists);
                drawn_from(popup::CONFLICT_KEYS, HintCase { row_gone, ..case })
            }
        },
        Overlay::User(panel) => match &panel.step {
            PanelStep::Menu | PanelStep::Running { .. } | PanelStep::Failed { .. } => {
                drawn_from(super::MENU_KEYS, case)
            }
            PanelStep::Ban(_) | PanelStep::Password(_) => drawn_from(super::FORM_KEYS, case),
            PanelStep::Role(_) => drawn_from(super::ROLE_KEYS, case),
            PanelStep::Confirm(confirmation) if confirmation.answer.is_some() => {
                drawn_from(super::confirm::TYPED_CONFIRM_KEYS, HintCase { removal: true, ..case })
            }
            PanelStep::Confirm(_) => drawn_from(super::CONFIRM_KEYS, case),
            PanelStep::Impersonations { .. } => drawn_from(popup::VIEW_KEYS, case),
        },
        Overlay::Export(_) => drawn_from(popup::EXPORT_KEYS, case),
        Overlay::Columns(_) => drawn_from(popup::COLUMNS_KEYS, case),
        Overlay::RefPick(_) => drawn_from(popup::REF_PICKER_KEYS, case),
        Overlay::Confirm(confirmation) if confirmation.answer.is_some() => {
            drawn_from(super::confirm::TYPED_CONFIRM_KEYS, case)
        }
        Overlay::Confirm(confirmation) if matches!(confirmation.on_yes, super::Confirmed::ConsoleWrite { .. }) => {
            drawn_from(super::WRITE_KEYS, case)
        }
        Overlay::Confirm(confirmation) => {
            let case = match confirmation.on_yes {
                super::Confirmed::Commit { .. } => HintCase { commit: true, scrolls: true, ..case },
                super::Confirmed::Quit => HintCase { quit: true, ..case },
                super::Confirmed::ApplyMigrations => HintCase { scrolls: true, ..case },
                super::Confirmed::StageDelete { .. } => HintCase { delete: true, ..case },
                super::Confirmed::UserAction { .. } | super::Confirmed::ConsoleWrite { .. } => case,
            };
            drawn_from(super::CONFIRM_KEYS, case)
        }
    }
}

/// The hints that fit in `room` cells, whole and in order (a cut one would read as another
/// key), and whether some were left out (help, `?`, lists them all). A hint takes its key, a
/// space, its label and two spaces.
pub fn fit_hints(hints: &[Hint], room: u16) -> (Vec<Hint>, bool) {
    let mut used = 0u16;
    let mut shown = Vec::new();
    for hint in hints {
        let width = text_width(hint.0) + 1 + text_width(hint.1) + 2;
        if used + width > room {
            return (shown, true);
        }
        used += width;
        shown.push(*hint);
    }
    (shown, false)
}

/// The key that opens help from here: `?` types itself in the console's editor and in a form's
/// text fields, so F1 there.
pub fn help_key(app: &App) -> &'static str {
    let typing = (app.screen == Screen::Console
        && app.console.focus == super::console::ConsoleFocus::Editor
        && matches!(app.overlay, Overlay::None))
        || super::help::popup_form(&app.overlay).is_some();
    if typing { "F1" } else { "?" }
}

/// Whether `?` opens help from here: not in a popup that takes text (a form, the foreign-key
/// picker, a typed confirmation), where `?` is typed into the field.
pub fn offers_help(app: &App) -> bool {
    match &app.overlay {
        Overlay::None | Overlay::Help { .. } => true,
        other => super::help::popup_sections(other).is_some(),
    }
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
                "←→" => vec![plain(KeyCode::Left), plain(KeyCode::Right)],
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

    /// Every key a table's hints name is bound in that table (`except`: keys the handler takes
    /// by hand). Hints of bindings handled by hand (`type`, the links' arrows) name no chord.
    fn check<C: Clone>(name: &str, table: &[Binding<C>], except: &[KeyCode]) {
        assert!(table.iter().any(|b| !b.hints.is_empty()), "{name}: no hint line");
        for binding in table.iter().filter(|b| b.action.is_some()) {
            for spec in binding.hints {
                for event in events(spec.keys) {
                    if except.contains(&event.code) {
                        continue;
                    }
                    assert!(
                        keymap::lookup(table, &event).is_some(),
                        "{name}: hint {:?} ({}) names {event:?}, unbound",
                        spec.keys,
                        spec.label
                    );
                }
            }
        }
    }

    #[test]
    fn every_key_a_hint_line_names_is_bound_in_its_table() {
        check("grid", keymap::BROWSER_KEYS, &[]);
        check("ER", keymap::ER_KEYS, &[]);
        check("migrations", keymap::MIGRATION_KEYS, &[]);
        check("filter", keymap::FILTER_KEYS, &[]);
        check("detail", keymap::DETAIL_KEYS, &[]);
        check("help and messages", keymap::SCROLL_KEYS, &[]);
        check("picker", keymap::PICKER_KEYS, &[]);
        check("references", keymap::REFERENCES_KEYS, &[]);
        check("confirmation", super::super::CONFIRM_KEYS, &[]);
        check("menu", super::super::MENU_KEYS, &[]);
        check("form", super::super::FORM_KEYS, &[]);
        check("role", super::super::ROLE_KEYS, &[]);
        check("search", popup::SEARCH_KEYS, &[]);
        check("cell", popup::CELL_KEYS, &[]);
        check("insert", popup::INSERT_KEYS, &[]);
        check("typed confirmation", super::super::confirm::TYPED_CONFIRM_KEYS, &[]);
        check("conflict", popup::CONFLICT_KEYS, &[]);
        check("console write", super::super::WRITE_KEYS, &[]);
        check("impersonations", popup::VIEW_KEYS, &[]);
        check("export", popup::EXPORT_KEYS, &[]);
        check("columns", popup::COLUMNS_KEYS, &[]);
        check("reference picker", popup::REF_PICKER_KEYS, &[]);
        // `Ctrl-p/n` reads as Ctrl-p and a plain n: n is Ctrl-n there.
        check("console", super::super::CONSOLE_KEYS, &[KeyCode::Char('n')]);
        // `gg` is two presses of g, each bound.
        check("console results", super::super::RESULT_KEYS, &[]);
    }

    /// The line is drawn from the keymap in rank order, the case picking among a binding's
    /// hints, and cut whole from the end to fit.
    #[test]
    fn the_hint_line_follows_the_keymap_and_is_cut_from_the_end() {
        let grid = drawn_from(keymap::BROWSER_KEYS, HintCase::default());
        let keys: Vec<&str> = grid.iter().map(|h| h.0).collect();
        assert_eq!(keys, ["Enter", "/", "f", "s", "e", "a", "c"]);
        let users = drawn_from(keymap::BROWSER_KEYS, HintCase { user_table: true, ..HintCase::default() });
        let keys: Vec<&str> = users.iter().map(|h| h.0).collect();
        assert_eq!(keys, ["Enter", "A", "/", "f", "e", "c"]);
        let quit = drawn_from(super::super::CONFIRM_KEYS, HintCase { quit: true, ..HintCase::default() });
        assert_eq!(quit, [("y", "quit, discarding staged"), ("n / Esc", "stay")]);
        let remote = drawn_from(keymap::MIGRATION_KEYS, HintCase { remote: true, ..HintCase::default() });
        assert!(
            remote.contains(&("A", "apply (bookmark first)")),
            "apply on a remote takes a bookmark first: {remote:?}"
        );
        // `Enter detail  ` is 14 cells, `/ search  ` 10: the third does not fit in 30.
        assert_eq!(fit_hints(&grid, 30), (grid[..2].to_vec(), true));
        assert_eq!(fit_hints(&grid, 500), (grid.clone(), false));
    }
}
