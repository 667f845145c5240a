//! `squall log`: the audit log of committed changes, for one database or all of them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::GlobalArgs;
use super::user_print::emit;
use crate::audit::{AuditColumn, AuditEntry, AuditFilter, read_audit, redact_entry};
use crate::db::change::ChangeOp;
use crate::project::{Discover, discover};

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Only the last N changes (a statement with the rows it changed counts once).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Every database's entries, even when --db is given or a project is found.
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: &LogArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if global.remote && !args.all {
        return run_remote(args, global);
    }
    let database = if args.all { None } else { log_database(global)? };
    let entries = read_audit(&AuditFilter { database: database.clone(), limit: args.limit })?;
    print_entries(args, &entries, database.as_ref().map(|db| db.display().to_string()))
}

/// `squall log --remote`: the entries of the remote D1 the flags, environment and wrangler config
/// name (no request is made, so no token is needed), each with its time-travel bookmark.
fn run_remote(args: &LogArgs, global: &GlobalArgs) -> Result<ExitCode> {
    use crate::project::remote::{ACCOUNT_ID_VAR, RemoteInput, TOKEN_VARS, resolve_remote};
    let cwd = std::env::current_dir().context("reading the current directory")?;
    // Only the database is needed: the account and token are filled in when missing.
    let env = |name: &str| {
        std::env::var(name).ok().or_else(|| (name == ACCOUNT_ID_VAR || TOKEN_VARS.contains(&name)).then(|| "-".into()))
    };
    let resolved = resolve_remote(&RemoteInput {
        dir: &cwd,
        database_id: global.database_id.as_deref(),
        d1: global.d1.as_deref(),
        write: false,
        env: &env,
        wrangler_token: &|| None,
    })?;
    let id = resolved.settings.database_id;
    let (named, bare) = (format!("({id})"), format!("D1 {id}"));
    let mut entries = read_audit(&AuditFilter { database: None, limit: None })?;
    entries.retain(|e| e.database == bare || (e.database.starts_with("D1 ") && e.database.ends_with(&named)));
    if let Some(limit) = args.limit {
        crate::audit::keep_last_changes(&mut entries, limit);
    }
    print_entries(args, &entries, Some(format!("the remote D1 {id}")))
}

