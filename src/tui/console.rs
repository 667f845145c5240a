//! The SQL console's worker: its own thread and connection, so a long statement never holds up
//! table paging. A reading statement stays prepared between batches: the worker steps it only as
//! far as the screen asks, seeks by restarting it, and for a jump to the end steps through keeping
//! only the last rows. Memory stays flat whatever the result's size.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, InterruptHandle};

use crate::app::{AppEvent, ConsoleRequest, ConsoleResult, DbReply, DbRequest, DbResult, RequestId, RowBatch};
use crate::audit::{append_audit_to, sql_entries};
use crate::db::query::{execute_write, explain_plan, preview_write, result_columns, result_kinds, row_values};
use crate::db::schema::{ListTables, list_tables};
use crate::history::append_history;

/// The first batch goes out once it has a row and this long has passed, even if not full: a slow
/// filter shows its first matches at once.
const FIRST_BATCH_WAIT: Duration = Duration::from_millis(30);
/// A fetch this many rows beyond where the stream is goes through OFFSET instead of stepping.
const FAR_SEEK: u64 = 10_000;

/// A running console worker.
pub struct ConsoleHandle {
    requests: Sender<(RequestId, DbRequest)>,
    interrupt: InterruptHandle,
    /// Says when the worker has closed its connection.
    closed: Receiver<()>,
}

/// How long quitting waits for the console's worker to close its connection (see
/// [`super::worker::WorkerHandle::close`]).
const CLOSE_WAIT: Duration = crate::db::open::BUSY_TIMEOUT;

impl ConsoleHandle {
    /// Starts the worker on `conn`; statements run are appended to `history` (when given).
    pub fn spawn(conn: Connection, events: Sender<AppEvent>, history: Option<PathBuf>) -> Result<ConsoleHandle> {
        let (requests, inbox) = channel();
        let (done, closed) = channel();
        let interrupt = conn.get_interrupt_handle();
        thread::Builder::new().name("squall-db-console".into()).spawn(move || {
            let conn = serve(conn, inbox, events, history);
            // Nothing to tell the user by now: the UI has gone.
            let _ = crate::db::open::close_connection(conn);
            let _ = done.send(());
        })?;
        Ok(ConsoleHandle { requests, interrupt, closed })
    }

    /// Cuts short what the console runs and waits, at most [`CLOSE_WAIT`], for its connection to
    /// close: closing is when SQLite removes the `-wal` and `-shm` files it made. The interrupt
    /// comes first, so it is over before the worker clears it and closes.
    pub fn close(self) {
        let ConsoleHandle { requests, interrupt, closed } = self;
        interrupt.interrupt();
        drop(requests);
        let _ = closed.recv_timeout(CLOSE_WAIT);
    }

    pub fn send(&self, id: RequestId, request: DbRequest) {
        let _ = self.requests.send((id, request));
    }

    pub fn interrupt(&self) {
        self.interrupt.interrupt();
    }
}

type Inbox = Receiver<(RequestId, DbRequest)>;

fn reply(events: &Sender<AppEvent>, id: RequestId, result: Result<ConsoleResult>) -> bool {
    let result = result.map(DbResult::Console).map_err(|err| crate::present::error_chain(&err));
    events.send(AppEvent::Db(DbReply { id, result })).is_ok()
}

fn serve(mut conn: Connection, inbox: Inbox, events: Sender<AppEvent>, history: Option<PathBuf>) -> Connection {
    let mut next: Option<(RequestId, DbRequest)> = None;
    loop {
        let (id, request) = match next.take() {
            Some(request) => request,
            None => match inbox.recv() {
                Ok(request) => request,
                Err(_) => break,
            },
        };
        let DbRequest::Console(request) = request else {
            reply(&events, id, Err(anyhow::anyhow!("not a console request")));
            continue;
        };
        let remember = |sql: &str| {
            if let Some(file) = &history {
                // A history that cannot be written must not stop the statement.
                let _ = append_history(file, sql);
            }
        };
        match request {
            ConsoleRequest::Run { sql, batch } => {
                remember(&sql);
                next = stream(&conn, id, &sql, batch, &inbox, &events);
            }
            ConsoleRequest::Write { sql, audit } => {
                // Remembered when it was sent to be confirmed (the Run before it): once is enough.
                let result = execute_write(&mut conn, &sql).and_then(|report| {
                    append_audit_to(&audit.file, &sql_entries(&audit.database, &report, chrono::Utc::now()))?;
                    Ok(ConsoleResult::Written(report))
                });
                reply(&events, id, result);
            }
            ConsoleRequest::Fetch { .. } | ConsoleRequest::ToEnd { .. } => {
                reply(&events, id, Err(anyhow::anyhow!("the statement is no longer running: run it again")));
            }
            other => {
                reply(&events, id, answer_aside(&conn, other));
            }
        }
    }
    conn
}

