//! Status and apply on temporary copies of the fixtures the real tools produced.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::*;
use crate::migrate::apply::describe_problems;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A temp copy of a fixture database (fixtures are never touched in place).
fn copy_db(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixtures().join(name), &path).unwrap();
    (dir, path)
}

/// A writable copy of the drizzle-kit folder, to edit files and the journal.
fn copy_folder(dir: &Path) -> PathBuf {
    let dst = dir.join("drizzle");
    std::fs::create_dir_all(dst.join("meta")).unwrap();
    for name in ["0000_init.sql", "0001_audit_log_last_login.sql", "meta/_journal.json"] {
        std::fs::copy(fixtures().join("drizzle").join(name), dst.join(name)).unwrap();
    }
    dst
}

fn drizzle_folder() -> MigrationFolder {
    load_folder(&LoadFolder { dir: &fixtures().join("drizzle") }).unwrap()
}

fn states(conn: &Connection, folder: &MigrationFolder, tracker: TrackerChoice) -> Vec<(String, MigrationState)> {
    let input = StatusInput { folder, tracker, wrangler_table: wrangler::DEFAULT_TABLE };
    migration_status(conn, &input).unwrap().into_iter().map(|s| (s.name, s.state)).collect()
}

fn named(list: &[(&str, MigrationState)]) -> Vec<(String, MigrationState)> {
    list.iter().map(|(name, state)| (name.to_string(), *state)).collect()
}

const INIT: &str = "0000_init.sql";
const AUDIT: &str = "0001_audit_log_last_login.sql";
use MigrationState::{Applied, Missing, Modified, Pending, Skipped};

fn apply(conn: &mut Connection, folder: &MigrationFolder, force: bool) -> anyhow::Result<ApplyReport> {
    let backups = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    let mut progress = |event: &ApplyEvent| events.push(event.clone());
    let input = ApplyInput {
        status: StatusInput { folder, tracker: TrackerChoice::Auto, wrangler_table: wrangler::DEFAULT_TABLE },
        force,
        backup_dir: backups.path(),
        backup_name: "test",
        progress: &mut progress,
    };
    let report = apply_migrations(conn, input)?;
    if let Some(backup) = &report.backup {
        assert!(backup.starts_with(backups.path()) && backup.is_file());
        assert!(matches!(&events[0], ApplyEvent::BackedUp { path } if path == backup));
        assert_eq!(events.len(), 1 + 2 * report.applied.len());
    }
    Ok(report)
}

/// The schema and every row of every table, to compare a database before and after.
fn snapshot(conn: &Connection) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut stmt = conn.prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name").unwrap();
    let schema: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    for (name, sql) in schema {
        out.push(sql.clone());
        if sql.starts_with("CREATE TABLE") {
            let mut rows = conn.prepare(&format!("SELECT * FROM {}", crate::db::schema::quote_ident(&name))).unwrap();
            let width = rows.column_count();
            let dumped: Vec<String> = rows
                .query_map([], |r| {
                    Ok((0..width).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            out.extend(dumped);
        }
    }
    out
}

#[test]
fn status_of_the_fixtures() {
    let folder = drizzle_folder();
    let (_d, path) = copy_db("drizzle-applied.db");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Applied), (AUDIT, Applied)]));
    // The trackers ignore each other: to wrangler this database is fully pending.
    assert_eq!(states(&conn, &folder, TrackerChoice::Wrangler), named(&[(INIT, Pending), (AUDIT, Pending)]));

    let (_d, path) = copy_db("drizzle-partial.db");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Applied), (AUDIT, Pending)]));

    let (_d, path) = copy_db("wrangler-d1-partial.sqlite");
    let conn = Connection::open(&path).unwrap();
    let input = StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: wrangler::DEFAULT_TABLE };
    assert_eq!(resolve_tracker(&conn, &input).unwrap().kind, TrackerKind::Wrangler);
    let statuses = migration_status(&conn, &input).unwrap();
    assert_eq!(statuses[0].applied_at.as_deref(), Some("2026-11-28 06:22:41"));
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Applied), (AUDIT, Pending)]));
    assert_eq!(states(&conn, &folder, TrackerChoice::Drizzle), named(&[(INIT, Pending), (AUDIT, Pending)]));
}

