//! The grid's columns through `App::update`: the user table's first screen, stable widths,
//! the column chooser, `<` / `>`, and choices coming back from the saved preferences.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::super::tests::{open_app, settle, users_db};
use super::super::*;
use crate::app::grid_layout::STATUS_KEY;

fn keys_of(app: &App) -> Vec<String> {
    let tab = app.active_tab().unwrap();
    let layout = tab.layout.clone().expect("a layout was decided with the first rows");
    layout.columns.iter().map(|p| app.key_of(tab, p.column).unwrap()).collect()
}

fn widths_of(app: &App) -> Vec<u16> {
    app.active_tab().unwrap().layout.as_ref().unwrap().columns.iter().map(|p| p.width).collect()
}

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) -> Vec<Effect> {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    let saved: Vec<Effect> = effects.iter().filter(|e| matches!(e, Effect::SaveColumns { .. })).cloned().collect();
    settle(app, conn, effects);
    saved
}

fn is_status_request(effect: &Effect) -> bool {
    matches!(effect, Effect::Request { request, .. }
        if matches!(**request, DbRequest::Users(UsersRequest::Statuses { .. })))
}

#[test]
fn the_user_table_opens_on_what_admins_look_for() {
    let (_dir, mut conn) = users_db(40);
    let app = open_app(&mut conn, 160, 30);
    let keys = keys_of(&app);
    assert_eq!(keys[..6], ["name", "email", "role", "@status", "@sessions", "createdAt"], "{keys:?}");
    assert_eq!(keys.len(), 13, "every other column follows: {keys:?}");
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.meta().unwrap().info.columns[tab.selected_col].name, "name", "the cursor starts on the first shown");
    let layout = tab.layout.as_ref().unwrap();
    assert_eq!(layout.pinned, Some(1), "email is the key column that stays at the left");
    let width = |key: &str| widths_of(&app)[keys.iter().position(|k| k == key).unwrap()];
    assert_eq!(width("createdAt"), 10, "a date, not a date with a time and an age");
    assert_eq!(width("@sessions"), 8);
    assert!(width("id") <= 9, "ids are shown short");
}

#[test]
fn other_tables_keep_their_schema_order() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 160, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    let keys = keys_of(&app);
    assert_eq!(keys.first().map(String::as_str), Some("id"));
    assert!(!keys.contains(&STATUS_KEY.to_string()));
}

#[test]
fn widths_stay_when_statuses_and_later_pages_arrive() {
    let (_dir, mut conn) = users_db(450);
    let source = App::new(crate::app::tests::test_source(&conn), 160, 30, crate::app::tests::fixed_ctx());
    let (mut app, effects) = source;
    // Answer everything but the statuses, which are kept back.
    let mut held = Vec::new();
    let mut pending = effects;
    while !pending.is_empty() {
        let (statuses, rest): (Vec<Effect>, Vec<Effect>) = pending.into_iter().partition(is_status_request);
        held.extend(statuses);
        let mut next = Vec::new();
        for effect in rest {
            next.extend(crate::app::tests::answer_one(&mut app, &mut conn, effect));
        }
        pending = next;
    }
    assert!(!held.is_empty(), "the statuses were asked for");
    let before = app.active_tab().unwrap().layout.clone();
    assert!(before.is_some());
    settle(&mut app, &mut conn, held);
    assert!(app.users.statuses.values().any(|s| s.is_some()), "statuses arrived");
    assert_eq!(app.active_tab().unwrap().layout, before, "statuses do not move the columns");
    // Paging down far enough to read the next page does not move them either.
    let effects = app.update(Action::MoveRows { delta: 190 });
    settle(&mut app, &mut conn, effects);
    assert!(app.active_tab().unwrap().window.rows.len() > 200, "a second page was read");
    assert_eq!(app.active_tab().unwrap().layout, before);
    // A resize does.
    app.update(Action::Resize { width: 100, height: 30 });
    assert_ne!(app.active_tab().unwrap().layout, before);
}

