//! The SQL console's statements over its connection: batches of a stream (stepped, sought, or
//! read through `LIMIT` / `OFFSET`), writes with their audit record, plans and the schema. The
//! console's worker thread (in `tui/`) holds the stream open between requests and calls these.

use std::time::Instant;

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

use crate::audit::{append_audit_to, sql_entries};
use crate::db::query::{execute_write, explain_plan, row_values};
use crate::db::schema::{ListTables, list_tables};

use super::protocol::{AuditTarget, ConsoleRequest, ConsoleResult, RowBatch};

/// Runs a writing statement in one transaction, then records it in the audit log.
pub fn write(conn: &mut Connection, sql: &str, audit: &AuditTarget) -> Result<ConsoleResult> {
    let report = execute_write(conn, sql)?;
    append_audit_to(&audit.file, &sql_entries(&audit.database, &report, chrono::Utc::now()))?;
    Ok(ConsoleResult::Written { report, undo: None })
}

/// Requests answered beside an open stream (they need no exclusive use of the connection).
pub fn answer_aside(conn: &Connection, request: ConsoleRequest) -> Result<ConsoleResult> {
    match request {
        ConsoleRequest::Plan { sql } => Ok(ConsoleResult::Plan(explain_plan(conn, &sql)?)),
        ConsoleRequest::Schema => {
            let mut schema = Vec::new();
            for table in list_tables(conn, &ListTables { include_internal: false })? {
                let columns = conn
                    .prepare("SELECT name FROM pragma_table_info(?1)")?
                    .query_map([&table.name], |row| row.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                schema.push((table.name, columns));
            }
            Ok(ConsoleResult::Schema(schema))
        }
        _ => Err(anyhow::anyhow!("not answered beside a running statement")),
    }
}

/// Reads up to `limit` rows (or, with `until`, what came by then once there is one).
pub fn read_rows(
    rows: &mut rusqlite::Rows,
    width: usize,
    position: &mut u64,
    done: &mut bool,
    limit: usize,
    until: Option<Instant>,
) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::with_capacity(limit.min(1024));
    while out.len() < limit {
        match rows.next()? {
            Some(row) => {
                out.push(row_values(row, width)?);
                *position += 1;
            }
            None => {
                *done = true;
                break;
            }
        }
        if until.is_some_and(|t| Instant::now() >= t) {
            break;
        }
    }
    Ok(out)
}

/// The last `keep` rows of a SELECT through SQLite itself: `count(*)` over it, then `LIMIT` /
/// `OFFSET`. SQLite skips offset rows before computing their columns, so both passes cost less
/// than stepping through the result once. The user's own statement is wrapped as a subquery (on a
/// line of its own, so a trailing `--` comment cannot swallow the parenthesis); `None` when it
/// cannot be (PRAGMA, VALUES with a trailing clause...). The main stream is left where it was.
pub fn tail_by_offset(conn: &Connection, sql: &str, width: usize, keep: usize) -> Option<Result<RowBatch>> {
    let mut count = conn.prepare(&format!("SELECT count(*) FROM (\n{sql}\n)")).ok()?;
    let mut tail = conn.prepare(&format!("SELECT * FROM (\n{sql}\n) LIMIT ?1 OFFSET ?2")).ok()?;
    if tail.column_count() != width {
        return None;
    }
    Some((|| {
        let total: i64 = count.query_row([], |row| row.get(0))?;
        let total = total.max(0) as u64;
        let first = total.saturating_sub(keep as u64);
        let mut rows = tail.query(rusqlite::params![keep as i64, first as i64])?;
        let mut values = Vec::with_capacity(keep);
        while let Some(row) = rows.next()? {
            values.push(row_values(row, width)?);
        }
        Ok(RowBatch { columns: None, first, rows: values, done: true, seen: total, elapsed_ms: 0 })
    })())
}

/// Rows `from .. from + count` of a SELECT through `LIMIT` / `OFFSET` over it (see
/// [`tail_by_offset`]); `None` when the statement cannot be wrapped.
pub fn rows_by_offset(conn: &Connection, sql: &str, width: usize, from: u64, count: usize) -> Option<Result<RowBatch>> {
    let mut tail = conn.prepare(&format!("SELECT * FROM (\n{sql}\n) LIMIT ?1 OFFSET ?2")).ok()?;
    if tail.column_count() != width {
        return None;
    }
    let mut read = || -> Result<RowBatch> {
        let mut rows = tail.query(rusqlite::params![count as i64, from as i64])?;
        let mut values = Vec::with_capacity(count);
        while let Some(row) = rows.next()? {
            values.push(row_values(row, width)?);
        }
        let done = values.len() < count;
        let seen = from + values.len() as u64;
        Ok(RowBatch { columns: None, first: from, rows: values, done, seen, elapsed_ms: 0 })
    };
    Some(read())
}

/// Steps to row `from` (discarding), then reads `count` rows.
pub fn seek_and_read(
    rows: &mut rusqlite::Rows,
    width: usize,
    position: &mut u64,
    done: &mut bool,
    from: u64,
    count: usize,
) -> Result<RowBatch> {
    while *position < from && !*done {
        match rows.next()? {
            Some(_) => *position += 1,
            None => *done = true,
        }
    }
    let first = *position;
    let values = read_rows(rows, width, position, done, count, None)?;
    Ok(RowBatch { columns: None, first, rows: values, done: *done, seen: *position, elapsed_ms: 0 })
}

/// Steps to the end. When at most `keep` rows were left, they are the batch; otherwise `None`
/// (after the first `keep`, rows are stepped over without reading a value) and `position` is
/// the total.
pub fn read_to_end(
    rows: &mut rusqlite::Rows,
    width: usize,
    position: &mut u64,
    keep: usize,
) -> Result<Option<RowBatch>> {
    let first = *position;
    let mut held: Vec<Vec<Value>> = Vec::new();
    let mut more = false;
    while let Some(row) = rows.next()? {
        *position += 1;
        if held.len() < keep {
            held.push(row_values(row, width)?);
        } else {
            more = true;
        }
    }
    if more {
        return Ok(None);
    }
    Ok(Some(RowBatch { columns: None, first, rows: held, done: true, seen: *position, elapsed_ms: 0 }))
}
