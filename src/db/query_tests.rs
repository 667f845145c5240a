use rusqlite::Connection;
use rusqlite::types::Value;

use super::*;

fn db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("q.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE user (id TEXT PRIMARY KEY, email TEXT, emailVerified INTEGER, createdAt INTEGER);
         INSERT INTO user VALUES ('u1', 'a@x.io', 1, 1767225600000), ('u2', 'b@x.io', 0, 1767225600000),
                                 ('u3', 'c;d@x.io', 0, NULL);",
    )
    .unwrap();
    (dir, conn)
}

fn pieces(script: &str) -> Vec<&str> {
    split_statements(script).iter().map(|s| &script[s.start..s.end]).collect()
}

#[test]
fn splitting_ignores_semicolons_in_strings_comments_and_identifiers() {
    let script = "select 'a;b' from t; -- one; two\n\nupdate \"x;y\" set a = 1 ;\n/* c; */ ;  ";
    assert_eq!(pieces(script), ["select 'a;b' from t", "update \"x;y\" set a = 1"]);
    assert_eq!(pieces("   "), Vec::<&str>::new());
    assert_eq!(pieces("select 'é', 'ü'; select 2"), ["select 'é', 'ü'", "select 2"]);
    assert_eq!(pieces("select 'unterminated"), ["select 'unterminated"]);
}

#[test]
fn the_statement_under_the_cursor() {
    let script = "select 1;\nselect 2;\nselect 3";
    let at = |cursor| statement_at(script, cursor).map(|s| &script[s.start..s.end]);
    assert_eq!(at(0), Some("select 1"));
    assert_eq!(at(9), Some("select 2"), "just after a ';' is the next statement");
    assert_eq!(at(12), Some("select 2"));
    assert_eq!(at(script.len()), Some("select 3"));
    assert_eq!(statement_at("", 0), None);
}

#[test]
fn sqlite_says_what_writes() {
    let (_dir, conn) = db();
    assert!(is_read_only(&conn, "select * from user").unwrap());
    assert!(is_read_only(&conn, "with t as (select 1) select * from t").unwrap());
    assert!(!is_read_only(&conn, "update user set email = 'z'").unwrap());
    assert!(!is_read_only(&conn, "create table t (a)").unwrap());
    let err = is_read_only(&conn, "selec 1").unwrap_err().to_string();
    assert_eq!(err, "near \"selec\": syntax error (at byte 0 of the statement)");
    let err = is_read_only(&conn, "select nope from user").unwrap_err().to_string();
    assert_eq!(err, "no such column: nope (at byte 7 of the statement)");
}

#[test]
fn update_and_delete_count_the_rows_their_where_matches() {
    let (_dir, conn) = db();
    assert_eq!(count_matching_rows(&conn, "UPDATE user SET email = 'q' WHERE emailVerified = 0").unwrap(), Some(2));
    assert_eq!(count_matching_rows(&conn, "delete from user where id = 'u1'").unwrap(), Some(1));
    assert_eq!(count_matching_rows(&conn, "delete from user").unwrap(), Some(3));
    assert_eq!(count_matching_rows(&conn, "update user as u set email = 1 where u.id like 'u%'").unwrap(), Some(3));
    assert_eq!(count_matching_rows(&conn, "insert into user (id) values ('u9')").unwrap(), None);
    assert_eq!(count_matching_rows(&conn, "select 1").unwrap(), None);
}

#[test]
fn a_write_runs_whole_or_not_at_all() {
    let (_dir, mut conn) = db();
    let report = execute_write(&mut conn, "update user set emailVerified = 1 where emailVerified = 0").unwrap();
    assert_eq!((report.changes, report.kind), (Some(2), WriteKind::Update));
    conn.execute_batch("CREATE UNIQUE INDEX user_email ON user (email)").unwrap();
    let err = execute_write(&mut conn, "update user set email = 'same'").unwrap_err().to_string();
    assert!(err.contains("UNIQUE"), "{err}");
    let untouched: i64 = conn.query_row("select count(*) from user where email = 'same'", [], |r| r.get(0)).unwrap();
    assert_eq!(untouched, 0);
    let inserted = execute_write(&mut conn, "insert into user (id) values ('u9') returning id").unwrap();
    assert_eq!((inserted.changes, inserted.kind), (Some(1), WriteKind::Insert));
    assert_eq!(write_kind("  -- why\n drop table user"), WriteKind::Schema);
}

