//! The migrations screen on a remote D1 (`squall --remote`): a test backend keeping D1's rules
//! (no BEGIN; batches atomic) with a bookmark before every write, behind the service's `Remote`.
//! `A` applies like `squall migrate apply --remote` (one atomic request per file), behind the
//! same confirmation, and only with `--write`.

use crate::service::fake_d1::FakeD1;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::super::tests::fixed_ctx;
use super::super::*;
use crate::service::{Db, Remote, handle};

/// Answers effects on `db` until none are left, partial replies (progress) included.
fn settle(app: &mut App, db: &mut Db, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Request { id, request, .. } = effect {
                let mut partials = Vec::new();
                let result = handle(db, *request, &mut |r| partials.push(r));
                for partial in partials {
                    next.extend(app.update(Action::Reply { reply: DbReply { id, result: Ok(partial) } }));
                }
                next.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
            }
        }
        effects = next;
    }
}

fn press(app: &mut App, db: &mut Db, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, db, effects);
}

/// A remote holding `t (x)` recorded as wrangler's `0000_t.sql`, a project folder (the current
/// directory of the session) whose `migrations/` adds `0001_y.sql` and `0002_z.sql`, and the app
/// opened on it with or without `--write`, on its migrations screen.
struct Session {
    dir: tempfile::TempDir,
    app: App,
    db: Db,
    fake: Arc<FakeD1>,
}

fn session(write: bool) -> Session {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("migrations");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("0000_t.sql"), "CREATE TABLE t (x integer);").unwrap();
    std::fs::write(folder.join("0001_y.sql"), "ALTER TABLE t ADD y integer;").unwrap();
    std::fs::write(
        folder.join("0002_z.sql"),
        "CREATE TABLE z (id integer PRIMARY KEY);\nCREATE TRIGGER z_t AFTER INSERT ON z BEGIN INSERT INTO t (x) VALUES (new.id); UPDATE t SET y = 1; END;",
    )
    .unwrap();
    let conn = Connection::open(dir.path().join("remote.sqlite")).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (x integer); INSERT INTO t VALUES (1);
         CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
         INSERT INTO d1_migrations (name) VALUES ('0000_t.sql');",
    )
    .unwrap();
    let fake = crate::service::fake_d1::FakeD1::new(conn, !write);
    let mut db = Db::from_remote(Remote::new(fake.clone()));
    let label = PathBuf::from("D1 app-db (7f3c2a9e)");
    let source = Source {
        path: "D1 app-db (7f3c2a9e)".into(),
        name: Some("app-db".into()),
        reason: "test".into(),
        read_only: (!write).then_some(crate::db::open::ReadOnlyReason::Remote),
        migrations: MigrationsSource {
            db_path: label.clone(),
            cwd: dir.path().to_path_buf(),
            d1: None,
            backup_dir: dir.path().join("backups"),
            migrations_dir: None,
            audit_file: dir.path().join("audit.jsonl"),
        },
        audit: AuditTarget { file: dir.path().join("audit.jsonl"), database: label },
    };
    let (mut app, effects) = App::new(source, 160, 40, fixed_ctx());
    app.remote = Some(RemoteSession { name: "app-db".into(), write, ..Default::default() });
    settle(&mut app, &mut db, effects);
    let tab = app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap();
    let effects = app.update(Action::SelectTab { index: tab });
    settle(&mut app, &mut db, effects);
    Session { dir, app, db, fake }
}

fn remote_file(dir: &Path) -> Connection {
    Connection::open(dir.join("remote.sqlite")).unwrap()
}

/// The screen reads the remote's tracker against the project's folder: two files pending.
#[test]
fn the_screen_shows_the_remote_status() {
    let Session { app, .. } = session(false);
    let overview = app.migrations.overview().expect("the remote's migrations are read");
    let pending: Vec<&str> = overview.plan.to_apply.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(pending, ["0001_y.sql", "0002_z.sql"]);
    assert!(overview.drift.is_ok(), "{:?}", overview.drift);
}

