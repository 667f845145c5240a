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

/// The live read before it went over the seam: one `PRAGMA` per table, index and key, over a
/// `Connection`. The one-statement read must answer exactly the same.
fn read_by_pragmas(conn: &Connection, skip: &[&str]) -> SchemaModel {
    use crate::db::schema::quote_ident;
    use model::{ColumnModel, ForeignKeyModel, IndexModel, TableModel};
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
               AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let pk_of = |table: &str| -> Vec<String> {
        let mut keyed: Vec<(i64, String)> = conn
            .prepare(&format!("PRAGMA table_info({})", quote_ident(table)))
            .unwrap()
            .query_map([], |row| Ok((row.get::<_, i64>(5)?, row.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .into_iter()
            .filter(|(pk, _)| *pk > 0)
            .collect();
        keyed.sort();
        keyed.into_iter().map(|(_, name)| name).collect()
    };
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|n| !skip.iter().any(|s| s.eq_ignore_ascii_case(n))) {
        let quoted = quote_ident(&name);
        let mut columns: Vec<ColumnModel> = conn
            .prepare(&format!("PRAGMA table_info({quoted})"))
            .unwrap()
            .query_map([], |row| {
                Ok(ColumnModel {
                    name: row.get(1)?,
                    declared_type: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    not_null: row.get::<_, i64>(3)? != 0,
                    default: row.get(4)?,
                    primary_key: row.get::<_, i64>(5)? > 0,
                })
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let pk_count = columns.iter().filter(|c| c.primary_key).count();
        for column in columns.iter_mut().filter(|c| c.primary_key && pk_count == 1) {
            if column.declared_type.eq_ignore_ascii_case("integer") {
                column.not_null = true;
            }
        }
        let listed: Vec<(String, bool, String)> = conn
            .prepare(&format!("PRAGMA index_list({quoted})"))
            .unwrap()
            .query_map([], |row| Ok((row.get(1)?, row.get::<_, i64>(2)? != 0, row.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut indexes = Vec::new();
        for (index, unique, origin) in listed.into_iter().filter(|(_, _, origin)| origin != "pk") {
            let columns: Vec<String> = conn
                .prepare(&format!("PRAGMA index_info({})", quote_ident(&index)))
                .unwrap()
                .query_map([], |row| Ok(row.get::<_, Option<String>>(2)?.unwrap_or_else(|| "<expr>".into())))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            indexes.push(IndexModel { name: index, columns, unique, constraint: origin == "u" });
        }
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        let rows: Vec<(i64, String, String, Option<String>, String, String)> = conn
            .prepare(&format!("PRAGMA foreign_key_list({quoted})"))
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut keys: Vec<(i64, ForeignKeyModel)> = Vec::new();
        for (id, parent, from, to, on_update, on_delete) in rows {
            if let Some((_, fk)) = keys.iter_mut().find(|(k, _)| *k == id) {
                fk.columns.push(from);
                fk.parent_columns.extend(to);
                continue;
            }
            let fk = ForeignKeyModel {
                columns: vec![from],
                parent,
                parent_columns: to.into_iter().collect(),
                on_delete: on_delete.to_ascii_uppercase(),
                on_update: on_update.to_ascii_uppercase(),
            };
            keys.push((id, fk));
        }
        let mut foreign_keys: Vec<ForeignKeyModel> = keys.into_iter().map(|(_, fk)| fk).collect();
        for fk in foreign_keys.iter_mut().filter(|fk| fk.parent_columns.is_empty()) {
            fk.parent_columns = pk_of(&fk.parent);
        }
        tables.push(TableModel { name, columns, indexes, foreign_keys });
    }
    SchemaModel { tables }
}

/// A schema with what drift compares in every shape: composite and implicit foreign keys,
/// expression and partial indexes, UNIQUE constraints, a generated column, a view, a WITHOUT
/// ROWID table, an INTEGER PRIMARY KEY without NOT NULL, and workerd's `_cf_KV`.
const SHAPES: &str = "
CREATE TABLE parent (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'x', b INT, UNIQUE (a, b));
CREATE TABLE child (
  id TEXT PRIMARY KEY, pa TEXT, pb INT, p INTEGER REFERENCES parent ON DELETE CASCADE,
  total REAL GENERATED ALWAYS AS (pb * 2) VIRTUAL, created integer DEFAULT (unixepoch()),
  FOREIGN KEY (pa, pb) REFERENCES parent (a, b) ON UPDATE SET NULL
);
CREATE INDEX child_lower ON child (lower(pa));
CREATE UNIQUE INDEX child_p ON child (p, pb) WHERE p IS NOT NULL;
CREATE TABLE pairs (x TEXT, y TEXT, PRIMARY KEY (x, y)) WITHOUT ROWID;
CREATE VIEW child_names AS SELECT pa FROM child;
CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);
";

/// The one-statement read answers what the per-table pragmas answered, locally and on a backend
/// that keeps D1's rules (where it is ONE request).
#[test]
fn the_live_read_is_one_statement_and_equals_the_pragma_reads() {
    use crate::db::backend::rules::D1Rules;
    let dir = tempfile::tempdir().unwrap();
    let mut cases = vec![("shapes", dir.path().join("shapes.db"))];
    let conn = Connection::open(&cases[0].1).unwrap();
    conn.execute_batch(SHAPES).unwrap();
    drop(conn);
    for name in ["drizzle-applied.db", "wrangler-d1-partial.sqlite"] {
        let copy = dir.path().join(name);
        std::fs::copy(fixtures().join(name), &copy).unwrap();
        cases.push((name, copy));
    }
    let skip = ["d1_migrations", "__drizzle_migrations"];
    for (name, path) in cases {
        let conn = Connection::open(&path).unwrap();
        let expected = read_by_pragmas(&conn, &skip);
        assert!(!expected.tables.is_empty(), "{name}");
        assert_eq!(model::read_live(&conn, &skip).unwrap(), expected, "{name}: local");
        let d1 = D1Rules::new(Connection::open(&path).unwrap());
        assert_eq!(model::read_live(&d1, &skip).unwrap(), expected, "{name}: D1's rules");
        assert_eq!(d1.requests(), 1, "{name}: one request");
    }
}

/// Drift over D1's rules: the same report as on the local file, migrated or not.
#[test]
fn drift_on_a_remote_reports_what_the_local_file_reports() {
    use crate::db::backend::rules::D1Rules;
    let dir = tempfile::tempdir().unwrap();
    for (db, folder_name) in [("drizzle-applied.db", "drizzle"), ("wrangler-d1-partial.sqlite", "drizzle")] {
        let copy = dir.path().join(db);
        std::fs::copy(fixtures().join(db), &copy).unwrap();
        let folder = folder(folder_name);
        let local = drift(&Connection::open(&copy).unwrap(), &folder);
        let d1 = D1Rules::new(Connection::open(&copy).unwrap());
        let status = StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" };
        assert_eq!(check_drift(&d1, &status).unwrap(), local, "{db}");
    }
    // A column added outside the migrations is drift on the remote too.
    let copy = dir.path().join("drizzle-applied.db");
    Connection::open(&copy).unwrap().execute_batch("ALTER TABLE user ADD COLUMN nickname TEXT").unwrap();
    let d1 = D1Rules::new(Connection::open(&copy).unwrap());
    let folder = folder("drizzle");
    let status = StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" };
    let report = check_drift(&d1, &status).unwrap();
    assert!(report.drift);
    assert_eq!(described(&report), ["column user.nickname: extra (the database has it, the migrations do not)"]);
}

/// Issue 13: a pending migration is not drift. The expected schema is what the applied ones build
/// (the snapshot of the newest applied one), and the pending ones are listed apart.
#[test]
fn a_pending_migration_is_not_drift() {
    let dir = tempfile::tempdir().unwrap();
    for (db, folder_dir) in [
        ("drizzle-partial.db", fixtures().join("drizzle")),
        ("wrangler-d1-partial.sqlite", fixtures().join("wrangler-project/drizzle")),
    ] {
        let path = dir.path().join(db);
        std::fs::copy(fixtures().join(db), &path).unwrap();
        let conn = Connection::open(&path).unwrap();
        let folder = load_folder(&LoadFolder { dir: &folder_dir }).unwrap();
        let report = drift(&conn, &folder);
        assert_eq!(report.pending, ["0001_audit_log_last_login.sql"], "{db}");
        assert_eq!(described(&report), Vec::<String>::new(), "{db}");
        assert!(!report.drift, "{db}");
        assert!(report.expected.ends_with("meta/0000_snapshot.json"), "{db}: {}", report.expected);
        // The same over D1's rules (what `migrate drift --remote` runs on).
        let d1 = crate::db::backend::rules::D1Rules::new(Connection::open(&path).unwrap());
        let status = StatusInput { folder: &folder, tracker: TrackerChoice::Auto, wrangler_table: "d1_migrations" };
        assert_eq!(check_drift(&d1, &status).unwrap(), report, "{db}");

        // A real difference beside the pending migration is still drift.
        conn.execute_batch("ALTER TABLE user ADD COLUMN nickname text").unwrap();
        let report = drift(&conn, &folder);
        assert_eq!(
            described(&report),
            ["column user.nickname: extra (the database has it, the migrations do not)"],
            "{db}"
        );
        assert!(report.drift, "{db}");
    }
}

/// Without snapshots the scratch build takes the applied migrations only.
#[test]
fn the_scratch_build_takes_the_applied_migrations_only() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("drizzle");
    std::fs::create_dir(&copy).unwrap();
    for name in ["0000_init.sql", "0001_audit_log_last_login.sql"] {
        std::fs::copy(fixtures().join("wrangler-project/drizzle").join(name), copy.join(name)).unwrap();
    }
    let path = dir.path().join("w.sqlite");
    std::fs::copy(fixtures().join("wrangler-d1-partial.sqlite"), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let report = drift(&conn, &load_folder(&LoadFolder { dir: &copy }).unwrap());
    assert_eq!(report.expected, "a scratch database built from 1 applied migration");
    assert_eq!(described(&report), Vec::<String>::new());
    assert!(!report.drift);
    assert_eq!(report.pending, ["0001_audit_log_last_login.sql"]);
}
