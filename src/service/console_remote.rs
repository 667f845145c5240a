//! The SQL console on a remote D1: the same [`ConsoleRequest`]s as the local console, answered
//! over the [`Remote`] seam.
//!
//! D1 returns a statement's whole result in one response and bills every row it reads, so a
//! read is never sent bare: the first batch is `SELECT * FROM (\n{sql}\n) LIMIT ?` (the batch plus
//! one row, to know whether more follow), later batches are `LIMIT ? OFFSET ?` (D1 bills the rows
//! OFFSET skips: the app says so once), and the jump to the end counts then reads the tail in ONE
//! request. Nothing stays open on the server between requests, so nothing is held here but the
//! statement's text. A statement that cannot be wrapped (PRAGMA, EXPLAIN) runs as written and its
//! result, which came whole anyway, is kept here and served from memory.
//!
//! Whether a statement reads or writes, its result columns and its parameters are told by SQLite
//! itself, without a round trip per statement: the statement is prepared on a *shadow*, an
//! in-memory SQLite holding the remote schema's DDL (`sqlite_master.sql`, read once per session in
//! one small request and again after a DDL statement). The DDL rather than the cached
//! `describe_schema` rows, because it is exact: a view's columns keep their declared types, CHECKs
//! and virtual tables are there, so `sqlite3_stmt_readonly` and the column list are the server's.
//! Tables whose DDL the bundled SQLite cannot replay fall back to their columns from the cached
//! schema. `db::query::preview_write` runs on the shadow for what it reads from the statement
//! alone (its kind, whether it has a WHERE); the rows an UPDATE / DELETE matches are counted on
//! the server (one request) when an index serves the count, and not counted when the shadow's
//! plan says the count would scan the table (billed for every row before anyone said yes).
//!
//! A write goes through the one write pipeline ([`crate::db::write::execute`]): refused when the
//! session is read-only, else ONE atomic request, after the time-travel bookmark the D1 client
//! takes before every write; the audit entry carries the bookmark and its restore command.

use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::protocol::{AuditTarget, ConsoleRequest, ConsoleResult, RequestId, RowBatch};
use super::remote::Remote;
use crate::audit::{SQL_ACTION, append_audit_to, sql_entries};
use crate::db::backend::{Backend, Statement, Step};
use crate::db::error::DbError;
use crate::db::query::{
    PlanNode, ResultColumn, Returned, WriteKind, WritePreview, WriteReport, matching_count_sql, prepare_typed,
    preview_write, redact_sql, result_columns, result_kinds, write_kind, write_table,
};
use crate::db::scan::estimate_rows;
use crate::db::schema::{describe_schema, is_internal_table, quote_ident};
use crate::present::group_thousands;

/// The remote schema's DDL, user objects only (`_cf_*` and `sqlite_*` are the server's), tables
/// first so the indexes, views and triggers after them find what they name.
const SHADOW_DDL_SQL: &str = "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL \
     AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END";

/// The console's state on a remote: the shadow schema and the statement being paged.
pub struct RemoteConsole {
    remote: Remote,
    shadow: Option<Connection>,
    /// The request that started the statement paged now, and how it is paged.
    stream: Option<(RequestId, Stream)>,
}

/// How more rows of a statement are read.
enum Stream {
    /// A wrapped read: rows by `LIMIT` / `OFFSET` over it, nothing held.
    Paged { sql: String, width: usize },
    /// A statement that cannot be wrapped: its whole result, which came in one response.
    Held { rows: Vec<Vec<Value>> },
}

/// What the shadow says of a statement.
struct Checked {
    readonly: bool,
    columns: Vec<ResultColumn>,
    /// `SELECT * FROM (...)` over it prepares, with the same columns.
    wrappable: bool,
}

impl RemoteConsole {
    pub fn new(remote: Remote) -> RemoteConsole {
        RemoteConsole { remote, shadow: None, stream: None }
    }

