//! Exporting rows as CSV, JSON, NDJSON or SQL `INSERT`s: one streamed statement, each row
//! written as it is read, so memory stays flat at any table size.
//!
//! The source is a table's view (filters, search and sort as on screen) or, for the SQL
//! console, any statement that only reads. Secrets (by column kind) are redacted unless asked.

mod cells;
mod exact;
mod paged;

use std::io::Write;

use anyhow::{Result, bail};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::backend::Backend;
use super::kinds::{ColumnKind, infer_kinds, is_secret_name};
use super::page::{RowKey, View, view_statement};
use super::schema::{DescribeTable, describe_table, quote_ident};
use cells::{Cells, RowWriter};
pub use paged::{PagedPlan, export_pages, plan_paged_export};

/// What `redacted` cells hold instead of the secret (NULL stays NULL, so "has a password" shows).
pub const REDACTED: &str = "[redacted]";

/// Rows between two progress reports.
pub const PROGRESS_EVERY: u64 = 4096;

/// Rows per `INSERT` statement in SQL output: small enough for D1's statement size limit.
pub const SQL_BATCH_ROWS: usize = 100;

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportSource {
    /// A table or view as the grid shows it: its filters, search and sort.
    Table(View),
    /// A statement that only reads (a SQL console result).
    Query { sql: String },
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Cells as `sqlite3 -csv -header` prints them.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// `INSERT` statements that recreate the rows in a database with the same schema.
    Sql,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson, ExportFormat::Sql];

    /// The file extension (also the format's name).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Sql => "sql",
        }
    }
}

/// How to write the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// Write secrets as stored instead of [`REDACTED`].
    pub include_secrets: bool,
    /// Add an ISO-8601 column (`<name>_iso`) after each timestamp column.
    pub iso_dates: bool,
}

/// One output column and what it means for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportColumn {
    pub name: String,
    pub secret: bool,
    pub timestamp: bool,
}

/// The statement to run and the columns it yields.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPlan {
    pub sql: String,
    pub params: Vec<Value>,
    pub columns: Vec<ExportColumn>,
    /// The table the rows belong to (for SQL output); `None` for a query.
    pub table: Option<String>,
}

impl ExportPlan {
    /// The columns whose values will be redacted under `options`.
    pub fn redacted(&self, options: &ExportOptions) -> Vec<String> {
        if options.include_secrets {
            return Vec::new();
        }
        self.columns.iter().filter(|c| c.secret).map(|c| c.name.clone()).collect()
    }
}

/// The export was stopped by its caller (the progress callback said so).
#[derive(Debug, thiserror::Error)]
#[error("export cancelled")]
pub struct Cancelled;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub rows: u64,
    /// Columns written as [`REDACTED`].
    pub redacted: Vec<String>,
}

/// What an export from a remote cost: D1 bills rows read, and every request is a round trip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCost {
    pub requests: u64,
    pub rows_read: u64,
}

impl std::fmt::Display for RequestCost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let requests = if self.requests == 1 { "request" } else { "requests" };
        let rows = if self.rows_read == 1 { "row" } else { "rows" };
        write!(
            f,
            "{} {requests}, {} {rows} read",
            crate::present::group_thousands(self.requests),
            crate::present::group_thousands(self.rows_read)
        )
    }
}

/// Builds the statement for `source` and learns what its columns mean (secrets, timestamps).
///
/// Stays on `Connection` for a query source: telling a statement that only reads from one that
/// writes, and naming its columns, takes SQLite's prepare, which a remote does not offer. A
/// table's view plans on any backend ([`plan_view_export`]).
pub fn plan_export(conn: &Connection, source: &ExportSource) -> Result<ExportPlan> {
    match source {
        ExportSource::Table(view) => plan_view_export(conn, view),
        ExportSource::Query { sql } => {
            let stmt = conn.prepare(sql)?;
            if !stmt.readonly() {
                bail!("export runs only statements that read; this one writes: {sql}");
            }
            // Without the table behind each column, the name alone decides what is secret.
            let columns = stmt
                .column_names()
                .into_iter()
                .map(|name| ExportColumn { secret: is_secret_name("", name), timestamp: false, name: name.to_string() })
                .collect();
            Ok(ExportPlan { sql: sql.clone(), params: Vec::new(), columns, table: None })
        }
    }
}

/// The plan for a table's view (filters, search and sort as on screen): the schema, the samples
/// that tell secrets and timestamps, and the one statement that reads every row.
pub fn plan_view_export<B: Backend + ?Sized>(db: &B, view: &View) -> Result<ExportPlan> {
    let info = describe_table(db, &DescribeTable { name: &view.table })?;
    let kinds = infer_kinds(db, &info)?;
    let mut columns = Vec::with_capacity(view.columns.len());
    for name in &view.columns {
        let Some(index) = info.columns.iter().position(|c| &c.name == name) else {
            bail!("table {} has no column {}", quote_ident(&view.table), quote_ident(name));
        };
        let kind = &kinds[index];
        columns.push(ExportColumn {
            name: name.clone(),
            secret: *kind == ColumnKind::Secret,
            timestamp: matches!(kind, ColumnKind::Timestamp { .. }),
        });
    }
    let (sql, params) = view_statement(db, view)?;
    let table = (view.key != RowKey::Position).then(|| view.table.clone());
    Ok(ExportPlan { sql, params, columns, table })
}

