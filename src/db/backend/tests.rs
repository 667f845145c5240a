//! The seam's contract, checked on both backends: the local file and the D1-rules test backend.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::rules::D1Rules;
use super::*;

fn seeded(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         INSERT INTO t (id, name) VALUES (1, 'ada'), (2, 'bob');",
    )
    .expect("seed");
    conn
}

/// Runs `check` against a fresh local file and a fresh D1-rules backend.
fn on_both(check: impl Fn(&dyn Backend)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let local = seeded(&dir.path().join("local.db"));
    check(&local);
    let rules = D1Rules::new(seeded(&dir.path().join("rules.db")));
    check(&rules);
}

fn names(db: &dyn Backend) -> Vec<Value> {
    db.query(&Statement::plain("SELECT name FROM t ORDER BY id")).expect("read").rows.into_iter().flatten().collect()
}

#[test]
fn query_returns_columns_and_values() {
    on_both(|db| {
        let rows =
            db.query(&Statement::new("SELECT id, name FROM t WHERE id = ?1", vec![Value::Integer(2)])).expect("q");
        assert_eq!(rows.columns, ["id", "name"]);
        assert_eq!(rows.rows, vec![vec![Value::Integer(2), Value::Text("bob".into())]]);
    });
}

#[test]
fn a_batch_whose_guard_holds_commits_and_returns_rows_read_inside_it() {
    on_both(|db| {
        let steps = [
            Step::guarded(
                Statement::new(
                    "UPDATE t SET name = ?1 WHERE id = 1 AND name IS ?2",
                    vec![Value::from("eve".to_string()), Value::from("ada".to_string())],
                ),
                Expect::Changes(1),
            ),
            Step::any(Statement::plain("SELECT name FROM t WHERE id = 1")),
            Step::any(Statement::new("INSERT INTO t (name) VALUES (?1)", vec![Value::from("cy".to_string())])),
        ];
        let outcomes = db.atomic(&steps).expect("batch");
        assert_eq!(outcomes.len(), 3);
        assert_eq!(outcomes[0].changes, 1);
        assert_eq!(outcomes[1].rows.rows, vec![vec![Value::Text("eve".into())]]);
        assert_eq!(outcomes[2].last_insert_rowid, 3);
        assert_eq!(names(db), ["eve", "bob", "cy"].map(|n| Value::Text(n.into())));
    });
}

#[test]
fn a_batch_whose_guard_fails_writes_nothing_and_names_the_step() {
    on_both(|db| {
        let steps = [
            Step::any(Statement::plain("UPDATE t SET name = 'zed' WHERE id = 2")),
            Step::guarded(
                Statement::plain("UPDATE t SET name = 'x' WHERE id = 1 AND name IS 'nobody'"),
                Expect::Changes(1),
            ),
        ];
        let err = db.atomic(&steps).expect_err("guard must fail");
        let failed = err.downcast_ref::<GuardFailed>().expect("a GuardFailed");
        assert_eq!(failed.step, 1);
        assert_eq!(failed.changes, Some(0));
        assert_eq!(names(db), ["ada", "bob"].map(|n| Value::Text(n.into())));
    });
}

#[test]
fn a_batch_with_a_failing_statement_writes_nothing() {
    on_both(|db| {
        let steps = [
            Step::any(Statement::plain("UPDATE t SET name = 'zed' WHERE id = 2")),
            Step::any(Statement::plain("INSERT INTO t (id, name) VALUES (1, 'dup')")),
        ];
        assert!(db.atomic(&steps).is_err());
        assert_eq!(names(db), ["ada", "bob"].map(|n| Value::Text(n.into())));
    });
}

#[test]
fn the_rules_backend_refuses_interactive_transactions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = D1Rules::new(seeded(&dir.path().join("rules.db")));
    for sql in ["BEGIN", "begin immediate", "/* x */ SAVEPOINT a", "COMMIT"] {
        let err = rules.execute(&Statement::plain(sql)).expect_err(sql);
        assert!(format!("{err}").contains("D1 refuses"), "{sql}: {err}");
    }
    assert!(!rules.capabilities().interactive_transactions);
}

#[test]
fn a_read_only_backend_refuses_writes_and_allows_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = D1Rules::new(seeded(&dir.path().join("rules.db"))).read_only();
    assert!(rules.execute(&Statement::plain("DELETE FROM t")).is_err());
    assert!(rules.check_writable().is_err());
    assert_eq!(names(&rules).len(), 2);
}

#[test]
fn describe_lists_tables_with_their_keys() {
    on_both(|db| {
        let tables = db.describe().expect("describe");
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].name, "t");
        assert_eq!(tables[0].primary_key, ["id"]);
    });
}

#[test]
fn stream_hands_over_every_row() {
    on_both(|db| {
        let mut seen = 0;
        let columns = db
            .stream(&Statement::plain("SELECT * FROM t"), &mut |row| {
                assert_eq!(row.len(), 2);
                seen += 1;
                Ok(())
            })
            .expect("stream");
        assert_eq!(columns, ["id", "name"]);
        assert_eq!(seen, 2);
    });
}
