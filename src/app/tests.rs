//! `App::update` without a terminal: effects are answered synchronously by the worker's own
//! request handler on a real temporary SQLite file.

use chrono::{FixedOffset, TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::*;
use crate::service::handle_on;

pub fn fixed_ctx() -> DisplayContext {
    DisplayContext {
        now: Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap(),
        offset: FixedOffset::east_opt(0).unwrap(),
    }
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
pub fn settle(app: &mut App, conn: &mut Connection, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            next.extend(answer_one(app, conn, effect));
        }
        effects = next;
    }
}

/// Answers one effect's request and returns what the app asks for next.
pub fn answer_one(app: &mut App, conn: &mut Connection, effect: Effect) -> Vec<Effect> {
    let mut next = Vec::new();
    if let Effect::Request { id, request, .. } = effect {
        let mut partials = Vec::new();
        let result = handle_on(conn, *request, &mut |r| partials.push(r));
        for partial in partials {
            next.extend(app.update(Action::Reply { reply: DbReply { id, result: Ok(partial) } }));
        }
        next.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
    }
    next
}

/// The folder of the test's own database (each test makes its own with `tempfile::tempdir()`):
/// the audit log and backups of a test go there, never to a path another test shares.
fn test_dir(conn: &Connection) -> std::path::PathBuf {
    let path = std::path::PathBuf::from(conn.path().expect("tests open a database file"));
    path.parent().expect("a database file has a folder").to_path_buf()
}

/// The source tests open: the test's own database, its audit log and backups beside it.
pub fn test_source(conn: &Connection) -> Source {
    Source {
        // Only a label for the status bar (snapshots show it); nothing opens or writes it.
        path: "/tmp/t.db".into(),
        name: None,
        reason: "test".into(),
        read_only: None,
        migrations: test_migrations(conn),
        audit: test_audit(conn),
    }
}

pub fn test_migrations(conn: &Connection) -> MigrationsSource {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = test_dir(conn);
    MigrationsSource {
        db_path: dir.join("t.db"),
        cwd: root,
        d1: None,
        backup_dir: dir.join("backups"),
        migrations_dir: None,
        audit_file: dir.join("audit.jsonl"),
    }
}

pub fn test_audit(conn: &Connection) -> AuditTarget {
    let dir = test_dir(conn);
    AuditTarget { file: dir.join("audit.jsonl"), database: dir.join("t.db") }
}

pub fn open_app(conn: &mut Connection, width: u16, height: u16) -> App {
    let (mut app, effects) = App::new(test_source(conn), width, height, fixed_ctx());
    settle(&mut app, conn, effects);
    app
}

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn selected_id(app: &App) -> String {
    crate::db::value::raw_text(&app.selected_values().unwrap()[0])
}

#[test]
fn opens_on_the_user_table_with_a_total() {
    let (_dir, mut conn) = users_db(50);
    let app = open_app(&mut conn, 100, 30);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "user");
    assert_eq!(tab.total, Some(50));
    assert_eq!(selected_id(&app), "u0000");
}

#[test]
fn paging_crosses_window_edges_and_jumps_both_ends() {
    let (_dir, mut conn) = users_db(1_500);
    let mut app = open_app(&mut conn, 100, 30);
    for _ in 0..60 {
        press(&mut app, &mut conn, KeyCode::PageDown);
    }
    let tab = app.active_tab().unwrap();
    let row = tab.window.row_number(tab.total).unwrap();
    assert_eq!(selected_id(&app), format!("u{:04}", row - 1), "the row number matches the row");
    assert!(tab.window.rows.len() <= tab::WINDOW_PAGES * tab.page_rows(), "memory stays bounded");
    press(&mut app, &mut conn, KeyCode::Char('G'));
    assert_eq!(selected_id(&app), "u1499");
    assert_eq!(app.active_tab().unwrap().window.row_number(Some(1_500)), Some(1_500));
    for _ in 0..10 {
        press(&mut app, &mut conn, KeyCode::PageUp);
    }
    let tab = app.active_tab().unwrap();
    assert_eq!(selected_id(&app), format!("u{:04}", tab.window.row_number(tab.total).unwrap() - 1));
    press(&mut app, &mut conn, KeyCode::Char('g'));
    press(&mut app, &mut conn, KeyCode::Char('g'));
    assert_eq!(selected_id(&app), "u0000");
}

