//! `squall user ...` and `squall log` as a user runs them: on a temporary database made from the
//! snake_case drizzle fixture, with the data directory in a temporary folder.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use rusqlite::{Connection, params};
use tempfile::TempDir;

struct Setup {
    dir: TempDir,
    db: PathBuf,
}

impl Setup {
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn squall(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = cargo_bin_cmd!("squall");
        // Global options go after the subcommand: before it, clap takes them for the TUI's own.
        cmd.env("SQUALL_DATA_DIR", self.data_dir()).current_dir(self.dir.path()).args(args).arg("--db").arg(&self.db);
        cmd
    }

    fn conn(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }

    fn audit_log(&self) -> String {
        std::fs::read_to_string(self.data_dir().join("audit.jsonl")).unwrap_or_default()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// alice (admin, credential account, one live session) and bob (github account, no sessions).
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let init = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle-snake/0000_init.sql"),
    )
    .unwrap();
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(&init).unwrap();
    let t = now_ms();
    let hash = squall::db::password::hash_password("old-password").unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for (id, email, role) in [("u-alice", "alice@example.com", "admin"), ("u-bob", "bob@example.com", "user")] {
        conn.execute(
            "INSERT INTO user (id, name, email, email_verified, role, banned, created_at, updated_at)
             VALUES (?1, ?1, ?2, 1, ?3, 0, ?4, ?4)",
            params![id, email, role, t - 86_400_000],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO session (id, expires_at, token, created_at, updated_at, user_id)
         VALUES ('s-1', ?1, 'secret-session-token', ?2, ?2, 'u-alice')",
        params![t + 86_400_000, t],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO account (id, account_id, provider_id, user_id, password, created_at, updated_at)
         VALUES ('a-1', 'u-alice', 'credential', 'u-alice', ?1, ?2, ?2)",
        params![hash, t],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO account (id, account_id, provider_id, user_id, access_token, created_at, updated_at)
         VALUES ('a-2', '42', 'github', 'u-bob', 'gho_secret_access', ?1, ?1)",
        params![t],
    )
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
    Setup { dir, db }
}

#[test]
fn ban_writes_a_future_millisecond_date_ends_sessions_and_is_audited() {
    let s = setup();
    s.squall(&["user", "ban", "alice@example.com", "--for", "7d", "--reason", "spam"]).assert().success().stdout(
        predicate::str::contains("banned alice@example.com until")
            .and(predicate::str::contains("ended 1 session"))
            .and(predicate::str::contains("(in 7d)")),
    );
    let (banned, reason, expires): (i64, String, i64) = s
        .conn()
        .query_row("SELECT banned, ban_reason, ban_expires FROM user WHERE id = 'u-alice'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((banned, reason.as_str()), (1, "spam"));
    let week = 7 * 86_400_000;
    assert!((expires - (now_ms() + week)).abs() < 60_000, "banExpires {expires} is not a week ahead in ms");
    let sessions: i64 = s.conn().query_row("SELECT count(*) FROM session", [], |r| r.get(0)).unwrap();
    assert_eq!(sessions, 0);
    let log = s.audit_log();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.contains("\"action\":\"user.ban\"") && log.contains("\"ban_reason\""), "{log}");
    assert!(!log.contains("secret-session-token"), "{log}");
    assert!(log.contains("[redacted]"), "{log}");
    s.squall(&["log"]).assert().success().stdout(predicate::str::contains("user.ban  user id=\"u-alice\""));
}

#[test]
fn unknown_users_are_an_error_naming_them() {
    let s = setup();
    let before = std::fs::read(&s.db).unwrap();
    for args in [
        vec!["user", "ban", "nobody@example.com"],
        vec!["user", "show", "nobody@example.com"],
        vec!["user", "set-password", "nobody@example.com"],
        vec!["user", "remove", "nobody@example.com", "--yes"],
    ] {
        s.squall(&args)
            .write_stdin("irrelevant-password\n")
            .assert()
            .code(1)
            .stderr(predicate::str::starts_with("squall: no user with id or email \"nobody@example.com\""));
    }
    assert_eq!(before, std::fs::read(&s.db).unwrap());
    assert_eq!(s.audit_log(), "");
}

#[test]
fn read_only_databases_are_refused_and_left_unchanged() {
    let s = setup();
    let before = std::fs::read(&s.db).unwrap();
    for args in [
        vec!["user", "ban", "alice@example.com", "--read-only"],
        vec!["user", "set-password", "alice@example.com", "--read-only"],
        vec!["user", "remove", "bob@example.com", "--yes", "--read-only"],
    ] {
        s.squall(&args)
            .write_stdin("new-password\n")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("read-only").and(predicate::str::contains("app.db")));
    }
    assert_eq!(before, std::fs::read(&s.db).unwrap());
    s.squall(&["user", "list", "--read-only"]).assert().success().stdout(predicate::str::contains("alice@example.com"));
}

