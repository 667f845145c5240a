//! Tests of editing, on real temporary SQLite files built from the drizzle-kit fixtures.

mod cascade_tests;
mod commit_tests;
mod conflict_tests;
mod stage_tests;

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::*;
use crate::db::error::DbError;
use crate::db::kinds::{ColumnKind, infer_kinds};
use crate::db::open::{OpenInput, OpenMode, open_database};
use crate::db::page::{Anchor, Filter, FilterOp, PageQuery, PageRow, View, fetch_page};
use crate::db::schema::{DescribeTable, TableInfo, describe_table};

/// drizzle-kit's camelCase schema and the better-auth CLI's snake_case one.
pub const CAMEL_SCHEMA: &str = include_str!("../../../../tests/fixtures/drizzle/0000_init.sql");
pub const SNAKE_SCHEMA: &str = include_str!("../../../../tests/fixtures/drizzle-snake/0000_init.sql");

/// u1 and u3 are stored by drizzle (ms integers), u2 by better-auth's Kysely adapter (ISO text).
pub const CAMEL_ROWS: &str = "
INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt, role, banned) VALUES
  ('u1', 'Ada', 'ada@example.com', 1, 1764000000000, 1764000000000, 'admin', 0),
  ('u2', 'Bob', 'bob@example.com', 0, '2025-11-24T16:00:00.000Z', '2025-11-24T16:00:00.000Z', NULL, 0),
  ('u3', 'Cy', 'cy@example.com', 0, 1764000000000, 1764000000000, 'user', 0);
INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES
  ('s1', 1765000000000, 'tok1', 1764000000000, 1764000000000, 'u1'),
  ('s2', 1765000000000, 'tok2', 1764000000000, 1764000000000, 'u1'),
  ('s3', 1765000000000, 'tok3', 1764000000000, 1764000000000, 'u3');
INSERT INTO account (id, accountId, providerId, userId, createdAt, updatedAt) VALUES
  ('a1', 'u1', 'credential', 'u1', 1764000000000, 1764000000000);
";

pub const SNAKE_ROWS: &str = "
INSERT INTO user (id, name, email, email_verified, created_at, updated_at) VALUES
  ('u1', 'Ada', 'ada@example.com', 1, 1764000000000, 1764000000000),
  ('u2', 'Bob', 'bob@example.com', 0, '2025-11-24T16:00:00.000Z', '2025-11-24T16:00:00.000Z');
";

/// A database file in its own temporary directory.
pub struct TestDb {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn test_db(sql: &[&str]) -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sqlite");
    let conn = Connection::open(&path).unwrap();
    for batch in sql {
        conn.execute_batch(batch).unwrap();
    }
    TestDb { _dir: dir, path }
}

/// Opens as squall does: foreign keys on, busy timeout set.
pub fn open(path: &Path) -> Connection {
    open_database(&OpenInput { path, mode: OpenMode::ReadWrite }).unwrap().conn
}

/// A second process, as far as SQLite can tell.
pub fn other_connection(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 9, 30, 0).unwrap()
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A table's schema and kinds, as the browser holds them.
pub struct Meta {
    pub info: TableInfo,
    pub kinds: Vec<ColumnKind>,
    pub columns: Vec<String>,
}

pub fn meta(conn: &Connection, table: &str) -> Meta {
    let info = describe_table(conn, &DescribeTable { name: table }).unwrap();
    let kinds = infer_kinds(conn, &info).unwrap();
    let columns = info.columns.iter().map(|c| c.name.clone()).collect();
    Meta { info, kinds, columns }
}

/// Loads one row through the grid's own paging query, filtered on `column = value`.
pub fn load_row(conn: &Connection, meta: &Meta, column: &str, value: Value) -> PageRow {
    let view = View {
        table: meta.info.name.clone(),
        columns: meta.columns.clone(),
        key: crate::db::page::RowKey::for_table(&meta.info),
        sort: None,
        filters: vec![Filter { column: column.into(), op: FilterOp::Eq, values: vec![value] }],
        search: None,
    };
    let mut page = fetch_page(conn, &PageQuery { view: &view, anchor: &Anchor::First, limit: 2 }).unwrap();
    assert_eq!(page.rows.len(), 1, "exactly one row of {} has {column} = that", meta.info.name);
    page.rows.remove(0)
}

pub fn loaded<'a>(meta: &'a Meta, row: &'a PageRow) -> LoadedRow<'a> {
    LoadedRow { columns: &meta.columns, values: &row.values, cursor_key: &row.cursor.key }
}

/// Stages `column = new` on the row where `find_column = find_value`.
pub fn update(conn: &Connection, table: &str, find: (&str, Value), column: &str, new: Value) -> StagedChange {
    let meta = meta(conn, table);
    let row = load_row(conn, &meta, find.0, find.1);
    stage_update(&meta.info, &meta.kinds, &loaded(&meta, &row), column, new).unwrap()
}

pub fn delete(conn: &Connection, table: &str, find: (&str, Value)) -> StagedChange {
    let meta = meta(conn, table);
    let row = load_row(conn, &meta, find.0, find.1);
    stage_delete(&meta.info, &loaded(&meta, &row)).unwrap()
}

pub fn input(changes: &[StagedChange]) -> CommitInput<'_> {
    CommitInput { changes, overwrite: false, now: now() }
}

/// One value read straight from the file.
pub fn cell(conn: &Connection, sql: &str) -> Value {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

pub fn db_error(err: anyhow::Error) -> DbError {
    match err.downcast::<DbError>() {
        Ok(err) => err,
        Err(other) => panic!("expected a DbError, got: {other:#}"),
    }
}