#[test]
fn sort_cycles_and_tabs_keep_their_state() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 100, 30);
    app.active_tab_mut().unwrap().selected_col = 0; // sort by id
    press(&mut app, &mut conn, KeyCode::Char('j'));
    press(&mut app, &mut conn, KeyCode::Char('s'));
    assert_eq!(app.active_tab().unwrap().spec.sort.as_ref().unwrap().direction, crate::db::page::SortDirection::Asc);
    press(&mut app, &mut conn, KeyCode::Char('s'));
    assert_eq!(selected_id(&app), "u0029");
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(app.active_tab().unwrap().name, "session");
    press(&mut app, &mut conn, KeyCode::BackTab);
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert_eq!(selected_id(&app), "u0029", "the user tab kept its sort and position");
    press(&mut app, &mut conn, KeyCode::Char('s'));
    assert!(app.active_tab().unwrap().spec.sort.is_none());
}

#[test]
fn filter_bar_parses_values_by_kind() {
    let (_dir, mut conn) = users_db(40);
    let mut app = open_app(&mut conn, 100, 30);
    // Select the `banned` column, open the filter bar, type `true`.
    let banned =
        app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "banned").unwrap();
    app.active_tab_mut().unwrap().selected_col = banned;
    press(&mut app, &mut conn, KeyCode::Char('f'));
    for c in "true".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, Some(6), "users 3, 10, 17, 24, 31, 38 are banned");
    // A bad value is refused in place and changes nothing (a boolean's value is a true / false
    // choice now, so a date column takes the bad text).
    let created =
        app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "createdAt").unwrap();
    app.filter_choose_column(created);
    press(&mut app, &mut conn, KeyCode::Char('x'));
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert!(form.form.error.as_ref().unwrap().contains("not a date"), "{:?}", form.form.error);
    assert_eq!(app.active_tab().unwrap().spec.filters.len(), 1);
}

#[test]
fn stale_replies_are_dropped() {
    // A real request that was really superseded: `G` asks for the last page, then `gg` goes back
    // to the top before that page arrives. The late page, answered from the same database, must
    // not move the view.
    let (_dir, mut conn) = users_db(1_000);
    let mut app = open_app(&mut conn, 100, 30);
    let key = |c| Action::Key { key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE) };
    let to_end = app.update(key('G'));
    let stale: Vec<Effect> =
        to_end.into_iter().filter(|e| matches!(e, Effect::Request { worker: Worker::Foreground, .. })).collect();
    assert!(!stale.is_empty(), "G reads the last page");
    press(&mut app, &mut conn, KeyCode::Char('g'));
    press(&mut app, &mut conn, KeyCode::Char('g'));
    assert_eq!(selected_id(&app), "u0000");
    let before = app.active_tab().unwrap().window.clone();
    let effects = app.update(Action::Reply { reply: DbReply { id: 9_999, result: Err(ReplyError::other("late")) } });
    assert!(effects.is_empty());
    assert_eq!(app.active_tab().unwrap().window, before);
    assert_eq!(selected_id(&app), "u0000", "the late last page did not move the cursor");
    assert!(app.status.as_ref().is_none_or(|s| s.level != Level::Error));
}

/// The one foreground request among `effects`.
fn page_request(effects: &[Effect]) -> (RequestId, DbRequest) {
    let mut pages = effects.iter().filter_map(|e| match e {
        Effect::Request { worker: Worker::Foreground, id, request } => Some((*id, (**request).clone())),
        _ => None,
    });
    let page = pages.next().expect("a page read");
    assert!(pages.next().is_none(), "one page read: {effects:?}");
    page
}