/// Without `--write`, `A` says how to enable writes, and nothing is sent.
#[test]
fn without_write_a_says_how_to_enable_writes() {
    let Session { mut app, mut db, fake, dir } = session(false);
    press(&mut app, &mut db, KeyCode::Char('A'));
    assert!(!app.confirming(&Confirmed::ApplyMigrations));
    let said = &app.status.as_ref().expect("a message").text;
    assert!(said.contains("--remote --write"), "{said}");
    assert_eq!(fake.bookmarks(), 0);
    let pending: i64 =
        remote_file(dir.path()).query_row("SELECT count(*) FROM d1_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(pending, 1);
}

/// With `--write`: the confirmation names the database and the bookmark; on yes each file is
/// one atomic request after a bookmark, progress is logged per file, the audit log has each
/// bookmark and its restore command, and the status and schema are read again.
#[test]
fn with_write_a_applies_each_file_as_one_request_after_a_bookmark() {
    let Session { mut app, mut db, fake, dir } = session(true);
    press(&mut app, &mut db, KeyCode::Char('A'));
    assert!(app.confirming(&Confirmed::ApplyMigrations));
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("REMOTE database app-db"), "{screen}");
    assert!(screen.contains("time-travel bookmark is taken first"), "{screen}");
    assert!(screen.contains("INSERT INTO d1_migrations (name) values ('0001_y.sql')"), "{screen}");
    let before = fake.log().len();
    press(&mut app, &mut db, KeyCode::Char('y'));

    let sent: Vec<String> =
        fake.log()[before..].iter().filter(|l| *l == "bookmark" || *l == "batch").cloned().collect();
    assert_eq!(sent, ["bookmark", "batch", "bookmark", "batch"], "a bookmark, then one request, per file");
    let check = remote_file(dir.path());
    let names: Vec<String> = check
        .prepare("SELECT name FROM d1_migrations ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(names, ["0000_t.sql", "0001_y.sql", "0002_z.sql"]);
    // The trigger's body stayed one statement.
    check.execute("INSERT INTO z VALUES (7)", []).unwrap();
    let fired: i64 = check.query_row("SELECT count(*) FROM t WHERE x = 7 AND y = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(fired, 1);

    let log = &app.migrations.log;
    assert!(log.iter().any(|l| l.contains("[1/2] applying 0001_y.sql")), "{log:?}");
    assert!(
        log.iter().any(|l| l.contains("time-travel bookmark before 0002_z.sql: 00000000-00000002-bookmark")),
        "{log:?}"
    );
    assert!(log.iter().any(|l| l.contains("applied 2 migrations")), "{log:?}");
    assert!(
        log.iter()
            .any(|l| l
                == "restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db --bookmark=00000000-00000001-bookmark"),
        "{log:?}"
    );
    // The status line names the restore command too, not only the bookmark.
    let said = &app.status.as_ref().expect("a status").text;
    assert!(said.contains("wrangler d1 time-travel restore app-db --bookmark=00000000-00000001-bookmark"), "{said}");
    // Read again: nothing pending, and the new table is listed.
    let overview = app.migrations.overview().unwrap();
    assert!(overview.plan.to_apply.is_empty(), "{:?}", overview.plan.statuses);
    assert!(app.tab_titles().contains(&"z"), "{:?}", app.tab_titles());

    let entries = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    let recorded: Vec<(&str, Option<&str>)> =
        entries.iter().map(|e| (e.action.as_str(), e.bookmark.as_deref())).collect();
    assert_eq!(
        recorded,
        [("migrate.apply", Some("00000000-00000001-bookmark")), ("migrate.apply", Some("00000000-00000002-bookmark"))]
    );
    assert_eq!(entries[0].database, "D1 app-db (7f3c2a9e)");
    assert_eq!(
        entries[1].restore.as_deref(),
        Some("wrangler d1 time-travel restore app-db --bookmark=00000000-00000002-bookmark")
    );
}

/// A file that fails on the remote is not kept at all (one atomic request); the one before it
/// stays applied and the screen gives the restore point.
#[test]
fn a_failing_file_is_not_kept_and_the_earlier_ones_stay() {
    let Session { mut app, mut db, dir, .. } = session(true);
    std::fs::write(dir.path().join("migrations/0002_z.sql"), "CREATE TABLE z (id integer);\nALTER TABLE nope ADD w;")
        .unwrap();
    press(&mut app, &mut db, KeyCode::Char('r'));
    press(&mut app, &mut db, KeyCode::Char('A'));
    press(&mut app, &mut db, KeyCode::Char('y'));
    let check = remote_file(dir.path());
    let applied: i64 = check.query_row("SELECT count(*) FROM d1_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(applied, 2, "0001 applied, 0002 not");
    let z: i64 = check.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'z'", [], |r| r.get(0)).unwrap();
    assert_eq!(z, 0, "none of the failed request was kept");
    let log = app.migrations.log.join("\n");
    assert!(log.contains("0002_z.sql failed and was not applied"), "{log}");
    assert!(log.contains("restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db"), "{log}");
}

/// A file whose request timed out after it was sent may have been applied: it is not said
/// undone, the audit log records it of unknown outcome with its bookmark, and the restore
/// command is named.
#[test]
fn a_file_that_timed_out_after_it_was_sent_is_audited_with_its_restore_point() {
    let Session { mut app, mut db, dir, fake } = session(true);
    press(&mut app, &mut db, KeyCode::Char('r'));
    press(&mut app, &mut db, KeyCode::Char('A'));
    fake.time_out_next_write();
    press(&mut app, &mut db, KeyCode::Char('y'));
    let log = app.migrations.log.join("\n");
    assert!(log.contains("outcome is unknown") && !log.contains("was not applied"), "{log}");
    assert!(log.contains("wrangler d1 time-travel restore app-db --bookmark="), "{log}");
    let entries = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].key.get("name"), Some(&serde_json::json!("0001_y.sql")));
    assert_eq!(entries[0].outcome.as_deref(), Some(crate::audit::UNKNOWN_OUTCOME));
    assert!(entries[0].bookmark.is_some() && entries[0].restore.is_some());
}
