//! Helpers shared by the integration tests: temp copies of fixtures and a squall command with a
//! private data directory.

#![allow(dead_code)]

pub mod pty;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Copies a fixture file or folder into a fresh temp dir (fixtures are never changed in place).
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(Path::new(name).file_name().unwrap());
    copy_recursively(&fixture(name), &target);
    (dir, target)
}

pub fn copy_recursively(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_recursively(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// `squall` with its data directory inside `data` (never the user's real one).
pub fn squall(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("squall").unwrap();
    cmd.env("SQUALL_DATA_DIR", data.join("squall-data"));
    cmd
}

/// A database with the schema of a drizzle-kit migration file applied.
pub fn db_with_migration(dir: &Path, migration: &str) -> PathBuf {
    let path = dir.join("app.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&std::fs::read_to_string(fixture(migration)).unwrap()).unwrap();
    path
}
