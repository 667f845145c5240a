//! The console's stream never keeps the database locked while it waits for the screen.

use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::console::ConsoleHandle;
use crate::app::{AppEvent, DbRequest, DbResult};
use crate::service::protocol::{ConsoleRequest, ConsoleResult, RowBatch};

fn next_batch(events: &std::sync::mpsc::Receiver<AppEvent>) -> RowBatch {
    loop {
        match events.recv_timeout(Duration::from_secs(30)) {
            Ok(AppEvent::Db(reply)) => match reply.result {
                Ok(DbResult::Console(ConsoleResult::Rows(batch))) => return batch,
                other => panic!("expected rows, got {other:?}"),
            },
            Ok(_) => continue,
            Err(err) => panic!("no reply: {err}"),
        }
    }
}

/// Walkthrough: `select * from session` left half-read kept a rollback-journal file's read lock,
/// so every other writer failed with `database is locked` until the next console statement.
#[test]
fn a_half_read_result_lets_other_processes_write_and_reads_on_where_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let setup = Connection::open(&path).unwrap();
    setup
        .execute_batch(
            "CREATE TABLE t (n INTEGER);
             WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 999) INSERT INTO t SELECT n FROM c;",
        )
        .unwrap();
    let (events_tx, events) = channel();
    let console = ConsoleHandle::spawn(Connection::open(&path).unwrap(), events_tx, None).unwrap();
    let run = ConsoleRequest::Run { sql: "SELECT n FROM t".into(), batch: 10 };
    console.send(1, DbRequest::Console(run));
    let first = next_batch(&events);
    assert!(!first.done);
    // Another process writes while the result sits half-read: it gets through (no deadline
    // races here: it is tried until it does, and the test fails only if it never does).
    let other = Connection::open(&path).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while other.execute("INSERT INTO t VALUES (-1)", []).is_err() {
        assert!(Instant::now() < deadline, "the half-read result keeps the database locked");
        std::thread::sleep(Duration::from_millis(10));
    }
    console.send(2, DbRequest::Console(ConsoleRequest::Fetch { stream: 1, from: 10, rows: 10 }));
    let second = next_batch(&events);
    assert_eq!(second.first, 10);
    let values: Vec<i64> = second
        .rows
        .iter()
        .map(|row| match row[0] {
            rusqlite::types::Value::Integer(n) => n,
            _ => panic!("an integer"),
        })
        .collect();
    assert_eq!(values, (10..20).collect::<Vec<_>>());
    console.close();
}

/// A result left half-read is let go after `IDLE`; the next fetch far down it used to step the
/// statement again from row 0, computing every row on the way. It resumes through OFFSET now,
/// which skips rows without computing their columns: row 100 here fails when computed, so only a
/// resume that stepped from the top meets it.
#[test]
fn a_stream_let_go_while_idle_resumes_at_the_row_asked_for_without_stepping_from_the_top() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let setup = Connection::open(&path).unwrap();
    setup
        .execute_batch(
            "CREATE TABLE t (n INTEGER);
             WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 5999) INSERT INTO t SELECT n FROM c;",
        )
        .unwrap();
    let (events_tx, events) = channel();
    let console = ConsoleHandle::spawn(Connection::open(&path).unwrap(), events_tx, None).unwrap();
    let poisoned = "SELECT n, json_extract('{}', CASE WHEN n = 100 THEN 'x' ELSE '$' END) AS j FROM t";
    console.send(1, DbRequest::Console(ConsoleRequest::Run { sql: poisoned.into(), batch: 10 }));
    assert!(!next_batch(&events).done);
    // Once another process can write, the worker has let the statement go.
    let other = Connection::open(&path).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while other.execute("INSERT INTO t VALUES (-1)", []).is_err() {
        assert!(Instant::now() < deadline, "the half-read result keeps the database locked");
        std::thread::sleep(Duration::from_millis(10));
    }
    console.send(2, DbRequest::Console(ConsoleRequest::Fetch { stream: 1, from: 5000, rows: 10 }));
    let far = next_batch(&events);
    console.send(3, DbRequest::Console(ConsoleRequest::Fetch { stream: 1, from: 5010, rows: 10 }));
    let after = next_batch(&events);
    let ns = |batch: &RowBatch| -> Vec<i64> {
        batch.rows.iter().map(|row| crate::db::value::raw_text(&row[0]).parse().unwrap()).collect()
    };
    assert_eq!((far.first, ns(&far)), (5000, (5000..5010).collect::<Vec<_>>()));
    assert_eq!((after.first, ns(&after)), (5010, (5010..5020).collect::<Vec<_>>()), "the stream goes on from there");
    console.close();
}
