//! The README's exit codes: 0 ok, 1 error, 2 bad usage. Mistakes in the command line (a write
//! with the user's own --read-only, an unknown --d1 name, an invalid value, a date in the past, a
//! missing --yes without a terminal) exit 2 in every subcommand; failures met in the data (no such
//! user or table, SQL errors, a file that is no database) still exit 1. Nothing is changed.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const PROJECT_DB: &str = ".wrangler/state/v3/d1/miniflare-D1DatabaseObject/4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite";

/// A copy of the wrangler project with one user, and a data directory beside it.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        common::copy_recursively(&common::fixture("wrangler-project"), &dir.path().join("project"));
        let conn = rusqlite::Connection::open(dir.path().join("project").join(PROJECT_DB)).unwrap();
        conn.execute("INSERT INTO user (id, name, email) VALUES ('u-ada', 'Ada', 'ada@project.dev')", []).unwrap();
        Project { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("project").join(PROJECT_DB)
    }

    /// `squall ARGS` run in the project folder, stdin empty (not a terminal).
    fn squall(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("squall").unwrap();
        cmd.current_dir(self.dir.path().join("project"))
            .env("SQUALL_DATA_DIR", self.dir.path().join("data"))
            .args(args)
            .write_stdin("");
        cmd
    }

    fn unchanged_since(&self, before: &[u8]) {
        assert_eq!(before, std::fs::read(self.db()).unwrap(), "the database was changed");
        assert!(!self.dir.path().join("data/audit.jsonl").exists(), "something was audited");
    }
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_write_refused_by_the_users_own_read_only_flag_is_bad_usage() {
    let p = Project::new();
    let before = bytes(&p.db());
    let writes: [&[&str]; 6] = [
        &["--read-only", "user", "ban", "ada@project.dev"],
        &["user", "set-role", "ada@project.dev", "admin", "--read-only"],
        &["user", "remove", "ada@project.dev", "--yes", "--read-only"],
        &["user", "set-password", "ada@project.dev", "--read-only"],
        &["--read-only", "sql", "update user set name = 'Zed'", "--yes"],
        &["--read-only", "demo", "--out", "demo.db"],
    ];
    for args in writes {
        p.squall(args).assert().code(2).stderr(predicate::str::contains("read-only"));
    }
    p.unchanged_since(&before);
    p.squall(&["--read-only", "user", "list"]).assert().success();
}

#[test]
fn an_unknown_d1_name_is_bad_usage_in_every_command_and_lists_the_names() {
    let p = Project::new();
    let commands: [&[&str]; 8] = [
        &["user", "list"],
        &["tables"],
        &["er"],
        &["log"],
        &["export", "user"],
        &["sql", "select 1"],
        &["migrate", "status"],
        &["migrate", "apply", "--yes"],
    ];
    for args in commands {
        p.squall(args)
            .args(["--d1", "nosuch"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no D1 database named \"nosuch\"; its D1 databases: DB (app-db)"));
    }
    p.squall(&["user", "list", "--d1", "app-db"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ada@project.dev"));
}

#[test]
fn invalid_values_dates_in_the_past_and_a_missing_yes_are_bad_usage() {
    let p = Project::new();
    let before = bytes(&p.db());
    p.squall(&["user", "set-role", "ada@project.dev", ""])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid role"));
    p.squall(&["user", "ban", "ada@project.dev", "--until", "2020-01-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already past"));
    p.squall(&["user", "remove", "ada@project.dev"]).assert().code(2).stderr(predicate::str::contains("pass --yes"));
    p.squall(&["user", "set-password", "ada@project.dev"]).assert().code(2).stderr(predicate::str::contains("empty"));
    p.squall(&["sql", "update user set name = 'Zed'"]).assert().code(2).stderr(predicate::str::contains("pass --yes"));
    p.squall(&["sql", "select 1; select 2"]).assert().code(2).stderr(predicate::str::contains("one statement"));
    p.squall(&["sql", "  "]).assert().code(2).stderr(predicate::str::contains("empty"));
    p.squall(&["export", "user", "--format", "sql", "--dates", "iso", "--out", "x.sql"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--dates iso"));
    assert!(!p.dir.path().join("project/x.sql").exists(), "a refused export creates no file");
    p.unchanged_since(&before);
}

#[test]
fn failures_met_in_the_data_still_exit_1() {
    let p = Project::new();
    let before = bytes(&p.db());
    p.squall(&["user", "ban", "nobody@project.dev"]).assert().code(1).stderr(predicate::str::contains("no user"));
    p.squall(&["export", "nosuch"]).assert().code(1).stderr(predicate::str::contains("nosuch"));
    p.squall(&["sql", "select nope from user"]).assert().code(1).stderr(predicate::str::contains("no such column"));
    p.squall(&["sql", "insert into user (id) values ('u-ada')", "--yes"]).assert().code(1);
    std::fs::write(p.dir.path().join("notes.txt"), "not a database, but long enough to have a header").unwrap();
    p.squall(&["tables", "--db", "../notes.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a SQLite database"));
    p.unchanged_since(&before);
}
