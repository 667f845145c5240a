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

/// The operator labels offered on column `name`.
fn ops_on(app: &App, name: &str) -> Vec<&'static str> {
    app.filter_ops(column_index(app, name)).into_iter().map(FilterOp::label).collect()
}

fn computed_ops(app: &App, name: &str) -> Vec<&'static str> {
    let columns = app.filter_columns();
    let count = app.active_tab().unwrap().column_count();
    let at = crate::db::users::UserCondition::COLUMNS.iter().position(|(n, _)| *n == name).unwrap();
    assert!(columns.contains(&(count + at)));
    app.filter_ops(count + at).into_iter().map(FilterOp::label).collect()
}

/// `has` (an item of a comma list) was offered on plain text and on secrets; the computed
/// columns had no negation; `name =` with nothing typed was accepted.
#[test]
fn operators_fit_the_column_and_an_empty_value_is_refused() {
    let (_dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 160, 45);
    assert!(ops_on(&app, "role").contains(&"has"), "{:?}", ops_on(&app, "role"));
    assert!(!ops_on(&app, "name").contains(&"has"), "{:?}", ops_on(&app, "name"));
    assert!(!ops_on(&app, "email").contains(&"has"));
    assert!(!super::super::filter_form::holds_lists("token", &crate::db::kinds::ColumnKind::Secret));
    assert!(computed_ops(&app, "status").contains(&"not banned"));
    assert!(computed_ops(&app, "sessions").contains(&"no active sessions"));

    choose(&mut app, &mut conn, "name", FilterOp::Eq);
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Filter(form) = &app.overlay else { panic!("the form stays open") };
    assert_eq!(form.form.error.as_deref(), Some("type a value, or use is null"));
    assert!(app.active_tab().unwrap().spec.filters.is_empty());
    press(&mut app, &mut conn, KeyCode::Esc);

    // users_db(20): u0003, u0010, u0017 banned, the bans of u0003 and u0017 expired.
    let count = app.active_tab().unwrap().column_count();
    for (column, label, total) in [(0, "not banned", 19), (1, "no active sessions", 20), (0, "banned", 1)] {
        press(&mut app, &mut conn, KeyCode::Char('f'));
        app.filter_choose_column(count + column);
        let at = app.filter_ops(count + column).iter().position(|op| op.label() == label).unwrap();
        let Overlay::Filter(form) = &mut app.overlay else { panic!("the filter form is open") };
        form.form.choose(FilterField::Operator as usize, at);
        press(&mut app, &mut conn, KeyCode::Enter);
        press(&mut app, &mut conn, KeyCode::Esc);
        assert_eq!(app.active_tab().unwrap().total, Some(total), "{label}: {}", status(&app));
        clear_filters(&mut app);
    }
}

fn ctrl_f(app: &mut App, conn: &mut Connection) {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    let effects =
        app.update(super::super::Action::Key { key: KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL) });
    super::super::tests::settle(app, conn, effects);
}

/// `userId contains liam@…` found no session and said nothing; Ctrl-f did nothing in the
/// filter form. Now the 0 rows come with what userId holds, and Ctrl-f picks the user.
#[test]
fn a_foreign_key_filter_picks_the_row_by_its_label_and_hints_when_given_a_label() {
    let (_dir, mut conn) = users_db(12);
    crate::app::users_test_support::add_session(&conn, "s-1", "u0007", 24, None);
    let mut app = open_app(&mut conn, 160, 45);
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(app.active_tab().unwrap().name, "session");
    assert_eq!(filtered(&mut app, &mut conn, "userId", FilterOp::Contains, "user7@example.com"), Some(0));
    assert!(status(&app).contains("userId holds user ids: Ctrl-f picks a user"), "{}", status(&app));
    clear_filters(&mut app);

    choose(&mut app, &mut conn, "userId", FilterOp::Contains);
    ctrl_f(&mut app, &mut conn);
    assert!(matches!(app.overlay, Overlay::RefPick(_)), "Ctrl-f opens the picker: {:?}", app.overlay);
    type_text(&mut app, &mut conn, "user7@");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(value_of(&app), "u0007", "the picked user's key");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().total, Some(1), "{}", status(&app));
    assert!(status(&app).contains("userId = u0007"), "picking compares whole: {}", status(&app));
}

