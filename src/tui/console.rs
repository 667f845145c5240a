//! The SQL console's worker: its own thread and connection, so a long statement never holds up
//! table paging. A reading statement stays prepared between batches: the worker steps it only as
//! far as the screen asks, seeks by restarting it, and for a jump to the end steps through keeping
//! only the last rows. Memory stays flat whatever the result's size.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use rusqlite::Connection;

use super::worker::Running;
use crate::app::AppEvent;
use crate::db::query::{preview_write, result_columns, result_kinds};
use crate::history::append_history;
use crate::service::ReplyError;
use crate::service::console::{
    answer_aside, read_rows, read_to_end, rows_by_offset, seek_and_read, tail_by_offset, write,
};
use crate::service::protocol::{ConsoleRequest, ConsoleResult, DbReply, DbRequest, DbResult, RequestId, RowBatch};

/// The first batch goes out once it has a row and this long has passed, even if not full: a slow
/// filter shows its first matches at once.
const FIRST_BATCH_WAIT: Duration = Duration::from_millis(30);
/// A fetch this many rows beyond where the stream is goes through OFFSET instead of stepping.
const FAR_SEEK: u64 = 10_000;
/// How long a part-read statement stays open with nothing asked of it (see [`stream`]).
const IDLE: Duration = Duration::from_millis(200);

/// A running console worker.
pub struct ConsoleHandle {
    requests: Sender<(RequestId, DbRequest)>,
    running: Running,
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
        let running = Running::new(Some(conn.get_interrupt_handle()), false);
        let worker_running = running.clone();
        thread::Builder::new().name("squall-db-console".into()).spawn(move || {
            let conn = serve(conn, inbox, events, history, &worker_running);
            // Nothing to tell the user by now: the UI has gone.
            let _ = crate::db::open::close_connection(conn);
            let _ = done.send(());
        })?;
        Ok(ConsoleHandle { requests, running, closed })
    }

    /// Cuts short what the console runs and waits, at most [`CLOSE_WAIT`], for its connection to
    /// close: closing is when SQLite removes the `-wal` and `-shm` files it made. The interrupt
    /// comes first, so it is over before the worker clears it and closes.
    pub fn close(self) {
        let ConsoleHandle { requests, running, closed } = self;
        running.stop();
        drop(requests);
        let _ = closed.recv_timeout(CLOSE_WAIT);
    }

    /// A handle over a worker started elsewhere (the remote console's, `console_remote`).
    pub(super) fn from_parts(
        requests: Sender<(RequestId, DbRequest)>,
        running: Running,
        closed: Receiver<()>,
    ) -> ConsoleHandle {
        ConsoleHandle { requests, running, closed }
    }

    pub fn send(&self, id: RequestId, request: DbRequest) {
        let _ = self.requests.send((id, request));
    }

    /// Stops request `id` if it is the one running (see [`Running::interrupt`]).
    pub fn interrupt(&self, id: RequestId) -> bool {
        self.running.interrupt(id)
    }
}

type Inbox = Receiver<(RequestId, DbRequest)>;

/// Sends the answer to `id`; the worker runs nothing for it any more (see [`Running`]).
fn reply(events: &Sender<AppEvent>, running: &Running, id: RequestId, result: Result<ConsoleResult>) -> bool {
    running.set(None);
    let result = result.map(DbResult::Console).map_err(|err| ReplyError::from_error(&err));
    events.send(AppEvent::Db(DbReply { id, result })).is_ok()
}

