//! The terminal UI on a remote D1 (the in-process stand-in, `common/d1_stub.rs`), on a real
//! terminal: what it says once the terminal is restored.

mod common;

#[path = "common/d1_stub.rs"]
mod d1_stub;

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use common::pty::Session;

/// A database id as D1 makes them (a UUID).
const DB_ID: &str = "7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34";

fn database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("remote.sqlite");
    let init = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle/0000_init.sql");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&std::fs::read_to_string(init).unwrap()).unwrap();
    conn.execute(
        "INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt) VALUES ('u1', 'Ann', 'ann@example.com', 1, 0, 0)",
        [],
    )
    .unwrap();
    db
}

#[test]
fn quitting_a_remote_session_prints_its_requests_and_rows_read() {
    let dir = tempfile::tempdir().unwrap();
    let stub = d1_stub::D1Stub::start(&database(dir.path()));
    let data = dir.path().join("data");
    let env: [(&str, &OsStr); 5] = [
        ("SQUALL_DATA_DIR", data.as_os_str()),
        ("HOME", dir.path().as_os_str()),
        ("CLOUDFLARE_ACCOUNT_ID", OsStr::new("acc")),
        ("CLOUDFLARE_API_TOKEN", OsStr::new("t")),
        ("CLOUDFLARE_API_BASE_URL", OsStr::new(&stub.base)),
    ];
    let mut session = Session::start_with(&["--remote", "--database-id", DB_ID], dir.path(), &env);
    session.wait_for("D1 ", Duration::from_secs(60));
    session.wait_for("ann@example.com", Duration::from_secs(60));
    session.send("q");
    let status = session.wait_exit(Duration::from_secs(60));
    assert_eq!(status.exit_code(), 0, "{}", session.text());
    let requests = stub.seen().len();
    let text = session.text();
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    assert!(last.contains(&format!(": {requests} requests, ")), "{requests} requests; the last line: {last:?}");
    assert!(last.contains(" rows read, "), "{last:?}");
}