/// Requests answered beside an open stream (they need no exclusive use of the connection).
fn answer_aside(conn: &Connection, request: ConsoleRequest) -> Result<ConsoleResult> {
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
fn read_rows(
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

/// Runs a statement: a write is only described; a read streams its first batch, then answers
/// fetches until another request arrives, which is handed back to run next.
fn stream(
    conn: &Connection,
    id: RequestId,
    sql: &str,
    batch: usize,
    inbox: &Inbox,
    events: &Sender<AppEvent>,
) -> Option<(RequestId, DbRequest)> {
    let started = Instant::now();
    let mut stmt = match crate::db::query::prepare_typed(conn, sql) {
        Ok(stmt) => stmt,
        Err(err) => {
            reply(events, id, Err(err));
            return None;
        }
    };
    if !stmt.readonly() {
        let described = preview_write(conn, sql).map(|preview| ConsoleResult::NeedsConfirm { preview });
        reply(events, id, described);
        return None;
    }
    let columns = result_columns(&stmt);
    let width = columns.len();
    let mut rows = match stmt.query([]) {
        Ok(rows) => rows,
        Err(err) => {
            reply(events, id, Err(err.into()));
            return None;
        }
    };
    let (mut position, mut done) = (0u64, false);
    let first = read_rows(&mut rows, width, &mut position, &mut done, batch, Some(started + FIRST_BATCH_WAIT));
    let first = match first {
        Ok(first) => first,
        Err(err) => {
            reply(events, id, Err(err));
            return None;
        }
    };
    let kinds = result_kinds(&columns, &first);
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let batch = RowBatch { columns: Some((columns, kinds)), first: 0, rows: first, done, seen: position, elapsed_ms };
    if !reply(events, id, Ok(ConsoleResult::Rows(batch))) || done {
        return None;
    }
    loop {
        let (rid, request) = inbox.recv().ok()?;
        let started = Instant::now();
        let result = match request {
            // A far seek (back up after `G`, or a long way ahead) goes through OFFSET: cheaper
            // than stepping there, and the stream stays where it was.
            DbRequest::Console(ConsoleRequest::Fetch { stream, from, rows: count })
                if stream == id
                    && (from < position || from - position > FAR_SEEK)
                    && from > 0
                    && let Some(batch) = rows_by_offset(conn, sql, width, from, count) =>
            {
                batch.map(|mut batch| {
                    batch.elapsed_ms = started.elapsed().as_millis() as u64;
                    batch
                })
            }
            DbRequest::Console(ConsoleRequest::Fetch { stream, from, rows: count }) if stream == id => {
                if from < position {
                    // Seeking back: the statement starts over (SQLite cannot step backwards).
                    drop(rows);
                    rows = match stmt.query([]) {
                        Ok(rows) => rows,
                        Err(err) => {
                            reply(events, rid, Err(err.into()));
                            return None;
                        }
                    };
                    (position, done) = (0, false);
                }
                seek_and_read(&mut rows, width, &mut position, &mut done, from, count).map(|mut batch| {
                    batch.elapsed_ms = started.elapsed().as_millis() as u64;
                    batch
                })
            }
            DbRequest::Console(ConsoleRequest::ToEnd { stream, keep })
                if stream == id
                    && let Some(batch) = tail_by_offset(conn, sql, width, keep) =>
            {
                batch.map(|mut batch| {
                    batch.elapsed_ms = started.elapsed().as_millis() as u64;
                    batch
                })
            }
            DbRequest::Console(ConsoleRequest::ToEnd { stream, keep }) if stream == id => {
                // A statement that cannot be wrapped (PRAGMA, ...): step to the end reading only
                // the first `keep` rows; if more followed, start over and read just the last `keep`.
                let counted = read_to_end(&mut rows, width, &mut position, keep);
                done = true;
                match counted {
                    Ok(Some(batch)) => Ok(batch),
                    Ok(None) => {
                        drop(rows);
                        rows = match stmt.query([]) {
                            Ok(rows) => rows,
                            Err(err) => {
                                reply(events, rid, Err(err.into()));
                                return None;
                            }
                        };
                        let total = position;
                        (position, done) = (0, false);
                        seek_and_read(
                            &mut rows,
                            width,
                            &mut position,
                            &mut done,
                            total.saturating_sub(keep as u64),
                            keep,
                        )
                    }
                    Err(err) => Err(err),
                }
                .map(|mut batch| {
                    batch.elapsed_ms = started.elapsed().as_millis() as u64;
                    batch
                })
            }
            DbRequest::Console(request @ (ConsoleRequest::Plan { .. } | ConsoleRequest::Schema)) => {
                if !reply(events, rid, answer_aside(conn, request)) {
                    return None;
                }
                continue;
            }
            other => return Some((rid, other)),
        };
        // A finished stream stays open: scrolling back up restarts it.
        let failed = result.is_err();
        if !reply(events, rid, result.map(ConsoleResult::Rows)) || failed {
            return None;
        }
    }
}

/// The last `keep` rows of a SELECT through SQLite itself: `count(*)` over it, then `LIMIT` /
/// `OFFSET`. SQLite skips offset rows before computing their columns, so both passes cost less
/// than stepping through the result once. The user's own statement is wrapped as a subquery (on a
/// line of its own, so a trailing `--` comment cannot swallow the parenthesis); `None` when it
/// cannot be (PRAGMA, VALUES with a trailing clause...). The main stream is left where it was.
fn tail_by_offset(conn: &Connection, sql: &str, width: usize, keep: usize) -> Option<Result<RowBatch>> {
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
fn rows_by_offset(conn: &Connection, sql: &str, width: usize, from: u64, count: usize) -> Option<Result<RowBatch>> {
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
fn seek_and_read(
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
fn read_to_end(rows: &mut rusqlite::Rows, width: usize, position: &mut u64, keep: usize) -> Result<Option<RowBatch>> {
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