#[test]
fn auto_prefers_wrangler_when_both_or_neither_exist() {
    let folder = drizzle_folder();
    let conn = Connection::open_in_memory().unwrap();
    let input = StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" };
    assert_eq!(resolve_tracker(&conn, &input).unwrap().kind, TrackerKind::Wrangler);
    drizzle::ensure_tracker(&conn).unwrap();
    assert_eq!(resolve_tracker(&conn, &input).unwrap().kind, TrackerKind::Drizzle);
    wrangler::ensure_tracker(&conn, &wrangler::Tracker { table: "d1_migrations" }).unwrap();
    let both = resolve_tracker(&conn, &input).unwrap();
    assert_eq!(both.kind, TrackerKind::Wrangler);
    assert!(both.reason.contains("both"), "{}", both.reason);
}

#[test]
fn drizzle_modified_missing_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let drizzle_dir = copy_folder(dir.path());
    let (_d, path) = copy_db("drizzle-applied.db");
    let conn = Connection::open(&path).unwrap();

    // Editing an applied file: modified (the hash differs, created_at still matches).
    std::fs::write(drizzle_dir.join(INIT), "-- edited\nSELECT 1;").unwrap();
    let folder = load_folder(&LoadFolder { dir: &drizzle_dir }).unwrap();
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Modified), (AUDIT, Applied)]));

    // A recorded migration without a file: missing, placed by its created_at.
    let journal = std::fs::read_to_string(drizzle_dir.join("meta/_journal.json")).unwrap();
    let mut parsed: serde_json::Value = serde_json::from_str(&journal).unwrap();
    parsed["entries"].as_array_mut().unwrap().remove(0);
    // A new entry older than the newest applied one: drizzle would never run it.
    parsed["entries"].as_array_mut().unwrap().push(serde_json::json!(
        {"idx": 2, "version": "6", "when": 1795846750000_i64, "tag": "0002_late_merge", "breakpoints": true}
    ));
    std::fs::write(drizzle_dir.join("meta/_journal.json"), parsed.to_string()).unwrap();
    std::fs::write(drizzle_dir.join("0002_late_merge.sql"), "CREATE TABLE late(x);").unwrap();
    let folder = load_folder(&LoadFolder { dir: &drizzle_dir }).unwrap();
    let got = states(&conn, &folder, TrackerChoice::Auto);
    assert_eq!(got[0], ("(no file) created_at 1795846739167, hash 7eee5f1f6499".to_string(), Missing));
    assert_eq!(got[1..], named(&[(AUDIT, Applied), ("0002_late_merge.sql", Skipped)]));

    // Apply refuses while the history is inconsistent, and says why.
    let mut conn = conn;
    let err = apply(&mut conn, &folder, false).unwrap_err();
    assert!(matches!(err.downcast_ref::<crate::db::error::DbError>(), Some(crate::db::error::DbError::Conflict(_))));
    let text = err.to_string();
    assert!(text.contains("is missing") && text.contains("0002_late_merge.sql is skipped") && text.contains("--force"));
    // Forced, the skipped migration runs, with drizzle's row for it.
    let report = apply(&mut conn, &folder, true).unwrap();
    assert_eq!(report.applied, ["0002_late_merge.sql"]);
    let created: i64 = conn
        .query_row("SELECT created_at FROM __drizzle_migrations ORDER BY rowid DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(created, 1795846750000);
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto)[2], ("0002_late_merge.sql".to_string(), Applied));
}

