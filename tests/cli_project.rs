//! Which database a subcommand uses: the wrangler project's, found from a subfolder as wrangler
//! finds it; never the demo by accident; named by every write. Plus typos of subcommands and
//! output into a pipe whose reader has gone.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

const PROJECT_DB: &str = ".wrangler/state/v3/d1/miniflare-D1DatabaseObject/4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite";

/// A copy of the wrangler project with one user added, and a data directory beside it.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        common::copy_recursively(&common::fixture("wrangler-project"), &dir.path().join("project"));
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("project").join(PROJECT_DB)).unwrap();
        conn.execute("INSERT INTO user (id, name, email) VALUES ('u-ada', 'Ada', 'ada@project.dev')", []).unwrap();
        Scratch { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn data(&self) -> PathBuf {
        self.path("data")
    }

    fn squall(&self, cwd: &str, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("squall").unwrap();
        cmd.current_dir(self.path(cwd)).env("SQUALL_DATA_DIR", self.data()).args(args);
        cmd
    }

    fn demo_exists(&self) -> bool {
        self.data().join("demo.sqlite").exists()
    }
}

#[test]
fn a_subfolder_of_the_project_uses_the_projects_database() {
    let s = Scratch::new();
    s.squall("project/src", &["user", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ada@project.dev"))
        .stdout(predicate::str::contains("1 user:"))
        .stderr(predicate::str::contains("wrangler.toml: D1 binding DB (app-db)"));
    s.squall("project/src", &["tables"]).assert().success().stdout(predicate::str::contains(PROJECT_DB));
    s.squall("project/src", &["migrate", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("migrations_dir of D1 binding DB (app-db) in wrangler.toml"));
    assert!(!s.demo_exists(), "the demo database was neither created nor used");
}

#[test]
fn outside_a_project_a_subcommand_needs_db() {
    let s = Scratch::new();
    let commands: [&[&str]; 8] = [
        &["tables"],
        &["export", "user"],
        &["sql", "select count(*) from user"],
        &["er"],
        &["user", "list"],
        &["user", "ban", "ada@project.dev"],
        &["migrate", "status"],
        &["migrate", "apply", "--yes"],
    ];
    for args in commands {
        s.squall("elsewhere", args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--db"))
            .stderr(predicate::str::contains("squall demo"));
        assert!(!s.demo_exists(), "{args:?} created the demo database");
    }
    // Even once the demo exists, subcommands do not fall back to it.
    s.squall("elsewhere", &["demo", "--users", "20"]).assert().success();
    assert!(s.demo_exists());
    let demo = s.data().join("demo.sqlite");
    // Defect: the message still said `squall demo` makes one; it names the demo's path now.
    s.squall("elsewhere", &["export", "user", "--format", "csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("--db {}", demo.display())));
    s.squall("elsewhere", &["user", "list"]).assert().code(2);
    s.squall("elsewhere", &["tables", "--db"]).arg(&demo).assert().success();
}

#[test]
fn write_commands_say_which_database_they_changed() {
    let s = Scratch::new();
    let db = s.path("project").join(PROJECT_DB);
    s.squall("project/src", &["user", "set-role", "ada@project.dev", "admin"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("database: {}", db.display())))
        .stdout(predicate::str::contains("(wrangler.toml: D1 binding DB (app-db)"));
    let copy = s.path("copy.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
    s.squall("elsewhere", &["user", "unban", "ada@project.dev", "--db"])
        .arg(&copy)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("database: {}\n", copy.display())));
    let out = s
        .squall("elsewhere", &["user", "set-role", "ada@project.dev", "user", "--json", "--db"])
        .arg(&copy)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["database"], copy.display().to_string());
    assert_eq!(json["action"], "user.set_role", "the outcome's fields are still there");
}

#[test]
fn a_mistyped_subcommand_is_bad_usage_with_a_suggestion() {
    let s = Scratch::new();
    s.squall("elsewhere", &["tabels"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `squall tables`"));
    s.squall("elsewhere", &["--read-only", "usr"]).assert().code(2).stderr(predicate::str::contains("`squall user`"));
    // A missing file is still a missing file.
    s.squall("elsewhere", &["tables.db"]).assert().code(1).stderr(predicate::str::contains("no such file"));
    assert!(!s.demo_exists());
}

/// Runs squall with stdout into a pipe nobody reads any more.
fn into_closed_pipe(cwd: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Command::new(env!("CARGO_BIN_EXE_squall"))
        .current_dir(cwd)
        .env("SQUALL_DATA_DIR", data)
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_reader_that_goes_away_ends_every_command_quietly() {
    let s = Scratch::new();
    let project = s.path("project");
    let commands: [&[&str]; 8] = [
        &["tables"],
        &["tables", "--json"],
        &["er"],
        &["er", "--format", "mermaid"],
        &["user", "list"],
        &["migrate", "status"],
        &["log"],
        &["--help"],
    ];
    for args in commands {
        let out = into_closed_pipe(&project, &s.data(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        if out.status.code().is_some() {
            assert!(out.status.success(), "{args:?} exited {:?}: {stderr}", out.status);
        }
    }
}
