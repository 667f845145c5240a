use proptest::prelude::*;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::*;
use crate::db::page::{Filter, FilterOp, Search, Sort, SortDirection};

/// A file database in its own tempdir (kept alive by the returned guard).
fn temp_db(schema: &str) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("t.sqlite")).unwrap();
    conn.execute_batch(schema).unwrap();
    (dir, conn)
}

fn export_table(conn: &Connection, table: &str, options: ExportOptions) -> (String, ExportSummary) {
    let view = whole_table_view(conn, table).unwrap();
    export_source(conn, &ExportSource::Table(view), options)
}

fn export_source(conn: &Connection, source: &ExportSource, options: ExportOptions) -> (String, ExportSummary) {
    let plan = plan_export(conn, source).unwrap();
    let mut out = Vec::new();
    let summary = export_rows(conn, &ExportInput { plan: &plan, options: &options }, &mut out, &mut |_| true).unwrap();
    (String::from_utf8(out).unwrap(), summary)
}

fn options(format: ExportFormat) -> ExportOptions {
    ExportOptions { format, include_secrets: false, iso_dates: false }
}

const ACCOUNT: &str = "CREATE TABLE account (id TEXT PRIMARY KEY, userId TEXT NOT NULL, password TEXT, accessToken TEXT, createdAt INTEGER NOT NULL);
INSERT INTO account VALUES ('a1', 'u1', 'salt:hash', NULL, 1700000000000), ('a2', 'u2', NULL, 'tok', 1700000001000);";

#[test]
fn csv_quotes_cells_as_the_sqlite3_shell_does() {
    let cell = |text: &str| {
        let mut out = Vec::new();
        cells::csv_text(&mut out, text.as_bytes()).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(cell("plain"), "plain");
    assert_eq!(cell(""), "\"\"");
    assert_eq!(cell("a b"), "\"a b\"");
    assert_eq!(cell("x,y"), "\"x,y\"");
    assert_eq!(cell("it's"), "\"it's\"");
    assert_eq!(cell("a\"b"), "\"a\"\"b\"");
    assert_eq!(cell("é"), "\"é\"");
    assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    assert_eq!(cell("!#$%&()*+-./:;<=>?@[\\]^_`{|}~"), "!#$%&()*+-./:;<=>?@[\\]^_`{|}~");
}

#[test]
fn secrets_are_redacted_by_default_in_every_format() {
    let (_dir, conn) = temp_db(ACCOUNT);
    let (csv, summary) = export_table(&conn, "account", options(ExportFormat::Csv));
    assert_eq!(summary.redacted, vec!["password".to_string(), "accessToken".to_string()]);
    assert_eq!(
        csv,
        "id,userId,password,accessToken,createdAt\na1,u1,[redacted],,1700000000000\na2,u2,,[redacted],1700000001000\n"
    );
    let (json, _) = export_table(&conn, "account", options(ExportFormat::Ndjson));
    assert!(json.starts_with(
        "{\"id\":\"a1\",\"userId\":\"u1\",\"password\":\"[redacted]\",\"accessToken\":null,\"createdAt\":1700000000000}\n"
    ));
    let (sql, _) = export_table(&conn, "account", options(ExportFormat::Sql));
    assert!(
        sql.contains("-- redacted (written as '[redacted N]', N the row number): \"password\", \"accessToken\""),
        "{sql}"
    );
    assert!(
        sql.contains("('a1','u1','[redacted 1]',NULL,1700000000000),\n('a2','u2',NULL,'[redacted 2]',1700000001000);"),
        "{sql}"
    );
    assert!(!sql.contains("salt:hash"));
    let included = ExportOptions { include_secrets: true, ..options(ExportFormat::Csv) };
    let (csv, summary) = export_table(&conn, "account", included);
    assert!(summary.redacted.is_empty());
    assert!(csv.contains("a1,u1,salt:hash,,1700000000000"));
}

#[test]
fn json_keeps_numbers_nulls_and_shows_blobs_as_hex() {
    let (_dir, conn) = temp_db(
        "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n); INSERT INTO t VALUES (-7, 2.5, 'a\"b', x'00ff', NULL);",
    );
    let (json, summary) = export_table(&conn, "t", options(ExportFormat::Json));
    assert_eq!(summary.rows, 1);
    assert_eq!(json, "[\n{\"i\":-7,\"r\":2.5,\"s\":\"a\\\"b\",\"b\":\"00ff\",\"n\":null}\n]\n");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["i"], serde_json::json!(-7));
    let (_dir, empty) = temp_db("CREATE TABLE t (i INTEGER)");
    assert_eq!(export_table(&empty, "t", options(ExportFormat::Json)).0, "[]\n");
}

