//! `squall er` as a user runs it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture_copy(dir: &tempfile::TempDir) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle-applied.db");
    let copy = dir.path().join("app.db");
    std::fs::copy(source, &copy).unwrap();
    copy
}

fn squall(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("squall").unwrap();
    cmd.env("SQUALL_DATA_DIR", dir.path().join("data")).current_dir(dir.path());
    cmd
}

#[test]
fn mermaid_output_matches_the_expected_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(&dir);
    let expected =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected/drizzle-er.mmd"))
            .unwrap();
    squall(&dir).args(["er", "--format", "mermaid", "--db"]).arg(&db).assert().success().stdout(expected);
}

#[test]
fn text_output_draws_boxes_legend_and_relations() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(&dir);
    squall(&dir)
        .arg("er")
        .arg("--db")
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("┌─ user ─"))
        .stdout(predicate::str::contains("│ PK id "))
        .stdout(predicate::str::contains("┄┄ inferred"))
        .stdout(predicate::str::contains("session.impersonatedBy → user.id  many-to-one  inferred, unverified"))
        .stdout(predicate::str::contains("__drizzle_migrations").not());
    squall(&dir)
        .args(["er", "--compact", "--all", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("│ user  0 ├"))
        .stdout(predicate::str::contains("│ __drizzle_migrations  2 │"));
}

#[test]
fn errors_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    squall(&dir)
        .args(["er", "--db", "missing.db"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("squall: ").and(predicate::str::contains("missing.db")));
    squall(&dir).args(["er", "--format", "xml"]).assert().code(2);
    squall(&dir).args(["er", "--help"]).assert().success().stdout(predicate::str::contains("--format"));
}