#[test]
fn set_password_reads_stdin_and_writes_a_better_auth_hash() {
    let s = setup();
    s.squall(&["user", "set-password", "bob@example.com"])
        .write_stdin("correct horse battery\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("created a credential account"));
    let hash: String = s
        .conn()
        .query_row("SELECT password FROM account WHERE user_id = 'u-bob' AND provider_id = 'credential'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(squall::db::password::verify_password("correct horse battery", &hash).unwrap());
    s.squall(&["user", "set-password", "u-alice"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    assert!(!s.audit_log().contains(&hash[33..]), "the hash must not reach the audit log");
}

#[test]
fn remove_needs_yes_without_a_terminal() {
    let s = setup();
    s.squall(&["user", "remove", "alice@example.com"]).assert().code(2).stderr(predicate::str::contains("--yes"));
    let users = |s: &Setup| s.conn().query_row("SELECT count(*) FROM user", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(users(&s), 2);
    s.squall(&["user", "remove", "alice@example.com", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed alice@example.com: deleted 1 session, 1 account, 1 user"));
    assert_eq!(users(&s), 1);
}

#[test]
fn json_output_of_list_show_role_and_log() {
    let s = setup();
    let out = s.squall(&["user", "list", "--json"]).assert().success().get_output().stdout.clone();
    let users: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(users[0]["email"], "alice@example.com");
    assert_eq!(users[0]["active_sessions"], 1);
    assert_eq!(users[0]["is_admin"], true);
    let out = s.squall(&["user", "show", "bob@example.com", "--json"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("gho_secret_access"), "{text}");
    s.squall(&["user", "set-role", "bob@example.com", "admin,user", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"is_admin\": true"));
    let out = s.squall(&["log", "--json"]).assert().success().get_output().stdout.clone();
    let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(log[0]["action"], "user.set_role");
    assert_eq!(log[0]["table"], "user");
    assert_eq!(log[0]["key"]["id"], "u-bob");
}

#[test]
fn bad_usage_exits_2() {
    let s = setup();
    s.squall(&["user", "ban", "alice@example.com", "--for", "7d", "--until", "2030-01-01"]).assert().code(2);
    s.squall(&["user", "ban", "alice@example.com", "--for", "a while"]).assert().code(2);
    s.squall(&["user", "frobnicate"]).assert().code(2);
    s.squall(&["user", "--help"]).assert().success().stdout(predicate::str::contains("set-password"));
}

/// Defect: `user list --help` offered `--yes`, inherited from the changes, though a list writes
/// nothing. Only the commands that write take it.
#[test]
fn only_the_commands_that_write_take_yes() {
    let s = setup();
    for read in ["list", "show", "impersonations"] {
        s.squall(&["user", read, "--help"]).assert().success().stdout(predicate::str::contains("--yes").not());
    }
    for write in ["ban", "unban", "set-role", "revoke-sessions", "set-password", "remove"] {
        s.squall(&["user", write, "--help"]).assert().success().stdout(predicate::str::contains("--yes"));
    }
    s.squall(&["user", "list", "--yes"]).assert().code(2);
}

#[test]
fn a_limited_list_says_how_many_it_shows_of_how_many() {
    let s = setup();
    s.squall(&["user", "list", "--limit", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\n1 of 2 users shown; among those shown: 1 admin, 0 banned"));
    s.squall(&["user", "list", "--search", "bob"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\n1 user: 0 admin, 0 banned, 0 ban expired, 0 unverified\n"));
}

#[test]
fn impersonations_of_one_user_as_target_or_as_admin() {
    let s = setup();
    let t = now_ms();
    for (id, admin) in [("s-imp-1", "u-alice"), ("s-imp-2", "u-removed-admin")] {
        s.conn()
            .execute(
                "INSERT INTO session (id, expires_at, token, created_at, updated_at, user_id, impersonated_by)
                 VALUES (?1, ?2, ?1, ?3, ?3, 'u-bob', ?4)",
                params![id, t + 3_600_000, t, admin],
            )
            .unwrap();
    }
    let sessions = |who: &str| {
        let out = s.squall(&["user", "impersonations", who, "--json"]).assert().success().get_output().stdout.clone();
        let list: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let mut ids: Vec<String> =
            list.as_array().unwrap().iter().map(|i| i["session_id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        ids
    };
    assert_eq!(sessions("alice@example.com"), ["s-imp-1"], "as admin");
    assert_eq!(sessions("bob@example.com"), ["s-imp-1", "s-imp-2"], "as target");
    assert_eq!(sessions("u-removed-admin"), ["s-imp-2"], "a removed admin's id still finds theirs");
    s.squall(&["user", "impersonations", "nobody@example.com"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nobody@example.com"));
}
