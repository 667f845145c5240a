//! Defects a new user met in the filter form: a date matched one millisecond, a boolean took
//! typed spaces, the columns went in another order than the grid's, Backspace removed filters
//! from any field, a foreign key gave no help, operators offered where they mean nothing.

use ratatui::crossterm::event::KeyCode;
use rusqlite::Connection;

use super::super::tests::{open_app, users_db};
use super::super::users_test_support::{press, type_text};
use super::super::{App, FilterField, Overlay};
use crate::db::page::FilterOp;

fn column_index(app: &App, name: &str) -> usize {
    app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == name).unwrap()
}

/// Opens the form (if closed) on column `name` with operator `op` and the value field focused.
pub fn choose(app: &mut App, conn: &mut Connection, name: &str, op: FilterOp) {
    if !matches!(app.overlay, Overlay::Filter(_)) {
        press(app, conn, KeyCode::Char('f'));
    }
    let at = column_index(app, name);
    app.filter_choose_column(at);
    let index = app.filter_ops(at).iter().position(|o| *o == op).unwrap_or_else(|| panic!("{op:?} on {name}"));
    let Overlay::Filter(form) = &mut app.overlay else { panic!("the filter form is open") };
    form.form.choose(FilterField::Operator as usize, index);
    form.set_field(FilterField::Value);
}

/// Adds the filter `name op text` and closes the form; the rows' total after it.
fn filtered(app: &mut App, conn: &mut Connection, name: &str, op: FilterOp, text: &str) -> Option<u64> {
    choose(app, conn, name, op);
    type_text(app, conn, text);
    press(app, conn, KeyCode::Enter);
    press(app, conn, KeyCode::Esc);
    app.active_tab().unwrap().total
}

fn status(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

fn clear_filters(app: &mut App) {
    app.active_tab_mut().unwrap().spec.filters.clear();
}

/// `createdAt = 2026-11-28` matched the one millisecond of midnight: 0 rows. A date without its
/// time is that whole day (13 of the 30 hourly users), a time without seconds that minute.
#[test]
fn a_date_without_its_time_matches_the_whole_day() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 160, 45);
    assert_eq!(filtered(&mut app, &mut conn, "createdAt", FilterOp::Eq, "2026-11-28"), Some(13));
    assert!(status(&app).contains("createdAt = 2026-11-28"), "{}", status(&app));
    assert!(!status(&app).contains("00:00"), "{}", status(&app));
    clear_filters(&mut app);
    assert_eq!(filtered(&mut app, &mut conn, "createdAt", FilterOp::Ne, "2026-11-28"), Some(17));
    clear_filters(&mut app);
    assert_eq!(filtered(&mut app, &mut conn, "createdAt", FilterOp::In, "2026-11-28, 2026-11-27"), Some(30));
    assert!(status(&app).contains("createdAt in (2026-11-28, 2026-11-27)"), "{}", status(&app));
    clear_filters(&mut app);
    assert_eq!(filtered(&mut app, &mut conn, "createdAt", FilterOp::Eq, "2026-11-28 05:00"), Some(1));
    assert!(status(&app).contains("createdAt = 2026-11-28 05:00"), "{}", status(&app));
}

fn value_of(app: &App) -> String {
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter form is open") };
    form.value()
}

/// Space in a boolean's value typed spaces and Enter said `"" is not a boolean`: the value is a
/// true / false choice, flipped by Space or ← →, picked by a letter typed on any field.
#[test]
fn a_boolean_value_is_a_choice_flipped_by_space_or_the_arrows() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 160, 45);
    choose(&mut app, &mut conn, "banned", FilterOp::Eq);
    assert_eq!(value_of(&app), "true");
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(value_of(&app), "false", "Space flips it");
    press(&mut app, &mut conn, KeyCode::Right);
    assert_eq!(value_of(&app), "true", "→ changes it");
    press(&mut app, &mut conn, KeyCode::Char('n'));
    assert_eq!(value_of(&app), "false", "a boolean's letter picks it");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().total, Some(4), "{}", status(&app));
    assert!(status(&app).contains("banned = ✗"), "{}", status(&app));
    choose(&mut app, &mut conn, "name", FilterOp::Eq);
    type_text(&mut app, &mut conn, "a b");
    assert_eq!(value_of(&app), "a b", "back to text on a text column");
}