#[test]
fn a_superseded_page_read_is_interrupted_by_id_and_its_reply_dropped() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 100, 30);
    let shows = |app: &App, id: &str| {
        let id = Value::Text(id.into());
        app.active_tab().unwrap().window.rows.iter().any(|r| r.values.contains(&id))
    };
    assert!(shows(&app, "u0000"));
    // Both reads will find the first user gone: only the reply that is applied shows it.
    conn.execute("DELETE FROM \"user\" WHERE id = 'u0000'", []).unwrap();
    let (first, first_request) = page_request(&app.update(Action::CycleSort));
    let effects = app.update(Action::CycleSort);
    assert!(
        effects.contains(&Effect::Interrupt { worker: Worker::Foreground, id: first }),
        "the second sort cancels the first read by its id: {effects:?}"
    );
    let (second, second_request) = page_request(&effects);
    assert_ne!(first, second);

    let before = app.active_tab().unwrap().window.clone();
    let result = handle_on(&mut conn, first_request, &mut |_| {});
    assert!(result.is_ok(), "the first read did run: {result:?}");
    let effects = app.update(Action::Reply { reply: DbReply { id: first, result } });
    assert!(effects.is_empty(), "a superseded reply asks for nothing: {effects:?}");
    assert_eq!(app.active_tab().unwrap().window, before, "a superseded reply changes nothing");
    assert!(shows(&app, "u0000"));

    let result = handle_on(&mut conn, second_request, &mut |_| {});
    app.update(Action::Reply { reply: DbReply { id: second, result } });
    assert!(!shows(&app, "u0000"), "the read that was awaited is applied");
    assert_eq!(app.active_tab().unwrap().window.rows.len(), 9);
}

#[test]
fn a_failed_page_keeps_the_rows_on_screen() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 100, 30);
    let effects = app.update(Action::Refresh);
    let Some(Effect::Request { id, .. }) =
        effects.into_iter().find(|e| matches!(e, Effect::Request { worker: Worker::Foreground, .. }))
    else {
        panic!("refresh reads a page")
    };
    app.update(Action::Reply {
        reply: DbReply { id, result: Err(ReplyError::new(ErrorKind::Busy, "database is locked")) },
    });
    assert_eq!(app.active_tab().unwrap().window.rows.len(), 10);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
}

#[test]
fn migrations_screen_shows_pending_and_a_failed_apply_changes_nothing() {
    // The test database has the schema but no tracker rows: 0000_init is pending, and applying it
    // fails on the existing tables, which must leave the database as it was.
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.migrations.db_path = dir.path().join("t.db");
    app.source.migrations.backup_dir = dir.path().join("backups");
    let to_migrations = app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap();
    let effects = app.update(Action::SelectTab { index: to_migrations });
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.screen, Screen::Migrations);
    let overview = app.migrations.overview().unwrap();
    assert_eq!(overview.plan.to_apply.len(), 1);
    assert_eq!(overview.plan.statuses[0].state, crate::migrate::MigrationState::Pending);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(app.confirming(&Confirmed::ApplyMigrations));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(!app.pending.awaits(&Waiting::ApplyMigrations));
    assert!(app.migrations.log.iter().any(|l| l.contains("already exists")), "{:?}", app.migrations.log);
    let users: i64 = conn.query_row("SELECT count(*) FROM user", [], |r| r.get(0)).unwrap();
    assert_eq!(users, 3);
    assert!(dir.path().join("backups").read_dir().unwrap().next().is_some(), "a backup was written first");
}

#[test]
fn read_only_refuses_to_apply() {
    let (_dir, mut conn) = users_db(1);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.read_only = Some(crate::db::open::ReadOnlyReason::Requested);
    let index = app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap();
    let effects = app.update(Action::SelectTab { index });
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(!app.confirming(&Confirmed::ApplyMigrations));
    assert!(app.status.as_ref().unwrap().text.contains("read-only"));
}

/// Adds two sessions for user u0001, one of them impersonated by admin u0000.
pub fn add_sessions(conn: &Connection) {
    conn.execute_batch(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId, impersonatedBy)
           VALUES ('s1', 1, 't1', 1, 1, 'u0001', NULL), ('s2', 1, 't2', 1, 1, 'u0001', 'u0000');",
    )
    .unwrap();
}

