//! `squall user remove` on a real terminal: the user's email must be typed, one key is not enough.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::pty::Session;

/// Runs `squall user remove bob@example.com --db <db>` in a pseudo-terminal, answers the prompt,
/// and returns the exit code and everything the terminal showed. The shared harness kills the
/// child if the test fails, and every wait has a deadline.
fn remove_answering(db: &Path, data: &Path, answer: &str) -> (u32, String) {
    let db = db.to_str().unwrap();
    let mut session = Session::start(&["user", "remove", "bob@example.com", "--db", db], data, data);
    // A generous bound so a broken prompt fails the test instead of hanging it.
    session.wait_for("(bob@example.com):", Duration::from_secs(60));
    session.send(answer);
    let status = session.wait_exit(Duration::from_secs(60));
    (status.exit_code(), session.text())
}

fn users(db: &Path) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row("SELECT count(*) FROM user", [], |r| r.get(0)).unwrap()
}

fn database(dir: &Path) -> PathBuf {
    let db = dir.join("app.db");
    let init = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle/0000_init.sql");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&std::fs::read_to_string(init).unwrap()).unwrap();
    for (id, email) in [("u-alice", "alice@example.com"), ("u-bob", "bob@example.com")] {
        conn.execute(
            "INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt) VALUES (?1, ?1, ?2, 1, 0, 0)",
            [id, email],
        )
        .unwrap();
    }
    db
}

#[test]
fn remove_asks_for_the_email_typed() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());

    let (code, shown) = remove_answering(&db, dir.path(), "y\r");
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("Type the email of the user to remove (bob@example.com)"), "{shown}");
    assert!(shown.contains("nothing was removed"), "{shown}");
    assert_eq!(users(&db), 2);

    let (code, shown) = remove_answering(&db, dir.path(), "bob@example.com\r");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("removed bob@example.com") && shown.contains("database: "), "{shown}");
    assert_eq!(users(&db), 1);
}
