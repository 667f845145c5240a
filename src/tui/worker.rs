//! The database worker: a thread that owns one connection and answers requests in order.
//! The UI never waits on it; replies come back as events carrying the request's id.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use crate::app::AppEvent;
use crate::db::watch::ChangeWatch;
use crate::service::protocol::{DbReply, DbRequest, DbResult, RequestId};
use crate::service::{Db, handle};

/// A running worker: where to send requests, and how to cancel the one it is running.
pub struct WorkerHandle {
    requests: Sender<(RequestId, DbRequest)>,
    running: Running,
    /// Says when the worker has closed its connection.
    closed: Receiver<()>,
}

/// Which request a worker is running, and how to stop it. An interrupt names the request it
/// cancels and lands only while that request runs: the check and the interrupt happen under the
/// lock the worker takes to move on to its next request, so a cancelled page read can never
/// abort the commit that runs after it.
#[derive(Clone)]
pub struct Running {
    now: Arc<Mutex<Option<RequestId>>>,
    /// Requests cancelled while still queued behind another (ids only grow, so one newer than
    /// the last started has not run yet): they are answered as interrupted, never run.
    queued: Arc<Mutex<(RequestId, Vec<RequestId>)>>,
    interrupt: Option<Arc<InterruptHandle>>,
    /// This worker's connection may wait on another process's lock (see `db::busy`); stopping
    /// it stops that wait too.
    lock_wait: bool,
}

impl Running {
    pub fn new(interrupt: Option<InterruptHandle>, lock_wait: bool) -> Running {
        Running {
            now: Arc::new(Mutex::new(None)),
            queued: Arc::new(Mutex::new((0, Vec::new()))),
            interrupt: interrupt.map(Arc::new),
            lock_wait,
        }
    }

    /// The worker starts (`Some(id)`) or has finished (`None`) a request.
    pub fn set(&self, id: Option<RequestId>) {
        if let Ok(mut now) = self.now.lock() {
            *now = id;
        }
    }

    /// The worker takes up request `id`: false when it was cancelled while queued.
    pub fn begin(&self, id: RequestId) -> bool {
        let Ok(mut now) = self.now.lock() else { return true };
        *now = Some(id);
        let Ok(mut queued) = self.queued.lock() else { return true };
        queued.0 = id;
        let cancelled = queued.1.contains(&id);
        queued.1.retain(|q| *q > id);
        !cancelled
    }

    /// The request running now.
    pub fn current(&self) -> Option<RequestId> {
        self.now.lock().ok().and_then(|now| *now)
    }

    /// Stops request `id` if it is the one running; says whether it was. A backend without
    /// interrupt cannot stop it: its reply is dropped as stale instead.
    pub fn interrupt(&self, id: RequestId) -> bool {
        let Ok(now) = self.now.lock() else { return false };
        if *now != Some(id) {
            if let Ok(mut queued) = self.queued.lock()
                && id > queued.0
            {
                queued.1.push(id);
            }
            return false;
        }
        self.stop();
        true
    }

    /// Stops whatever runs (on quit).
    pub fn stop(&self) {
        if self.lock_wait {
            // A commit waiting on another process's lock is not running a statement that an
            // interrupt would reach; the lock wait is stopped on its own.
            crate::db::busy::cancel_lock_wait();
        }
        if let Some(handle) = &self.interrupt {
            handle.interrupt();
        }
    }
}

/// How long quitting waits for a worker to finish its request and close its connection (a
/// commit may wait this long on another process's lock).
const CLOSE_WAIT: Duration = crate::db::open::BUSY_TIMEOUT;

impl WorkerHandle {
    /// Starts a worker owning `conn`; its replies go to `events`. With `watch`, it also polls
    /// for other processes' commits that often and reports them as [`AppEvent::Changed`].
    /// `lock_wait` says the connection has the cancellable lock wait installed.
    pub fn spawn(
        conn: Connection,
        events: Sender<AppEvent>,
        name: &str,
        watch: Option<Duration>,
        lock_wait: bool,
    ) -> Result<WorkerHandle> {
        Self::spawn_db(Db::from_connection(conn), events, name, watch, lock_wait)
    }