fn keys(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        press(app, conn, KeyCode::Char(c));
    }
}

#[test]
fn gr_lists_referencing_rows_and_backspace_returns() {
    let (_dir, mut conn) = users_db(5);
    add_sessions(&conn);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Char('j'));
    keys(&mut app, &mut conn, "gr");
    let Overlay::References { groups, .. } = &app.overlay else { panic!("gr opens the list") };
    let counts: Vec<(String, u64)> = groups.iter().map(|g| (g.label.clone(), g.count)).collect();
    assert!(counts.contains(&("sessions via userId".to_string(), 2)), "{counts:?}");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().name, "session");
    assert_eq!(app.active_tab().unwrap().total, Some(2));
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert_eq!(selected_id(&app), "u0001", "the user tab is where it was");
    assert!(app.tabs[1].spec.filters.is_empty(), "the session tab got its own view back");
}

#[test]
fn a_jump_and_back_restores_the_same_sort_filters_and_search() {
    use crate::db::page::{Filter, FilterOp, Sort, SortDirection};
    let (_dir, mut conn) = users_db(5);
    add_sessions(&conn);
    let mut app = open_app(&mut conn, 120, 30);
    let session = app.tabs.iter().position(|t| t.name == "session").unwrap();
    let spec = ViewSpec {
        sort: Some(Sort { column: "createdAt".into(), direction: SortDirection::Desc, nullable: false }),
        filters: vec![Filter {
            column: "ipAddress".into(),
            op: FilterOp::Ne,
            values: vec![rusqlite::types::Value::Text("x".into())],
        }],
        search: Some("token".into()),
    };
    app.tabs[session].spec = spec.clone();
    press(&mut app, &mut conn, KeyCode::Char('j'));
    keys(&mut app, &mut conn, "gr");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().name, "session");
    assert_ne!(app.active_tab().unwrap().spec, spec, "the jump shows the referencing rows");
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert_eq!(app.tabs[session].spec, spec, "back: the same sort, filters and search");
    let view = app.tabs[session].view().unwrap();
    assert_eq!((view.sort, view.filters), (spec.sort.clone(), spec.filters.clone()), "and the rows are read with them");
    assert_eq!(view.search.map(|s| s.text), spec.search);
}

#[test]
fn gd_follows_declared_and_inferred_keys() {
    let (_dir, mut conn) = users_db(5);
    add_sessions(&conn);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Char('j'));
    // The last column is impersonatedBy: an inferred reference to user.id.
    press(&mut app, &mut conn, KeyCode::Char('$'));
    keys(&mut app, &mut conn, "gd");
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert_eq!(selected_id(&app), "u0000");
    assert_eq!(app.active_tab().unwrap().total, Some(1));
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert_eq!(app.active_tab().unwrap().name, "session");
    assert_eq!(app.active_tab().unwrap().total, Some(2));
    assert!(app.trail.is_empty());
}

#[test]
fn er_screen_selects_boxes_and_opens_tables() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 140, 40);
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.screen, Screen::Er);
    let view = app.er.view().unwrap();
    assert_eq!(view.model.tables[0].rows, Some(3));
    assert!(view.model.relations.len() >= 2);
    let first = view.diagram.boxes[app.er.selected].table.clone();
    press(&mut app, &mut conn, KeyCode::Right);
    let second = app.er.view().unwrap().diagram.boxes[app.er.selected].table.clone();
    assert_ne!(first, second, "arrows move the selection");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Browser);
    assert_eq!(app.active_tab().unwrap().name, second);
}