    /// Answers one console request (request `id`), as the local console's worker would.
    pub fn answer(&mut self, id: RequestId, request: ConsoleRequest) -> Result<ConsoleResult> {
        let started = Instant::now();
        let timed = |mut batch: RowBatch| {
            batch.elapsed_ms = started.elapsed().as_millis() as u64;
            ConsoleResult::Rows(batch)
        };
        match request {
            ConsoleRequest::Run { sql, batch } => {
                self.stream = None;
                self.run(id, sql, batch).map(|result| match result {
                    ConsoleResult::Rows(batch) => timed(batch),
                    other => other,
                })
            }
            ConsoleRequest::Fetch { stream, from, rows } => self.fetch(stream, from, rows).map(timed),
            ConsoleRequest::ToEnd { stream, keep } => self.to_end(stream, keep).map(timed),
            ConsoleRequest::Write { sql, audit } => {
                self.stream = None;
                self.write(&sql, &audit)
            }
            ConsoleRequest::Plan { sql } => Ok(ConsoleResult::Plan(remote_plan(&self.remote, &sql)?)),
            ConsoleRequest::Schema => {
                // From the schema the session read at start (no request once it is cached).
                let tables = describe_schema(&self.remote)?;
                Ok(ConsoleResult::Schema(
                    tables
                        .into_iter()
                        .filter(|t| !is_internal_table(&t.name))
                        .map(|t| (t.name, t.columns.into_iter().map(|c| c.name).collect()))
                        .collect(),
                ))
            }
        }
    }

    fn shadow(&mut self) -> Result<&Connection> {
        if self.shadow.is_none() {
            self.shadow = Some(build_shadow(&self.remote).context("reading the remote schema for the console")?);
        }
        self.shadow.as_ref().ok_or_else(|| anyhow!("the remote schema could not be read"))
    }

    fn check(&mut self, sql: &str) -> Result<Checked> {
        if self.shadow.as_ref().is_some_and(|shadow| shadow.prepare(sql).is_err()) {
            // The copy may be older than the remote schema (another process migrated it): read
            // again once before saying the statement is wrong.
            self.shadow = None;
        }
        let shadow = self.shadow()?;
        let stmt = prepare_typed(shadow, sql)
            .map_err(|err| anyhow!("{err:#} (checked against the remote schema before sending; nothing was sent)"))?;
        let params = stmt.parameter_count();
        if params > 0 {
            return Err(DbError::Invalid(format!(
                "the statement has {params} parameter{} (?): the console binds none, write the values in; nothing was sent",
                if params == 1 { "" } else { "s" }
            ))
            .into());
        }
        let columns = result_columns(&stmt);
        let wrappable = shadow
            .prepare(&format!("SELECT * FROM (\n{sql}\n) LIMIT ?1"))
            .is_ok_and(|wrapped| wrapped.column_count() == columns.len());
        Ok(Checked { readonly: stmt.readonly(), columns, wrappable })
    }

    fn run(&mut self, id: RequestId, sql: String, batch: usize) -> Result<ConsoleResult> {
        let checked = self.check(&sql)?;
        if !checked.readonly {
            return Ok(ConsoleResult::NeedsConfirm { preview: self.preview(&sql)? });
        }
        let width = checked.columns.len();
        let (rows, held) = if checked.wrappable {
            let wrapped = format!("SELECT * FROM (\n{sql}\n) LIMIT ?1");
            (self.remote.query(&Statement::new(wrapped, vec![count_value(batch + 1)]))?, false)
        } else {
            (self.remote.query(&Statement::plain(sql.as_str()))?, true)
        };
        let columns = if rows.columns.len() == width || rows.rows.is_empty() {
            checked.columns
        } else {
            // The server's names when the shadow saw another shape (it cannot, in principle).
            rows.columns.iter().map(|name| ResultColumn { name: name.clone(), decl_type: String::new() }).collect()
        };
        let width = columns.len();
        let all = fit_width(rows.rows, width);
        let done = all.len() <= batch;
        let first: Vec<Vec<Value>> = all.iter().take(batch).cloned().collect();
        let kinds = result_kinds(&columns, &first);
        if !done {
            let stream = if held { Stream::Held { rows: all } } else { Stream::Paged { sql, width } };
            self.stream = Some((id, stream));
        }
        let seen = first.len() as u64;
        Ok(ConsoleResult::Rows(RowBatch {
            columns: Some((columns, kinds)),
            first: 0,
            rows: first,
            done,
            seen,
            elapsed_ms: 0,
        }))
    }