fn print_entries(args: &LogArgs, entries: &[AuditEntry], database: Option<String>) -> Result<ExitCode> {
    if args.json {
        emit(&(serde_json::to_string_pretty(&entries)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    if entries.is_empty() {
        match &database {
            Some(db) => text.push_str(&format!("no changes recorded for {db}\n")),
            None => text.push_str("no changes recorded\n"),
        }
    }
    for entry in entries {
        text.push_str(&entry_line(entry, database.is_none()));
        text.push('\n');
    }
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `--db`, else the wrangler project's local D1 here; `None` (every database) otherwise. Unlike
/// other commands, this never falls back to (or creates) the demo database.
fn log_database(global: &GlobalArgs) -> Result<Option<PathBuf>> {
    if let Some(path) = &global.db {
        return Ok(Some(path.clone()));
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(discover(&Discover { dir: &cwd, d1: global.d1.as_deref() })?.map(|found| found.db_path))
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "NULL".into(),
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// ` "ada@x.dev"`: the row's label column (email, name, ...) as `value` reads it, or nothing.
fn label_of(changes: &[AuditColumn], value: impl Fn(&AuditColumn) -> &serde_json::Value) -> String {
    crate::db::labels::label_position(changes.iter().map(|c| c.column.as_str()))
        .and_then(|i| changes.get(i))
        .map(&value)
        .filter(|v| !v.is_null())
        .map(|v| format!(" {}", json_text(v)))
        .unwrap_or_default()
}

/// `deleted "ada@x.dev" · held id="u1", name="Ada", email="ada@x.dev"`: which row (its label,
/// when it has one) and what it held, secrets already redacted.
fn deleted_text(entry: &AuditEntry) -> String {
    let label = label_of(&entry.changes, |c| &c.old);
    let held: Vec<String> = entry.changes.iter().map(|c| format!("{}={}", c.column, json_text(&c.old))).collect();
    if held.is_empty() { format!("deleted{label}") } else { format!("deleted{label} · held {}", held.join(", ")) }
}

/// `2026-06-01T12:00:00.000Z  user.ban  user id="u1"  banned: 0 -> 1, banReason: NULL -> "spam"`.
pub fn entry_line(entry: &AuditEntry, with_database: bool) -> String {
    let key: Vec<String> = entry.key.iter().map(|(c, v)| format!("{c}={}", json_text(v))).collect();
    let what = match entry.op {
        _ if (entry.action == crate::audit::SQL_ACTION && entry.table.is_empty())
            || entry.changes.iter().any(|c| c.column == "planned") =>
        {
            entry.changes.iter().map(|c| format!("{}: {}", c.column, json_text(&c.new))).collect::<Vec<_>>().join(", ")
        }
        // SQLite counts a row an UPDATE wrote its own values into: it changed nothing.
        ChangeOp::Update if entry.changes.is_empty() => "unchanged".into(),
        ChangeOp::Update => entry
            .changes
            .iter()
            .map(|c| format!("{}: {} -> {}", c.column, json_text(&c.old), json_text(&c.new)))
            .collect::<Vec<_>>()
            .join(", "),
        ChangeOp::Delete => deleted_text(&redact_entry(entry)),
        // Which row (its label) and what it wrote (an applied migration's backup path, for one),
        // secrets already redacted.
        ChangeOp::Insert => {
            let values: Vec<String> = entry
                .changes
                .iter()
                .filter(|c| !c.new.is_null())
                .map(|c| format!("{}={}", c.column, json_text(&c.new)))
                .collect();
            let label = label_of(&entry.changes, |c| &c.new);
            if values.is_empty() {
                format!("inserted{label}")
            } else {
                format!("inserted{label}: {}", values.join(", "))
            }
        }
    };
    let database = if with_database { format!("  {}", entry.database) } else { String::new() };
    // A remote write names the time-travel bookmark taken before it, and how to go back to it
    // (a restore point of the whole database, not an undo of this one change).
    let restore_point = match (&entry.bookmark, &entry.restore) {
        (Some(bookmark), Some(restore)) => {
            format!("  · bookmark {bookmark} · {}", crate::db::backend::d1::restore_point(restore))
        }
        (Some(bookmark), None) => format!("  · bookmark {bookmark}"),
        _ => String::new(),
    };
    // A write that timed out after it was sent: what was planned, and that it may not have landed.
    let what = match &entry.outcome {
        Some(outcome) => format!("planned {what}  · outcome {outcome}"),
        None => what,
    };
    // A statement's own line names no table or row: no gap is left for them.
    let key = key.join(" ");
    let row: Vec<&str> = [entry.table.as_str(), &key].into_iter().filter(|s| !s.is_empty()).collect();
    let row = if row.is_empty() { String::new() } else { format!("  {}", row.join(" ")) };
    format!("{}  {}{database}{row}  {what}{restore_point}", entry.time, entry.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inserted_row_is_named_by_its_label() {
        let entry = AuditEntry {
            time: "2026-11-29T20:52:17.540Z".into(),
            database: "/tmp/a.db".into(),
            action: "edit".into(),
            table: "user".into(),
            op: ChangeOp::Insert,
            key: serde_json::Map::from_iter([("id".to_string(), serde_json::json!("u1"))]),
            changes: vec![AuditColumn {
                column: "email".into(),
                old: serde_json::Value::Null,
                new: serde_json::json!("ada@x.dev"),
            }],
            bookmark: None,
            restore: None,
            outcome: None,
        };
        assert!(entry_line(&entry, false).ends_with("user id=\"u1\"  inserted \"ada@x.dev\": email=\"ada@x.dev\""));
    }

    fn sql_entry(table: &str, changes: Vec<AuditColumn>) -> AuditEntry {
        AuditEntry {
            time: "2026-11-29T20:52:17.540Z".into(),
            database: "/tmp/a.db".into(),
            action: crate::audit::SQL_ACTION.into(),
            table: table.into(),
            op: ChangeOp::Update,
            key: if table.is_empty() {
                serde_json::Map::new()
            } else {
                serde_json::Map::from_iter([("id".to_string(), serde_json::json!("u1"))])
            },
            changes,
            bookmark: None,
            restore: None,
            outcome: None,
        }
    }

    #[test]
    fn a_row_an_update_left_as_it_was_reads_unchanged_and_a_statement_has_no_gap() {
        let row = sql_entry("user", Vec::new());
        assert_eq!(entry_line(&row, false), "2026-11-29T20:52:17.540Z  sql  user id=\"u1\"  unchanged");
        let sql = AuditColumn { column: "sql".into(), old: serde_json::Value::Null, new: serde_json::json!("UPDATE") };
        let statement = sql_entry("", vec![sql]);
        assert_eq!(entry_line(&statement, true), "2026-11-29T20:52:17.540Z  sql  /tmp/a.db  sql: \"UPDATE\"");
    }

    #[test]
    fn a_remote_write_shows_its_bookmark_and_the_restore_command() {
        let entry = AuditEntry {
            time: "2026-11-29T20:52:17.540Z".into(),
            database: "D1 app-db (7f3c)".into(),
            action: "user.ban".into(),
            table: "user".into(),
            op: ChangeOp::Update,
            key: serde_json::Map::from_iter([("id".to_string(), serde_json::json!("u1"))]),
            changes: vec![AuditColumn {
                column: "banned".into(),
                old: serde_json::json!(0),
                new: serde_json::json!(1),
            }],
            bookmark: Some("00000001-abc".into()),
            restore: Some("wrangler d1 time-travel restore app-db --bookmark=00000001-abc".into()),
            outcome: None,
        };
        assert!(
            entry_line(&entry, true).ends_with(
                "banned: 0 -> 1  · bookmark 00000001-abc · restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db --bookmark=00000001-abc"
            ),
            "{}",
            entry_line(&entry, true)
        );
    }
}
