//! The grid's delete confirmation names the rows it deletes, not only how many per table.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::tests::{open_app, settle, users_db};
use crate::app::{Action, App};

use super::tests::render;

fn press(app: &mut App, conn: &mut rusqlite::Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

#[test]
fn deleting_one_row_names_it() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 110, 20);
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let screen = render(&app);
    assert!(screen.contains("Delete user user1@example.com?"), "{screen}");
    assert!(screen.contains("This deletes 1 user"), "{screen}");
}

#[test]
fn deleting_marked_rows_names_them() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 110, 20);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    press(&mut app, &mut conn, KeyCode::Char(' '));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let screen = render(&app);
    assert!(screen.contains("Delete 2 users: user0@example.com, user1@example.com?"), "{screen}");
}

#[test]
fn a_staged_delete_is_marked_in_the_gutter_without_colour() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 110, 20);
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let screen = render(&app);
    let row = screen.lines().find(|l| l.contains("user1@example.com")).expect("the row shows");
    assert!(row.starts_with("▌- "), "{screen}");
    let other = screen.lines().find(|l| l.contains("user2@example.com")).expect("the row shows");
    assert!(other.starts_with("   "), "{screen}");
}

/// Defect: a marked row showed `✚`, the glyph of a staged new row. Marks have their own, `◆`.
#[test]
fn a_marked_row_has_its_own_glyph_not_the_new_rows() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 110, 20);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    let screen = render(&app);
    let row = screen.lines().find(|l| l.contains("user0@example.com")).expect("the row shows");
    assert!(row.starts_with(" ◆ "), "{screen}");
    assert!(!screen.contains('✚'), "{screen}");
}