/// A table's whole contents in storage order: the view `squall export TABLE` writes.
pub fn whole_table_view<B: Backend + ?Sized>(db: &B, table: &str) -> Result<View> {
    let info = describe_table(db, &DescribeTable { name: table })?;
    Ok(View {
        table: info.name.clone(),
        columns: info.columns.iter().map(|c| c.name.clone()).collect(),
        key: RowKey::for_table(&info),
        sort: None,
        filters: Vec::new(),
        search: None,
    })
}

/// Input of [`export_rows`].
pub struct ExportInput<'a> {
    pub plan: &'a ExportPlan,
    pub options: &'a ExportOptions,
}

/// Runs the plan's statement and writes every row to `out`, one at a time. `progress` gets the
/// rows written so far every [`PROGRESS_EVERY`] rows and at the end; returning `false` stops the
/// export with [`Cancelled`].
///
/// Stays on `Connection`: rows stream as `ValueRef`s borrowed from SQLite without a copy, and
/// REAL cells ask SQLite for its own text of them. A remote reads in pages instead
/// ([`export_pages`]), through the same [`RowSink`].
pub fn export_rows(
    conn: &Connection,
    input: &ExportInput,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<ExportSummary> {
    let mut sink = RowSink::begin(input, Cells::new(conn), out, progress)?;
    let mut stmt = conn.prepare(&input.plan.sql)?;
    let mut rows = stmt.query(params_from_iter(input.plan.params.iter()))?;
    let width = input.plan.columns.len();
    while let Some(row) = rows.next()? {
        // The cells borrow from the row, so the vector cannot outlive it (one small allocation).
        let values = (0..width).map(|i| row.get_ref(i)).collect::<rusqlite::Result<Vec<ValueRef>>>()?;
        sink.row(&values)?;
    }
    sink.finish()
}

/// Writes rows in the plan's format and counts them, however they are read: streamed from a
/// local file ([`export_rows`]) or a page per request from a remote ([`export_pages`]).
struct RowSink<'a, 'c, W: Write> {
    writer: RowWriter,
    cells: Cells<'c>,
    out: &'a mut W,
    progress: &'a mut dyn FnMut(u64) -> bool,
    done: u64,
    redacted: Vec<String>,
}

impl<'a, 'c, W: Write> RowSink<'a, 'c, W> {
    /// Checks the options against the plan and writes what comes before the first row.
    fn begin(
        input: &ExportInput,
        cells: Cells<'c>,
        out: &'a mut W,
        progress: &'a mut dyn FnMut(u64) -> bool,
    ) -> Result<Self> {
        let (plan, options) = (input.plan, input.options);
        if options.format == ExportFormat::Sql {
            if options.iso_dates {
                bail!("--dates iso adds columns the table does not have; it cannot be used with --format sql");
            }
            if plan.table.is_none() {
                bail!("--format sql needs a table to insert into; export a table, or use csv, json or ndjson");
            }
        }
        let writer = RowWriter::new(plan, options, out)?;
        Ok(RowSink { writer, cells, out, progress, done: 0, redacted: plan.redacted(options) })
    }

    /// Writes one row; every [`PROGRESS_EVERY`] rows, reports and lets the caller stop.
    fn row(&mut self, values: &[ValueRef]) -> Result<()> {
        self.writer.row(values, &mut self.cells, self.out)?;
        self.done += 1;
        if self.done.is_multiple_of(PROGRESS_EVERY) {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Reports the rows written so far; [`Cancelled`] when the caller says stop (a paged read
    /// calls it between two requests).
    fn checkpoint(&mut self) -> Result<()> {
        if !(self.progress)(self.done) {
            return Err(Cancelled.into());
        }
        Ok(())
    }

    /// Writes what comes after the last row, flushes, and reports the total.
    fn finish(mut self) -> Result<ExportSummary> {
        self.writer.finish(self.out)?;
        self.out.flush()?;
        (self.progress)(self.done);
        Ok(ExportSummary { rows: self.done, redacted: self.redacted })
    }
}

/// One row as a JSON object (the clipboard's `Y`): numbers as numbers, NULL as null, BLOBs as
/// hex, `secret` columns as [`REDACTED`] unless `reveal`.
pub fn row_json(columns: &[ExportColumn], values: &[Value], reveal: bool) -> String {
    let options = ExportOptions { format: ExportFormat::Ndjson, include_secrets: reveal, iso_dates: false };
    let plan = ExportPlan { sql: String::new(), params: Vec::new(), columns: columns.to_vec(), table: None };
    let refs: Vec<ValueRef> = values.iter().map(ValueRef::from).collect();
    let mut out: Vec<u8> = Vec::new();
    // Writing to a Vec cannot fail, and no connection is needed for JSON cells.
    let written =
        RowWriter::new(&plan, &options, &mut out).and_then(|mut w| w.row(&refs, &mut Cells::none(), &mut out));
    match written {
        Ok(()) => String::from_utf8_lossy(&out).trim_end().to_string(),
        Err(err) => format!("{{\"error\": {:?}}}", err.to_string()),
    }
}

#[cfg(test)]
mod tests;
