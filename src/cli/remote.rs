//! `--remote`: the commands that already run on a remote D1 over its REST API (`tables`, `sql`),
//! and a clear refusal for the others until they do.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rusqlite::types::Value;
use serde::Serialize;

use super::{GlobalArgs, UsageError, describe_kind};
use crate::audit::{AuditColumn, AuditEntry, append_audit_to, audit_log_path};
use crate::db::backend::d1::{D1Backend, MAX_STATEMENT_BYTES, restore_point};
use crate::db::backend::{Backend, Statement, Step};
use crate::db::error::DbError;
use crate::db::kinds::{ColumnKind, classify_column};
use crate::db::query::{ResultColumn, Returned, is_read_only};
use crate::db::schema::{RelationType, TableInfo, quote_ident};
use crate::present::plural;
use crate::project::remote::{RemoteInput, resolve_remote, wrangler_auth_token};

/// `--write` and `--database-id` only mean something with `--remote`.
pub fn check_flags(global: &GlobalArgs) -> Result<()> {
    if !global.remote && (global.write || global.database_id.is_some()) {
        let flag = if global.write { "--write" } else { "--database-id" };
        return Err(UsageError(format!("{flag} only applies to a remote database: add --remote")).into());
    }
    if global.remote && global.db.is_some() {
        return Err(UsageError("--remote and --db name different databases: give one".into()).into());
    }
    if let Some(id) = &global.database_id {
        check_database_id(id)?;
    }
    Ok(())
}

/// A D1 database id is a UUID: anything else is a typo (or a name given for an id), refused
/// before a request is sent rather than after a 404 from the API.
pub fn check_database_id(id: &str) -> Result<()> {
    if uuid::Uuid::try_parse(id.trim()).is_ok() {
        return Ok(());
    }
    Err(UsageError(format!(
        "--database-id {id:?} is not a D1 database id: it is a UUID such as 7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34 \
         (`wrangler d1 list` shows them; `--d1 NAME` picks a database by name from the wrangler config); nothing was sent"
    ))
    .into())
}

/// The refusal for a command that does not run on a remote database yet (exit 2), so it never
/// quietly falls back to a local file.
pub fn not_yet(command: &str) -> anyhow::Error {
    UsageError(format!("{command} is not yet supported on a remote database (--remote); nothing was read or written"))
        .into()
}

/// Connects to the remote D1 the flags, environment and wrangler config name.
pub fn open_remote(global: &GlobalArgs) -> Result<D1Backend> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let env = |name: &str| std::env::var(name).ok();
    let resolved = resolve_remote(&RemoteInput {
        dir: &cwd,
        database_id: global.database_id.as_deref(),
        d1: global.d1.as_deref(),
        write: global.write,
        env: &env,
        wrangler_token: &wrangler_auth_token,
    })?;
    Ok(D1Backend::new(resolved.settings))
}

/// What the session cost, on stderr: D1 bills rows read.
pub fn report_cost(db: &D1Backend) {
    eprintln!("{}", cost_line(db));
}

fn cost_line(db: &D1Backend) -> String {
    crate::db::backend::d1::cost_line(&db.describe_target(), &db.session_cost())
}

/// A failed command's cost line, kept until its error is printed: the error comes first.
static COST_AFTER_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Reports what a command's session cost: now when it succeeded, after its error when it failed
/// (see [`print_cost_after_error`]).
pub fn report_cost_of<T>(db: &D1Backend, result: Result<T>) -> Result<T> {
    match &result {
        Ok(_) => report_cost(db),
        Err(_) => {
            if let Ok(mut kept) = COST_AFTER_ERROR.lock() {
                *kept = Some(cost_line(db));
            }
        }
    }
    result
}

/// Prints the cost line a failed remote command kept, once its error is out.
pub fn print_cost_after_error() {
    if let Some(line) = COST_AFTER_ERROR.lock().ok().and_then(|mut kept| kept.take()) {
        eprintln!("{line}");
    }
}

#[derive(Debug, Serialize)]
struct RemoteTables {
    database: String,
    tables: Vec<RemoteTable>,
}

#[derive(Debug, Serialize)]
struct RemoteTable {
    name: String,
    #[serde(rename = "type")]
    relation: RelationType,
    /// `max(rowid)` (one row read) unless `--exact`: an estimate, above the count after deletes.
    rows: Option<u64>,
    rows_exact: bool,
    columns: Vec<RemoteColumn>,
}

#[derive(Debug, Serialize)]
struct RemoteColumn {
    name: String,
    #[serde(rename = "type")]
    decl_type: String,
    not_null: bool,
    primary_key: bool,
    #[serde(flatten)]
    kind: ColumnKind,
}

