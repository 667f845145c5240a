//! The audit log: every committed change, one JSON line per changed row, appended to
//! `audit.jsonl` in squall's data directory. Secrets (passwords, tokens; see
//! [`crate::db::kinds::is_secret_name`]) are redacted on the way in, whoever builds the entry.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::db::change::{ChangeOp, REDACTED, RowChange, value_to_json};
use crate::db::kinds::is_secret_name;
use crate::db::query::WriteReport;

/// The log's file name inside [`crate::paths::data_dir`].
pub const AUDIT_FILE: &str = "audit.jsonl";

/// One column of an audited row: its value before and after (`null` for inserts and deletes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditColumn {
    pub column: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// One line of the audit log: one row changed by one committed action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the change was committed, ISO-8601 UTC.
    pub time: String,
    /// The database file, as an absolute path.
    pub database: String,
    /// What was done, e.g. `user.ban`.
    pub action: String,
    pub table: String,
    pub op: ChangeOp,
    /// The row's key columns and values.
    pub key: serde_json::Map<String, serde_json::Value>,
    pub changes: Vec<AuditColumn>,
    /// Remote D1 only: the time-travel bookmark taken before the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bookmark: Option<String>,
    /// Remote D1 only: the one-line command that puts the database back at `bookmark`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<String>,
    /// Set when the write's outcome is not known ([`UNKNOWN_OUTCOME`]): the entry then holds
    /// what was planned, not what changed. Absent for a committed write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// The outcome of a remote write sent but never answered: it may or may not have landed.
pub const UNKNOWN_OUTCOME: &str = "unknown (timed out after it was sent)";

/// The entries of a write whose outcome is unknown: what was planned, marked so.
pub fn with_unknown_outcome(mut entries: Vec<AuditEntry>) -> Vec<AuditEntry> {
    for entry in &mut entries {
        entry.outcome = Some(UNKNOWN_OUTCOME.into());
    }
    entries
}

/// Which entries [`read_audit`] returns.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries about this database file.
    pub database: Option<PathBuf>,
    /// Only the last this many entries (after filtering).
    pub limit: Option<usize>,
}

/// Where the log lives.
pub fn audit_log_path() -> Result<PathBuf> {
    Ok(crate::paths::data_dir()?.join(AUDIT_FILE))
}

/// How a remote database is named in the log (`D1 name (id)`, the backend's `describe_target`):
/// kept as it is, not taken for a relative path.
pub const REMOTE_LABEL_PREFIX: &str = "D1 ";

