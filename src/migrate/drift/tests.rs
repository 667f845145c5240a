//! Drift on the fixtures the real tools made, and on the demo.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::*;
use crate::migrate::folder::{LoadFolder, load_folder};
use crate::migrate::status::TrackerChoice;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn folder(name: &str) -> MigrationFolder {
    load_folder(&LoadFolder { dir: &fixtures().join(name) }).unwrap()
}

fn drift(conn: &Connection, folder: &MigrationFolder) -> DriftReport {
    check_drift(conn, &StatusInput { folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" }).unwrap()
}

fn described(report: &DriftReport) -> Vec<String> {
    report.differences.iter().map(Difference::describe).collect()
}

/// A database built by drizzle-kit matches its own snapshot: SQLite's spellings (affinity,
/// default expressions, `false`, actions in upper case) equal drizzle's.
#[test]
fn databases_built_by_the_migrations_have_no_drift() {
    let conn = Connection::open(fixtures().join("drizzle-applied.db")).unwrap();
    let report = drift(&conn, &folder("drizzle"));
    assert!(report.expected.ends_with("meta/0001_snapshot.json"), "{}", report.expected);
    assert_eq!(described(&report), Vec::<String>::new());
    assert!(!report.drift && report.edited.is_empty() && report.pending.is_empty());

    for name in ["drizzle", "drizzle-snake"] {
        let folder = folder(name);
        let built = build_scratch(&folder, &folder.drizzle_order()).unwrap();
        let report = drift(&built, &folder);
        assert!(report.expected.ends_with("_snapshot.json"), "{name}: {}", report.expected);
        assert_eq!(described(&report), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn the_demo_has_no_drift_against_its_folder_and_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    let mut progress = |_| {};
    crate::demo::create_demo(crate::demo::DemoInput { path: &path, users: 5, force: false, progress: &mut progress })
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    let embedded = crate::migrate::embedded::embedded_demo_folder().unwrap();
    let report = drift(&conn, &embedded);
    assert!(report.expected.starts_with("a scratch database"), "{}", report.expected);
    assert_eq!(described(&report), Vec::<String>::new());
    let on_disk = load_folder(&LoadFolder { dir: &Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations") }).unwrap();
    let report = drift(&conn, &on_disk);
    assert!(report.expected.ends_with("meta/0000_snapshot.json"), "{}", report.expected);
    assert_eq!(described(&report), Vec::<String>::new());
}

/// Issue 17's done-when: a column added and an index dropped by hand are both named.
#[test]
fn a_hand_added_column_and_a_dropped_index_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    std::fs::copy(fixtures().join("drizzle-applied.db"), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "ALTER TABLE user ADD nickname text; DROP INDEX session_userId_idx;
         CREATE TABLE notes (id integer PRIMARY KEY);",
    )
    .unwrap();
    let report = drift(&conn, &folder("drizzle"));
    assert!(report.drift);
    assert_eq!(
        described(&report),
        [
            "table notes: extra (the database has it, the migrations do not)",
            "index session.session_userId_idx: missing (the migrations create it, the database lacks it)",
            "column user.nickname: extra (the database has it, the migrations do not)",
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["differences"][1]["kind"], "missing");
    assert_eq!(json["differences"][1]["object"], "index");
    assert_eq!(json["differences"][1]["name"], "session_userId_idx");
}

#[test]
fn changed_definitions_say_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    std::fs::copy(fixtures().join("drizzle-applied.db"), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    // Rebuild verification with a text expiresAt that may be NULL and no default on createdAt.
    conn.execute_batch(
        "DROP TABLE verification;
         CREATE TABLE verification (id text PRIMARY KEY NOT NULL, identifier text NOT NULL, value text NOT NULL,
           expiresAt text, createdAt integer NOT NULL,
           updatedAt integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL);
         CREATE INDEX verification_identifier_idx ON verification (value);",
    )
    .unwrap();
    let report = drift(&conn, &folder("drizzle"));
    assert_eq!(
        described(&report),
        [
            "column verification.createdAt: no default, expected default (cast(unixepoch('subsecond') * 1000 as integer))",
            "column verification.expiresAt: type TEXT, expected integer; nullable, expected NOT NULL",
            "index verification.verification_identifier_idx: on (value), expected on (identifier)",
        ]
    );
}

/// Without snapshots (a plain wrangler folder) the expectation is a scratch build; a migration
/// recorded by drizzle and edited afterwards is reported by its hash.
#[test]
fn plain_folders_use_a_scratch_build_and_edits_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    for name in ["0000_init.sql", "0001_audit_log_last_login.sql"] {
        std::fs::copy(fixtures().join("drizzle").join(name), plain.join(name)).unwrap();
    }
    let plain_folder = load_folder(&LoadFolder { dir: &plain }).unwrap();
    let conn = Connection::open(fixtures().join("drizzle-applied.db")).unwrap();
    // The database's tracker is drizzle's, which needs a journal: ask for wrangler's view.
    let input =
        StatusInput { folder: &plain_folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let report = check_drift(&conn, &input).unwrap();
    assert_eq!(report.expected, "a scratch database built from 2 migrations");
    assert_eq!(described(&report), Vec::<String>::new());

    let copy = dir.path().join("drizzle");
    crate::migrate::tests::copy_tree(&fixtures().join("drizzle"), &copy);
    std::fs::write(
        copy.join("0000_init.sql"),
        "-- edited\n".to_string() + &std::fs::read_to_string(copy.join("0000_init.sql")).unwrap(),
    )
    .unwrap();
    let edited = load_folder(&LoadFolder { dir: &copy }).unwrap();
    let report = drift(&conn, &edited);
    assert!(report.drift);
    assert_eq!(report.edited.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["0000_init.sql"]);
}

/// For wrangler's tracker, an applied file that no longer builds the snapshot is reported; a
/// pending one is not an edit of something applied.
#[test]
fn wrangler_edits_show_against_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    crate::migrate::tests::copy_tree(&fixtures().join("wrangler-project"), &project);
    let audit = project.join("drizzle/0001_audit_log_last_login.sql");
    let sql = std::fs::read_to_string(&audit).unwrap().replace("ADD `lastLoginAt` integer", "ADD `lastLogin` integer");
    std::fs::write(&audit, sql).unwrap();
    let edited = load_folder(&LoadFolder { dir: &project.join("drizzle") }).unwrap();
    let db = project.join(".wrangler/state/v3/d1/miniflare-D1DatabaseObject/4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite");
    let conn = Connection::open(&db).unwrap();
    let report = drift(&conn, &edited);
    assert_eq!(report.tracker, TrackerKind::Wrangler);
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    assert_eq!(report.edited.len(), 1, "{:?}", report.edited);
    assert_eq!(report.edited[0].name, "0001_audit_log_last_login.sql");
    assert!(report.edited[0].reason.contains("user.lastLoginAt"), "{}", report.edited[0].reason);
    assert!(report.drift);

    // The same edit in a migration wrangler has not applied yet is no edit.
    let path = dir.path().join("w.sqlite");
    std::fs::copy(fixtures().join("wrangler-d1-partial.sqlite"), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let report = drift(&conn, &edited);
    assert_eq!(report.pending, ["0001_audit_log_last_login.sql"]);
    assert!(report.edited.is_empty(), "{:?}", report.edited);
}
