//! The real binary in a pseudo-terminal: it starts on the demo database, shows user rows,
//! pages to the end of a big table, quits on `q` and gives the terminal back.

mod common;

use std::time::{Duration, Instant};

use common::pty::Session;

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
    make_demo(&db, &data, "100000");
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 100,000", Duration::from_secs(30));
    session.send("G");
    session.wait_for("row 100,000 of 100,000", Duration::from_secs(30));
    session.send("\u{1b}[5~"); // PageUp: one screen (25 grid rows on a 30-line terminal) up
    session.wait_for("row 99,975 of 100,000", Duration::from_secs(30));
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
    make_demo(&db, &data, "50");
    let first_id: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM user ORDER BY rowid LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 50", Duration::from_secs(30));
    session.send("e"); // the user table opens on its name column
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
fn follows_another_process_writes_without_a_key_and_keeps_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = dir.path().join("live.db");
    make_demo(&db, &data, "50");
    let other = rusqlite::Connection::open(&db).unwrap();
    let ids: Vec<String> = other
        .prepare("SELECT id FROM user ORDER BY rowid LIMIT 5")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 50", Duration::from_secs(30));
    session.send("jjj");
    session.wait_for("row 4 of 50", Duration::from_secs(10));
    // The app beside squall renames the selected user, deletes one above it and adds one.
    other.execute("UPDATE user SET name = 'Renamed Live' WHERE id = ?1", [&ids[3]]).unwrap();
    session.wait_for("Renamed Live", Duration::from_secs(30));
    other.execute_batch(&format!("PRAGMA foreign_keys = ON; DELETE FROM user WHERE id = '{}'", ids[1])).unwrap();
    session.wait_for("row 3 of 49", Duration::from_secs(30));
    // Deleting the selected row hands the cursor to the next one, still without a key.
    other.execute_batch(&format!("PRAGMA foreign_keys = ON; DELETE FROM user WHERE id = '{}'", ids[3])).unwrap();
    session.wait_for("row 3 of 48", Duration::from_secs(30));
    // The editor opens on the selected row's name: the neighbour's.
    let neighbour: String = other.query_row("SELECT name FROM user WHERE id = ?1", [&ids[4]], |r| r.get(0)).unwrap();
    session.send("e");
    session.wait_for("edit user.name", Duration::from_secs(10));
    let screen = session.screen();
    let edited = screen.lines().skip_while(|l| !l.contains("edit user.name")).nth(1).unwrap_or_default();
    assert!(edited.contains(&neighbour), "the cursor is on the deleted row's neighbour:\n{screen}");
    session.send("\u{1b}");
    let start = Instant::now();
    while session.screen().contains("edit user.name") && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    session.send("q");
    assert!(session.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn x_exports_the_searched_rows_and_y_copies_over_osc52() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = dir.path().join("export.db");
    make_demo(&db, &data, "200");
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 200", Duration::from_secs(30));
    session.send("/patel\r");
    session.wait_for("/patel", Duration::from_secs(10));
    session.send("x");
    session.wait_for("Enter write", Duration::from_secs(10));
    session.send("\r");
    session.wait_for("exported", Duration::from_secs(30));
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .expect("an export file in the current directory");
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let mut exported: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    exported.sort();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT id FROM user WHERE id LIKE '%patel%' OR name LIKE '%patel%' OR email LIKE '%patel%'
             OR image LIKE '%patel%' OR role LIKE '%patel%' OR banReason LIKE '%patel%' ORDER BY id",
        )
        .unwrap();
    let expected: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(!expected.is_empty());
    assert_eq!(exported, expected);
    // `y` on the id column sends the id in an OSC 52 sequence (unless this terminal is known not to).
    session.send("y");
    session.wait_for("copied", Duration::from_secs(10));
    assert!(session.text().contains("\u{1b}]52;c;"), "an OSC 52 sequence was written");
    session.send("q");
    assert!(session.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn console_runs_a_query_confirms_a_write_and_recalls_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = dir.path().join("console.db");
    make_demo(&db, &data, "50");
    let mut session = Session::start(&[db.to_str().unwrap()], dir.path(), &data);
    session.wait_for("row 1 of 50", Duration::from_secs(30));
    session.send(":");
    session.wait_for("F5 run", Duration::from_secs(10));
    session.send("select count(*) as n from user;\r");
    session.send("update user set name = 'Pty Console' where email like '%1@%'");
    session.send("\u{1b}[15~"); // F5: the statement under the cursor (the update)
    session.wait_for("This UPDATE matches", Duration::from_secs(10));
    session.send("y");
    session.wait_for("changed; recorded in squall's log (squall log)", Duration::from_secs(10));
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

/// `squall demo --users N --out db`, with its data directory at `data`.
fn make_demo(db: &std::path::Path, data: &std::path::Path, users: &str) {
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_squall"))
        .args(["demo", "--users", users, "--out"])
        .arg(db)
        .env("SQUALL_DATA_DIR", data)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
}