/// How a database is named in the log: its canonical absolute path, so `./a.db` and
/// `/home/me/a.db` are one database; a remote D1's label as it is.
pub fn database_label(path: &Path) -> String {
    if let Some(text) = path.to_str().filter(|t| t.starts_with(REMOTE_LABEL_PREFIX)) {
        return text.to_string();
    }
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

fn secret_json(table: &str, column: &str, value: serde_json::Value) -> serde_json::Value {
    if is_secret_name(table, column) && !value.is_null() { serde_json::Value::String(REDACTED.into()) } else { value }
}

/// The entry with every secret column's values replaced by `[redacted]`.
pub fn redact_entry(entry: &AuditEntry) -> AuditEntry {
    let mut entry = entry.clone();
    for change in &mut entry.changes {
        change.old = secret_json(&entry.table, &change.column, std::mem::take(&mut change.old));
        change.new = secret_json(&entry.table, &change.column, std::mem::take(&mut change.new));
    }
    for (column, value) in entry.key.iter_mut() {
        *value = secret_json(&entry.table, column, std::mem::take(value));
    }
    entry
}

/// Audit entries for the changes one action committed on `database` at `time`.
pub fn entries_from_changes(
    database: &Path,
    action: &str,
    changes: &[RowChange],
    time: DateTime<Utc>,
) -> Vec<AuditEntry> {
    let database = database_label(database);
    let time = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    changes
        .iter()
        .map(|change| {
            redact_entry(&AuditEntry {
                time: time.clone(),
                database: database.clone(),
                action: action.to_string(),
                table: change.table.clone(),
                op: change.op,
                key: change.key.iter().map(|(c, v)| (c.clone(), value_to_json(v))).collect(),
                changes: change
                    .columns
                    .iter()
                    .map(|c| AuditColumn {
                        column: c.column.clone(),
                        old: value_to_json(&c.old),
                        new: value_to_json(&c.new),
                    })
                    .collect(),
                bookmark: None,
                restore: None,
                outcome: None,
            })
        })
        .collect()
}

/// The action name of statements run from the SQL console or `squall sql`.
pub const SQL_ACTION: &str = "sql";

/// The audit entries of a statement typed by a person (console, `squall sql`): one with the SQL
/// (secret literals redacted) and how many rows it changed (or that the schema changed), then one
/// per row it changed, with the values before (read in the same transaction; secrets redacted as
/// the grid's are).
pub fn sql_entries(database: &Path, report: &WriteReport, time: DateTime<Utc>) -> Vec<AuditEntry> {
    let count = match report.changes {
        Some(rows) => AuditColumn { column: "rows".into(), old: serde_json::Value::Null, new: rows.into() },
        None => AuditColumn { column: "schema".into(), old: serde_json::Value::Null, new: "changed".into() },
    };
    let mut changes = vec![
        AuditColumn { column: "sql".into(), old: serde_json::Value::Null, new: report.audit_sql.clone().into() },
        count,
    ];
    if let Some(same) = report.unchanged.filter(|n| *n > 0) {
        // One line for the rows it matched but left as they were, not one each.
        changes.push(AuditColumn { column: "unchanged".into(), old: serde_json::Value::Null, new: same.into() });
    }
    let mut entries = vec![AuditEntry {
        time: time.to_rfc3339_opts(SecondsFormat::Millis, true),
        database: database_label(database),
        action: SQL_ACTION.into(),
        table: String::new(),
        op: report.kind.audit_op(),
        key: serde_json::Map::new(),
        changes,
        bookmark: None,
        restore: None,
        outcome: None,
    }];
    entries.extend(entries_from_changes(database, SQL_ACTION, &report.rows, time));
    entries
}

/// The entries of one remote write, each with the bookmark taken before it and the command
/// that restores it (`squall log` prints both).
pub fn with_bookmark(mut entries: Vec<AuditEntry>, bookmark: Option<&str>, restore: Option<&str>) -> Vec<AuditEntry> {
    for entry in &mut entries {
        entry.bookmark = bookmark.map(str::to_string);
        entry.restore = restore.map(str::to_string);
    }
    entries
}

/// Appends entries to `file` (created if missing) in a single write, secrets redacted.
pub fn append_audit_to(file: &Path, entries: &[AuditEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    for entry in entries {
        text.push_str(&serde_json::to_string(&redact_entry(entry))?);
        text.push('\n');
    }
    // The log holds the values that changed (emails, names, ban reasons): owner-only.
    let mut out =
        crate::paths::open_private_append(file).with_context(|| format!("opening the audit log {}", file.display()))?;
    out.write_all(text.as_bytes()).with_context(|| format!("writing the audit log {}", file.display()))?;
    Ok(())
}

/// Appends one entry to the audit log in the data directory.
pub fn append_audit(entry: &AuditEntry) -> Result<()> {
    append_audit_to(&audit_log_path()?, std::slice::from_ref(entry))
}

/// Records everything an action committed on `database` (now) in the audit log.
pub fn record_changes(database: &Path, action: &str, changes: &[RowChange]) -> Result<()> {
    append_audit_to(&audit_log_path()?, &entries_from_changes(database, action, changes, Utc::now()))
}

/// Reads entries from `file`, oldest first. A missing file is an empty log; a line that is not an
/// entry (say, cut short by a crash mid-write) is skipped rather than hiding the rest.
pub fn read_audit_from(file: &Path, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("reading the audit log {}", file.display())),
    };
    let database = filter.database.as_deref().map(database_label);
    let mut entries: Vec<AuditEntry> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| serde_json::from_str::<AuditEntry>(line).ok())
        .filter(|entry| database.as_ref().is_none_or(|db| &entry.database == db))
        .collect();
    if let Some(limit) = filter.limit {
        keep_last_changes(&mut entries, limit);
    }
    Ok(entries)
}

/// Whether `next` belongs to the same change as `entry`: one action's entries (a statement and
/// the rows it changed, a ban and the sessions it ended) share their time, database and action;
/// a statement's own entry starts a change.
fn same_change(entry: &AuditEntry, next: &AuditEntry) -> bool {
    let statement = next.action == SQL_ACTION && next.table.is_empty();
    !statement && entry.time == next.time && entry.database == next.database && entry.action == next.action
}

/// Keeps the last `limit` changes of `entries` (oldest first), each whole: a limit never keeps
/// a statement's rows without the statement.
pub fn keep_last_changes(entries: &mut Vec<AuditEntry>, limit: usize) {
    let mut kept = 0;
    let mut start = entries.len();
    for i in (0..entries.len()).rev() {
        let joins = entries.get(i + 1).is_some_and(|next| same_change(&entries[i], next));
        if !joins {
            if kept == limit {
                break;
            }
            kept += 1;
        }
        start = i;
    }
    entries.drain(..start);
}

