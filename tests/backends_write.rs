//! The same writes through the write pipeline on two backends: a local SQLite file
//! (`rusqlite::Connection`) and `D1Rules`, a test backend over another copy that refuses
//! interactive transactions and runs each commit as one guarded batch, the way remote D1 must.
//! Both must leave the same rows and produce the same audit entries.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;
use squall::audit::{AuditEntry, entries_from_changes};
use squall::db::backend::rules::D1Rules;
use squall::db::backend::{Backend, Capabilities, Executed, Rows, Statement, Step, StepOutcome};
use squall::db::edit::{ColumnConflict, CommitInput, StagedChange, commit_changes};
use squall::db::error::DbError;
use squall::db::schema::TableInfo;
use squall::db::users::{BanExpiry, RunAction, UserAction, preview_action, run_action, run_planned};

const SCHEMA: &str = include_str!("fixtures/drizzle/0000_init.sql");
const ROWS: &str = "
INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt, role, banned) VALUES
  ('u1', 'Ada', 'ada@example.com', 1, 1764000000000, 1764000000000, 'admin', 0),
  ('u2', 'Bob', 'bob@example.com', 0, '2025-11-24T16:00:00.000Z', '2025-11-24T16:00:00.000Z', NULL, 0),
  ('u3', 'Cy', 'cy@example.com', 0, 1764000000000, 1764000000000, 'user', 0);
INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES
  ('s1', 1765000000000, 'tok1', 1764000000000, 1764000000000, 'u1'),
  ('s2', 1765000000000, 'tok2', 1764000000000, 1764000000000, 'u1'),
  ('s3', 1765000000000, 'tok3', 1764000000000, 1764000000000, 'u3');
INSERT INTO account (id, accountId, providerId, userId, createdAt, updatedAt) VALUES
  ('a1', 'u1', 'credential', 'u1', 1764000000000, 1764000000000);
";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
}

