//! Exporting from a remote database: rows come a page per request over the [`Backend`] seam
//! (a remote has no cursor to stream from), and the same [`RowSink`] writes them, so the bytes
//! equal a local export's.
//!
//! A table's view pages by keyset (`db::page`, the grid's own statements: filters, search and
//! sort as on screen, each page seeking from the last row's key, reading about the rows it
//! returns). A query pages with `LIMIT`/`OFFSET` over it as a subquery: a query has no key, and
//! D1 bills the skipped rows again on every page, so its pages are as large as the limits allow.
//!
//! Page size: D1 answers at most about 50 MB per result and 2 MB per row, and allows 1,200
//! requests per 5 minutes. Pages start at [`FIRST_PAGE_ROWS`] rows, then aim at
//! [`TARGET_PAGE_BYTES`] of values by the rows seen so far, between [`MIN_PAGE_ROWS`] and
//! [`MAX_PAGE_ROWS`]: 10,000 narrow users take three requests, a table of 100 KB rows stays far
//! below the result limit, and a million rows take about 200 requests, inside the rate limit.

use std::io::Write;

use anyhow::{Context, Result};
use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use super::exact::{decode_exact, exact_select};
use super::{Cells, ExportColumn, ExportInput, ExportOptions, ExportPlan, ExportSource, ExportSummary, RowSink};
use crate::db::backend::{Backend, Statement};
use crate::db::kinds::is_secret_name;
use crate::db::page::{Anchor, Cursor, PageQuery, RowKey, View, fetch_page_selecting};

/// Rows of the first page, before the rows' size is known.
pub const FIRST_PAGE_ROWS: usize = 1_000;
/// Never fewer rows per request than this (a table of very wide rows).
pub const MIN_PAGE_ROWS: usize = 50;
/// Never more rows per request than this.
pub const MAX_PAGE_ROWS: usize = 5_000;
/// What one page's values should weigh, as JSON: a tenth of D1's result limit.
pub const TARGET_PAGE_BYTES: usize = 5 * 1024 * 1024;

/// What an export over a remote reads, and the plan its rows are written by.
#[derive(Debug, Clone, PartialEq)]
pub struct PagedPlan {
    pub plan: ExportPlan,
    read: Read,
}

#[derive(Debug, Clone, PartialEq)]
enum Read {
    View(View),
    /// The statement without its final `;`, and its columns as a subquery names them (a
    /// repeated name gets `:1`, `:2`, ... there, which the outer SELECT must use).
    Query {
        body: String,
        columns: Vec<String>,
    },
}

/// Plans an export over any backend: a table's view as [`super::plan_view_export`] does; a
/// query with one request that learns its columns (`LIMIT 0`). Only a statement that reads
/// can be a subquery, so a write (or several statements) is refused by SQLite itself.
pub fn plan_paged_export<B: Backend + ?Sized>(db: &B, source: &ExportSource) -> Result<PagedPlan> {
    match source {
        ExportSource::Table(view) => {
            Ok(PagedPlan { plan: super::plan_view_export(db, view)?, read: Read::View(view.clone()) })
        }
        ExportSource::Query { sql } => {
            let body = sql.trim().trim_end_matches(';').trim_end().to_string();
            let probe = db
                .query(&Statement::plain(format!("SELECT * FROM (\n{body}\n) LIMIT 0")))
                .with_context(|| format!("export runs one statement that reads (a SELECT): {sql}"))?;
            let columns = display_names(&probe.columns)
                .into_iter()
                .map(|name| ExportColumn { secret: is_secret_name("", &name), timestamp: false, name })
                .collect();
            let plan = ExportPlan { sql: sql.clone(), params: Vec::new(), columns, table: None };
            Ok(PagedPlan { plan, read: Read::Query { body, columns: probe.columns } })
        }
    }
}

/// The names the statement itself gives its columns: a subquery's `id:1` is the second `id`.
fn display_names(columns: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(columns.len());
    for column in columns {
        let base = column
            .rsplit_once(':')
            .filter(|(base, n)| {
                n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() && names.iter().any(|x| x == base)
            })
            .map(|(base, _)| base.to_string());
        names.push(base.unwrap_or_else(|| column.clone()));
    }
    names
}