    /// Starts a worker owning `db` (a local file or a remote database).
    pub fn spawn_db(
        db: Db,
        events: Sender<AppEvent>,
        name: &str,
        watch: Option<Duration>,
        lock_wait: bool,
    ) -> Result<WorkerHandle> {
        let (requests, inbox) = channel();
        let (done, closed) = channel();
        let running = Running::new(db.interrupt_handle(), lock_wait);
        let worker_running = running.clone();
        thread::Builder::new().name(format!("squall-db-{name}")).spawn(move || {
            let db = serve(db, inbox, events, watch, &worker_running);
            // Nothing to tell the user by now: the UI has gone.
            if let Some(conn) = db.into_local() {
                let _ = crate::db::open::close_connection(conn);
            }
            let _ = done.send(());
        })?;
        Ok(WorkerHandle { requests, running, closed })
    }

    /// Lets the worker finish the request it is on (`interrupt` first to cut it short), then
    /// waits, at most [`CLOSE_WAIT`], for it to close its connection. The process must not exit
    /// before that: closing is when SQLite removes the `-wal` and `-shm` files it made.
    /// The interrupt comes before the channel closes, so it is over before the worker clears it
    /// and closes (see [`crate::db::open::close_connection`]).
    pub fn close(self, interrupt: bool) {
        let WorkerHandle { requests, running, closed } = self;
        if interrupt {
            running.stop();
        }
        drop(requests);
        let _ = closed.recv_timeout(CLOSE_WAIT);
    }

    /// Queues a request. A worker that has gone away (it only does on shutdown) is ignored.
    pub fn send(&self, id: RequestId, request: DbRequest) {
        let _ = self.requests.send((id, request));
    }

    /// Stops request `id` if it is running now (SQLite returns SQLITE_INTERRUPT to it); a request
    /// that finished, or has not started, is left alone (its reply is dropped as stale).
    pub fn interrupt(&self, id: RequestId) -> bool {
        self.running.interrupt(id)
    }

    /// The request the worker is running now (tests wait on it).
    pub fn running(&self) -> Option<RequestId> {
        self.running.current()
    }
}