    fn stream(&self, id: RequestId) -> Result<&Stream> {
        match &self.stream {
            Some((started, stream)) if *started == id => Ok(stream),
            _ => Err(anyhow!("the statement is no longer running: run it again")),
        }
    }

    /// Rows `from .. from + count`: one `LIMIT` / `OFFSET` request (one row more, to know
    /// whether the result goes on), or from the result held.
    fn fetch(&self, id: RequestId, from: u64, count: usize) -> Result<RowBatch> {
        match self.stream(id)? {
            Stream::Paged { sql, width } => {
                let paged = format!("SELECT * FROM (\n{sql}\n) LIMIT ?1 OFFSET ?2");
                let params = vec![count_value(count + 1), Value::Integer(from as i64)];
                let mut rows = fit_width(self.remote.query(&Statement::new(paged, params))?.rows, *width);
                let done = rows.len() <= count;
                rows.truncate(count);
                let seen = from + rows.len() as u64;
                Ok(RowBatch { columns: None, first: from, rows, done, seen, elapsed_ms: 0 })
            }
            Stream::Held { rows } => {
                let start = (from as usize).min(rows.len());
                let end = start.saturating_add(count).min(rows.len());
                let batch = rows[start..end].to_vec();
                Ok(RowBatch {
                    columns: None,
                    first: start as u64,
                    rows: batch,
                    done: end == rows.len(),
                    seen: end as u64,
                    elapsed_ms: 0,
                })
            }
        }
    }

    /// The last `keep` rows. Paged: ONE request that counts the result and reads its tail (a
    /// CTE holds the count, read by both the first column and the OFFSET); D1 bills the count's
    /// rows and the skipped ones, never more than reading the result through would.
    fn to_end(&self, id: RequestId, keep: usize) -> Result<RowBatch> {
        match self.stream(id)? {
            Stream::Paged { sql, width } => {
                let tail = format!(
                    "WITH squall_total(n) AS (SELECT count(*) FROM (\n{sql}\n))\n\
                     SELECT (SELECT n FROM squall_total), * FROM (\n{sql}\n) \
                     LIMIT ?1 OFFSET (SELECT max(n - ?1, 0) FROM squall_total)"
                );
                let rows = self.remote.query(&Statement::new(tail, vec![count_value(keep)]))?.rows;
                let total = match rows.first().and_then(|row| row.first()) {
                    Some(Value::Integer(n)) => (*n).max(0) as u64,
                    Some(Value::Real(n)) => n.max(0.0) as u64,
                    _ => 0,
                };
                let rows: Vec<Vec<Value>> = rows.into_iter().map(|row| row.into_iter().skip(1).collect()).collect();
                let rows = fit_width(rows, *width);
                let first = total.saturating_sub(rows.len() as u64);
                Ok(RowBatch { columns: None, first, rows, done: true, seen: total, elapsed_ms: 0 })
            }
            Stream::Held { rows } => {
                let start = rows.len().saturating_sub(keep);
                let total = rows.len() as u64;
                Ok(RowBatch {
                    columns: None,
                    first: start as u64,
                    rows: rows[start..].to_vec(),
                    done: true,
                    seen: total,
                    elapsed_ms: 0,
                })
            }
        }
    }

