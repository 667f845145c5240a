//! The app and the service on a remote database: a test backend keeping D1's rules
//! (`D1Rules`: no BEGIN, batches with guard statements, integers as doubles) behind [`Remote`],
//! with a bookmark taken before every write as D1's client does.

use crate::service::fake_d1::FakeD1;
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::protocol::{AuditTarget, DbReply, DbRequest, DbResult, MigrationsSource};
use super::{Db, Remote, handle, read_ahead};
use crate::app::tests::{fixed_ctx, users_db};
use crate::app::{Action, App, Effect, Source};
use crate::db::page::{Anchor, View};

/// Answers effects on `db` until none are left, reading ahead after each reply as the worker does.
fn settle(app: &mut App, db: &mut Db, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Request { id, request, .. } = effect {
                let result = handle(db, *request, &mut |_| {});
                next.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
                read_ahead(db);
            }
        }
        effects = next;
    }
}

fn press(app: &mut App, db: &mut Db, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, db, effects);
}

fn type_text(app: &mut App, db: &mut Db, text: &str) {
    for c in text.chars() {
        press(app, db, KeyCode::Char(c));
    }
}

fn remote_source(dir: &std::path::Path, read_only: bool) -> Source {
    let label = PathBuf::from("D1 app-db (7f3c2a9e)");
    Source {
        path: "D1 app-db (7f3c2a9e)".into(),
        name: Some("app-db".into()),
        reason: "test".into(),
        read_only: read_only.then_some(crate::db::open::ReadOnlyReason::Remote),
        migrations: MigrationsSource {
            db_path: label.clone(),
            cwd: dir.to_path_buf(),
            d1: None,
            backup_dir: dir.join("backups"),
            migrations_dir: None,
            audit_file: dir.join("audit.jsonl"),
        },
        audit: AuditTarget { file: dir.join("audit.jsonl"), database: label },
    }
}

/// 120 users on a remote; returns the app opened on it, its database, a connection to check the
/// file with, and the fake remote (statements it ran).
fn remote_app(read_only: bool) -> (tempfile::TempDir, App, Db, Connection, Arc<FakeD1>) {
    remote_app_of(120, read_only)
}

/// [`remote_app`] with `users` users.
fn remote_app_of(users: usize, read_only: bool) -> (tempfile::TempDir, App, Db, Connection, Arc<FakeD1>) {
    let (dir, conn) = users_db(users);
    crate::app::users_test_support::add_session(&conn, "s-4a", "u0004", 24, None);
    let check = Connection::open(dir.path().join("t.db")).unwrap();
    let fake = FakeD1::new(conn, read_only);
    let mut db = Db::from_remote(Remote::new(fake.clone()));
    let (mut app, effects) = App::new(remote_source(dir.path(), read_only), 120, 30, fixed_ctx());
    // As the terminal side does before the first reply.
    app.remote = Some(crate::app::RemoteSession { name: "app-db".into(), write: !read_only, ..Default::default() });
    settle(&mut app, &mut db, effects);
    (dir, app, db, check, fake)
}

fn selected_id(app: &App) -> String {
    crate::db::value::raw_text(&app.selected_values().unwrap()[0])
}

#[test]
fn opening_a_remote_reads_the_schema_once_and_the_first_page_next_without_sampling() {
    let (_dir, app, _db, _check, fake) = remote_app(true);
    let statements = fake.statements();
    assert_eq!(statements[0], crate::db::schema::SCHEMA_SQL, "the schema in one request: {statements:#?}");
    assert!(statements[1].contains("FROM \"user\""), "the first page next: {statements:#?}");
    assert!(statements[1].ends_with("LIMIT 100"), "a remote page is 100 rows: {statements:#?}");
    assert_eq!(
        statements.iter().filter(|s| s.as_str() == crate::db::schema::SCHEMA_SQL).count(),
        1,
        "the schema is read once: {statements:#?}"
    );
    assert!(!statements.iter().any(|s| s.contains("SELECT count(*) FROM \"user\"")), "no full count: {statements:#?}");
    assert!(statements.iter().any(|s| s.contains("max(rowid)")), "the count is max(rowid): {statements:#?}");
    assert!(!statements.iter().any(|s| s.contains("MATERIALIZED")), "no sampling: {statements:#?}");
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "user");
    assert_eq!(tab.total, Some(120), "~120 from max(rowid)");
    assert_eq!(selected_id(&app), "u0000");
}

#[test]
fn the_next_page_is_read_ahead_and_answered_without_a_request() {
    let (_dir, app, mut db, _check, fake) = remote_app(true);
    let view: View = app.active_tab().unwrap().view().unwrap();
    let first =
        handle(&mut db, DbRequest::FetchPage { view: view.clone(), anchor: Anchor::First, limit: 10 }, &mut |_| {});
    let Ok(DbResult::Page(first)) = first else { panic!("a page: {first:?}") };
    read_ahead(&mut db);
    let before = fake.requests();
    let anchor = Anchor::After(first.rows.last().unwrap().cursor.clone());
    let next = handle(&mut db, DbRequest::FetchPage { view, anchor, limit: 10 }, &mut |_| {});
    let Ok(DbResult::Page(next)) = next else { panic!("a page: {next:?}") };
    assert_eq!(fake.requests(), before, "answered from the page read ahead");
    assert_eq!(crate::db::value::raw_text(&next.rows[0].values[0]), "u0010");
}