/// Reads the plan's rows a page per request and writes them to `out` as [`super::export_rows`]
/// would. `progress` gets the rows written after every request (and every
/// [`super::PROGRESS_EVERY`] rows); returning `false` stops before the next request.
pub fn export_pages<B: Backend + ?Sized>(
    db: &B,
    plan: &PagedPlan,
    options: &ExportOptions,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<ExportSummary> {
    // SQLite's text and literals of REALs come from this SQLite, as a local export's do.
    let scratch = Connection::open_in_memory()?;
    let input = ExportInput { plan: &plan.plan, options };
    let mut sink = RowSink::begin(&input, Cells::new(&scratch), out, progress)?;
    let mut size = PageSize::default();
    match &plan.read {
        Read::View(view) => {
            let mut anchor = Anchor::First;
            loop {
                let query = PageQuery { view, anchor: &anchor, limit: size.rows };
                let page = fetch_page_selecting(db, &query, &exact_select)?;
                let (mut rows, mut last) = (Vec::with_capacity(page.rows.len()), None);
                for row in page.rows {
                    rows.push(decode_exact(row.values)?);
                    last = Some(row.cursor);
                }
                let next = last.zip(rows.last()).map(|(cursor, values)| exact_cursor(view, cursor, values));
                write_page(&mut sink, &mut size, rows)?;
                match next {
                    Some(cursor) if !page.exhausted => anchor = Anchor::After(cursor),
                    _ => break,
                }
            }
        }
        Read::Query { body, columns } => {
            let select = exact_select(columns).join(", ");
            let mut offset: usize = 0;
            loop {
                let limit = size.rows;
                let statement = Statement::new(
                    format!("SELECT {select} FROM (\n{body}\n) LIMIT ?1 OFFSET ?2"),
                    vec![Value::Integer(limit as i64), Value::Integer(offset as i64)],
                );
                let rows = db.query(&statement)?.rows.into_iter().map(decode_exact).collect::<Result<Vec<_>>>()?;
                let read = rows.len();
                write_page(&mut sink, &mut size, rows)?;
                if read < limit {
                    break;
                }
                offset += read;
            }
        }
    }
    sink.finish()
}

/// The cursor to continue from, with the exact values the row was read with: the cursor's own
/// sort value and key came through JSON, where an integer past 2^53 is rounded and the next
/// page would repeat or skip rows. A rowid is exact unless past 2^53 itself (not in the view).
fn exact_cursor(view: &View, cursor: Cursor, values: &[Value]) -> Cursor {
    let exact = |name: &str, sent: Value| {
        view.columns.iter().position(|c| c == name).and_then(|i| values.get(i)).cloned().unwrap_or(sent)
    };
    let sort_value = match (&view.sort, cursor.sort_value) {
        (Some(sort), Some(sent)) => Some(exact(&sort.column, sent)),
        (_, sent) => sent,
    };
    let key = match &view.key {
        RowKey::Columns(columns) => columns.iter().zip(cursor.key).map(|(c, sent)| exact(c, sent)).collect(),
        RowKey::Rowid | RowKey::Position => cursor.key,
    };
    Cursor { sort_value, key }
}

/// Writes one page's rows, sizes the next page by them, then reports: a cancel lands here,
/// between two requests.
fn write_page<W: Write>(sink: &mut RowSink<'_, '_, W>, size: &mut PageSize, rows: Vec<Vec<Value>>) -> Result<()> {
    let mut bytes = 0usize;
    for values in &rows {
        bytes += values.iter().map(json_weight).sum::<usize>();
        let refs: Vec<ValueRef> = values.iter().map(ValueRef::from).collect();
        sink.row(&refs)?;
    }
    size.learn(rows.len(), bytes);
    sink.checkpoint()
}

/// About what a value weighs in D1's JSON answer (with the separator and the type letter).
fn json_weight(value: &Value) -> usize {
    3 + match value {
        Value::Null => 4,
        Value::Integer(_) => 20,
        Value::Real(_) => 24,
        Value::Text(text) => text.len() + 2,
        // An array of byte values: up to four characters each.
        Value::Blob(bytes) => bytes.len() * 4 + 2,
    }
}

/// The rows to ask for next.
struct PageSize {
    rows: usize,
}

impl Default for PageSize {
    fn default() -> Self {
        PageSize { rows: FIRST_PAGE_ROWS }
    }
}

impl PageSize {
    fn learn(&mut self, rows: usize, bytes: usize) {
        if let Some(per_row) = bytes.checked_div(rows) {
            self.rows = (TARGET_PAGE_BYTES / per_row.max(1)).clamp(MIN_PAGE_ROWS, MAX_PAGE_ROWS);
        }
    }
}

#[cfg(test)]
#[path = "paged_tests.rs"]
mod tests;