    /// What a write would do: its kind and WHERE from the statement (on the shadow), the rows an
    /// UPDATE / DELETE matches counted on the server when an index serves the count. A count that
    /// would SCAN the table (the shadow's `EXPLAIN QUERY PLAN` says so, for nothing) is not sent:
    /// it would be billed for every row, before the person has said yes to anything; the
    /// confirmation says what it would read instead (`~N` from `max(rowid)`, one row read). What a
    /// DELETE cascades is not counted on a remote (a count per referencing table, each billed).
    fn preview(&mut self, sql: &str) -> Result<WritePreview> {
        let mut preview = preview_write(self.shadow()?, sql)?;
        preview.cascade = None;
        preview.matching = None;
        // A read-only session refuses the write anyway: nothing is counted (and billed) for it.
        let read_only = self.remote.capabilities().read_only;
        let Some(count) = matching_count_sql(sql).filter(|_| !read_only) else { return Ok(preview) };
        if let Some(table) = self.count_scans(sql, &count)? {
            let rows = estimate_rows(&self.remote, &[table.as_str()])
                .map_or_else(|_| "every row".to_string(), |n| format!("~{} rows", group_thousands(n)));
            let why = if preview.filtered { "no index serves the WHERE" } else { "no WHERE" };
            preview.not_counted =
                Some(format!("counting would read {rows} of {table} ({why}); running it reads them too"));
            return Ok(preview);
        }
        preview.matching = Some(crate::db::write::read::count_on(&self.remote, &Statement::plain(count))?);
        Ok(preview)
    }

    /// The table the count of a write's matches would scan, by its plan on the shadow (the same
    /// schema as the server's, so the same plan); `None` when an index serves it.
    fn count_scans(&mut self, sql: &str, count: &str) -> Result<Option<String>> {
        let shadow = self.shadow()?;
        let mut stmt = shadow.prepare(&format!("EXPLAIN QUERY PLAN {count}"))?;
        let details: Vec<String> =
            stmt.query_map([], |row| row.get::<_, String>(3))?.collect::<rusqlite::Result<_>>()?;
        let scans = details.iter().any(|detail| detail.starts_with("SCAN "));
        Ok(scans.then(|| write_table(sql)).flatten())
    }

    /// Runs a write as ONE atomic request through the write pipeline (the D1 client takes the
    /// time-travel bookmark first), then records it with the bookmark and its restore command.
    /// The rows it changed are not read back: that would be billed, and the bookmark is the undo.
    fn write(&mut self, sql: &str, audit: &AuditTarget) -> Result<ConsoleResult> {
        let kind = write_kind(sql);
        let audit_sql = redact_sql(self.shadow()?, sql);
        let describe = crate::db::write::Describe {
            step: &|_| "the statement".to_string(),
            kept: "the statement stays in the editor",
            foreign_key: None,
        };
        let outcomes = crate::db::write::execute(&self.remote, &[Step::any(Statement::plain(sql))], &describe)
            .map_err(|err| {
                let planned = || {
                    let database = &audit.database;
                    super::unknown::planned_statements(
                        database,
                        SQL_ACTION,
                        "",
                        Default::default(),
                        std::slice::from_ref(&audit_sql),
                    )
                };
                super::unknown::record_unknown_outcome(Some(&self.remote), audit, planned, err)
            })?;
        let outcome = outcomes.into_iter().next().unwrap_or_default();
        if kind == WriteKind::Schema {
            // The schema changed: the shadow and the session's cached copy are read again.
            self.shadow = None;
            self.remote.forget_schema();
        }
        let returned = (!outcome.rows.columns.is_empty()).then(|| Returned {
            columns: outcome
                .rows
                .columns
                .iter()
                .map(|name| ResultColumn { name: name.clone(), decl_type: String::new() })
                .collect(),
            total: outcome.rows.rows.len() as u64,
            rows: outcome.rows.rows,
        });
        let changes = (kind != WriteKind::Schema).then_some(outcome.changes);
        let report = WriteReport { changes, kind, returned, rows: Vec::new(), audit_sql, unchanged: None };
        let entries = sql_entries(&audit.database, &report, chrono::Utc::now());
        append_audit_to(&audit.file, &super::remote_marks(Some(&self.remote), entries))
            .context("the change was committed, but squall's log could not be written")?;
        let undo = self.remote.database().restore_command();
        Ok(ConsoleResult::Written { report, undo })
    }
}