/// `squall tables --remote`: the schema in one request, the counts in one more. Kinds come from
/// names, declared types and keys only: sampling values would read thousands of billed rows.
pub fn tables(json: bool, exact: bool, global: &GlobalArgs) -> Result<ExitCode> {
    let db = open_remote(global)?;
    let schema = db.describe()?;
    let counts = row_counts(&db, &schema, exact)?;
    let tables = schema
        .iter()
        .zip(counts)
        .map(|(info, rows)| RemoteTable {
            name: info.name.clone(),
            relation: info.relation,
            rows,
            rows_exact: exact,
            columns: info
                .columns
                .iter()
                .map(|c| RemoteColumn {
                    name: c.name.clone(),
                    decl_type: c.decl_type.clone(),
                    not_null: c.not_null,
                    primary_key: c.pk_position > 0,
                    kind: classify_column(info, &c.name, &c.decl_type, &[]),
                })
                .collect(),
        })
        .collect();
    let output = RemoteTables { database: db.describe_target(), tables };
    if json {
        println!("{}", serde_json::to_string_pretty(&output)?);
    } else {
        print_tables(&output);
    }
    report_cost(&db);
    Ok(ExitCode::SUCCESS)
}

/// Every table's count in one statement of scalar subqueries (chunked to stay under D1's
/// statement size). `max(rowid)` reads one row per table; `count(*)` reads them all. Views and
/// WITHOUT ROWID tables have no estimate.
fn row_counts(db: &D1Backend, schema: &[TableInfo], exact: bool) -> Result<Vec<Option<u64>>> {
    let parts: Vec<Option<String>> = schema
        .iter()
        .map(|t| match (t.relation, t.without_rowid, exact) {
            (RelationType::View, _, _) => None,
            (_, _, true) => Some(format!("(SELECT count(*) FROM {})", quote_ident(&t.name))),
            (_, true, false) => None,
            (_, false, false) => Some(format!("(SELECT coalesce(max(rowid), 0) FROM {})", quote_ident(&t.name))),
        })
        .collect();
    let wanted: Vec<(usize, &String)> =
        parts.iter().enumerate().filter_map(|(i, p)| p.as_ref().map(|p| (i, p))).collect();
    let mut counts = vec![None; schema.len()];
    let mut start = 0;
    while start < wanted.len() {
        let mut end = start;
        let mut bytes = 7;
        while end < wanted.len() && (end == start || bytes + wanted[end].1.len() + 2 < MAX_STATEMENT_BYTES) {
            bytes += wanted[end].1.len() + 2;
            end += 1;
        }
        let sql =
            format!("SELECT {}", wanted[start..end].iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join(", "));
        let rows = db.query(&Statement::plain(sql))?;
        let values = rows.rows.first().cloned().unwrap_or_default();
        for ((i, _), value) in wanted[start..end].iter().zip(values) {
            counts[*i] = match value {
                Value::Integer(n) => Some(n.max(0) as u64),
                Value::Real(f) => Some(f.max(0.0) as u64),
                _ => None,
            };
        }
        start = end;
    }
    Ok(counts)
}

fn print_tables(output: &RemoteTables) {
    println!("{}", output.database);
    for table in &output.tables {
        let relation = match table.relation {
            RelationType::Table => "table",
            RelationType::View => "view",
        };
        let rows = match (table.rows, table.rows_exact) {
            (Some(n), true) => plural(n, "row"),
            (Some(n), false) => format!("~{} (max rowid; --exact counts)", plural(n, "row")),
            (None, _) => "rows not estimated".to_string(),
        };
        println!("\n{} ({relation}, {rows})", table.name);
        let name_width = table.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
        let type_width = table.columns.iter().map(|c| c.decl_type.len()).max().unwrap_or(0).max(4);
        for column in &table.columns {
            let marker = if column.primary_key { "pk" } else { "  " };
            let decl = if column.decl_type.is_empty() { "-" } else { &column.decl_type };
            println!("  {marker} {:name_width$}  {decl:type_width$}  {}", column.name, describe_kind(&column.kind));
        }
    }
}

/// The remote schema replayed into an in-memory database, so SQLite itself says whether a
/// statement only reads (one request; a statement it cannot prepare fails as it would on D1).
fn shadow_schema(db: &D1Backend) -> Result<rusqlite::Connection> {
    let rows = db.query(&Statement::plain(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END",
    ))?;
    let shadow = rusqlite::Connection::open_in_memory()?;
    for row in &rows.rows {
        if let Some(Value::Text(sql)) = row.first() {
            // An object the bundled SQLite cannot create (a module it lacks) is left out.
            let _ = shadow.execute_batch(sql);
        }
    }
    Ok(shadow)
}

