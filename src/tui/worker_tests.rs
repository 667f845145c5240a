//! The worker's interrupts name their request: a cancelled page read never stops the commit that
//! runs after it.

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

#[test]
fn an_interrupt_for_a_superseded_page_read_leaves_the_running_commit_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    Connection::open(&path).unwrap().execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)").unwrap();
    let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadWrite }).unwrap();
    crate::db::busy::install_cancellable_wait(&db.conn).unwrap();
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
    // The page read that was superseded is not running: its interrupt must not land.
    assert!(!worker.interrupt(page));
    other.execute_batch("COMMIT").unwrap();

    let Ok(AppEvent::Db(reply)) = events.recv() else { panic!("a reply") };
    assert_eq!(reply.id, commit);
    assert!(matches!(reply.result, Ok(DbResult::Committed(_))), "{:?}", reply.result);
    let rows: i64 = other.query_row("SELECT count(*) FROM note WHERE body = 'kept'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
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