#[test]
fn a_hidden_column_is_saved_and_stays_hidden_in_a_new_session() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 30);
    // The chooser opens on the selected column (name); two down is role.
    press(&mut app, &mut conn, KeyCode::Char('c'));
    assert!(matches!(app.overlay, Overlay::Columns(_)));
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Down);
    let saved = press(&mut app, &mut conn, KeyCode::Char(' '));
    let [Effect::SaveColumns { table, prefs }] = saved.as_slice() else { panic!("one save: {saved:?}") };
    assert_eq!(table, "user");
    assert_eq!(prefs.hidden, vec!["role".to_string()]);
    assert!(!keys_of(&app).contains(&"role".to_string()));
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::None));

    let mut again = App::new(crate::app::tests::test_source(&conn), 160, 30, crate::app::tests::fixed_ctx());
    again.0.column_prefs.insert(table.clone(), prefs.clone());
    let (mut app, effects) = again;
    settle(&mut app, &mut conn, effects);
    assert!(!keys_of(&app).contains(&"role".to_string()), "{:?}", keys_of(&app));
}

#[test]
fn the_chooser_reorders_and_refuses_to_hide_the_last_column() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 30);
    press(&mut app, &mut conn, KeyCode::Char('c'));
    // Move name below email.
    let saved = press(&mut app, &mut conn, KeyCode::Char('J'));
    assert_eq!(saved.len(), 1);
    assert_eq!(keys_of(&app)[..2], ["email", "name"]);
    let entries = app.chooser_entries().len();
    // Hide everything from the top: the last one stays.
    press(&mut app, &mut conn, KeyCode::Char('r'));
    press(&mut app, &mut conn, KeyCode::Up);
    for _ in 0..entries {
        press(&mut app, &mut conn, KeyCode::Char(' '));
        press(&mut app, &mut conn, KeyCode::Down);
    }
    assert_eq!(keys_of(&app).len(), 1, "{:?}", keys_of(&app));
    assert_eq!(app.status.as_ref().map(|s| s.level), Some(Level::Warning));
}

#[test]
fn narrow_and_widen_the_selected_column() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 30);
    let name_width = widths_of(&app)[0];
    let saved = press(&mut app, &mut conn, KeyCode::Char('>'));
    assert_eq!(widths_of(&app)[0], name_width + 2);
    let [Effect::SaveColumns { prefs, .. }] = saved.as_slice() else { panic!("one save: {saved:?}") };
    assert_eq!(prefs.widths.get("name"), Some(&(name_width + 2)));
    for _ in 0..20 {
        press(&mut app, &mut conn, KeyCode::Char('<'));
    }
    assert_eq!(widths_of(&app)[0], crate::app::grid_layout::MIN_WIDTH);
}

#[test]
fn moving_right_follows_the_shown_order_and_skips_computed_columns() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 30);
    let name_of = |app: &App| {
        let tab = app.active_tab().unwrap();
        tab.meta().unwrap().info.columns[tab.selected_col].name.clone()
    };
    let mut seen = vec![name_of(&app)];
    for _ in 0..4 {
        app.update(Action::MoveColumns { delta: 1 });
        seen.push(name_of(&app));
    }
    assert_eq!(seen, ["name", "email", "role", "createdAt", "id"]);
    app.update(Action::FirstColumn);
    assert_eq!(name_of(&app), "name");
}

#[test]
fn a_role_column_is_as_wide_as_all_its_known_roles_joined() {
    // No row holds `admin,user`, but a later page may: the width is decided from the known roles.
    let (_dir, mut conn) = users_db(3);
    let app = open_app(&mut conn, 160, 30);
    let role = keys_of(&app).iter().position(|k| k == "role").unwrap();
    assert!(widths_of(&app)[role] >= "admin,user".len() as u16, "{:?}", widths_of(&app));
}

#[test]
fn a_wide_terminal_shows_a_ban_date_and_unverified_whole() {
    let (_dir, mut conn) = users_db(3);
    let app = open_app(&mut conn, 200, 30);
    let status = keys_of(&app).iter().position(|k| k == STATUS_KEY).unwrap();
    assert!(widths_of(&app)[status] >= "banned→2027-02-22 unverified".chars().count() as u16);
}
