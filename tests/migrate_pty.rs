//! `squall migrate apply` on a real terminal asks y/N before changing anything.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::pty::Session;

/// Runs `squall migrate apply --db <db>` in a pseudo-terminal, answers the prompt, and returns
/// the exit code and everything the terminal showed.
fn apply_answering(db: &Path, data: &Path, answer: &str) -> (u32, String) {
    let migrations = fixtures().join("drizzle");
    let args = ["migrate", "apply", "--db", db.to_str().unwrap(), "--migrations", migrations.to_str().unwrap()];
    let mut session = Session::start(&args, data, data);
    // A generous bound so a broken prompt fails the test instead of hanging it.
    session.wait_for("[y/N]", Duration::from_secs(60));
    session.send(answer);
    let status = session.wait_exit(Duration::from_secs(60));
    (status.exit_code(), session.text())
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn apply_asks_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.sqlite");
    std::fs::copy(fixtures().join("wrangler-d1-partial.sqlite"), &db).unwrap();
    let before = std::fs::read(&db).unwrap();

    let (code, shown) = apply_answering(&db, dir.path(), "n\r");
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("apply 1 migration to app? [y/N]") && shown.contains("cancelled"), "{shown}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    let (code, shown) = apply_answering(&db, dir.path(), "y\r");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("0001_audit_log_last_login.sql (3 statements) ... ok"), "{shown}");
}
