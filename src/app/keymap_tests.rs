//! Every keymap is walked: each listed chord dispatches to its own binding's command (no
//! earlier binding shadows it), no chord is bound twice in one table, and each help line
//! either has chords or says why it is handled by hand.

use ratatui::crossterm::event::{KeyEvent, KeyModifiers};

use super::*;
use crate::app::CONFIRM_KEYS;

/// Checks one table; `name` says which in a failure.
fn walk<C: Clone + PartialEq + std::fmt::Debug>(name: &str, table: &[Binding<C>]) {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for binding in table {
        for chord in binding.chords {
            let event = KeyEvent::new(chord.code, chord.modifiers);
            let shown = format!("{:?}+{:?}", chord.modifiers, chord.code);
            if let Some((_, first)) = seen.iter().find(|(c, _)| *c == shown) {
                panic!("{name}: {shown} is bound twice (first for {first:?})");
            }
            seen.push((shown.clone(), binding.description));
            assert_eq!(lookup(table, &event), binding.action, "{name}: {shown} does not dispatch to its binding");
            // Terminals add Shift to upper-case letters and symbols: the key still works,
            // unless the table binds the shifted key on its own (Shift-↑ in the column chooser).
            let shifted = KeyEvent::new(chord.code, chord.modifiers | KeyModifiers::SHIFT);
            let own_shifted = table.iter().flat_map(|b| b.chords).any(|c| {
                c.code == chord.code
                    && c.modifiers == chord.modifiers | KeyModifiers::SHIFT
                    && c.modifiers != chord.modifiers
            });
            if !own_shifted {
                assert_eq!(lookup(table, &shifted), binding.action, "{name}: {shown} with Shift");
            }
        }
        assert!(
            binding.action.is_some() != binding.chords.is_empty(),
            "{name}: {:?} has chords without an action, or an action without chords",
            binding.keys
        );
        if binding.keys.is_empty() {
            assert!(binding.description.is_empty(), "{name}: a continuation line has no text of its own");
        }
    }
    assert!(table.first().is_some_and(|b| !b.keys.is_empty()), "{name}: the first binding starts a help line");
}

#[test]
fn every_keymap_dispatches_each_listed_key_and_binds_no_key_twice() {
    walk("grid", BROWSER_KEYS);
    walk("ER", ER_KEYS);
    walk("migrations", MIGRATION_KEYS);
    walk("row detail", DETAIL_KEYS);
    walk("help and messages", SCROLL_KEYS);
    walk("filter bar", FILTER_KEYS);
    walk("confirmation", CONFIRM_KEYS);
    walk("form", crate::app::form::FORM_KEYS);
    walk("table picker", PICKER_KEYS);
    walk("gr list", REFERENCES_KEYS);
    walk("user menu", crate::app::user_panel::MENU_KEYS);
    walk("role form", crate::app::user_panel::ROLE_KEYS);
    use crate::app::popup_keys as popup;
    walk("cell editor", popup::CELL_KEYS);
    walk("insert form", popup::INSERT_KEYS);
    walk("typed confirmation", crate::app::confirm::TYPED_CONFIRM_KEYS);
    walk("conflict", popup::CONFLICT_KEYS);
    walk("search", popup::SEARCH_KEYS);
    walk("column chooser", popup::COLUMNS_KEYS);
    walk("export prompt", popup::EXPORT_KEYS);
    walk("impersonations", popup::VIEW_KEYS);
    walk("console", crate::app::CONSOLE_KEYS);
    walk("console results", crate::app::RESULT_KEYS);
    walk("console write", crate::app::WRITE_KEYS);
    // Each menu entry is drawn with the letter its binding has.
    for item in crate::app::MenuItem::ALL {
        let event = KeyEvent::new(ratatui::crossterm::event::KeyCode::Char(item.key()), KeyModifiers::NONE);
        assert_eq!(
            lookup(crate::app::user_panel::MENU_KEYS, &event),
            Some(crate::app::user_panel::MenuKey::Pick(item))
        );
    }
}

/// The help screen is drawn from the same tables: a binding's help line is there, and a
/// continuation adds none.
#[test]
fn help_rows_are_the_bindings_that_start_a_line() {
    let rows = help_rows(ER_KEYS);
    assert_eq!(rows.first(), Some(&("arrows / hjkl", "select the neighbouring table")));
    assert_eq!(rows.len(), ER_KEYS.iter().filter(|b| !b.keys.is_empty()).count());
    assert!(help_rows(DETAIL_KEYS).iter().any(|(keys, _)| *keys == "A"), "A works in the detail: help lists it");
}

#[test]
fn a_screen_key_the_table_lacks_falls_to_the_shared_keys() {
    let question = KeyEvent::new(ratatui::crossterm::event::KeyCode::Char('?'), KeyModifiers::NONE);
    assert_eq!(lookup(ER_KEYS, &question), None);
    assert_eq!(screen_action(&question), Some(Action::OpenHelp));
}