#[test]
fn wrangler_missing_rows_are_listed_in_order() {
    let (_d, path) = copy_db("wrangler-d1-partial.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("UPDATE d1_migrations SET name = '0000_renamed.sql'").unwrap();
    let folder = drizzle_folder();
    assert_eq!(
        states(&conn, &folder, TrackerChoice::Auto),
        named(&[(INIT, Pending), ("0000_renamed.sql", Missing), (AUDIT, Pending)])
    );
    assert!(describe_problems(&[]).contains("--force"));
}

#[test]
fn apply_writes_the_rows_the_real_tools_write() {
    let folder = drizzle_folder();
    // drizzle: the row for 0001 must equal the one drizzle-kit wrote into drizzle-applied.db.
    let (_d, path) = copy_db("drizzle-partial.db");
    let mut conn = Connection::open(&path).unwrap();
    let report = apply(&mut conn, &folder, false).unwrap();
    assert_eq!((report.tracker, report.applied.as_slice()), (TrackerKind::Drizzle, [AUDIT.to_string()].as_slice()));
    let reference = Connection::open(fixtures().join("drizzle-applied.db")).unwrap();
    let rows = |conn: &Connection| {
        let mut stmt =
            conn.prepare("SELECT id, hash, created_at, typeof(created_at) FROM __drizzle_migrations").unwrap();
        stmt.query_map([], |r| {
            Ok(format!("{:?}|{:?}|{:?}|{:?}", r.get_ref(0)?, r.get_ref(1)?, r.get_ref(2)?, r.get_ref(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
    };
    assert_eq!(rows(&conn), rows(&reference));
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Applied), (AUDIT, Applied)]));

    // wrangler: a new row with the next id, the file name and SQLite's UTC timestamp.
    let (_d, path) = copy_db("wrangler-d1-partial.sqlite");
    let mut conn = Connection::open(&path).unwrap();
    assert_eq!(apply(&mut conn, &folder, false).unwrap().applied, [AUDIT]);
    let (id, name, at): (i64, String, String) = conn
        .query_row("SELECT id, name, applied_at FROM d1_migrations WHERE id = 2", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((id, name.as_str()), (2, AUDIT));
    assert!(chrono::NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M:%S").is_ok(), "{at}");
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Applied), (AUDIT, Applied)]));
    // Applying again has nothing to do and makes no backup.
    assert_eq!(apply(&mut conn, &folder, false).unwrap().backup, None);
}

#[test]
fn a_failing_migration_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let drizzle_dir = copy_folder(dir.path());
    let broken = "CREATE TABLE audit_log (id integer);\n--> statement-breakpoint\nINSERT INTO audit_log VALUES (1);--> statement-breakpoint\nALTER TABLE nope ADD x integer;";
    std::fs::write(drizzle_dir.join(AUDIT), broken).unwrap();
    let folder = load_folder(&LoadFolder { dir: &drizzle_dir }).unwrap();
    let (_d, path) = copy_db("wrangler-d1-partial.sqlite");
    let mut conn = Connection::open(&path).unwrap();
    let before = snapshot(&conn);
    let fk_before: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    let err = apply(&mut conn, &folder, false).unwrap_err();
    let failed = err.downcast_ref::<MigrationFailed>().expect("a MigrationFailed");
    assert_eq!((failed.name.as_str(), failed.statement_number), (AUDIT, 3));
    assert_eq!(failed.statement, "ALTER TABLE nope ADD x integer;");
    assert!(failed.message.contains("no such table: nope"), "{}", failed.message);
    assert!(failed.backup.is_some() && failed.applied.is_empty());
    assert!(err.to_string().contains("rolled back"));
    assert_eq!(snapshot(&conn), before);
    let fk_after: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk_after, fk_before, "the connection's foreign_keys setting is restored");
}

#[test]
fn table_rebuilds_do_not_cascade_and_dangling_keys_are_refused() {
    let (_d, path) = copy_db("drizzle-applied.db");
    let mut conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt) VALUES ('u1', 'A', 'a@x', 0, 0, 0);
         INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES ('s1', 0, 't', 0, 0, 'u1');",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // What drizzle-kit generates to change a column of a parent table.
    let rebuild = "PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_user` (`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `email` text NOT NULL);--> statement-breakpoint
