//! The worker's interrupts name their request: a cancelled page read never stops the commit that
//! runs after it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::types::Value;

use super::worker::{Running, WorkerHandle};
use crate::app::{AppEvent, AuditTarget, DbRequest, DbResult};
use crate::db::edit::StagedChange;
use crate::db::open::{OpenInput, OpenMode, open_database};

/// Waits (with a deadline, so a broken worker fails the test instead of hanging it) until the
/// worker runs request `id`.
fn wait_running(worker: &WorkerHandle, id: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while worker.running() != Some(id) {
        assert!(Instant::now() < deadline, "the worker never started request {id}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Set once the commit waits on the lock (see [`waiting_lock_handler`]).
static WAITING_ON_LOCK: AtomicBool = AtomicBool::new(false);

/// The cancellable lock wait of `db::busy`, which also says when the wait has begun, so the
/// test interrupts while the commit is surely inside it.
fn waiting_lock_handler(attempts: i32) -> bool {
    WAITING_ON_LOCK.store(true, Ordering::SeqCst);
    if crate::db::busy::lock_wait_cancelled() || attempts > 30_000 {
        return false;
    }
    std::thread::sleep(Duration::from_millis(1));
    true
}

#[test]
fn an_interrupt_for_a_superseded_page_read_leaves_the_running_commit_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    Connection::open(&path).unwrap().execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)").unwrap();
    let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadWrite }).unwrap();
    db.conn.busy_handler(Some(waiting_lock_handler)).unwrap();
    // Another process holds the write lock: the commit waits for it, so it is surely running
    // when the interrupt comes.
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    let (events_tx, events) = channel();
    let worker = WorkerHandle::spawn(db.conn, events_tx, "test", None, true).unwrap();
    let (page, commit) = (1, 2);
    let changes =
        vec![StagedChange::Insert { table: "note".into(), values: vec![("body".into(), Value::Text("kept".into()))] }];
    let audit = AuditTarget { file: dir.path().join("audit.jsonl"), database: path.clone() };
    worker.send(commit, DbRequest::CommitChanges { changes, overwrite: false, now: chrono::Utc::now(), audit });
    wait_running(&worker, commit);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !WAITING_ON_LOCK.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the commit never waited on the lock");
        std::thread::sleep(Duration::from_millis(1));
    }
    // The page read that was superseded is not running: its interrupt must not land.
    // The page read that was superseded is not running: its interrupt must not land.
    let landed = worker.interrupt(page);
    // The lock is let go only once the commit has asked to wait again after the interrupt, so
    // an interrupt that did cancel the wait would surely be seen.
    WAITING_ON_LOCK.store(false, Ordering::SeqCst);
    while !WAITING_ON_LOCK.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the commit stopped waiting on the lock");
        std::thread::sleep(Duration::from_millis(1));
    }
    other.execute_batch("COMMIT").unwrap();

    let Ok(AppEvent::Db(reply)) = events.recv() else { panic!("a reply") };
    assert_eq!(reply.id, commit);
    assert!(matches!(reply.result, Ok(DbResult::Committed { .. })), "{:?}", reply.result);
    let rows: i64 = other.query_row("SELECT count(*) FROM note WHERE body = 'kept'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
    assert!(!landed, "no interrupt for a request that is not running");
    worker.close(false);
}

#[test]
fn an_interrupt_lands_only_on_the_request_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    let running = Running::new(Some(conn.get_interrupt_handle()), false);
    assert!(!running.interrupt(7), "nothing runs");
    running.set(Some(7));
    assert!(!running.interrupt(3), "another request runs");
    assert!(running.interrupt(7));
    running.set(None);
    assert!(!running.interrupt(7), "finished");
}

