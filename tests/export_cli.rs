//! `squall export`: CSV byte-identical to the sqlite3 shell (expected files made with
//! `sqlite3 -readonly -csv -header` and committed), redaction, JSON, and the SQL round trip
//! into an empty copy of the schema.

mod common;

use std::path::Path;

use common::{copy_fixture, fixture, squall};
use predicates::prelude::*;
use rusqlite::Connection;
use rusqlite::types::Value;

const TABLES: [&str; 5] = ["user", "account", "session", "verification", "awkward"];

fn export(dir: &Path, db: &Path, args: &[&str]) -> (String, String) {
    let out = squall(dir).arg("export").arg("--db").arg(db).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn rows_of(conn: &Connection, table: &str) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid")).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect()).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn csv_is_byte_identical_to_the_sqlite3_shell() {
    let (dir, db) = copy_fixture("export-demo.sqlite");
    for table in TABLES {
        let (csv, _) = export(dir.path(), &db, &["--include-secrets", table]);
        let expected = std::fs::read_to_string(fixture(&format!("expected/export-{table}.csv"))).unwrap();
        assert_eq!(csv, expected, "{table}");
    }
}

#[test]
fn a_csv_reader_reads_every_row_and_secrets_are_redacted() {
    let (dir, db) = copy_fixture("export-demo.sqlite");
    let (csv, stderr) = export(dir.path(), &db, &["account"]);
    assert!(stderr.contains("redacted accessToken, refreshToken, idToken, password"), "{stderr}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let password = headers.iter().position(|h| h == "password").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let conn = Connection::open(&db).unwrap();
    let stored: i64 = conn.query_row("SELECT count(*) FROM account", [], |r| r.get(0)).unwrap();
    let hashes: i64 = conn.query_row("SELECT count(password) FROM account", [], |r| r.get(0)).unwrap();
    assert_eq!(records.len() as i64, stored);
    assert!(hashes > 0);
    assert_eq!(records.iter().filter(|r| &r[password] == "[redacted]").count() as i64, hashes);
    let stored_hash: String =
        conn.query_row("SELECT password FROM account WHERE password IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert!(!csv.contains(&stored_hash), "no password hash may leak");
}

#[test]
fn json_and_ndjson_keep_types() {
    let (dir, db) = copy_fixture("export-demo.sqlite");
    let (json, _) = export(dir.path(), &db, &["--format", "json", "awkward"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 8);
    assert_eq!(rows[0]["id"], serde_json::json!(1));
    assert_eq!(rows[0]["note"], serde_json::Value::Null);
    assert_eq!(rows[4]["note"], serde_json::json!(42));
    assert_eq!(rows[1]["amount"], serde_json::json!(0.30000000000000004));
    let (ndjson, _) = export(dir.path(), &db, &["--format", "ndjson", "--dates", "iso", "user"]);
    let first: serde_json::Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert!(first["createdAt"].is_i64());
    assert!(first["createdAt_iso"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn sql_round_trips_into_an_empty_copy_of_the_schema() {
    let (dir, db) = copy_fixture("export-demo.sqlite");
    let original = Connection::open(&db).unwrap();
    let copy = Connection::open(dir.path().join("copy.sqlite")).unwrap();
    let schema: Vec<String> = original
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ('user','account','session','verification','awkward')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    copy.execute_batch(&schema.join(";\n")).unwrap();
    for table in TABLES {
        let (sql, _) = export(dir.path(), &db, &["--format", "sql", "--include-secrets", table]);
        copy.execute_batch(&sql).unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(rows_of(&copy, table), rows_of(&original, table), "{table}");
    }
    // Redacted secrets still load: session tokens are NOT NULL UNIQUE.
    let redacted = Connection::open(dir.path().join("redacted.sqlite")).unwrap();
    redacted.execute_batch(&schema.join(";\n")).unwrap();
    for table in ["user", "session"] {
        let (sql, _) = export(dir.path(), &db, &["--format", "sql", table]);
        redacted.execute_batch(&sql).unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    let tokens: i64 =
        redacted.query_row("SELECT count(*) FROM session WHERE token LIKE '[redacted %]'", [], |r| r.get(0)).unwrap();
    assert_eq!(tokens, rows_of(&original, "session").len() as i64);
}

#[test]
fn writes_to_a_file_and_refuses_bad_input_without_writing() {
    let (dir, db) = copy_fixture("export-demo.sqlite");
    let out = dir.path().join("user.csv");
    squall(dir.path())
        .args(["export", "user", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 40 rows to"));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 41);
    squall(dir.path())
        .args(["export", "nosuch", "--db"])
        .arg(&db)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no table or view named \"nosuch\""));
    let refused = dir.path().join("refused.sql");
    squall(dir.path())
        .args(["export", "user", "--format", "sql", "--dates", "iso", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&refused)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--dates iso"));
    assert!(!refused.exists(), "a refused export leaves no file");
}

#[test]
fn a_view_as_sql_is_bad_usage() {
    let (dir, db) = copy_fixture("export-demo.sqlite");
    Connection::open(&db).unwrap().execute_batch("CREATE VIEW admins AS SELECT * FROM user").unwrap();
    squall(dir.path())
        .args(["export", "admins", "--format", "sql", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a view"));
}

/// An export may hold secrets: it is created owner-only, and an existing file is never replaced.
#[test]
#[cfg(unix)]
fn an_export_file_is_owner_only_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = copy_fixture("export-demo.sqlite");
    let out = dir.path().join("account.csv");
    squall(dir.path())
        .args(["export", "account", "--include-secrets", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let written = std::fs::read(&out).unwrap();
    squall(dir.path())
        .args(["export", "user", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("account.csv"));
    assert_eq!(std::fs::read(&out).unwrap(), written, "the existing file is untouched");
}