#[test]
fn iso_dates_add_a_column_after_each_timestamp() {
    let (_dir, conn) = temp_db(ACCOUNT);
    let iso = ExportOptions { iso_dates: true, ..options(ExportFormat::Csv) };
    let (csv, _) = export_table(&conn, "account", iso);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,userId,password,accessToken,createdAt,createdAt_iso"));
    assert_eq!(lines.next(), Some("a1,u1,[redacted],,1700000000000,2023-11-14T22:13:20.000Z"));
    let sql = ExportOptions { iso_dates: true, ..options(ExportFormat::Sql) };
    let plan = plan_export(&conn, &ExportSource::Table(whole_table_view(&conn, "account").unwrap())).unwrap();
    let err = export_rows(&conn, &ExportInput { plan: &plan, options: &sql }, &mut Vec::new(), &mut |_| true);
    assert!(err.unwrap_err().to_string().contains("--dates iso"));
}

#[test]
fn a_view_export_keeps_filters_search_and_sort() {
    let (_dir, conn) = temp_db(
        "CREATE TABLE user (id TEXT PRIMARY KEY, email TEXT, age INTEGER);
         INSERT INTO user VALUES ('u1','ada@x.io',36), ('u2','bob@y.io',20), ('u3','cy@x.io',NULL), ('u4','dee@x.io',50);",
    );
    let mut view = whole_table_view(&conn, "user").unwrap();
    view.search = Some(Search { text: "x.io".into(), columns: vec!["email".into()] });
    view.filters = vec![Filter { column: "id".into(), op: FilterOp::Ne, values: vec![Value::Text("u4".into())] }];
    view.sort = Some(Sort { column: "age".into(), direction: SortDirection::Desc, nullable: true });
    let (csv, summary) = export_source(&conn, &ExportSource::Table(view), options(ExportFormat::Csv));
    assert_eq!(summary.rows, 2);
    assert_eq!(csv, "id,email,age\nu1,ada@x.io,36\nu3,cy@x.io,\n");
}

#[test]
fn a_query_exports_and_a_writing_statement_is_refused() {
    let (_dir, conn) = temp_db(ACCOUNT);
    let source = ExportSource::Query { sql: "SELECT id, password AS password FROM account ORDER BY id".into() };
    let (csv, summary) = export_source(&conn, &source, options(ExportFormat::Csv));
    assert_eq!(csv, "id,password\na1,[redacted]\na2,\n");
    assert_eq!(summary.redacted, vec!["password".to_string()]);
    let write = ExportSource::Query { sql: "DELETE FROM account".into() };
    assert!(plan_export(&conn, &write).unwrap_err().to_string().contains("only statements that read"));
    let count: i64 = conn.query_row("SELECT count(*) FROM account", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 2);
    let plan = plan_export(&conn, &source).unwrap();
    let sql = options(ExportFormat::Sql);
    let err = export_rows(&conn, &ExportInput { plan: &plan, options: &sql }, &mut Vec::new(), &mut |_| true);
    assert!(err.unwrap_err().to_string().contains("needs a table"));
}

#[test]
fn the_progress_callback_can_cancel() {
    let (_dir, conn) = temp_db("CREATE TABLE t (i INTEGER)");
    conn.execute_batch(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 10000) INSERT INTO t SELECT x FROM c",
    )
    .unwrap();
    let plan = plan_export(&conn, &ExportSource::Table(whole_table_view(&conn, "t").unwrap())).unwrap();
    let csv = options(ExportFormat::Csv);
    let mut seen = Vec::new();
    let err = export_rows(&conn, &ExportInput { plan: &plan, options: &csv }, &mut Vec::new(), &mut |n| {
        seen.push(n);
        false
    })
    .unwrap_err();
    assert!(err.downcast_ref::<Cancelled>().is_some());
    assert_eq!(seen, vec![PROGRESS_EVERY]);
}

