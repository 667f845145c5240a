//! `squall user remove` on a real terminal: the user's email must be typed, one key is not enough.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Runs `squall user remove bob@example.com --db <db>` in a pseudo-terminal, answers the prompt,
/// and returns the exit code and everything the terminal showed.
fn remove_answering(db: &Path, data: &Path, answer: &str) -> (u32, String) {
    let pair = native_pty_system().openpty(PtySize { rows: 50, cols: 200, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_squall"));
    cmd.args(["user", "remove", "bob@example.com", "--db", db.to_str().unwrap()]);
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
    while !screen.lock().unwrap().contains("(bob@example.com): ") {
        assert!(Instant::now() < deadline, "no prompt; the terminal showed:\n{}", screen.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut writer = pair.master.take_writer().unwrap();
    writer.write_all(answer.as_bytes()).unwrap();
    writer.flush().unwrap();
    let status = child.wait().unwrap();
    drain.join().unwrap();
    let shown = screen.lock().unwrap().clone();
    (status.exit_code(), shown)
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