#[test]
fn g_on_a_remote_reaches_the_last_row() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(true);
    press(&mut app, &mut db, KeyCode::Char('G'));
    assert_eq!(selected_id(&app), "u0119");
}

#[test]
fn a_ban_on_a_remote_is_one_batch_and_its_audit_entry_has_the_bookmark() {
    let (dir, mut app, mut db, check, fake) = remote_app(false);
    for _ in 0..4 {
        press(&mut app, &mut db, KeyCode::Char('j'));
    }
    assert_eq!(selected_id(&app), "u0004");
    press(&mut app, &mut db, KeyCode::Char('A'));
    press(&mut app, &mut db, KeyCode::Char('b'));
    type_text(&mut app, &mut db, "chargebacks");
    press(&mut app, &mut db, KeyCode::Tab);
    type_text(&mut app, &mut db, "7d");
    press(&mut app, &mut db, KeyCode::Enter);
    let writes_before = fake.writes();
    let before_yes = chrono::Utc::now();
    press(&mut app, &mut db, KeyCode::Char('y'));
    assert_eq!(fake.writes(), writes_before + 1, "one atomic batch");
    let (banned, reason, expires): (i64, String, i64) = check
        .query_row("SELECT banned, banReason, banExpires FROM user WHERE id = 'u0004'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((banned, reason.as_str()), (1, "chargebacks"));
    assert_eq!(expires, (fixed_ctx().now + chrono::TimeDelta::days(7)).timestamp_millis());
    let said = &app.status.as_ref().expect("a status").text;
    assert!(said.contains("restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db --bookmark="), "{said}");
    let log = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    assert_eq!(log.len(), 2, "the user and the session it ended: {log:?}");
    // Audited when the batch ran, not when the plan was made (the app's clock).
    assert_audit_time_is_the_commit_time(&dir.path().join("audit.jsonl"), before_yes);
    for entry in &log {
        assert_eq!(entry.action, "user.ban");
        assert_eq!(entry.database, "D1 app-db (7f3c2a9e)");
        let bookmark = entry.bookmark.as_deref().expect("the bookmark is recorded");
        assert_eq!(
            entry.restore.as_deref(),
            Some(format!("wrangler d1 time-travel restore app-db --bookmark={bookmark}").as_str())
        );
    }
}

#[test]
fn a_remote_without_write_refuses_the_ban_before_any_request() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    press(&mut app, &mut db, KeyCode::Char('A'));
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE) });
    assert!(effects.is_empty(), "no request leaves");
    assert!(app.status.as_ref().unwrap().text.contains("without --write"), "{:?}", app.status);
    assert_eq!(fake.writes(), 0);
}

#[test]
fn the_er_diagram_on_a_remote_estimates_its_counts() {
    let (_dir, _app, mut db, _check, _fake) = remote_app(true);
    let er = DbRequest::Er { include_internal: false, detail: crate::er::Detail::default() };
    let Ok(DbResult::Er(view)) = handle(&mut db, er, &mut |_| {}) else { panic!("an ER diagram") };
    let user = view.model.tables.iter().find(|t| t.name == "user").expect("the user table");
    assert!(user.rows_estimated, "a remote counts by max(rowid)");
}

/// Applying migrations on a remote runs over the REST API (see `app::migrations::tests_remote`);
/// without a migrations folder it is refused with a message, and nothing is written.
#[test]
fn applying_migrations_on_a_remote_without_a_folder_is_refused_with_a_message() {
    let (_dir, _app, mut db, _check, fake) = remote_app(true);
    let dir = PathBuf::from("/nonexistent");
    let source = crate::service::protocol::MigrationsSource {
        db_path: dir.clone(),
        cwd: dir.clone(),
        d1: None,
        backup_dir: dir.clone(),
        migrations_dir: None,
        audit_file: dir,
    };
    let apply = DbRequest::ApplyMigrations { source };
    let refused = handle(&mut db, apply, &mut |_| {}).unwrap_err();
    assert!(refused.message.contains("no migrations folder"), "{}", refused.message);
    assert_eq!(fake.writes(), 0);
}

#[path = "tests_unknown.rs"]
mod unknown;

#[path = "tests_cost.rs"]
mod cost;