/// `squall sql --remote`: a read goes to `…/raw`; a write needs `--write`, a confirmation (the
/// database name typed, or `--yes` without a terminal), and runs as one atomic request after
/// the time-travel bookmark is taken.
/// How `squall sql` prints rows, and whether it prints JSON (the summary then goes to stderr).
pub struct SqlOutput<'a> {
    pub print: &'a dyn Fn(&Returned) -> Result<()>,
    pub json: bool,
}

pub fn sql(statement: &str, output: &SqlOutput, yes: bool, from_stdin: bool, global: &GlobalArgs) -> Result<ExitCode> {
    let db = open_remote(global)?;
    let shadow = shadow_schema(&db)?;
    let reads = is_read_only(&shadow, statement).context("checking the statement against the remote schema")?;
    if reads {
        let rows = db.query(&Statement::plain(statement))?;
        (output.print)(&returned(rows.columns, rows.rows))?;
        report_cost(&db);
        return Ok(ExitCode::SUCCESS);
    }
    if !global.write {
        return Err(DbError::ReadOnly(format!(
            "{}: refusing to run a statement that changes data: a remote database is read-only unless you add --write; nothing was written",
            db.describe_target()
        ))
        .into());
    }
    if !confirm_remote(&db, &format!("  {statement}"), yes, from_stdin)? {
        eprintln!("squall: cancelled; nothing was written");
        return Ok(ExitCode::from(super::EXIT_ERROR));
    }
    let outcome = db.atomic(&[Step::any(Statement::plain(statement))])?;
    let first = outcome.into_iter().next().unwrap_or_default();
    let has_rows = !first.rows.columns.is_empty();
    if has_rows {
        (output.print)(&returned(first.rows.columns, first.rows.rows))?;
    }
    let summary = format!("{} changed\ndatabase: {}", plural(first.changes, "row"), db.describe_target());
    if output.json && has_rows {
        eprintln!("{summary}")
    } else {
        println!("{summary}")
    }
    print_restore_point(&db);
    let entry = sql_entry(&crate::db::query::redact_sql(&shadow, statement), first.changes);
    append_audit_to(&audit_log_path()?, &on_remote(&db, vec![entry]))
        .context("the change was committed, but squall's log could not be written")?;
    report_cost(&db);
    Ok(ExitCode::SUCCESS)
}

/// Asks before a change to the remote database: `--yes`, else its name typed on a terminal.
/// `what` (the statements, or a preview) is shown first. Refuses (bad usage) without a terminal
/// to ask on; `Ok(false)` when the answer was not the name.
pub fn confirm_remote(db: &D1Backend, what: &str, yes: bool, stdin_taken: bool) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    let name = db.display_name().to_string();
    if stdin_taken || !std::io::stdin().is_terminal() {
        return Err(UsageError(format!(
            "refusing to change the remote database {name} without confirmation (stdin is not a terminal to ask on); pass --yes to run it; nothing was written"
        ))
        .into());
    }
    eprint!("this changes the REMOTE database {}:\n{what}\ntype its name ({name}) to run it: ", db.describe_target());
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == name)
}

/// After a write, on stderr: the bookmark taken before it and the command that restores it.
pub fn print_restore_point(db: &D1Backend) {
    if let (Some(bookmark), Some(restore)) = (db.last_bookmark(), db.restore_command()) {
        eprintln!("time-travel bookmark before the change: {bookmark}\n{}", restore_point(&restore));
    }
}

/// Audit entries of a change on a remote D1: named by the database (`D1 name (id)`), with the
/// bookmark taken before the change and the command that restores it.
pub fn on_remote(db: &D1Backend, mut entries: Vec<AuditEntry>) -> Vec<AuditEntry> {
    for entry in &mut entries {
        entry.database = db.describe_target();
        entry.bookmark = db.last_bookmark();
        entry.restore = db.restore_command();
    }
    entries
}

/// The audit entry of a statement run with `squall sql --remote --write`: the SQL and how many
/// rows it changed (the rows themselves are not read back on remote: that would be billed).
fn sql_entry(statement: &str, changes: u64) -> AuditEntry {
    let column =
        |name: &str, new: serde_json::Value| AuditColumn { column: name.into(), old: serde_json::Value::Null, new };
    AuditEntry {
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        database: String::new(),
        action: crate::audit::SQL_ACTION.into(),
        table: String::new(),
        op: crate::db::change::ChangeOp::Update,
        key: serde_json::Map::new(),
        changes: vec![column("sql", statement.into()), column("rows", changes.into())],
        bookmark: None,
        restore: None,
        outcome: None,
    }
}

fn returned(columns: Vec<String>, rows: Vec<Vec<Value>>) -> Returned {
    let total = rows.len() as u64;
    let columns = columns.into_iter().map(|name| ResultColumn { name, decl_type: String::new() }).collect();
    Returned { columns, rows, total }
}
