//! The real binary in a pseudo-terminal: it starts on the demo database, shows user rows,
//! pages to the end of a big table, quits on `q` and gives the terminal back.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    output: Arc<Mutex<Vec<u8>>>,
    /// A terminal emulator fed with the same bytes: the screen as a person would see it.
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str], cwd: &Path, data: &Path) -> Session {
        let pair =
            native_pty_system().openpty(PtySize { rows: 30, cols: 120, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_squall"));
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("SQUALL_DATA_DIR", data);
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 120, 0)));
        let (sink, emulator) = (Arc::clone(&output), Arc::clone(&screen));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
                emulator.lock().unwrap().process(&buf[..n]);
            }
        });
        // Keep the master alive as long as the session by leaking it into the reader's lifetime.
        std::mem::forget(pair.master);
        Session { output, screen, writer, child }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `needle`; panics with the screen if it does not.
    fn wait_for(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.screen().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {needle:?}; the screen was:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("squall did not exit; output was:\n{}", self.text());
    }
}

#[test]
fn starts_on_the_demo_shows_users_quits_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut session = Session::start(&[], dir.path(), &data);
    session.wait_for("row 1 of 2,000", Duration::from_secs(60));
    session.wait_for("@", Duration::from_secs(10));
    assert!(data.join("demo.sqlite").is_file(), "the demo database was created in the data directory");
    session.send("q");
    let status = session.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    let output = session.text();
    assert!(output.contains("\u{1b}[?1049h"), "entered the alternate screen");
    let tail = &output[output.rfind("\u{1b}[?1049h").unwrap()..];
    assert!(tail.contains("\u{1b}[?1049l"), "left the alternate screen");
    assert!(tail.contains("\u{1b}[?25h"), "showed the cursor again");
}

#[test]
fn pages_to_the_end_of_a_100k_user_demo() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = dir.path().join("big.db");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_squall"))
        .args(["demo", "--users", "100000", "--out"])
        .arg(&db)
        .env("SQUALL_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 100,000", Duration::from_secs(30));
    session.send("G");
    session.wait_for("row 100,000 of 100,000", Duration::from_secs(30));
    session.send("\u{1b}[5~"); // PageUp: one screen (26 grid rows on a 30-line terminal) up
    session.wait_for("row 99,974 of 100,000", Duration::from_secs(30));
    session.send("gg");
    session.wait_for("row 1 of 100,000", Duration::from_secs(30));
    session.send("q");
    assert!(session.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn edits_a_cell_commits_it_and_the_file_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = dir.path().join("edit.db");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_squall"))
        .args(["demo", "--users", "50", "--out"])
        .arg(&db)
        .env("SQUALL_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(made.status.success());
    let first_id: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM user ORDER BY rowid LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 50", Duration::from_secs(30));
    session.send("le");
    session.wait_for("edit user.name", Duration::from_secs(10));
    session.send(&"\u{7f}".repeat(40));
    session.send("Edited In Pty\r");
    session.wait_for("1 staged", Duration::from_secs(10));
    session.send("\u{13}"); // Ctrl-S
    session.wait_for("y commit", Duration::from_secs(10));
    session.send("y");
    session.wait_for("committed", Duration::from_secs(10));
    session.send("q");
    assert!(session.wait_exit(Duration::from_secs(10)).success());
    let name: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT name FROM user WHERE id = ?1", [&first_id], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Edited In Pty");
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(audit.contains("Edited In Pty"));
}

#[test]
fn console_runs_a_query_confirms_a_write_and_recalls_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = dir.path().join("console.db");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_squall"))
        .args(["demo", "--users", "50", "--out"])
        .arg(&db)
        .env("SQUALL_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(made.status.success());
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 50", Duration::from_secs(30));
    session.send(":");
    session.wait_for("F5 run", Duration::from_secs(10));
    session.send("select count(*) as n from user;\r");
    session.send("update user set name = 'Pty Console' where email like '%1@%'");
    session.send("\u{1b}[15~"); // F5: the statement under the cursor (the update)
    session.wait_for("rows its WHERE matches", Duration::from_secs(10));
    session.send("y");
    session.wait_for("changed; recorded in the audit log", Duration::from_secs(10));
    session.send("\u{3}"); // Ctrl-c
    assert!(session.wait_exit(Duration::from_secs(10)).success());
    let renamed: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM user WHERE name = 'Pty Console'", [], |r| r.get(0))
        .unwrap();
    assert!(renamed > 0);
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(audit.contains("Pty Console"), "{audit}");

    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 50", Duration::from_secs(30));
    session.send(":");
    session.wait_for("F5 run", Duration::from_secs(10));
    session.send("\u{10}"); // Ctrl-p: the last statement run, from the history file
    session.wait_for("set name = 'Pty Console'", Duration::from_secs(10));
    session.send("\u{3}");
    assert!(session.wait_exit(Duration::from_secs(10)).success());
}
