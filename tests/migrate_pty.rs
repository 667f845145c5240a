//! `squall migrate apply` on a real terminal asks y/N before changing anything.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Runs `squall migrate apply --db <db>` in a pseudo-terminal, answers the prompt, and returns
/// the exit code and everything the terminal showed.
fn apply_answering(db: &Path, data: &Path, answer: &str) -> (u32, String) {
    let pair = native_pty_system().openpty(PtySize { rows: 50, cols: 200, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_squall"));
    cmd.args(["migrate", "apply", "--db", db.to_str().unwrap()]);
    cmd.args(["--migrations", fixtures().join("drizzle").to_str().unwrap()]);
    cmd.env("SQUALL_DATA_DIR", data);
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let screen = Arc::new(Mutex::new(String::new()));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let sink = Arc::clone(&screen);
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    // A generous bound so a broken prompt fails the test instead of hanging it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !screen.lock().unwrap().contains("[y/N]") {
        assert!(Instant::now() < deadline, "no prompt; the terminal showed:\n{}", screen.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut writer = pair.master.take_writer().unwrap();
    writer.write_all(answer.as_bytes()).unwrap();
    writer.flush().unwrap();
    let status = child.wait().unwrap();
    // The child has exited and our copy of the slave is closed, so the reader ends at EOF.
    drain.join().unwrap();
    let shown = screen.lock().unwrap().clone();
    (status.exit_code(), shown)
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