fn focus(app: &mut App, field: FilterField) {
    let Overlay::Filter(form) = &mut app.overlay else { panic!("the filter form is open") };
    form.set_field(field);
}

fn filters(app: &App) -> Vec<String> {
    app.active_tab().unwrap().spec.filters.iter().map(|f| f.column.clone()).collect()
}

/// Backspace on an empty field removed the last filter even from the column or operator, and
/// only the last: now only the value's does, and the conditions listed in the form can each be
/// removed (Delete) or taken back to edit (Enter), the status saying what went.
#[test]
fn one_condition_in_the_middle_is_removed_or_edited_from_the_list() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 160, 45);
    choose(&mut app, &mut conn, "name", FilterOp::Contains);
    type_text(&mut app, &mut conn, "User");
    press(&mut app, &mut conn, KeyCode::Enter);
    choose(&mut app, &mut conn, "createdAt", FilterOp::Eq);
    type_text(&mut app, &mut conn, "2026-11-28");
    press(&mut app, &mut conn, KeyCode::Enter);
    choose(&mut app, &mut conn, "email", FilterOp::Contains);
    type_text(&mut app, &mut conn, "example");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(filters(&app), ["name", "createdAt", "email"]);
    assert_eq!(app.active_tab().unwrap().total, Some(13));

    focus(&mut app, FilterField::Column);
    press(&mut app, &mut conn, KeyCode::Backspace);
    focus(&mut app, FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert_eq!(filters(&app).len(), 3, "Backspace on the column or operator removes nothing");

    // The conditions follow the value: ← on the list goes from the last to the middle one.
    focus(&mut app, FilterField::Value);
    press(&mut app, &mut conn, KeyCode::Tab);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter form is open") };
    assert_eq!(form.field(), FilterField::Stack);
    press(&mut app, &mut conn, KeyCode::Left);
    press(&mut app, &mut conn, KeyCode::Delete);
    assert_eq!(filters(&app), ["name", "email"]);
    assert!(status(&app).contains("filter removed: createdAt = 2026-11-28 (2 filters left)"), "{}", status(&app));
    assert_eq!(app.active_tab().unwrap().total, Some(30));

    // Enter on one takes it back into the fields; Enter there adds it again.
    focus(&mut app, FilterField::Stack);
    press(&mut app, &mut conn, KeyCode::Left);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(filters(&app), ["email"], "name taken off to edit");
    assert_eq!(value_of(&app), "User");
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter form is open") };
    assert_eq!(form.field(), FilterField::Value);
    type_text(&mut app, &mut conn, " 1");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(filters(&app), ["email", "name"]);
    assert_eq!(app.active_tab().unwrap().total, Some(11), "User 1, User 10…19: {}", status(&app));

    // The date comes back as typed, and the empty value's Backspace removes the last.
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert!(status(&app).contains("filter removed: name contains User 1 (1 filter left)"), "{}", status(&app));
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert!(status(&app).contains("(no filters left)"), "{}", status(&app));
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter form is open") };
    assert_eq!(form.form.fields.len(), 3, "no conditions, no list");
}

/// Defect: on a computed column (`status`, no value field) Backspace did nothing, though the
/// hint says "Backspace on empty value removes last": its value is empty, so it removes it.
#[test]
fn backspace_on_a_computed_column_removes_the_last_condition() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 120, 30);
    filtered(&mut app, &mut conn, "name", FilterOp::Contains, "User");
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let count = app.active_tab().unwrap().column_count();
    let at = crate::db::users::UserCondition::COLUMNS.iter().position(|(n, _)| *n == "status").unwrap();
    app.filter_choose_column(count + at);
    focus(&mut app, FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert!(filters(&app).is_empty(), "{}", status(&app));
    assert!(status(&app).contains("filter removed: name contains User"), "{}", status(&app));
}