#[test]
fn rows_stream_and_can_stop_early() {
    let (_dir, conn) = db();
    struct Collect {
        heads: Vec<ResultColumn>,
        rows: Vec<Vec<Value>>,
    }
    impl RowSink for Collect {
        fn columns(&mut self, columns: &[ResultColumn]) -> anyhow::Result<()> {
            self.heads = columns.to_vec();
            Ok(())
        }
        fn row(&mut self, values: Vec<Value>) -> anyhow::Result<bool> {
            self.rows.push(values);
            Ok(self.rows.len() < 2)
        }
    }
    let mut sink = Collect { heads: Vec::new(), rows: Vec::new() };
    let seen = stream_rows(&conn, &StreamRows { sql: "select id, email from user order by id" }, &mut sink).unwrap();
    let Collect { heads, rows } = sink;
    assert_eq!(seen, 2);
    assert_eq!(heads.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["id", "email"]);
    assert_eq!(heads[1].decl_type, "TEXT");
    assert_eq!(rows[1], vec![Value::Text("u2".into()), Value::Text("b@x.io".into())]);
}

#[test]
fn result_columns_get_kinds_like_table_columns() {
    let (_dir, conn) = db();
    let mut stmt = conn.prepare("select id, emailVerified, createdAt, count(*) as n from user group by id").unwrap();
    let columns = result_columns(&stmt);
    let rows: Vec<Vec<Value>> =
        stmt.query_map([], |row| row_values(row, 4)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    let kinds = result_kinds(&columns, &rows);
    assert_eq!(kinds[0], ColumnKind::Id);
    assert_eq!(kinds[1], ColumnKind::Boolean);
    assert!(matches!(kinds[2], ColumnKind::Timestamp { .. }), "{:?}", kinds[2]);
    assert!(matches!(kinds[3], ColumnKind::Integer | ColumnKind::Blob | ColumnKind::Real), "{:?}", kinds[3]);
    let secret = [ResultColumn { name: "token".into(), decl_type: "TEXT".into() }];
    assert_eq!(result_kinds(&secret, &[vec![Value::Text("abc".into())]]), [ColumnKind::Secret], "masked until r");
}

#[test]
fn the_plan_is_a_tree_and_flags_scans_of_large_tables() {
    let (_dir, conn) = db();
    conn.execute_batch(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, email TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO big SELECT i, 'e' || i FROM n;",
    )
    .unwrap();
    let plan = explain_plan(&conn, "select * from big where email = 'e5'").unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert!(plan[0].detail.starts_with("SCAN big"), "{plan:?}");
    assert_eq!(
        plan[0].warning.as_deref(),
        Some("full scan of 10,000 rows: CREATE INDEX \"big_email_idx\" ON \"big\" (\"email\")")
    );
    conn.execute_batch("ALTER TABLE big ADD COLUMN name TEXT").unwrap();
    let keyword = explain_plan(&conn, "select * from big where name = 'x'").unwrap();
    assert!(keyword[0].warning.as_deref().is_some_and(|w| w.contains("(\"name\")")), "{keyword:?}");
    let small = explain_plan(&conn, "select * from user where email = 'x'").unwrap();
    assert!(small.iter().all(|n| n.warning.is_none()), "{small:?}");
    let nested = explain_plan(&conn, "select * from user where id in (select email from big where id < 5)").unwrap();
    assert!(nested.iter().any(|n| n.depth > 0), "{nested:?}");
    assert!(explain_plan(&conn, "selec").is_err());
    let everything = explain_plan(&conn, "select * from big").unwrap();
    assert_eq!(everything[0].warning, None, "a read of every row is what was asked: no index to suggest");
    assert_eq!(everything[0].note.as_deref(), Some("reads every row (10,000)"));
}