INSERT INTO `__new_user`(\"id\", \"name\", \"email\") SELECT \"id\", \"name\", \"email\" FROM `user`;--> statement-breakpoint
DROP TABLE `user`;--> statement-breakpoint
ALTER TABLE `__new_user` RENAME TO `user`;--> statement-breakpoint
PRAGMA foreign_keys=ON;";
    std::fs::write(dir.path().join("0001_rebuild.sql"), rebuild).unwrap();
    std::fs::write(dir.path().join("0002_orphan.sql"), "DELETE FROM user;").unwrap();
    let folder = load_folder(&LoadFolder { dir: dir.path() }).unwrap();
    let input = |folder| StatusInput { folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    assert_eq!(plan_migrations(&conn, &input(&folder)).unwrap().to_apply.len(), 2);
    let backups = tempfile::tempdir().unwrap();
    let mut ignore = |_: &ApplyEvent| {};
    let apply_input = ApplyInput {
        status: input(&folder),
        force: false,
        backup_dir: backups.path(),
        backup_name: "fk",
        progress: &mut ignore,
    };
    let err = apply_migrations(&mut conn, apply_input).unwrap_err();
    let failed = err.downcast_ref::<MigrationFailed>().expect("a MigrationFailed");
    assert_eq!(failed.name, "0002_orphan.sql");
    assert!(failed.message.contains("session"), "{}", failed.message);
    assert_eq!(failed.applied, ["0001_rebuild.sql"]);
    let sessions: i64 = conn.query_row("SELECT count(*) FROM session", [], |r| r.get(0)).unwrap();
    assert_eq!(sessions, 1, "dropping the parent table must not cascade");
    let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert!(fk);
}

#[test]
fn apply_refuses_on_a_read_only_database() {
    let (_d, path) = copy_db("drizzle-partial.db");
    let before = std::fs::read(&path).unwrap();
    let mut conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let err = apply(&mut conn, &drizzle_folder(), false).unwrap_err();
    assert!(matches!(err.downcast_ref::<crate::db::error::DbError>(), Some(crate::db::error::DbError::ReadOnly(_))));
    drop(conn);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_demo_folder_is_embedded() {
    let folder = embedded::embedded_demo_folder().unwrap();
    assert_eq!(folder.kind, FolderKind::Journal);
    assert_eq!(folder.migrations[0].name, INIT);
    assert_eq!(folder.migrations[0].hash, drizzle_folder().migrations[0].hash);
}

/// Issue 12: a hand-written `.sql` file the journal does not list is pending for wrangler (which
/// would run it) and invisible to drizzle's tracker (which would not).
#[test]
fn unlisted_files_are_pending_for_wrangler_only() {
    let dir = tempfile::tempdir().unwrap();
    let drizzle_dir = copy_folder(dir.path());
    std::fs::write(drizzle_dir.join("0002_by_hand.sql"), "CREATE TABLE by_hand (x integer);").unwrap();
    let folder = load_folder(&LoadFolder { dir: &drizzle_dir }).unwrap();
    let (_d, path) = copy_db("wrangler-d1-partial.sqlite");
    let mut conn = Connection::open(&path).unwrap();
    let input = StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: wrangler::DEFAULT_TABLE };
    let statuses = migration_status(&conn, &input).unwrap();
    assert_eq!(
        statuses.iter().map(|s| (s.name.clone(), s.state)).collect::<Vec<_>>(),
        named(&[(INIT, Applied), (AUDIT, Pending), ("0002_by_hand.sql", Pending)])
    );
    assert_eq!(statuses[2].note.as_deref(), Some("not in meta/_journal.json: drizzle ignores it"));
    assert_eq!(apply(&mut conn, &folder, false).unwrap().applied, [AUDIT, "0002_by_hand.sql"]);
    assert_eq!(states(&conn, &folder, TrackerChoice::Wrangler).len(), 3);
    // drizzle's tracker never sees it.
    let (_d, path) = copy_db("drizzle-applied.db");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(states(&conn, &folder, TrackerChoice::Auto), named(&[(INIT, Applied), (AUDIT, Applied)]));
}

/// Issue 18: `ROLLBACK` (or `COMMIT`) inside a migration is refused before anything runs, naming
/// the file and the line; nothing is recorded and no backup is made.
#[test]
fn transaction_control_is_refused_before_running_anything() {
    for (keyword, tail) in [("ROLLBACK", ""), ("COMMIT", "\n--> statement-breakpoint\nALTER TABLE nope ADD x integer;")]
    {
        let dir = tempfile::tempdir().unwrap();
        let drizzle_dir = copy_folder(dir.path());
        let sql = format!(
            "CREATE TABLE t1 (x integer);\n--> statement-breakpoint\n{keyword};\n--> statement-breakpoint\nCREATE TABLE t2 (x integer);{tail}"
        );
        std::fs::write(drizzle_dir.join(AUDIT), sql).unwrap();
        let folder = load_folder(&LoadFolder { dir: &drizzle_dir }).unwrap();
        let (_d, path) = copy_db("drizzle-partial.db");
        let mut conn = Connection::open(&path).unwrap();
        let before = snapshot(&conn);
        let input =
            StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: wrangler::DEFAULT_TABLE };
        assert_eq!(plan_migrations(&conn, &input).unwrap().refused.len(), 1);
        let err = format!("{:#}", apply(&mut conn, &folder, true).unwrap_err());
        assert!(err.contains(&format!("{AUDIT} line 3: {keyword}")), "{err}");
        assert!(err.contains("nothing was run"), "{err}");
        assert_eq!(snapshot(&conn), before, "{keyword}");
    }
}

/// Copies a folder tree (fixtures are never written in place).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}