fn serve(
    mut conn: Connection,
    inbox: Inbox,
    events: Sender<AppEvent>,
    history: Option<PathBuf>,
    running: &Running,
) -> Connection {
    let mut next: Option<(RequestId, DbRequest)> = None;
    loop {
        let (id, request) = match next.take() {
            Some(request) => request,
            None => match inbox.recv() {
                Ok(request) => request,
                Err(_) => break,
            },
        };
        running.set(Some(id));
        let DbRequest::Console(request) = request else {
            reply(&events, running, id, Err(anyhow::anyhow!("not a console request")));
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
                next = stream(&conn, id, &sql, batch, &inbox, &events, running);
            }
            ConsoleRequest::Write { sql, audit } => {
                // Remembered when it was sent to be confirmed (the Run before it): once is enough.
                reply(&events, running, id, write(&mut conn, &sql, &audit));
            }
            ConsoleRequest::Fetch { .. } | ConsoleRequest::ToEnd { .. } => {
                reply(&events, running, id, Err(anyhow::anyhow!("the statement is no longer running: run it again")));
            }
            other => {
                reply(&events, running, id, answer_aside(&conn, other));
            }
        }
    }
    conn
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
    running: &Running,
) -> Option<(RequestId, DbRequest)> {
    let started = Instant::now();
    let mut stmt = match crate::db::query::prepare_typed(conn, sql) {
        Ok(stmt) => stmt,
        Err(err) => {
            reply(events, running, id, Err(err));
            return None;
        }
    };
    if !stmt.readonly() {
        let described = preview_write(conn, sql).map(|preview| ConsoleResult::NeedsConfirm { preview });
        reply(events, running, id, described);
        return None;
    }
    let columns = result_columns(&stmt);
    let width = columns.len();
    // The statement through OFFSET, to take a stream let go while idle up again at the row asked
    // for: skipping rows there costs less than stepping through them again from the first (SQLite
    // skips offset rows before computing their columns). `None` when it cannot be wrapped.
    let mut resume = conn
        .prepare(&format!("SELECT * FROM (\n{sql}\n) LIMIT -1 OFFSET ?1"))
        .ok()
        .filter(|wrapped| wrapped.column_count() == width);
    let mut rows = match stmt.query([]) {
        Ok(rows) => Some(rows),
        Err(err) => {
            reply(events, running, id, Err(err.into()));
            return None;
        }
    };
    let (mut position, mut done) = (0u64, false);
    let open = rows.as_mut()?;
    let first = read_rows(open, width, &mut position, &mut done, batch, Some(started + FIRST_BATCH_WAIT));
    let first = match first {
        Ok(first) => first,
        Err(err) => {
            reply(events, running, id, Err(err));
            return None;
        }
    };
    let kinds = result_kinds(&columns, &first);
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let batch = RowBatch { columns: Some((columns, kinds)), first: 0, rows: first, done, seen: position, elapsed_ms };
    if !reply(events, running, id, Ok(ConsoleResult::Rows(batch))) || done {
        return None;
    }
    loop {
        // A statement left part-read holds SQLite's read lock, and on a rollback-journal file
        // that blocks every writer: once idle for a moment, it is reset (the lock goes) and
        // started again, stepping to where it was, when the next batch is asked for.
        let (rid, request) = match inbox.recv_timeout(IDLE) {
            Ok(next) => next,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                rows = None;
                (position, done) = (0, false);
                inbox.recv().ok()?
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
        };
        running.set(Some(rid));
        let started = Instant::now();
        let ours = matches!(&request, DbRequest::Console(ConsoleRequest::Fetch { stream, .. } | ConsoleRequest::ToEnd { stream, .. }) if *stream == id);
        if ours && rows.is_none() {
            let resume_at = match &request {
                DbRequest::Console(ConsoleRequest::Fetch { from, .. }) => *from,
                _ => 0,
            };
            rows = None;
            let reopened = match resume.as_mut() {
                Some(resume) if resume_at > 0 => {
                    position = resume_at;
                    resume.query([i64::try_from(resume_at).unwrap_or(i64::MAX)])
                }
                _ => stmt.query([]),
            };
            let _ = rows.insert(match reopened {
                Ok(again) => again,
                Err(err) => {
                    reply(events, running, rid, Err(err.into()));
                    return None;
                }
            });
        }
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
                let open = match rows.as_mut() {
                    Some(open) if from >= position => open,
                    // Seeking back: the statement starts over (SQLite cannot step backwards).
                    _ => {
                        rows = None;
                        (position, done) = (0, false);
                        rows.insert(match stmt.query([]) {
                            Ok(rows) => rows,
                            Err(err) => {
                                reply(events, running, rid, Err(err.into()));
                                return None;
                            }
                        })
                    }
                };
                seek_and_read(open, width, &mut position, &mut done, from, count).map(|mut batch| {
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
                let counted = match rows.as_mut() {
                    Some(open) => read_to_end(open, width, &mut position, keep),
                    None => Err(anyhow::anyhow!("the statement is no longer running: run it again")),
                };
                done = true;
                match counted {
                    Ok(Some(batch)) => Ok(batch),
                    Ok(None) => {
                        rows = None;
                        let open = rows.insert(match stmt.query([]) {
                            Ok(rows) => rows,
                            Err(err) => {
                                reply(events, running, rid, Err(err.into()));
                                return None;
                            }
                        });
                        let total = position;
                        (position, done) = (0, false);
                        seek_and_read(open, width, &mut position, &mut done, total.saturating_sub(keep as u64), keep)
                    }
                    Err(err) => Err(err),
                }
                .map(|mut batch| {
                    batch.elapsed_ms = started.elapsed().as_millis() as u64;
                    batch
                })
            }
            DbRequest::Console(request @ (ConsoleRequest::Plan { .. } | ConsoleRequest::Schema)) => {
                if !reply(events, running, rid, answer_aside(conn, request)) {
                    return None;
                }
                continue;
            }
            other => return Some((rid, other)),
        };
        // A finished stream stays open: scrolling back up restarts it.
        let failed = result.is_err();
        if !reply(events, running, rid, result.map(ConsoleResult::Rows)) || failed {
            return None;
        }
    }
}
