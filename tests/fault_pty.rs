//! Faults around the real binary in a pseudo-terminal (issue 18): signals give the terminal back
//! and say that staged changes were discarded; opening and closing a WAL database leaves its
//! folder as it was.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::pty::Session;

const WAIT: Duration = Duration::from_secs(30);

/// A demo database of `users` users at `dir/<name>`.
fn demo(dir: &Path, name: &str, users: &str) -> PathBuf {
    let db = dir.join(name);
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_squall"))
        .args(["demo", "--users", users, "--out"])
        .arg(&db)
        .env("SQUALL_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    db
}

/// The folder's file names and each file's bytes.
fn folder(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect();
    files.sort();
    files
}

fn names(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(name, _)| name.as_str()).collect()
}

/// Starts squall on a 20-user demo, stages one edit, sends `signal`, and checks the terminal is
/// given back (alternate screen left, cursor shown, mouse off, cooked mode) and that the discarded
/// edit is reported on the terminal and in the audit log.
fn signal_discards_and_restores(signal: &str, number: i32) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = demo(dir.path(), "sig.db", "20");
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 20", WAIT);
    // The user table opens on the name column.
    session.send("e");
    session.wait_for("edit user.name", WAIT);
    session.send("Staged Then Killed\r");
    session.wait_for("1 staged", WAIT);
    assert_eq!(session.local_modes(), (false, false, false), "raw mode while running");
    session.signal(signal);
    let status = session.wait_exit(WAIT);
    assert_eq!(status.exit_code(), 128 + number as u32, "{signal}: {status:?}");
    let output = session.text();
    let tail = &output[output.rfind("\u{1b}[?1049h").unwrap()..];
    assert!(tail.contains("\u{1b}[?1049l"), "{signal}: left the alternate screen");
    assert!(tail.contains("\u{1b}[?25h"), "{signal}: showed the cursor");
    assert!(tail.contains("\u{1b}[?1000l"), "{signal}: turned mouse reporting off");
    assert_eq!(session.local_modes(), (true, true, true), "{signal}: icanon, echo and isig are back");
    let said = &tail[tail.rfind("\u{1b}[?1049l").unwrap()..];
    assert!(said.contains(&format!("ended by SIG{signal}; 1 staged change was discarded")), "{said}");
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(audit.contains(&format!("discarded on SIG{signal}")) && audit.contains("Staged Then Killed"), "{audit}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let kept: i64 =
        conn.query_row("SELECT count(*) FROM user WHERE name = 'Staged Then Killed'", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 0, "nothing staged was written");
}

#[test]
fn sigterm_restores_the_terminal_and_reports_discarded_changes() {
    signal_discards_and_restores("TERM", 15);
}

#[test]
fn sighup_restores_the_terminal_and_reports_discarded_changes() {
    signal_discards_and_restores("HUP", 1);
}

#[test]
fn sigint_restores_the_terminal_and_reports_discarded_changes() {
    signal_discards_and_restores("INT", 2);
}

/// Open, look, quit: a WAL database with no `-wal` file beside it is left with none, read-write
/// and --read-only alike.
#[test]
fn the_tui_leaves_a_clean_wal_database_folder_as_it_found_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let folder_path = dir.path().join("db");
    std::fs::create_dir(&folder_path).unwrap();
    let db = demo(&folder_path, "app.db", "30");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    drop(conn);
    let before = folder(&folder_path);
    assert_eq!(names(&before), ["app.db"]);
    for extra in [None, Some("--read-only")] {
        let mut args = vec![db.to_str().unwrap()];
        args.extend(extra);
        let mut session = Session::start(&args, dir.path(), &data);
        session.wait_for("row 1 of 30", WAIT);
        session.send("q");
        assert!(session.wait_exit(WAIT).success());
        assert_eq!(names(&folder(&folder_path)), names(&before), "{extra:?}");
        assert!(folder(&folder_path) == before, "{extra:?}: the database bytes are unchanged");
    }
}

/// wrangler's local D1 state keeps a live `-wal`: the TUI leaves it, and the main file, exactly
/// as found.
#[test]
fn the_tui_leaves_a_live_wal_file_untouched() {
    let (dir, project) = common::copy_fixture("wrangler-project");
    let state = project.join(".wrangler/state/v3/d1/miniflare-D1DatabaseObject");
    let before = folder(&state);
    let mut session = Session::start(&[], &project, &dir.path().join("data"));
    session.wait_for("wrangler.toml: D1", WAIT);
    session.send("q");
    assert!(session.wait_exit(WAIT).success());
    let after = folder(&state);
    assert_eq!(names(&after), names(&before));
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        if !name.ends_with("-shm") {
            assert!(old == new, "{name} changed");
        }
    }
}

/// The harness itself: a session dropped while squall runs (a test that failed half-way) kills
/// and reaps it, so no squall outlives the suite.
#[test]
fn a_dropped_session_leaves_no_squall_running() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "drop.db", "5");
    let session = Session::start(&[db.to_str().unwrap()], dir.path(), &dir.path().join("data"));
    session.wait_for("row 1 of 5", WAIT);
    let pid = session.pid();
    drop(session);
    let alive = std::process::Command::new("kill").args(["-0", &pid.to_string()]).status().unwrap().success();
    assert!(!alive, "squall (pid {pid}) still runs");
}

/// A commit on a WAL database, then quit: the last connection to close checkpoints and removes
/// the `-wal` and `-shm` (quitting used to interrupt the idle connections, and a pending
/// interrupt stopped that checkpoint, leaving the commit only in the `-wal`).
#[test]
fn a_commit_on_a_wal_database_is_in_the_main_file_after_quitting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let folder_path = dir.path().join("db");
    std::fs::create_dir(&folder_path).unwrap();
    let db = demo(&folder_path, "wal.db", "20");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    drop(conn);
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 20", WAIT);
    session.send("e");
    session.wait_for("edit user.name", WAIT);
    session.send("Committed In Wal\r");
    session.wait_for("1 staged", WAIT);
    session.send("\u{13}");
    session.wait_for("y commit", WAIT);
    session.send("y");
    session.wait_for("committed: ", WAIT);
    session.send("q");
    assert!(session.wait_exit(WAIT).success());
    assert_eq!(names(&folder(&folder_path)), ["wal.db"], "the -wal and -shm are removed");
    let read = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let names: i64 =
        read.query_row("SELECT count(*) FROM user WHERE name LIKE '%Committed In Wal%'", [], |r| r.get(0)).unwrap();
    assert_eq!(names, 1, "the edit is in the main file");
}
