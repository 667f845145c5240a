//! `squall sql`: rows as text, JSON and CSV; SQL errors exit 1 with SQLite's message; writes need
//! --yes without a terminal, are refused with --read-only and are audited.

mod common;

use std::path::{Path, PathBuf};

use common::squall;
use predicates::prelude::*;

fn db(dir: &Path) -> PathBuf {
    let path = dir.join("app.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE user (id TEXT PRIMARY KEY, name TEXT, verified INTEGER);
         INSERT INTO user VALUES ('u1', 'Ada', 1), ('u2', 'Bo, \"B\"', 0), ('u3', NULL, 0);",
    )
    .unwrap();
    path
}

fn names(path: &Path) -> Vec<Option<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("select name from user order by id").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn rows_print_as_aligned_text_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(dir.path());
    let sql = "select id, name, verified from user order by id";
    squall(dir.path()).args(["sql", sql, "--db"]).arg(&path).assert().success().stdout(
        "id  name     verified\n--  -------  --------\nu1  Ada      1\nu2  Bo, \"B\"  0\nu3  NULL     0\n(3 rows)\n",
    );
    let out = squall(dir.path()).args(["sql", "--json", sql, "--db"]).arg(&path).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[1], serde_json::json!({"id": "u2", "name": "Bo, \"B\"", "verified": 0}));
    assert_eq!(json[2]["name"], serde_json::Value::Null);
    squall(dir.path())
        .args(["sql", "--csv", sql, "--db"])
        .arg(&path)
        .assert()
        .success()
        .stdout("id,name,verified\nu1,Ada,1\nu2,\"Bo, \"\"B\"\"\",0\nu3,,0\n");
    squall(dir.path())
        .args(["sql", "-", "--db"])
        .arg(&path)
        .write_stdin("select count(*) as n from user;\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("n\n-\n3\n"));
}

#[test]
fn a_sql_error_exits_1_with_sqlites_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(dir.path());
    squall(dir.path())
        .args(["sql", "select nope from user", "--db"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no such column: nope"));
    squall(dir.path())
        .args(["sql", "select 1; select 2", "--db"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("one statement"));
}

#[test]
fn writes_need_yes_are_refused_read_only_and_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(dir.path());
    let update = "update user set name = 'Zed' where verified = 0";
    squall(dir.path())
        .args(["sql", update, "--db"])
        .arg(&path)
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("matches 2 rows").and(predicate::str::contains("--yes")));
    squall(dir.path())
        .args(["sql", update, "--yes", "--read-only", "--db"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("read-only"));
    assert_eq!(names(&path)[1].as_deref(), Some("Bo, \"B\""), "nothing was written");
    squall(dir.path()).args(["sql", update, "--yes", "--db"]).arg(&path).assert().success().stdout(
        predicate::str::starts_with("2 rows changed; recorded in squall's log (squall log)\ndatabase: ")
            .and(predicate::str::contains("app.db")),
    );
    assert_eq!(names(&path), [Some("Ada".into()), Some("Zed".into()), Some("Zed".into())]);
    squall(dir.path())
        .args(["log", "--db"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("sql").and(predicate::str::contains("rows: 2")));
}

#[test]
fn json_keeps_the_columns_order_and_returning_rows_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(dir.path());
    let out = squall(dir.path())
        .args(["sql", "--json", "select verified, name, id from user where id = 'u1'", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(r#"{"verified":1,"name":"Ada","id":"u1"}"#), "{text}");
    let update = "update user set name = 'Zed' where id = 'u1' returning id, name";
    squall(dir.path()).args(["sql", update, "--yes", "--db"]).arg(&path).assert().success().stdout(
        predicate::str::starts_with(
            "id  name\n--  ----\nu1  Zed\n(1 row)\n1 row changed; recorded in squall's log (squall log)\ndatabase: ",
        ),
    );
    let out = squall(dir.path())
        .args(["sql", "--json", "insert into user values ('u9', 'Nia', 0) returning *", "--yes", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0], serde_json::json!({"id": "u9", "name": "Nia", "verified": 0}));
    assert!(String::from_utf8(out.stderr).unwrap().contains("1 row changed"));
}

#[test]
fn text_stays_aligned_past_the_rows_the_widths_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(dir.path());
    let sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 300) \
               select case when i = 250 then 'a much longer value' else 'v' end as a, i as b from n";
    let out = squall(dir.path()).args(["sql", sql, "--db"]).arg(&path).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.ends_with(" 250")).unwrap();
    assert_eq!(line, "…  250", "cut to the column's width, the next column in its place");
}
