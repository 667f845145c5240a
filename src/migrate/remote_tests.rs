//! Applying migrations the D1 way, on a backend that keeps D1's rules (no BEGIN; batches atomic).

use std::path::Path;

use rusqlite::Connection;

use super::*;
use crate::db::backend::rules::D1Rules;
use crate::migrate::folder::{LoadFolder, MigrationFolder, load_folder};
use crate::migrate::status::{MigrationState, TrackerChoice, migration_status};

fn copy_folder(dir: &Path) -> MigrationFolder {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle");
    std::fs::create_dir_all(dir.join("meta")).unwrap();
    for name in ["0000_init.sql", "0001_audit_log_last_login.sql", "meta/_journal.json"] {
        std::fs::copy(from.join(name), dir.join(name)).unwrap();
    }
    load_folder(&LoadFolder { dir }).unwrap()
}

fn d1(dir: &Path) -> D1Rules {
    D1Rules::new(Connection::open(dir.join("remote.sqlite")).unwrap())
}

fn apply(db: &D1Rules, folder: &MigrationFolder, events: &mut Vec<AtomicEvent>) -> Result<Vec<String>> {
    let status = StatusInput { folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" };
    let mut progress = |event: &AtomicEvent| events.push(event.clone());
    apply_atomically(db, AtomicApplyInput { status, force: false, progress: &mut progress })
}

fn states(db: &D1Rules, folder: &MigrationFolder) -> Vec<MigrationState> {
    let status = StatusInput { folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" };
    migration_status(db, &status).unwrap().into_iter().map(|s| s.state).collect()
}

#[test]
fn each_migration_is_one_atomic_batch_recorded_in_d1_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let folder = copy_folder(&dir.path().join("drizzle"));
    let db = d1(dir.path());
    assert_eq!(states(&db, &folder), [MigrationState::Pending, MigrationState::Pending]);
    let before = db.requests();
    let mut events = Vec::new();
    let applied = apply(&db, &folder, &mut events).unwrap();
    assert_eq!(applied, ["0000_init.sql", "0001_audit_log_last_login.sql"]);
    // Reading the tracker (which tracker, whether its table exists: not yet, so no rows), then ONE request per migration.
    assert_eq!(db.requests() - before, 2 + 2, "{events:?}");
    assert_eq!(states(&db, &folder), [MigrationState::Applied, MigrationState::Applied]);
    let conn = Connection::open(dir.path().join("remote.sqlite")).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM d1_migrations ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, ["0000_init.sql", "0001_audit_log_last_login.sql"]);
    // Nothing left: a second run sends nothing.
    assert!(apply(&db, &folder, &mut Vec::new()).unwrap().is_empty());
}

#[test]
fn a_failing_migration_keeps_nothing_and_earlier_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let folder_dir = dir.path().join("drizzle");
    copy_folder(&folder_dir);
    std::fs::write(folder_dir.join("0002_bad.sql"), "CREATE TABLE t2 (x);\nINSERT INTO nope VALUES (1);\n").unwrap();
    let folder = load_folder(&LoadFolder { dir: &folder_dir }).unwrap();
    let db = d1(dir.path());
    let mut status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let mut progress = |_: &AtomicEvent| {};
    let err = apply_atomically(&db, AtomicApplyInput { status, force: false, progress: &mut progress }).unwrap_err();
    let failed = err.downcast_ref::<AtomicMigrationFailed>().expect("a migration failure");
    assert_eq!(failed.name, "0002_bad.sql");
    assert_eq!(failed.applied, ["0000_init.sql", "0001_audit_log_last_login.sql"]);
    assert!(err.to_string().contains("none of it was kept"), "{err}");
    let conn = Connection::open(dir.path().join("remote.sqlite")).unwrap();
    let t2: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 't2'", [], |r| r.get(0)).unwrap();
    assert_eq!(t2, 0, "the failing migration's first statement was not kept");
    status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let pending: Vec<String> = migration_status(&db, &status)
        .unwrap()
        .into_iter()
        .filter(|s| s.state == MigrationState::Pending)
        .map(|s| s.name)
        .collect();
    assert_eq!(pending, ["0002_bad.sql"]);
}

#[test]
fn a_read_only_remote_and_transaction_control_run_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let folder = copy_folder(&dir.path().join("drizzle"));
    let db = d1(dir.path()).read_only();
    let err = apply(&db, &folder, &mut Vec::new()).unwrap_err();
    assert!(matches!(err.downcast_ref::<DbError>(), Some(DbError::ReadOnly(_))), "{err}");

    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("0000_a.sql"), "CREATE TABLE a (x);\nCOMMIT;\n").unwrap();
    let folder = load_folder(&LoadFolder { dir: &plain }).unwrap();
    let db = d1(dir.path());
    let err = apply(&db, &folder, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("refusing to apply; nothing was run"), "{err}");
}

#[test]
fn steps_defer_foreign_keys_first_and_guard_the_tracker_row() {
    let dir = tempfile::tempdir().unwrap();
    let folder = copy_folder(&dir.path().join("drizzle"));
    let db = d1(dir.path());
    let status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let plan = plan_migrations(&db, &status).unwrap();
    let steps = migration_steps(&plan, &plan.to_apply[0], &status).unwrap();
    assert_eq!(steps[0].statement.sql, DEFER_FOREIGN_KEYS);
    assert!(steps[1].statement.sql.starts_with("CREATE TABLE IF NOT EXISTS d1_migrations("));
    let last = steps.last().unwrap();
    assert_eq!(last.statement.params, [Value::Text("0000_init.sql".into())]);
    assert_eq!(last.expect, Expect::Changes(1));
}