/// Live refresh polls on the connection that writes, between requests: SQLite's data_version
/// never changes for a connection's own commits, and every squall write goes through this one
/// worker (the counting connection is read-only), so whatever it sees is someone else's commit.
/// A long request only delays the next poll; no change is lost, as the version is compared with
/// the last one seen (see `db::watch`). Polling is a local file's power: a backend without one
/// is not watched. Hands the database back for closing.
fn serve(
    mut db: Db,
    inbox: Receiver<(RequestId, DbRequest)>,
    events: Sender<AppEvent>,
    watch: Option<Duration>,
    running: &Running,
) -> Db {
    let mut live = watch.and_then(|every| {
        db.local().and_then(|conn| ChangeWatch::start(conn).ok()).map(|seen| (every, seen, Instant::now()))
    });
    // A request that came while the worker looked for one before reading ahead.
    let mut queued: Option<(RequestId, DbRequest)> = None;
    loop {
        let next = match live.as_mut() {
            _ if queued.is_some() => queued.take().ok_or(RecvTimeoutError::Disconnected),
            None => inbox.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some((every, seen, last)) => {
                let wait = every.saturating_sub(last.elapsed());
                let next = if wait.is_zero() { Err(RecvTimeoutError::Timeout) } else { inbox.recv_timeout(wait) };
                if last.elapsed() >= *every {
                    *last = Instant::now();
                    // A poll that fails (the file is locked for a moment) is tried again next time.
                    if let Some(conn) = db.local()
                        && let Ok(Some(change)) = seen.poll(conn)
                        && events.send(AppEvent::Changed { schema: change.schema }).is_err()
                    {
                        break;
                    }
                }
                next
            }
        };
        let (id, request) = match next {
            Ok(next) => next,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut partial = |result: DbResult| {
            let _ = events.send(AppEvent::Db(DbReply { id, result: Ok(result) }));
        };
        if running.lock_wait {
            // A cancel meant for an earlier request must not cut this one's lock wait short.
            crate::db::busy::reset_lock_wait();
        }
        let result = if running.begin(id) {
            // Waiting for another process's lock is said at once (once a request), so the
            // screen says why nothing happens yet and that Esc cancels.
            let notice_events = events.clone();
            let mut said = false;
            let notice = Box::new(move || {
                if !std::mem::replace(&mut said, true) {
                    let _ = notice_events.send(AppEvent::Db(DbReply { id, result: Ok(DbResult::LockWait) }));
                }
            });
            crate::db::busy::with_wait_notice(notice, || handle_retrying(&mut db, request, &mut partial))
        } else {
            // Esc came while it waited behind another request (one held up by a lock).
            Err(crate::service::ReplyError::new(
                crate::service::ErrorKind::Interrupted,
                "cancelled before it started; nothing was done",
            ))
        };
        // Cleared under the interrupt's lock: from here on, no interrupt meant for `id` lands.
        running.set(None);
        if events.send(AppEvent::Db(DbReply { id, result })).is_err() {
            break;
        }
        // On a remote, the next page is read while the user looks at this one, unless a
        // request is already waiting.
        if db.remote().is_some() {
            match inbox.try_recv() {
                Ok(next) => queued = Some(next),
                Err(std::sync::mpsc::TryRecvError::Empty) => crate::service::read_ahead(&mut db),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
            }
        }
    }
    db
}

/// How long a page read that met another process's lock pauses before each new try.
const BUSY_BACKOFF: [Duration; 3] = [Duration::from_millis(50), Duration::from_millis(150), Duration::from_millis(400)];

/// Answers `request`; a page read (a page, a sort, a filter, a read in place, a table's
/// schema) that fails as busy without having waited for the lock (a WAL read lock or a
/// checkpoint, where SQLite reports busy at once) is tried again a few times, here on the
/// worker, never on the UI thread. One that waited its whole lock wait is not: that lock is
/// held for long, and the app says to retry with Ctrl-r.
fn handle_retrying(
    db: &mut Db,
    request: DbRequest,
    partial: &mut dyn FnMut(DbResult),
) -> Result<DbResult, crate::service::ReplyError> {
    let retried =
        matches!(request, DbRequest::FetchPage { .. } | DbRequest::ReloadWindow { .. } | DbRequest::LoadTable { .. });
    if !retried {
        return handle(db, request, partial);
    }
    let attempt = || {
        let before = crate::db::busy::steps_waited();
        let result = handle(db, request.clone(), partial);
        (result, crate::db::busy::steps_waited() == before)
    };
    // Esc (which stops the lock wait) also stops the tries.
    let pause = |delay: Duration| {
        thread::sleep(delay);
        !crate::db::busy::lock_wait_cancelled()
    };
    retry_busy(&BUSY_BACKOFF, attempt, pause)
}

/// Runs `attempt` until it succeeds, fails otherwise than busy, fails busy where trying again
/// would not help (its flag is false), or the pauses of `backoff` run out; `pause` waits and
/// says whether to go on.
pub(crate) fn retry_busy<T>(
    backoff: &[Duration],
    mut attempt: impl FnMut() -> (Result<T, crate::service::ReplyError>, bool),
    mut pause: impl FnMut(Duration) -> bool,
) -> Result<T, crate::service::ReplyError> {
    let mut delays = backoff.iter();
    loop {
        let (result, worth_retrying) = attempt();
        match result {
            Err(err) if err.kind == crate::service::ErrorKind::Busy && worth_retrying => match delays.next() {
                Some(delay) if pause(*delay) => continue,
                _ => return Err(err),
            },
            other => return other,
        }
    }
}