/// Issue 13: the status line's cost is the key's whole action. `G` sends its page, the worker
/// reads ahead after the reply; the line counts both (and every request), where it showed only
/// the last request's rows.
#[test]
fn the_status_line_counts_every_request_a_key_caused() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(true);
    let remote = db.remote().unwrap().clone();
    // As the terminal side does: the session's totals refreshed before every action.
    let update = |app: &mut App, action: Action| {
        app.remote.as_mut().unwrap().stats = remote.stats();
        app.update(action)
    };
    let start = remote.stats();
    let mut effects = update(&mut app, Action::Key { key: KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE) });
    assert!(!effects.is_empty(), "G reads");
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Request { id, request, .. } = effect {
                let result = handle(&mut db, *request, &mut |_| {});
                next.extend(update(&mut app, Action::Reply { reply: DbReply { id, result } }));
                read_ahead(&mut db);
            }
        }
        effects = next;
    }
    update(&mut app, Action::Tick { now: fixed_ctx().now });
    let end = remote.stats();
    let shown = app.remote.as_ref().unwrap();
    let (rows, requests) = shown.action_cost();
    assert_eq!((rows, requests), (end.total_rows_read - start.total_rows_read, end.requests - start.requests));
    assert!(requests >= 2, "the page and the read ahead: {requests}");
    assert!(rows > end.last_rows_read, "more than the last request's {} rows: {rows}", end.last_rows_read);
}

/// The audit entries' time: after `before`, and not the plan's (app clock) time.
fn assert_audit_time_is_the_commit_time(file: &std::path::Path, before: chrono::DateTime<chrono::Utc>) {
    let log = crate::audit::read_audit_from(file, &Default::default()).unwrap();
    assert!(!log.is_empty(), "an audit entry");
    let planned = fixed_ctx().now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for entry in &log {
        assert_ne!(entry.time, planned, "not the time the plan was built: {entry:?}");
        let time = chrono::DateTime::parse_from_rfc3339(&entry.time).unwrap();
        assert!(time >= before - chrono::TimeDelta::milliseconds(1), "the batch's time: {} < {before}", entry.time);
    }
}

/// Defect: the audit said a write happened when its plan was built (the review opened), not
/// when the batch committed; the values written must stay those the preview showed. The app's
/// clock stands still at `fixed_ctx().now` while the confirmation waits.
#[test]
fn an_edit_is_audited_at_its_commit_time_with_the_previewed_values_local_and_remote() {
    let edit_and_commit = |app: &mut App, answer: &mut dyn FnMut(&mut App, Vec<Effect>)| {
        let name = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "name");
        let mut key = |app: &mut App, code: KeyCode, modifiers: KeyModifiers| {
            let effects = app.update(Action::Key { key: KeyEvent::new(code, modifiers) });
            answer(app, effects);
        };
        while Some(app.active_tab().unwrap().selected_col) != name {
            key(app, KeyCode::Char('l'), KeyModifiers::NONE);
        }
        key(app, KeyCode::Char('e'), KeyModifiers::NONE);
        key(app, KeyCode::Char('u'), KeyModifiers::CONTROL);
        for c in "Audited".chars() {
            key(app, KeyCode::Char(c), KeyModifiers::NONE);
        }
        key(app, KeyCode::Enter, KeyModifiers::NONE);
        key(app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        let before = chrono::Utc::now();
        key(app, KeyCode::Char('y'), KeyModifiers::NONE);
        before
    };
    let stamped = |conn: &Connection| -> (String, i64) {
        conn.query_row("SELECT name, updatedAt FROM user WHERE id = 'u0000'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    // Local.
    let (dir, mut conn) = users_db(3);
    let mut app = crate::app::tests::open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    let before = edit_and_commit(&mut app, &mut |app, effects| crate::app::tests::settle(app, &mut conn, effects));
    assert_eq!(stamped(&conn), ("Audited".to_string(), fixed_ctx().now.timestamp_millis()), "as previewed");
    assert_audit_time_is_the_commit_time(&dir.path().join("audit.jsonl"), before);
    // Remote.
    let (dir, mut app, mut db, check, _fake) = remote_app(false);
    let before = edit_and_commit(&mut app, &mut |app, effects| settle(app, &mut db, effects));
    assert_eq!(stamped(&check), ("Audited".to_string(), fixed_ctx().now.timestamp_millis()), "as previewed");
    assert_audit_time_is_the_commit_time(&dir.path().join("audit.jsonl"), before);
}

/// Defect: on a remote the review of a key change showed no ⚠ at all. The lookups an index
/// answers run there too: the session pointing at the user is named before `y`.
#[test]
fn a_key_change_on_a_remote_is_flagged_at_review() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app_of(8, false);
    let id = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "id");
    while Some(app.active_tab().unwrap().selected_col) != id {
        press(&mut app, &mut db, KeyCode::Char('l'));
    }
    while selected_id(&app) != "u0004" {
        press(&mut app, &mut db, KeyCode::Char('j'));
    }
    press(&mut app, &mut db, KeyCode::Char('e'));
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL) });
    settle(&mut app, &mut db, effects);
    type_text(&mut app, &mut db, "u-new");
    press(&mut app, &mut db, KeyCode::Enter);
    press(&mut app, &mut db, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    settle(&mut app, &mut db, effects);
    let crate::app::Overlay::Confirm(review) = &app.overlay else { panic!("the review opens: {:?}", app.overlay) };
    let text = format!("{:?}", review.preview);
    assert!(text.contains("1 row of session still references user id = 'u0004' (userId"), "{text}");
}
