//! The filter bar on the user table's computed columns (`status`, `sessions`), driven by keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::tests::{fixed_ctx, open_app, settle, users_db};
use super::*;
use crate::db::page::FilterOp;
use crate::db::users::UserCondition;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn field(app: &mut App, field: FilterField) {
    let Overlay::Filter(form) = &mut app.overlay else { panic!("the filter bar is open") };
    form.set_field(field);
}

fn labels(app: &App) -> FilterFormLabels {
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar is open") };
    app.filter_form_labels(form).unwrap()
}

fn ids(app: &App) -> Vec<String> {
    let tab = app.active_tab().unwrap();
    tab.window.rows.iter().map(|r| crate::db::value::raw_text(&r.values[0])).collect()
}

#[test]
fn the_user_table_filters_on_its_computed_status_and_sessions() {
    // users_db: every 7th from u0003 is banned; u0003, u0017, u0031 until yesterday.
    let (_dir, mut conn) = users_db(40);
    let now = fixed_ctx().now.timestamp_millis();
    conn.execute_batch(&format!(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES
           ('s1', {ahead}, 't1', 1, 1, 'u0005'), ('s2', {ahead}, 't2', 1, 1, 'u0005'),
           ('s3', {past}, 't3', 1, 1, 'u0006'), ('s4', {ahead}, 't4', 1, 1, 'u0012');",
        ahead = now + 3_600_000,
        past = now - 3_600_000,
    ))
    .unwrap();
    let mut app = open_app(&mut conn, 160, 40);
    assert_eq!(app.active_tab().unwrap().name, "user");
    press(&mut app, &mut conn, KeyCode::Char('f'));
    assert!(matches!(app.overlay, Overlay::Filter(_)), "the filter bar opens");
    // The computed columns where the grid shows them (after name, email, role): → from the
    // third column on screen reaches them (they came last, after the table's own, before).
    let columns = app.filter_columns();
    let first_shown = columns[0];
    app.filter_choose_column(columns[2]);
    field(&mut app, FilterField::Column);
    press(&mut app, &mut conn, KeyCode::Right);
    let shown = labels(&app);
    assert_eq!((shown.column.as_str(), shown.op.as_str(), shown.takes_value), ("status", "banned", false));

    field(&mut app, FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.spec.filters[0].op, FilterOp::Status(UserCondition::Banned));
    assert_eq!(tab.total, Some(3));
    let mut banned = ids(&app);
    banned.sort();
    assert_eq!(banned, ["u0010", "u0024", "u0038"], "bans still in force");
    assert!(app.status.as_ref().unwrap().text.contains("status: banned"));

    // Backspace on the empty value removes it; the next operators are `not banned`, `ban expired`.
    field(&mut app, FilterField::Value);
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert!(app.active_tab().unwrap().spec.filters.is_empty());
    assert!(app.status.as_ref().unwrap().text.contains("filter removed: status: banned"));
    field(&mut app, FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Right);
    assert_eq!(labels(&app).op, "not banned");
    press(&mut app, &mut conn, KeyCode::Right);
    assert_eq!(labels(&app).op, "ban expired");
    press(&mut app, &mut conn, KeyCode::Enter);
    let mut expired = ids(&app);
    expired.sort();
    assert_eq!(expired, ["u0003", "u0017", "u0031"]);
    field(&mut app, FilterField::Value);
    press(&mut app, &mut conn, KeyCode::Backspace);

    field(&mut app, FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Right);
    assert_eq!(labels(&app).op, "unverified");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().total, Some(14), "every third user");
    field(&mut app, FilterField::Value);
    press(&mut app, &mut conn, KeyCode::Backspace);

    // sessions: has active sessions (u0006's only session has ended).
    field(&mut app, FilterField::Column);
    press(&mut app, &mut conn, KeyCode::Right);
    let shown = labels(&app);
    assert_eq!((shown.column.as_str(), shown.op.as_str()), ("sessions", "has active sessions"));
    press(&mut app, &mut conn, KeyCode::Enter);
    let mut active = ids(&app);
    active.sort();
    assert_eq!(active, ["u0005", "u0012"]);
    assert_eq!(app.active_tab().unwrap().total, Some(2));
    // Past the computed columns, the grid's next column (createdAt).
    press(&mut app, &mut conn, KeyCode::Right);
    let next = app.active_tab().unwrap().meta().unwrap().info.columns[columns[5]].name.clone();
    assert_eq!(labels(&app).column, next);
    assert_ne!(columns[5], first_shown);
}

#[test]
fn other_tables_offer_only_their_own_columns() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 40);
    let session = app.tabs.iter().position(|t| t.name == "session").unwrap();
    let effects = app.update(Action::SelectTab { index: session });
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.active_tab().unwrap().name, "session");
    let columns = app.active_tab().unwrap().column_count();
    assert_eq!(app.filter_columns().len(), columns);
}