/// A row count as a bound value.
fn count_value(n: usize) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Rows cut or padded to `width` values (the grid indexes them by the columns).
fn fit_width(rows: Vec<Vec<Value>>, width: usize) -> Vec<Vec<Value>> {
    rows.into_iter()
        .map(|mut row| {
            row.resize(width, Value::Null);
            row
        })
        .collect()
}

/// The in-memory copy of the remote schema (one request).
fn build_shadow(remote: &Remote) -> Result<Connection> {
    let rows = remote.query(&Statement::plain(SHADOW_DDL_SQL))?;
    let shadow = Connection::open_in_memory()?;
    for row in &rows.rows {
        if let Some(Value::Text(ddl)) = row.first() {
            // An object the bundled SQLite cannot create (a module it lacks) is left out; a
            // table among them comes back from the cached schema below.
            let _ = shadow.execute_batch(ddl);
        }
    }
    for table in describe_schema(remote)? {
        let exists: bool =
            shadow
                .query_row("SELECT count(*) > 0 FROM sqlite_schema WHERE name = ?1", [&table.name], |row| row.get(0))?;
        if exists || is_internal_table(&table.name) || table.columns.is_empty() {
            continue;
        }
        let columns: Vec<String> =
            table.columns.iter().map(|c| format!("{} {}", quote_ident(&c.name), c.decl_type)).collect();
        let _ = shadow.execute_batch(&format!("CREATE TABLE {} ({})", quote_ident(&table.name), columns.join(", ")));
    }
    Ok(shadow)
}

/// `EXPLAIN QUERY PLAN` run on the server, as a tree. A full scan is noted (D1 bills each row it
/// reads); row counts are not read to weigh it, as the local console does, since each is billed.
fn remote_plan(remote: &Remote, sql: &str) -> Result<Vec<PlanNode>> {
    let rows = remote
        .query(&Statement::plain(format!("EXPLAIN QUERY PLAN {sql}")))
        .map_err(|err| anyhow!("D1 did not answer EXPLAIN QUERY PLAN for this statement: {err:#}"))?;
    let int = |v: Option<&Value>| match v {
        Some(Value::Integer(n)) => *n,
        Some(Value::Real(n)) => *n as i64,
        _ => 0,
    };
    let detail_at = rows.column("detail").unwrap_or(3);
    let raw: Vec<(i64, i64, String)> = rows
        .rows
        .iter()
        .map(|row| {
            let detail = match row.get(detail_at) {
                Some(Value::Text(text)) => text.clone(),
                _ => String::new(),
            };
            (int(row.first()), int(row.get(1)), detail)
        })
        .collect();
    let mut nodes = Vec::new();
    plan_walk(&raw, 0, 0, &mut nodes);
    for node in &mut nodes {
        if node.detail.starts_with("SCAN ") && !node.detail.contains("COVERING INDEX") {
            node.note = Some("reads every row it scans: D1 bills each one".to_string());
        }
    }
    Ok(nodes)
}

fn plan_walk(raw: &[(i64, i64, String)], parent: i64, depth: usize, out: &mut Vec<PlanNode>) {
    for (id, p, detail) in raw.iter().filter(|(_, p, _)| *p == parent) {
        out.push(PlanNode { id: *id, parent: *p, detail: detail.clone(), depth, warning: None, note: None });
        if *id != parent {
            plan_walk(raw, *id, depth + 1, out);
        }
    }
}

#[cfg(test)]
#[path = "console_remote_tests.rs"]
mod tests;