#[test]
fn the_er_tab_shows_its_own_status_not_the_previous_tabs_message() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 140, 40);
    press(&mut app, &mut conn, KeyCode::Char('s'));
    assert!(app.status.as_ref().unwrap().text.starts_with("sorted by"));
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    assert_eq!(app.status.as_ref().unwrap().text, "reading the schema for the diagram…");
    settle(&mut app, &mut conn, effects);
    let status = app.status.clone().unwrap().text;
    assert!(status.starts_with("ER diagram: "), "{status}");
    assert!(status.contains("Enter opens"), "{status}");
    // Left, its status goes with it; shown again later (the diagram already read), it still
    // says what it shows.
    let effects = app.update(Action::SelectTab { index: 0 });
    settle(&mut app, &mut conn, effects);
    assert!(app.status.as_ref().is_none_or(|s| !s.text.contains("diagram")), "{:?}", app.status);
    press(&mut app, &mut conn, KeyCode::Char('s'));
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    assert!(app.status.as_ref().unwrap().text.starts_with("ER diagram: "));
}

#[test]
fn the_er_screen_opens_at_the_top_left_on_a_short_terminal() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 100, 20);
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    assert!(app.er.view().is_some());
    assert_eq!(app.er.scroll, (0, 0), "the boxes above the selected one stay whole");
}

#[test]
fn a_failed_or_cancelled_search_goes_back_to_the_view_on_screen() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 100, 30);
    press(&mut app, &mut conn, KeyCode::Char('/'));
    for c in "zzz".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    // Enter starts the search; answer its page with a failure (as an interrupt would).
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE) });
    let page = effects.iter().find_map(|e| match e {
        Effect::Request { id, worker: Worker::Foreground, .. } => Some(*id),
        _ => None,
    });
    app.update(Action::Reply {
        reply: DbReply { id: page.unwrap(), result: Err(ReplyError::new(ErrorKind::Interrupted, "interrupted")) },
    });
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.spec.search, None, "the search that never showed its rows is dropped");
    assert_eq!(tab.total, Some(10));
    assert_eq!(tab.window.rows.len(), 10);
    // Esc while a sort is reading does the same.
    app.update(Action::CycleSort);
    assert!(app.active_tab().unwrap().spec.sort.is_some());
    app.update(Action::Cancel);
    assert!(app.active_tab().unwrap().spec.sort.is_none());
    assert_eq!(app.active_tab().unwrap().total, Some(10));
}

#[test]
fn the_filter_bar_opens_on_the_column_and_has_finds_a_role_in_a_list() {
    let (_dir, mut conn) = users_db(40);
    conn.execute("UPDATE user SET role = 'admin,user' WHERE id = 'u0001'", []).unwrap();
    conn.execute("UPDATE user SET role = 'superadmin' WHERE id = 'u0002'", []).unwrap();
    let mut app = open_app(&mut conn, 100, 30);
    let role = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "role").unwrap();
    app.active_tab_mut().unwrap().selected_col = role;
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar opens") };
    assert_eq!(form.field(), FilterField::Column, "column first, as help says");
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Left); // from `=` back round to the last operator: has
    for c in "admin".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.spec.filters[0].op, crate::db::page::FilterOp::Has);
    assert_eq!(tab.total, Some(3), "u0000 and u0020 (admin) and u0001 (admin,user), not superadmin");
}

#[test]
fn the_count_is_asked_for_after_the_first_page_not_beside_it() {
    let (_dir, mut conn) = users_db(5);
    let (mut app, effects) = App::new(test_source(&conn), 100, 30, fixed_ctx());
    let is_count =
        |e: &Effect| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::Count { .. }));
    let is_page =
        |e: &Effect| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::FetchPage { .. }));
    let mut pending = effects;
    let mut page_seen = false;
    while !pending.is_empty() {
        let mut next = Vec::new();
        for effect in pending {
            if is_count(&effect) {
                assert!(page_seen, "the count waits for the first page");
            }
            if is_page(&effect) {
                assert!(!page_seen, "one first page");
                page_seen = true;
                let answered = answer_one(&mut app, &mut conn, effect);
                assert!(answered.iter().any(is_count), "the page's reply asks for the count");
                next.extend(answered);
            } else {
                next.extend(answer_one(&mut app, &mut conn, effect));
            }
        }
        pending = next;
    }
    assert_eq!(app.active_tab().unwrap().total, Some(5));
}