/// Reads the audit log in the data directory.
pub fn read_audit(filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    read_audit_from(&audit_log_path()?, filter)
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value;

    use super::*;
    use crate::db::change::ColumnChange;

    fn change(table: &str, op: ChangeOp, columns: &[(&str, Value, Value)]) -> RowChange {
        RowChange {
            table: table.into(),
            op,
            key: vec![("id".into(), Value::Text("k1".into()))],
            columns: columns
                .iter()
                .map(|(c, old, new)| ColumnChange { column: c.to_string(), old: old.clone(), new: new.clone() })
                .collect(),
        }
    }

    #[test]
    fn secrets_are_redacted_and_entries_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        std::fs::write(&db, b"").unwrap();
        let log = dir.path().join(AUDIT_FILE);
        let changes = [
            change(
                "account",
                ChangeOp::Update,
                &[
                    ("password", Value::Text("old:hash".into()), Value::Text("new:hash".into())),
                    ("updatedAt", Value::Integer(1), Value::Integer(2)),
                ],
            ),
            change(
                "session",
                ChangeOp::Delete,
                &[
                    ("token", Value::Text("tok".into()), Value::Null),
                    ("ipAddress", Value::Text("1.2.3.4".into()), Value::Null),
                ],
            ),
        ];
        let time = Utc::now();
        append_audit_to(&log, &entries_from_changes(&db, "user.test", &changes, time)).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains("old:hash") && !text.contains("new:hash") && !text.contains("\"tok\""), "{text}");
        assert!(text.contains("1.2.3.4"));
        let entries = read_audit_from(&log, &AuditFilter { database: Some(db.clone()), limit: None }).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].changes[0].old, serde_json::json!(REDACTED));
        assert_eq!(entries[0].changes[1].new, serde_json::json!(2));
        assert_eq!(entries[1].op, ChangeOp::Delete);
        assert_eq!(entries[1].changes[0].new, serde_json::Value::Null);
        assert_eq!(entries[0].database, database_label(&db));
        assert_eq!(entries[0].time, time.to_rfc3339_opts(SecondsFormat::Millis, true));
    }

    #[test]
    fn reading_filters_by_database_limits_and_skips_broken_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join(AUDIT_FILE);
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        let one = [change("user", ChangeOp::Update, &[("role", Value::Null, Value::Text("admin".into()))])];
        append_audit_to(&log, &entries_from_changes(&a, "user.set_role", &one, Utc::now())).unwrap();
        std::fs::OpenOptions::new().append(true).open(&log).unwrap().write_all(b"{\"time\": \"cut sh").unwrap();
        std::fs::OpenOptions::new().append(true).open(&log).unwrap().write_all(b"\n").unwrap();
        append_audit_to(&log, &entries_from_changes(&b, "user.set_role", &one, Utc::now())).unwrap();
        append_audit_to(&log, &entries_from_changes(&a, "user.unban", &one, Utc::now())).unwrap();
        let all = read_audit_from(&log, &AuditFilter::default()).unwrap();
        assert_eq!(all.len(), 3);
        let only_a = read_audit_from(&log, &AuditFilter { database: Some(a.clone()), limit: None }).unwrap();
        assert_eq!(only_a.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["user.set_role", "user.unban"]);
        let last = read_audit_from(&log, &AuditFilter { database: None, limit: Some(1) }).unwrap();
        assert_eq!(last[0].action, "user.unban");
        assert!(read_audit_from(&dir.path().join("none.jsonl"), &AuditFilter::default()).unwrap().is_empty());
    }

    #[test]
    fn a_limit_keeps_whole_changes_a_statement_with_its_rows() {
        let a = Path::new("/tmp/a.db");
        let rows = [
            change("user", ChangeOp::Update, &[]),
            change("user", ChangeOp::Update, &[]),
            change("user", ChangeOp::Update, &[]),
        ];
        let mut entries = Vec::new();
        for (n, ms) in [(1, 1_000), (3, 2_000)] {
            let time = DateTime::from_timestamp_millis(ms).unwrap();
            let mut rows = entries_from_changes(a, SQL_ACTION, &rows[..n], time);
            let mut statement = rows[0].clone();
            statement.table.clear();
            statement.key.clear();
            rows.insert(0, statement);
            entries.extend(rows);
        }
        let mut last = entries.clone();
        keep_last_changes(&mut last, 1);
        assert_eq!(last.len(), 4, "the last statement and its three rows");
        assert!(last[0].table.is_empty(), "starting with the statement");
        let mut both = entries.clone();
        keep_last_changes(&mut both, 2);
        assert_eq!(both.len(), 6);
        keep_last_changes(&mut entries, 0);
        assert!(entries.is_empty());
    }
}