/// A seeded database file in its own temporary directory.
fn seeded(dir: &Path) -> PathBuf {
    let path = dir.join("app.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    conn.execute_batch(ROWS).unwrap();
    path
}

/// A connection as squall opens one: foreign keys enforced (D1 always enforces them).
fn connect(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    conn
}

/// Runs `scenario` on a local file and on D1Rules over another copy; returns both results and
/// both tables' contents afterwards.
fn on_both<T>(scenario: impl Fn(&dyn Backend, &Path) -> T) -> [(T, Vec<Vec<Value>>); 2] {
    let local_dir = tempfile::tempdir().unwrap();
    let local_path = seeded(local_dir.path());
    let local = connect(&local_path);
    let local_result = scenario(&local, &local_path);
    let rules_dir = tempfile::tempdir().unwrap();
    let rules_path = seeded(rules_dir.path());
    let rules = D1Rules::new(connect(&rules_path));
    let rules_result = scenario(&rules, &rules_path);
    [(local_result, dump(&local_path)), (rules_result, dump(&rules_path))]
}

/// Every row of the three tables, in key order, as plain values.
fn dump(path: &Path) -> Vec<Vec<Value>> {
    let conn = Connection::open(path).unwrap();
    let mut rows = Vec::new();
    for table in ["user", "session", "account"] {
        let mut stmt = conn.prepare(&format!("SELECT '{table}', * FROM \"{table}\" ORDER BY id")).unwrap();
        let width = stmt.column_count();
        let found = stmt
            .query_map([], |row| (0..width).map(|i| row.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>())
            .unwrap();
        rows.extend(found.map(Result::unwrap));
    }
    rows
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn key(id: &str) -> Vec<(String, Value)> {
    vec![("id".into(), text(id))]
}

fn entries(action: &str, changes: &[squall::db::change::RowChange]) -> Vec<AuditEntry> {
    // One label for both copies, so their entries compare equal.
    entries_from_changes(Path::new("/app.sqlite"), action, changes, now())
}

fn staged() -> Vec<StagedChange> {
    vec![
        StagedChange::Update {
            table: "user".into(),
            key: key("u2"),
            column: "name".into(),
            old: text("Bob"),
            new: text("Robert"),
            expected: vec![("updatedAt".into(), text("2025-11-24T16:00:00.000Z"))],
        },
        StagedChange::Insert {
            table: "user".into(),
            values: vec![
                ("id".into(), text("u9")),
                ("name".into(), text("Nine")),
                ("email".into(), text("nine@example.com")),
                ("emailVerified".into(), Value::Integer(0)),
                ("createdAt".into(), Value::Integer(now().timestamp_millis())),
                ("updatedAt".into(), Value::Integer(now().timestamp_millis())),
            ],
        },
        StagedChange::Delete { table: "user".into(), key: key("u1"), expected: vec![("name".into(), text("Ada"))] },
    ]
}

#[test]
fn an_edit_commit_writes_and_audits_the_same_on_both_backends() {
    let [(local, local_rows), (rules, rules_rows)] = on_both(|db, _| {
        let changes = staged();
        let report = commit_changes(db, &CommitInput { changes: &changes, overwrite: false, now: now() }).unwrap();
        (report.statements, entries("edit", &report.row_changes()))
    });
    assert_eq!(local_rows, rules_rows, "the same rows");
    assert_eq!(local, rules, "the same audit entries");
    let (statements, entries) = local;
    assert_eq!(statements, 3);
    // The update (name and updatedAt), the insert, the delete, then what it cascaded to.
    let shape: Vec<(String, String)> =
        entries.iter().map(|e| (e.table.clone(), format!("{:?}", e.op).to_lowercase())).collect();
    assert_eq!(
        shape,
        [
            ("user", "update"),
            ("user", "insert"),
            ("user", "delete"),
            ("session", "delete"),
            ("session", "delete"),
            ("account", "delete")
        ]
        .map(|(t, o)| (t.to_string(), o.to_string()))
    );
    assert_eq!(entries[0].changes[0].new, serde_json::json!("Robert"));
    assert_eq!(entries[0].changes[1].new, serde_json::json!("2026-11-29T12:00:00.000Z"), "ISO row stays ISO");
    let tokens: Vec<&serde_json::Value> =
        entries[3].changes.iter().filter(|c| c.column == "token").map(|c| &c.old).collect();
    assert_eq!(tokens, [&serde_json::json!("[redacted]")], "a cascaded row's secrets are redacted");
    assert!(!local_rows.iter().any(|row| row.contains(&text("u1"))), "u1 and its rows are gone");
    assert!(local_rows.iter().any(|row| row.contains(&text("u9"))));
}

/// A backend that lets another connection write just before each batch: the moment between
/// squall's pre-check and its write, where only the guards in the statements can notice.
struct Meddled<'a> {
    inner: &'a dyn Backend,
    path: PathBuf,
    meddle: RefCell<Option<&'static str>>,
}

impl Backend for Meddled<'_> {
    fn query(&self, statement: &Statement) -> anyhow::Result<Rows> {
        self.inner.query(statement)
    }
    fn execute(&self, statement: &Statement) -> anyhow::Result<Executed> {
        self.inner.execute(statement)
    }
    fn atomic(&self, steps: &[Step]) -> anyhow::Result<Vec<StepOutcome>> {
        if let Some(sql) = self.meddle.borrow_mut().take() {
            Connection::open(&self.path).unwrap().execute_batch(sql).unwrap();
        }
        self.inner.atomic(steps)
    }
    fn describe(&self) -> anyhow::Result<Vec<TableInfo>> {
        self.inner.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn describe_target(&self) -> String {
        self.inner.describe_target()
    }
}

#[test]
fn a_row_changed_by_another_writer_refuses_the_whole_commit_on_both_backends() {
    let [(local, local_rows), (rules, rules_rows)] = on_both(|db, path| {
        let changes = staged();
        let meddled = Meddled {
            inner: db,
            path: path.to_path_buf(),
            meddle: RefCell::new(Some("UPDATE user SET name = 'Bobby' WHERE id = 'u2'")),
        };
        let err = commit_changes(&meddled, &CommitInput { changes: &changes, overwrite: false, now: now() })
            .unwrap_err()
            .downcast::<DbError>()
            .unwrap();
        let DbError::RowConflict(conflicts) = err else { panic!("{err}") };
        conflicts.rows.into_iter().map(|row| (row.table, row.key, row.columns)).collect::<Vec<_>>()
    });
    assert_eq!(local, rules);
    assert_eq!(
        local,
        [(
            "user".to_string(),
            key("u2"),
            vec![ColumnConflict { column: "name".into(), expected: text("Bob"), current: Some(text("Bobby")) }]
        )]
    );
    assert_eq!(local_rows, rules_rows);
    // Nothing of the batch was written: no insert, no delete, only the other writer's change.
    assert!(!local_rows.iter().any(|row| row.contains(&text("u9"))));
    assert!(local_rows.iter().any(|row| row.contains(&text("u1"))));
    assert!(local_rows.iter().any(|row| row.contains(&text("Bobby"))));
}

#[test]
fn a_ban_then_an_unban_write_and_audit_the_same_on_both_backends() {
    let [(local, local_rows), (rules, rules_rows)] = on_both(|db, _| {
        let ban = UserAction::Ban { reason: Some("spam".into()), expiry: BanExpiry::After(TimeDelta::days(7)) };
        let banned = run_action(db, &RunAction { user: "cy@example.com", action: &ban, now: now() }).unwrap();
        let unbanned = run_action(db, &RunAction { user: "u3", action: &UserAction::Unban, now: now() }).unwrap();
        (
            (banned.sessions_ended, entries(banned.action, &banned.changes)),
            entries(unbanned.action, &unbanned.changes),
            banned.after.map(|u| (u.ban.reason, u.ban.expires_at)),
        )
    });
    assert_eq!(local_rows, rules_rows, "the same rows");
    assert_eq!(local, rules, "the same audit entries");
    let ((sessions_ended, ban), unban, after_ban) = local;
    assert_eq!(sessions_ended, 1, "a ban ends the user's sessions");
    let week = now() + TimeDelta::days(7);
    assert_eq!(after_ban, Some((Some("spam".to_string()), Some(week))));
    let user = &ban[0];
    assert_eq!((user.table.as_str(), user.action.as_str()), ("user", "user.ban"));
    let new = |entry: &AuditEntry, column: &str| {
        entry.changes.iter().find(|c| c.column == column).map(|c| c.new.clone()).unwrap_or_default()
    };
    assert_eq!(new(user, "banned"), serde_json::json!(1));
    assert_eq!(new(user, "banReason"), serde_json::json!("spam"));
    // Epoch milliseconds, as the row's other dates: never seconds (stack facts §1).
    assert_eq!(new(user, "banExpires"), serde_json::json!(week.timestamp_millis()));
    assert_eq!(new(user, "updatedAt"), serde_json::json!(now().timestamp_millis()));
    assert_eq!((ban[1].table.as_str(), format!("{:?}", ban[1].op)), ("session", "Delete".to_string()));
    assert_eq!(new(&unban[0], "banned"), serde_json::json!(0));
    assert_eq!(new(&unban[0], "banReason"), serde_json::Value::Null);
    assert_eq!(new(&unban[0], "banExpires"), serde_json::Value::Null);
    // The sessions stay ended.
    assert!(!local_rows.iter().any(|row| row.contains(&text("s3"))));
}

#[test]
fn a_commit_and_a_ban_are_one_write_request_each_on_d1() {
    let dir = tempfile::tempdir().unwrap();
    let rules = D1Rules::new(connect(&seeded(dir.path())));
    let changes = staged();
    commit_changes(&rules, &CommitInput { changes: &changes, overwrite: false, now: now() }).unwrap();
    let commit_requests = rules.requests();
    let ban = UserAction::Ban { reason: None, expiry: BanExpiry::Never };
    run_action(&rules, &RunAction { user: "u3", action: &ban, now: now() }).unwrap();
    let ban_requests = rules.requests() - commit_requests;
    eprintln!("requests: commit {commit_requests}, ban {ban_requests}");
    // Reads to plan (schema, kinds, the conflict pre-check, the cascade walk), then the write:
    // every write and the reads the audit needs travel in one request.
    assert!(commit_requests <= 12, "{commit_requests}");
    assert!(ban_requests <= 8, "{ban_requests}");
}

#[test]
fn a_previewed_user_action_runs_in_one_request_without_reading_the_schema_again() {
    let dir = tempfile::tempdir().unwrap();
    let rules = D1Rules::new(connect(&seeded(dir.path())));
    let ban = UserAction::Ban { reason: Some("spam".into()), expiry: BanExpiry::Never };
    let preview = preview_action(&rules, &RunAction { user: "u3", action: &ban, now: now() }).unwrap();
    let before_run = rules.requests();
    let outcome = run_planned(&rules, &preview.plan).unwrap();
    // The preview read the schema; the run is the one atomic batch (the schema came with the plan).
    assert_eq!(rules.requests() - before_run, 1, "the run after the preview is one request");
    assert!(!outcome.changes.is_empty());
    let banned: i64 = connect(&dir.path().join("app.sqlite"))
        .query_row("SELECT banned FROM user WHERE id = 'u3'", [], |row| row.get(0))
        .unwrap_or(-1);
    assert_eq!(banned, 1);
}
