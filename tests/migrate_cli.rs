//! `squall migrate status|apply` end to end, on temp copies of the fixtures the real tools made.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use rusqlite::Connection;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A scratch directory holding copies of the fixture databases, the drizzle folder, the wrangler
/// project, and squall's data directory.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        for name in ["drizzle-applied.db", "drizzle-partial.db", "wrangler-d1-partial.sqlite"] {
            std::fs::copy(fixtures().join(name), dir.path().join(name)).unwrap();
        }
        common::copy_recursively(&fixtures().join("drizzle"), &dir.path().join("drizzle"));
        common::copy_recursively(&fixtures().join("wrangler-project"), &dir.path().join("project"));
        Scratch { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `squall <args>` run in the scratch directory (or a folder below it).
    fn squall(&self, cwd: &str, args: &[&str]) -> std::process::Output {
        cargo_bin_cmd!("squall")
            .current_dir(self.path(cwd))
            .env("SQUALL_DATA_DIR", self.path("data"))
            .args(args)
            .output()
            .unwrap()
    }

    fn project_db(&self) -> PathBuf {
        self.path("project/.wrangler/state/v3/d1/miniflare-D1DatabaseObject/4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite")
    }
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &std::process::Output) -> i32 {
    output.status.code().unwrap()
}

/// `[(name, status)]` from `migrate status --json`.
fn json_states(output: &std::process::Output) -> Vec<(String, String)> {
    let parsed: Value = serde_json::from_str(&stdout(output)).unwrap();
    parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m["status"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

const INIT: &str = "0000_init.sql";
const AUDIT: &str = "0001_audit_log_last_login.sql";

#[test]
fn status_on_every_fixture_with_exit_codes() {
    let s = Scratch::new();
    let cases = [
        ("drizzle-applied.db", 0, "drizzle", [(INIT, "applied"), (AUDIT, "applied")]),
        ("drizzle-partial.db", 3, "drizzle", [(INIT, "applied"), (AUDIT, "pending")]),
        ("wrangler-d1-partial.sqlite", 3, "wrangler", [(INIT, "applied"), (AUDIT, "pending")]),
    ];
    for (db, exit, tracker, expected) in cases {
        let out = s.squall(".", &["migrate", "status", "--db", db, "--json"]);
        assert_eq!(code(&out), exit, "{db}: {}", stderr(&out));
        assert_eq!(json_states(&out), pairs(&expected), "{db}");
        let parsed: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert!(parsed.as_array().unwrap().iter().all(|m| m["tracker"] == tracker), "{db}");
        let text = s.squall(".", &["migrate", "status", "--db", db]);
        assert_eq!(code(&text), exit);
        assert!(stdout(&text).contains(&format!("tracker     {tracker}")), "{}", stdout(&text));
    }
}

#[test]
fn status_in_the_wrangler_project_without_db() {
    let s = Scratch::new();
    let out = s.squall("project", &["migrate", "status"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("wrangler.toml: D1 binding DB (app-db)"), "{text}");
    assert!(text.contains("4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite"), "{text}");
    assert!(text.contains("migrations_dir of D1 binding DB (app-db) in wrangler.toml"), "{text}");
    assert!(text.contains("applied   0001_audit_log_last_login.sql  2026-11-28 06:20:15"), "{text}");
    let out = s.squall("project", &["migrate", "status", "--d1", "nope"]);
    assert_eq!(code(&out), 2, "an unknown --d1 name is bad usage");
    assert!(stderr(&out).contains("no D1 database named \"nope\"; its D1 databases: DB (app-db)"), "{}", stderr(&out));
}

#[test]
fn json_shape() {
    let s = Scratch::new();
    let out = s.squall(".", &["migrate", "status", "--db", "wrangler-d1-partial.sqlite", "--json"]);
    let parsed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let first = parsed[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["applied_at", "created_at", "hash", "name", "recorded_hash", "status", "tracker"]);
    assert_eq!(parsed[0]["applied_at"], "2026-11-28 06:22:41");
    assert_eq!(parsed[0]["created_at"], 1795846739167_i64);
    assert_eq!(parsed[1]["applied_at"], Value::Null);
    assert_eq!(parsed[1]["hash"], "19ba6642046d985a8f20c5f421932f035d8e4faf90c48c9030051c6a52ad7b83");
}

#[test]
fn apply_then_status_in_the_wrangler_project() {
    let s = Scratch::new();
    // Forget the second migration, as if wrangler had only applied the first.
    let conn = Connection::open(s.project_db()).unwrap();
    conn.execute_batch(
        "DELETE FROM d1_migrations WHERE id = 2; DROP TABLE audit_log; ALTER TABLE user DROP COLUMN lastLoginAt;",
    )
    .unwrap();
    drop(conn);
    let out = s.squall("project", &["migrate", "status"]);
    assert_eq!(code(&out), 3);
    let out = s.squall("project", &["migrate", "apply", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("[1/1] 0001_audit_log_last_login.sql (3 statements) ... ok"), "{text}");
    let backup = text.lines().find_map(|l| l.strip_prefix("backup: ")).expect("a backup line");
    assert!(backup.contains("/data/backups/app-db-") && Path::new(backup).is_file(), "{backup}");
    let out = s.squall("project", &["migrate", "status", "--json"]);
    assert_eq!(code(&out), 0);
    assert_eq!(json_states(&out), pairs(&[(INIT, "applied"), (AUDIT, "applied")]));
    // The row is what wrangler writes: next id, the file name, SQLite's UTC time.
    let conn = Connection::open(s.project_db()).unwrap();
    let (id, name, at): (i64, String, String) = conn
        .query_row("SELECT id, name, applied_at FROM d1_migrations ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((id, name.as_str(), at.len(), &at[10..11]), (3, AUDIT, 19, " "));
}

#[test]
fn apply_drizzle_rows_match_drizzle_kits() {
    let s = Scratch::new();
    let out = s.squall(".", &["migrate", "apply", "--db", "drizzle-partial.db", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = s.squall(".", &["migrate", "status", "--db", "drizzle-partial.db"]);
    assert_eq!(code(&out), 0);
    let rows = |path: &Path| {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn.prepare("SELECT quote(id), hash, quote(created_at) FROM __drizzle_migrations").unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    };
    assert_eq!(rows(&s.path("drizzle-partial.db")), rows(&fixtures().join("drizzle-applied.db")));
}

#[test]
fn apply_refuses_without_yes_off_a_terminal_and_on_read_only() {
    let s = Scratch::new();
    let before = std::fs::read(s.path("wrangler-d1-partial.sqlite")).unwrap();
    let out = s.squall(".", &["migrate", "apply", "--db", "wrangler-d1-partial.sqlite"]);
    assert_eq!(code(&out), 2, "a missing --yes is bad usage");
    assert!(stderr(&out).contains("stdin is not a terminal; pass --yes"), "{}", stderr(&out));
    assert!(stdout(&out).contains("-- 0001_audit_log_last_login.sql (3 statements)"), "the plan is shown first");
    let out = s.squall(".", &["migrate", "apply", "--db", "wrangler-d1-partial.sqlite", "--read-only", "--yes"]);
    assert_eq!(code(&out), 2, "a write refused by the user's own --read-only is bad usage");
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "refused before any of the plan is printed");
    let out = s.squall(".", &["migrate", "apply", "--db", "wrangler-d1-partial.sqlite", "--read-only", "--dry-run"]);
    assert_eq!(code(&out), 0, "a dry run writes nothing, read-only or not: {}", stderr(&out));
    assert!(stdout(&out).contains("-- 0001_audit_log_last_login.sql (3 statements)"), "{}", stdout(&out));
    let out = s.squall(".", &["migrate", "apply", "--db", "wrangler-d1-partial.sqlite", "--dry-run"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("dry run: nothing was changed"));
    assert_eq!(std::fs::read(s.path("wrangler-d1-partial.sqlite")).unwrap(), before);
    assert!(!s.path("data/backups").exists());
}

#[test]
fn a_failing_migration_is_reported_and_rolled_back() {
    let s = Scratch::new();
    let broken = "CREATE TABLE audit_log (id integer);\n--> statement-breakpoint\nALTER TABLE nope ADD x integer;";
    std::fs::write(s.path("drizzle").join(AUDIT), broken).unwrap();
    let out = s.squall(".", &["migrate", "apply", "--db", "wrangler-d1-partial.sqlite", "--yes"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.starts_with("squall: 0001_audit_log_last_login.sql failed and was rolled back"), "{err}");
    assert!(
        err.contains("no such table: nope") && err.contains("statement 2: ALTER TABLE nope ADD x integer;"),
        "{err}"
    );
    assert!(stdout(&out).contains("... failed"));
    let conn = Connection::open(s.path("wrangler-d1-partial.sqlite")).unwrap();
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log'", [], |r| r.get(0)).unwrap();
    assert_eq!(tables, 0);
    let out = s.squall(".", &["migrate", "status", "--db", "wrangler-d1-partial.sqlite", "--json"]);
    assert_eq!(json_states(&out), pairs(&[(INIT, "applied"), (AUDIT, "pending")]));
}

#[test]
fn modified_history_needs_force() {
    let s = Scratch::new();
    std::fs::write(s.path("drizzle").join(INIT), "-- reformatted\n").unwrap();
    let out = s.squall(".", &["migrate", "status", "--db", "drizzle-partial.db", "--json"]);
    assert_eq!(json_states(&out), pairs(&[(INIT, "modified"), (AUDIT, "pending")]));
    let out = s.squall(".", &["migrate", "apply", "--db", "drizzle-partial.db", "--yes"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("0000_init.sql is modified") && stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = s.squall(".", &["migrate", "apply", "--db", "drizzle-partial.db", "--yes", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = s.squall(".", &["migrate", "status", "--db", "drizzle-partial.db", "--json"]);
    assert_eq!((code(&out), json_states(&out)), (0, pairs(&[(INIT, "modified"), (AUDIT, "applied")])));
}

#[test]
fn malformed_journal_names_the_file() {
    let s = Scratch::new();
    std::fs::write(s.path("drizzle/meta/_journal.json"), "{ \"entries\": [ ").unwrap();
    let out = s.squall(".", &["migrate", "status", "--db", "drizzle-partial.db"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("drizzle/meta/_journal.json: not a drizzle-kit journal"), "{}", stderr(&out));
}

#[test]
fn the_demo_database_uses_its_embedded_migrations() {
    let s = Scratch::new();
    let out = s.squall("drizzle", &["demo", "--users", "20"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let demo = s.path("data/demo.sqlite");
    let out = s.squall("drizzle", &["migrate", "status", "--db", demo.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("the demo database's own migrations"), "{}", stdout(&out));
    assert!(stdout(&out).contains("applied   0000_init.sql"), "{}", stdout(&out));
}

#[test]
fn missing_local_d1_file_says_what_to_run() {
    let s = Scratch::new();
    std::fs::remove_dir_all(s.path("project/.wrangler")).unwrap();
    let out = s.squall("project", &["migrate", "status"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("run `wrangler d1 migrations apply app-db --local` or `wrangler dev` first"),
        "{}",
        stderr(&out)
    );
}

/// Issue 12: a hand-written `.sql` file outside the journal is pending for wrangler, the folder's
/// disagreement is flagged, and applying it is audited with the file name and the backup.
#[test]
fn unlisted_file_is_pending_applied_and_audited() {
    let s = Scratch::new();
    std::fs::write(s.path("drizzle/0002_by_hand.sql"), "CREATE TABLE by_hand (x integer);").unwrap();
    let db = "wrangler-d1-partial.sqlite";
    let out = s.squall(".", &["migrate", "status", "--db", db, "--json"]);
    assert_eq!(code(&out), 3);
    assert_eq!(json_states(&out), pairs(&[(INIT, "applied"), (AUDIT, "pending"), ("0002_by_hand.sql", "pending")]));
    let out = s.squall(".", &["migrate", "status", "--db", db]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "warning: 0002_by_hand.sql is not in meta/_journal.json: wrangler applies it, drizzle ignores it"
        ),
        "{text}"
    );
    let out = s.squall(".", &["migrate", "apply", "--db", db, "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let backup = stdout(&out).lines().find_map(|l| l.strip_prefix("backup: ").map(str::to_string)).unwrap();
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    let entries: Vec<Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> = entries.iter().map(|e| e["key"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, [AUDIT, "0002_by_hand.sql"]);
    assert!(entries.iter().all(|e| e["action"] == "migrate.apply" && e["changes"][2]["new"] == backup.as_str()));
    let out = s.squall(".", &["log", "--db", db]);
    let text = stdout(&out);
    assert!(text.contains(&format!("migrate.apply  d1_migrations name=\"0002_by_hand.sql\"  inserted \"0002_by_hand.sql\": name=\"0002_by_hand.sql\", tracker=\"wrangler\", backup={backup:?}")), "{text}");
}

/// Issue 12: the next-step hint keeps `--db` and `--migrations`, and there is none while a
/// modified migration blocks the apply.
#[test]
fn hints_keep_the_options_and_vanish_when_apply_would_refuse() {
    let s = Scratch::new();
    std::fs::rename(s.path("drizzle"), s.path("elsewhere")).unwrap();
    let out = s.squall(".", &["migrate", "status", "--db", "drizzle-partial.db", "--migrations", "elsewhere"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("run `squall migrate apply --db drizzle-partial.db --migrations elsewhere` to apply them"),
        "{}",
        stdout(&out)
    );
    std::fs::write(s.path("elsewhere").join(INIT), "-- reformatted\n").unwrap();
    let out = s.squall(".", &["migrate", "status", "--db", "drizzle-partial.db", "--migrations", "elsewhere"]);
    assert_eq!(code(&out), 3);
    assert!(stdout(&out).contains("modified: the file changed"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("squall migrate apply"), "{}", stdout(&out));
}

/// Issue 18: ROLLBACK in a migration is refused before anything runs, naming file and line.
#[test]
fn transaction_control_is_refused_with_file_and_line() {
    let s = Scratch::new();
    let sql = "CREATE TABLE t1 (x integer);\n--> statement-breakpoint\nROLLBACK;\n--> statement-breakpoint\nCREATE TABLE t2 (x integer);";
    std::fs::write(s.path("drizzle").join(AUDIT), sql).unwrap();
    let before = std::fs::read(s.path("drizzle-partial.db")).unwrap();
    let out = s.squall(".", &["migrate", "apply", "--db", "drizzle-partial.db", "--yes", "--force"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains(&format!("{AUDIT} line 3: ROLLBACK")), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "refused before any of the plan is printed");
    assert_eq!(std::fs::read(s.path("drizzle-partial.db")).unwrap(), before);
    assert!(!s.path("data/backups").exists());
}

/// Issue 12: the migrations screen says "pass --migrations DIR", so the TUI accepts it (here it
/// stops only because there is no terminal, not on the option).
#[test]
fn the_terminal_ui_accepts_migrations_dir() {
    let s = Scratch::new();
    let out = s.squall(".", &["--migrations", "drizzle", "drizzle-partial.db"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("the terminal UI needs a terminal"), "{}", stderr(&out));
}

/// Issue 17's done-when: the wrangler project's database has no drift; after a column is added
/// and an index dropped by hand, `migrate drift` names both and exits 3.
#[test]
fn drift_names_a_hand_added_column_and_a_dropped_index() {
    let s = Scratch::new();
    let out = s.squall("project", &["migrate", "drift"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("no drift"), "{}", stdout(&out));
    let conn = Connection::open(s.project_db()).unwrap();
    conn.execute_batch("ALTER TABLE user ADD nickname text; DROP INDEX account_userId_idx;").unwrap();
    drop(conn);
    let out = s.squall("project", &["migrate", "drift"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("column user.nickname: extra"), "{text}");
    assert!(text.contains("index account.account_userId_idx: missing"), "{text}");
    let out = s.squall("project", &["migrate", "drift", "--json"]);
    assert_eq!(code(&out), 3);
    let parsed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(parsed["drift"], true);
    let named: Vec<(String, String, String)> = parsed["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().into(),
                d["object"].as_str().unwrap().into(),
                d["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("missing".to_string(), "index".to_string(), "account_userId_idx".to_string()),
            ("extra".to_string(), "column".to_string(), "nickname".to_string())
        ]
    );
    let out = s.squall(".", &["migrate", "drift", "--db", "nope.db", "--migrations", "drizzle"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn the_demo_has_no_drift() {
    let s = Scratch::new();
    let out = s.squall(".", &["demo", "--users", "20"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let demo = s.path("data/demo.sqlite");
    let out = s.squall(".", &["migrate", "drift", "--db", demo.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
}

/// Issue 13: a pending migration is said apart and is not drift (exit 0).
#[test]
fn drift_says_pending_migrations_apart_and_exits_0() {
    let s = Scratch::new();
    let out = s.squall(".", &["migrate", "drift", "--db", "drizzle-partial.db", "--migrations", "drizzle"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(text.contains("pending: 1 migration not applied yet (0001_audit_log_last_login.sql)"), "{text}");
    assert!(text.contains("no drift"), "{text}");
}
