//! The table picker (`t`): typing part of a name or moving with the arrows, then Enter, opens
//! that table's tab.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::tests::{open_app, settle, users_db};
use super::*;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn type_text(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        press(app, conn, KeyCode::Char(c));
    }
}

#[test]
fn typing_part_of_a_name_and_enter_opens_that_table() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 120, 30);
    assert_eq!(app.active_tab().unwrap().name, "user");
    press(&mut app, &mut conn, KeyCode::Char('t'));
    assert!(matches!(app.overlay, Overlay::Picker(_)));
    type_text(&mut app, &mut conn, "acc");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(app.screen, Screen::Browser);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "account");
    assert!(tab.meta().is_some(), "the tab's columns were loaded");
}

#[test]
fn arrows_and_enter_open_the_highlighted_table() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Char('t'));
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Down);
    let Overlay::Picker(picker) = &app.overlay else { panic!("the picker is open") };
    let wanted = app.tabs[picker.matches[picker.selected]].name.clone();
    assert_ne!(wanted, "user");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().name, wanted);
}

#[test]
fn the_picker_works_from_the_er_screen_too() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 120, 30);
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.screen, Screen::Er);
    press(&mut app, &mut conn, KeyCode::Char('t'));
    type_text(&mut app, &mut conn, "sess");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Browser);
    assert_eq!(app.active_tab().unwrap().name, "session");
}