#[test]
fn row_json_redacts_unless_revealed() {
    let columns = vec![
        ExportColumn { name: "email".into(), secret: false, timestamp: false },
        ExportColumn { name: "token".into(), secret: true, timestamp: false },
    ];
    let values = vec![Value::Text("a@b.c".into()), Value::Text("s3cret".into())];
    assert_eq!(row_json(&columns, &values, false), "{\"email\":\"a@b.c\",\"token\":\"[redacted]\"}");
    assert_eq!(row_json(&columns, &values, true), "{\"email\":\"a@b.c\",\"token\":\"s3cret\"}");
}

/// Exports `rows` of `schema`'s table `t` as SQL, runs it in an empty copy of the schema and
/// returns both tables' rows with their storage classes.
fn sql_round_trip(schema: &str, rows: &[Vec<Value>]) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
    let (_dir, conn) = temp_db(schema);
    let width = rows.first().map_or(0, |r| r.len());
    let insert = format!("INSERT INTO t VALUES ({})", vec!["?"; width].join(", "));
    for row in rows {
        conn.execute(&insert, rusqlite::params_from_iter(row.iter())).unwrap();
    }
    let all = ExportOptions { include_secrets: true, ..options(ExportFormat::Sql) };
    let (sql, _) = export_table(&conn, "t", all);
    let (_copy_dir, copy) = temp_db(schema);
    copy.execute_batch(&sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let read = |c: &Connection| -> Vec<Vec<Value>> {
        let mut stmt = c.prepare("SELECT * FROM t ORDER BY rowid").unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect()).unwrap().map(|r| r.unwrap()).collect()
    };
    (read(&conn), read(&copy))
}

/// Equality that tells 0.0 from -0.0 and compares REAL bits, so "exact" means exact.
fn same(a: &[Vec<Value>], b: &[Vec<Value>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| match (p, q) {
                    (Value::Real(f), Value::Real(g)) => f.to_bits() == g.to_bits() || (f.is_nan() && g.is_nan()),
                    _ => p == q,
                })
        })
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::Integer),
        any::<f64>().prop_filter("SQLite stores NaN as NULL", |f| !f.is_nan()).prop_map(Value::Real),
        any::<String>().prop_map(Value::Text),
        "[ '\"\\n,;a-z\\x00é-]{0,12}".prop_map(Value::Text),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Blob),
    ]
}

#[test]
fn sql_round_trips_edge_values_in_several_batches() {
    let mut rows: Vec<Vec<Value>> = vec![
        vec![Value::Integer(i64::MIN), Value::Real(f64::INFINITY), Value::Text("it's".into())],
        vec![Value::Integer(i64::MAX), Value::Real(f64::NEG_INFINITY), Value::Text("a\0b".into())],
        vec![Value::Integer(0), Value::Real(-0.0), Value::Blob(Vec::new())],
        vec![Value::Null, Value::Real(1e-310), Value::Text(String::new())],
        vec![Value::Integer(-1), Value::Real(1.4723704331576627e-308), Value::Text("x".into())],
        vec![Value::Integer(-2), Value::Real(2.6803114589272928e-250), Value::Text("-- not a comment\n;".into())],
    ];
    for i in 0..(SQL_BATCH_ROWS as i64 * 2 + 3) {
        rows.push(vec![Value::Integer(i), Value::Real(i as f64 / 3.0), Value::Text(format!("row {i}"))]);
    }
    let (original, copy) = sql_round_trip("CREATE TABLE t (a, b, c)", &rows);
    assert!(same(&original, &copy), "{original:?}\n{copy:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn sql_round_trips_any_values(rows in proptest::collection::vec(proptest::collection::vec(any_value(), 3), 1..20)) {
        // Untyped columns keep every storage class as bound; typed ones convert the same way
        // on both sides.
        let (original, copy) = sql_round_trip("CREATE TABLE t (a, b ANY, c TEXT)", &rows);
        prop_assert!(same(&original, &copy), "{:?}\n{:?}", original, copy);
        let (original, copy) = sql_round_trip("CREATE TABLE t (a INTEGER, b REAL, c NUMERIC)", &rows);
        prop_assert!(same(&original, &copy), "{:?}\n{:?}", original, copy);
    }
}
