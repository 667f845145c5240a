//! `squall log`: the audit log of committed changes, for one database or all of them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::GlobalArgs;
use super::user_print::emit;
use crate::audit::{AuditEntry, AuditFilter, read_audit};
use crate::db::change::ChangeOp;
use crate::project::{Discover, discover};

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Only the last N entries.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Every database's entries, even when --db is given or a project is found.
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: &LogArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let database = if args.all { None } else { log_database(global)? };
    let entries = read_audit(&AuditFilter { database: database.clone(), limit: args.limit })?;
    if args.json {
        emit(&(serde_json::to_string_pretty(&entries)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    if entries.is_empty() {
        match &database {
            Some(db) => text.push_str(&format!("no changes recorded for {}\n", db.display())),
            None => text.push_str("no changes recorded\n"),
        }
    }
    for entry in &entries {
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

/// `2026-06-01T12:00:00.000Z  user.ban  user id="u1"  banned: 0 -> 1, banReason: NULL -> "spam"`.
pub fn entry_line(entry: &AuditEntry, with_database: bool) -> String {
    let key: Vec<String> = entry.key.iter().map(|(c, v)| format!("{c}={}", json_text(v))).collect();
    let what = match entry.op {
        _ if entry.action == crate::audit::SQL_ACTION => {
            entry.changes.iter().map(|c| format!("{}: {}", c.column, json_text(&c.new))).collect::<Vec<_>>().join(", ")
        }
        ChangeOp::Update => entry
            .changes
            .iter()
            .map(|c| format!("{}: {} -> {}", c.column, json_text(&c.old), json_text(&c.new)))
            .collect::<Vec<_>>()
            .join(", "),
        ChangeOp::Delete => "deleted".into(),
        ChangeOp::Insert => "inserted".into(),
    };
    let database = if with_database { format!("  {}", entry.database) } else { String::new() };
    format!("{}  {}{database}  {} {}  {what}", entry.time, entry.action, entry.table, key.join(" "))
}