/// Walkthrough: Esc on a commit queued behind a request held up by a lock did nothing, and the
/// commit was written once the lock went. A request cancelled while queued never runs.
#[test]
fn an_interrupt_for_a_queued_request_stops_it_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    let running = Running::new(Some(conn.get_interrupt_handle()), false);
    assert!(running.begin(4));
    assert!(!running.interrupt(5), "queued, not running");
    assert!(!running.interrupt(3), "finished long ago: nothing to remember");
    running.set(None);
    assert!(!running.begin(5), "cancelled while queued");
    assert!(running.begin(6));
}

/// Walkthrough: a commit behind another writer's lock showed nothing while it waited. The
/// worker says at once that the request waits for a lock, before its reply.
#[test]
fn a_request_waiting_for_a_lock_says_so_before_its_reply() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    Connection::open(&path).unwrap().execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)").unwrap();
    let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadWrite }).unwrap();
    crate::db::busy::install_cancellable_wait(&db.conn).unwrap();
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (events_tx, events) = channel();
    let worker = WorkerHandle::spawn(db.conn, events_tx, "test", None, true).unwrap();
    let changes =
        vec![StagedChange::Insert { table: "note".into(), values: vec![("body".into(), Value::Text("kept".into()))] }];
    let audit = AuditTarget { file: dir.path().join("audit.jsonl"), database: path.clone() };
    worker.send(9, DbRequest::CommitChanges { changes, overwrite: false, now: chrono::Utc::now(), audit });
    let Ok(AppEvent::Db(first)) = events.recv_timeout(Duration::from_secs(30)) else { panic!("an event") };
    assert_eq!((first.id, first.result), (9, Ok(DbResult::LockWait)), "the wait is said first");
    // The other writer lets go: the commit goes through, said once.
    other.execute_batch("COMMIT").unwrap();
    let Ok(AppEvent::Db(reply)) = events.recv_timeout(Duration::from_secs(30)) else { panic!("a reply") };
    assert_eq!(reply.id, 9);
    assert!(matches!(reply.result, Ok(DbResult::Committed { .. })), "{:?}", reply.result);
    worker.close(false);
}

fn busy() -> crate::service::ReplyError {
    crate::service::ReplyError::new(crate::service::ErrorKind::Busy, "database is locked")
}

/// A page read that meets a lock SQLite reports at once (a WAL read lock, a checkpoint) is
/// tried again with a short backoff, and gives up busy once the pauses run out.
#[test]
fn a_read_that_meets_a_lock_is_tried_again_with_backoff() {
    let backoff = [Duration::from_millis(1), Duration::from_millis(2), Duration::from_millis(3)];
    let mut tries = 0;
    let mut paused = Vec::new();
    let result = super::worker::retry_busy(
        &backoff,
        || {
            tries += 1;
            (if tries < 3 { Err(busy()) } else { Ok(tries) }, true)
        },
        |delay| {
            paused.push(delay);
            true
        },
    );
    assert_eq!(result, Ok(3), "the third try reads");
    assert_eq!(paused, backoff[..2], "a growing pause before each new try");

    let mut tries = 0;
    let result: Result<(), _> = super::worker::retry_busy(
        &backoff,
        || {
            tries += 1;
            (Err(busy()), true)
        },
        |_| true,
    );
    assert_eq!((result, tries), (Err(busy()), 4), "still locked after every try: busy, said by the app");

    // A lock waited for its whole wait, a cancel, or another failure is not tried again.
    let mut tries = 0;
    let _: Result<(), _> = super::worker::retry_busy(
        &backoff,
        || {
            tries += 1;
            (Err(busy()), false)
        },
        |_| true,
    );
    assert_eq!(tries, 1);
    let mut tries = 0;
    let _: Result<(), _> = super::worker::retry_busy(
        &backoff,
        || {
            tries += 1;
            (Err(busy()), true)
        },
        |_| false,
    );
    assert_eq!(tries, 1, "Esc during the pause stops the tries");
    let mut tries = 0;
    let other = crate::service::ReplyError::other("no such table");
    let _: Result<(), _> = super::worker::retry_busy(
        &backoff,
        || {
            tries += 1;
            (Err(other.clone()), true)
        },
        |_| true,
    );
    assert_eq!(tries, 1);
}
