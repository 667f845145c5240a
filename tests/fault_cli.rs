//! Bad input and faults through the command line (issue 18): ban lengths past the last date,
//! --read-only against every command that writes, sidecar files around open and close, and the
//! permission modes of every file squall creates.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

fn squall(dir: &Path, args: &[&str]) -> std::process::Output {
    cargo_bin_cmd!("squall").current_dir(dir).env("SQUALL_DATA_DIR", dir.join("data")).args(args).output().unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small demo database at `dir/<name>`.
fn demo(dir: &Path, name: &str) -> PathBuf {
    let db = dir.join(name);
    let out = squall(dir, &["demo", "--users", "12", "--out", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn first_email(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT email FROM user WHERE role IS NOT 'admin' ORDER BY rowid LIMIT 1", [], |r| r.get(0)).unwrap()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn ban_lengths_past_the_last_date_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "app.db");
    let email = first_email(&db);
    let before = std::fs::read(&db).unwrap();
    for length in ["300000y", "15000000w", "100000000d"] {
        let out = squall(dir.path(), &["user", "ban", &email, "--for", length, "--db", db.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{length}: {}", stderr(&out));
        assert!(stderr(&out).contains("too long for a ban") && stderr(&out).contains(length), "{}", stderr(&out));
        assert!(!stderr(&out).contains("overflow"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn read_only_stops_demo_force_and_first_run_demo_creation() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "app.db");
    let before = std::fs::read(&db).unwrap();
    for args in [
        vec!["demo", "--force", "--users", "3", "--out", db.to_str().unwrap(), "--read-only"],
        vec!["--read-only", "demo", "--force", "--users", "3", "--db", db.to_str().unwrap()],
    ] {
        let out = squall(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "the user's own --read-only: {args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--read-only"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database was not replaced");
    // No database, no project, no demo yet: --read-only does not create one (a subcommand never
    // falls back to the demo: that is bad usage, exit 2).
    let empty = tempfile::tempdir().unwrap();
    let out = squall(empty.path(), &["tables", "--read-only"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!empty.path().join("data/demo.sqlite").exists());
}

/// `tables` and `user list`, read-write and --read-only, on a WAL database: nothing is left beside
/// it; on one with a live `-wal` (wrangler's state), that file is left exactly as found.
#[test]
fn commands_leave_the_database_folder_as_they_found_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("db");
    std::fs::create_dir(&folder).unwrap();
    let db = demo(&folder, "app.db");
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "journal_mode", "WAL").unwrap();
    let (names, bytes) = (file_names(&folder), std::fs::read(&db).unwrap());
    assert_eq!(names, ["app.db"]);
    let path = db.to_str().unwrap();
    for args in [
        vec!["tables", "--db", path],
        vec!["tables", "--db", path, "--read-only"],
        vec!["user", "list", "--db", path],
        vec!["user", "list", "--db", path, "--read-only"],
        vec!["er", "--db", path, "--read-only"],
    ] {
        let out = squall(dir.path(), &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(file_names(&folder), names, "{args:?}");
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{args:?}");
    }
    // A --read-only open through query_only still refuses every write.
    let email = first_email(&db);
    let out = squall(dir.path(), &["user", "ban", &email, "--db", path, "--read-only"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), bytes);

    let (_copy, project) = common::copy_fixture("wrangler-project");
    let state = project.join(".wrangler/state/v3/d1/miniflare-D1DatabaseObject");
    let wal = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".sqlite-wal") && !p.to_string_lossy().contains("metadata"))
        .unwrap();
    let wal_before = std::fs::read(&wal).unwrap();
    for args in [vec!["tables"], vec!["tables", "--read-only"]] {
        let out = squall(&project, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(std::fs::read(&wal).unwrap() == wal_before, "{args:?}: the live -wal is untouched");
    }
}

/// Every file squall creates in its data directory (demo, audit log, backups) is 0600 and every
/// folder 0700; a backup of a 0640 database is 0600.
#[cfg(unix)]
#[test]
fn every_file_squall_creates_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The demo in the data directory (first run), then a user action (the audit log).
    let out = squall(dir.path(), &["demo", "--users", "12"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let demo_db = data.join("demo.sqlite");
    let email = first_email(&demo_db);
    let out = squall(dir.path(), &["user", "ban", &email, "--db", demo_db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // migrate apply backs up a database the user made 0640 (a backup of it is never looser).
    std::fs::copy(common::fixture("drizzle-partial.db"), dir.path().join("app.db")).unwrap();
    std::fs::set_permissions(dir.path().join("app.db"), std::fs::Permissions::from_mode(0o640)).unwrap();
    common::copy_recursively(&common::fixture("drizzle"), &dir.path().join("drizzle"));
    let out = squall(dir.path(), &["migrate", "apply", "--db", "app.db", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut seen = Vec::new();
    let mut stack = vec![data.clone()];
    while let Some(path) = stack.pop() {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        if path.is_dir() {
            assert_eq!(mode, 0o700, "{}", path.display());
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_eq!(mode, 0o600, "{}", path.display());
            seen.push(path.strip_prefix(&data).unwrap().to_string_lossy().into_owned());
        }
    }
    seen.sort();
    assert!(seen.iter().any(|p| p == "audit.jsonl"), "{seen:?}");
    assert!(seen.iter().any(|p| p == "demo.sqlite"), "{seen:?}");
    assert!(seen.iter().any(|p| p.starts_with("backups/app")), "{seen:?}");
}
