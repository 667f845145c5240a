//! `squall tables` and the global command line: kinds on both naming flavours and on ISO dates,
//! clear errors and exit codes.

mod common;

use common::{copy_fixture, db_with_migration, squall};
use predicates::prelude::*;
use serde_json::Value;

fn tables_json(dir: &std::path::Path, db: &std::path::Path) -> Value {
    let out = squall(dir).args(["tables", "--json", "--db"]).arg(db).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn kind_of<'a>(json: &'a Value, table: &str, column: &str) -> &'a Value {
    let table = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == table).unwrap();
    table["columns"].as_array().unwrap().iter().find(|c| c["name"] == column).unwrap()
}

#[test]
fn camel_case_fixture_kinds() {
    let (dir, db) = copy_fixture("drizzle-applied.db");
    let json = tables_json(dir.path(), &db);
    let names: Vec<&str> = json["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(&names[..4], ["user", "session", "account", "verification"]);
    assert_eq!(kind_of(&json, "user", "emailVerified")["kind"], "boolean");
    assert_eq!(kind_of(&json, "user", "banExpires")["kind"], "timestamp");
    assert_eq!(kind_of(&json, "user", "banExpires")["format"], "millis");
    assert_eq!(kind_of(&json, "user", "role")["kind"], "enum");
    assert_eq!(kind_of(&json, "user", "id")["kind"], "id");
    assert_eq!(kind_of(&json, "session", "userId")["kind"], "foreign_key");
    assert_eq!(kind_of(&json, "session", "userId")["table"], "user");
    assert_eq!(kind_of(&json, "session", "token")["kind"], "secret");
    assert_eq!(kind_of(&json, "account", "password")["kind"], "secret");
    assert_eq!(kind_of(&json, "account", "idToken")["kind"], "secret");
    assert_eq!(kind_of(&json, "account", "accessTokenExpiresAt")["kind"], "timestamp");
    assert_eq!(kind_of(&json, "verification", "value")["kind"], "secret");
    assert_eq!(kind_of(&json, "user", "name")["kind"], "text");
    assert_eq!(kind_of(&json, "user", "id")["primary_key"], true);
}

#[test]
fn snake_case_schema_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_migration(dir.path(), "drizzle-snake/0000_init.sql");
    let json = tables_json(dir.path(), &db);
    assert_eq!(kind_of(&json, "user", "email_verified")["kind"], "boolean");
    assert_eq!(kind_of(&json, "user", "ban_expires")["kind"], "timestamp");
    assert_eq!(kind_of(&json, "user", "created_at")["kind"], "timestamp");
    assert_eq!(kind_of(&json, "session", "user_id")["kind"], "foreign_key");
    assert_eq!(kind_of(&json, "account", "access_token")["kind"], "secret");
    // The tables are empty: no provider seen, so no enum of nothing (it becomes one with values).
    assert_eq!(kind_of(&json, "account", "provider_id")["kind"], "text");
    // Inferred, as the ER view and `gr` see it.
    assert_eq!(kind_of(&json, "session", "impersonated_by")["kind"], "foreign_key");
}

#[test]
fn iso_text_and_mixed_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_migration(dir.path(), "drizzle/0000_init.sql");
    let conn = rusqlite::Connection::open(&db).unwrap();
    // better-auth's Kysely adapter writes ISO text into the INTEGER date columns.
    conn.execute_batch(
        "INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt, banExpires)
           VALUES ('a', 'A', 'a@x.dev', 1, '2026-11-28T06:22:01.200Z', '2026-11-28T06:22:01.200Z', '2026-12-28T06:22:01.200Z');
         INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt)
           VALUES ('b', 'B', 'b@x.dev', 0, '2026-11-20T01:00:00.000Z', 1795846739167);",
    )
    .unwrap();
    drop(conn);
    let json = tables_json(dir.path(), &db);
    assert_eq!(kind_of(&json, "user", "createdAt")["format"], "iso_text");
    assert_eq!(kind_of(&json, "user", "banExpires")["format"], "iso_text");
    assert_eq!(kind_of(&json, "user", "updatedAt")["format"], "mixed");
    let table = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "user").unwrap();
    assert_eq!(table["rows"], 2);
}

#[test]
fn text_output_lists_rows_and_kinds() {
    let (dir, db) = copy_fixture("wrangler-d1-partial.sqlite");
    squall(dir.path())
        .args(["tables", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("user (table, 0 rows)"))
        .stdout(predicate::str::contains("timestamp (epoch ms)"))
        .stdout(predicate::str::contains("_cf_METADATA").not());
    squall(dir.path())
        .args(["tables", "--all", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("_cf_METADATA"));
}

#[test]
fn global_options_work_after_the_subcommand_and_before_it() {
    let (dir, db) = copy_fixture("drizzle-applied.db");
    squall(dir.path()).arg("--db").arg(&db).arg("--read-only").arg("tables").assert().success();
    squall(dir.path()).arg("tables").arg("--read-only").arg("--db").arg(&db).assert().success();
}

#[test]
fn bad_paths_get_clear_errors_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    squall(dir.path())
        .args(["tables", "--db"])
        .arg(&missing)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("typo.db: no such file"));
    assert!(!missing.exists(), "a mistyped path is never created");
    squall(dir.path())
        .args(["tables", "--db"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is a directory"));
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, I am not a database, but I am long enough to have a header").unwrap();
    squall(dir.path())
        .args(["tables", "--db"])
        .arg(&text)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a SQLite database"))
        .stderr(predicate::str::contains("panicked").not());
    squall(dir.path()).arg(&missing).assert().code(1).stderr(predicate::str::contains("no such file"));
}

#[test]
fn bad_usage_exits_2_and_help_is_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    squall(dir.path()).arg("--no-such-flag").assert().code(2);
    squall(dir.path()).args(["demo", "--users", "many"]).assert().code(2);
    for args in [vec!["--help"], vec!["demo", "--help"], vec!["tables", "--help"]] {
        squall(dir.path()).args(&args).assert().success().stdout(predicate::str::contains("Usage"));
    }
}

#[test]
fn demo_creates_a_migrated_seeded_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.db");
    squall(dir.path()).args(["demo", "--users", "300", "--out"]).arg(&out).assert().success();
    let conn = rusqlite::Connection::open(&out).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM user"), 300);
    assert!(count("SELECT count(*) FROM user WHERE role LIKE '%admin%'") > 0);
    assert!(count("SELECT count(*) FROM user WHERE banned = 1") > 0);
    assert!(count("SELECT count(*) FROM session WHERE impersonatedBy IS NOT NULL") >= 0);
    assert!(count("SELECT count(*) FROM session WHERE expiresAt < unixepoch() * 1000") > 0);
    assert!(count("SELECT count(*) FROM account WHERE providerId = 'credential' AND length(password) = 161") > 0);
    assert_eq!(count("SELECT count(*) FROM d1_migrations WHERE name = '0000_init.sql'"), 1);
    assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    // An existing file is only replaced with --force.
    squall(dir.path())
        .args(["demo", "--users", "5", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
    squall(dir.path()).args(["demo", "--users", "5", "--force", "--out"]).arg(&out).assert().success();
}
