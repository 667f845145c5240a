//! A commit waiting on another process's lock stops waiting when cancelled (issue 18). Its own
//! test binary: the cancel flag is process-wide, and no other test here commits.

use rusqlite::Connection;
use rusqlite::types::Value;
use squall::db::busy::{cancel_lock_wait, install_cancellable_wait, lock_wait_cancelled};
use squall::db::edit::{CommitInput, StagedChange, commit_changes};
use squall::db::open::{OpenInput, OpenMode, open_database};

#[test]
fn a_commit_behind_a_lock_stops_waiting_when_cancelled_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, x); INSERT INTO t VALUES (1, 'a');")
        .unwrap();
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadWrite }).unwrap();
    install_cancellable_wait(&db.conn).unwrap();
    let change = StagedChange::Insert { table: "t".into(), values: vec![("x".into(), Value::Text("b".into()))] };
    let committer = std::thread::spawn(move || {
        let changes = [change];
        let result =
            commit_changes(&db.conn, &CommitInput { changes: &changes, overwrite: false, now: chrono::Utc::now() });
        result.err().map(|err| err.to_string())
    });
    // The commit is now waiting (or about to): cancelling reaches it either way.
    cancel_lock_wait();
    let error = committer.join().unwrap().expect("the commit fails");
    assert!(lock_wait_cancelled());
    assert!(error.contains("cancelled") && error.contains("nothing was written"), "{error}");
    holder.execute_batch("ROLLBACK").unwrap();
    let rows: i64 = holder.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
}
