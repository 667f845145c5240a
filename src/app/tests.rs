//! `App::update` without a terminal: effects are answered synchronously by the worker's own
//! request handler on a real temporary SQLite file.

use chrono::{FixedOffset, TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::*;
use crate::tui::worker::answer;

pub fn fixed_ctx() -> DisplayContext {
    DisplayContext { now: Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap(), offset: FixedOffset::east_opt(0).unwrap() }
}

/// A database with `n` users, ids `u0001…`, every 7th banned, timestamps fixed.
pub fn users_db(n: usize) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    conn.execute_batch(include_str!("../../migrations/0000_init.sql")).unwrap();
    let base = fixed_ctx().now.timestamp_millis();
    for i in 0..n {
        conn.execute(
            "INSERT INTO \"user\" (id, name, email, emailVerified, createdAt, updatedAt, role, banned, banReason, banExpires)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![
                format!("u{i:04}"),
                format!("User {i}"),
                format!("user{i}@example.com"),
                i % 3 != 0,
                base - (i as i64) * 3_600_000,
                if i % 20 == 0 { "admin" } else { "user" },
                i % 7 == 3,
                (i % 7 == 3).then_some("Spam"),
                (i % 14 == 3).then_some(base - 86_400_000),
            ],
        )
        .unwrap();
    }
    (dir, conn)
}

/// Runs effects until no more are produced, like the event loop would.
pub fn settle(app: &mut App, conn: &Connection, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Request { id, request, .. } = effect {
                let result = answer(conn, *request).map_err(|e| e.to_string());
                next.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
            }
        }
        effects = next;
    }
}

pub fn open_app(conn: &Connection, width: u16, height: u16) -> App {
    let source = Source { path: "/tmp/t.db".into(), reason: "test".into(), read_only: None };
    let (mut app, effects) = App::new(source, width, height, fixed_ctx());
    settle(&mut app, conn, effects);
    app
}

fn press(app: &mut App, conn: &Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn selected_id(app: &App) -> String {
    crate::db::value::raw_text(&app.selected_values().unwrap()[0])
}

#[test]
fn opens_on_the_user_table_with_a_total() {
    let (_dir, conn) = users_db(50);
    let app = open_app(&conn, 100, 30);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "user");
    assert_eq!(tab.total, Some(50));
    assert_eq!(selected_id(&app), "u0000");
}

#[test]
fn paging_crosses_window_edges_and_jumps_both_ends() {
    let (_dir, conn) = users_db(1_500);
    let mut app = open_app(&conn, 100, 30);
    for _ in 0..60 {
        press(&mut app, &conn, KeyCode::PageDown);
    }
    let tab = app.active_tab().unwrap();
    let row = tab.window.row_number(tab.total).unwrap();
    assert_eq!(selected_id(&app), format!("u{:04}", row - 1), "the row number matches the row");
    assert!(tab.window.rows.len() <= tab::WINDOW_LIMIT, "memory stays bounded");
    press(&mut app, &conn, KeyCode::Char('G'));
    assert_eq!(selected_id(&app), "u1499");
    assert_eq!(app.active_tab().unwrap().window.row_number(Some(1_500)), Some(1_500));
    for _ in 0..10 {
        press(&mut app, &conn, KeyCode::PageUp);
    }
    let tab = app.active_tab().unwrap();
    assert_eq!(selected_id(&app), format!("u{:04}", tab.window.row_number(tab.total).unwrap() - 1));
    press(&mut app, &conn, KeyCode::Char('g'));
    press(&mut app, &conn, KeyCode::Char('g'));
    assert_eq!(selected_id(&app), "u0000");
}

#[test]
fn sort_cycles_and_tabs_keep_their_state() {
    let (_dir, conn) = users_db(30);
    let mut app = open_app(&conn, 100, 30);
    press(&mut app, &conn, KeyCode::Char('j'));
    press(&mut app, &conn, KeyCode::Char('s'));
    assert_eq!(app.active_tab().unwrap().sort.as_ref().unwrap().direction, crate::db::page::SortDirection::Asc);
    press(&mut app, &conn, KeyCode::Char('s'));
    assert_eq!(selected_id(&app), "u0029");
    press(&mut app, &conn, KeyCode::Tab);
    assert_eq!(app.active_tab().unwrap().name, "session");
    press(&mut app, &conn, KeyCode::BackTab);
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert_eq!(selected_id(&app), "u0029", "the user tab kept its sort and position");
    press(&mut app, &conn, KeyCode::Char('s'));
    assert!(app.active_tab().unwrap().sort.is_none());
}

#[test]
fn filter_bar_parses_values_by_kind() {
    let (_dir, conn) = users_db(40);
    let mut app = open_app(&conn, 100, 30);
    // Select the `banned` column, open the filter bar, type `true`.
    let banned = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "banned").unwrap();
    app.update(Action::MoveColumns { delta: banned as i64 });
    press(&mut app, &conn, KeyCode::Char('f'));
    for c in "true".chars() {
        press(&mut app, &conn, KeyCode::Char(c));
    }
    press(&mut app, &conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, Some(6), "users 3, 10, 17, 24, 31, 38 are banned");
    // A bad value is refused in place and changes nothing.
    press(&mut app, &conn, KeyCode::Char('x'));
    press(&mut app, &conn, KeyCode::Enter);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert!(form.error.as_ref().unwrap().contains("not a boolean"));
    assert_eq!(app.active_tab().unwrap().filters.len(), 1);
}

#[test]
fn stale_replies_are_dropped() {
    let (_dir, conn) = users_db(10);
    let mut app = open_app(&conn, 100, 30);
    let before = app.active_tab().unwrap().window.clone();
    let effects = app.update(Action::Reply { reply: DbReply { id: 9_999, result: Err("late".into()) } });
    assert!(effects.is_empty());
    assert_eq!(app.active_tab().unwrap().window, before);
    assert!(app.status.as_ref().is_none_or(|s| s.level != Level::Error));
}

#[test]
fn a_failed_page_keeps_the_rows_on_screen() {
    let (_dir, conn) = users_db(10);
    let mut app = open_app(&conn, 100, 30);
    let effects = app.update(Action::Refresh);
    let Some(Effect::Request { id, .. }) = effects.into_iter().find(|e| matches!(e, Effect::Request { worker: Worker::Foreground, .. })) else {
        panic!("refresh reads a page")
    };
    app.update(Action::Reply { reply: DbReply { id, result: Err("database is locked".into()) } });
    assert_eq!(app.active_tab().unwrap().window.rows.len(), 10);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
}
