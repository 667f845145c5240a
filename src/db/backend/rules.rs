//! A backend that keeps D1's rules over a local SQLite connection, for tests: it refuses
//! interactive transactions (`BEGIN`, `SAVEPOINT`, ...) and runs an atomic batch the way a
//! server without them must, with guard statements instead of reading counts in between. Code
//! that runs correctly here needs nothing D1 lacks.
//!
//! It also keeps D1's other rules (checked against workerd's engine, `scripts/d1-server/`):
//! - integers travel as JSON doubles, so one past 2^53 comes back rounded;
//! - parameters with several statements in one text are refused (code 7400), as are more than
//!   100 parameters or 100 KB of SQL in one statement (`d1::check_statement`);
//! - workerd's internal `_cf_*` tables cannot be read (SQLITE_AUTH).

use std::cell::Cell;

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::local::{query_on, run_step};
use super::{
    Backend, Capabilities, Executed, Rows, Statement, Step, StepFailed, StepOutcome, parse_guard_failure, with_guards,
};
use crate::db::error::DbError;
use crate::db::schema::TableInfo;

/// A connection wearing D1's restrictions. `requests` counts the round trips a remote would make.
pub struct D1Rules {
    conn: Connection,
    read_only: bool,
    requests: Cell<u64>,
    rows_read: Cell<u64>,
}

impl D1Rules {
    pub fn new(conn: Connection) -> Self {
        D1Rules { conn, read_only: false, requests: Cell::new(0), rows_read: Cell::new(0) }
    }

    /// Refuses writes, as a remote session does unless started with `--write`.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// How many requests a remote would have made so far.
    pub fn requests(&self) -> u64 {
        self.requests.get()
    }

    /// Rows the queries so far read, near enough to what D1 bills: per query, the rows a full
    /// scan stepped over, or the rows returned when more (an index lookup reads about what it
    /// returns).
    pub fn rows_read(&self) -> u64 {
        self.rows_read.get()
    }

    fn count(&self) {
        self.requests.set(self.requests.get() + 1);
    }

    fn refuse(&self, statement: &Statement) -> Result<()> {
        super::d1::check_statement(statement)?;
        if let Some(name) = internal_table_named(&statement.sql) {
            return Err(DbError::Invalid(format!("access to {name} is prohibited: SQLITE_AUTH")).into());
        }
        if let Some(word) = transaction_keyword(&statement.sql) {
            return Err(DbError::Invalid(format!(
                "D1 refuses {word}: transactions are not supported; use an atomic batch"
            ))
            .into());
        }
        if self.read_only && !is_read(&self.conn, &statement.sql) {
            return Err(DbError::ReadOnly("the database is read-only: nothing was written".into()).into());
        }
        Ok(())
    }
}

/// The first keyword of `sql` when it opens, ends or marks a transaction.
fn transaction_keyword(sql: &str) -> Option<String> {
    let first = first_word(sql).to_ascii_uppercase();
    matches!(first.as_str(), "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE").then_some(first)
}

/// The first word of `sql` after blanks and comments.
fn first_word(sql: &str) -> &str {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail).trim_start();
        } else {
            break;
        }
    }
    let end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    &rest[..end]
}

/// A `_cf_*` name written out in `sql` (D1's authorizer refuses reading them). A LIKE pattern
/// that escapes the underscores (`'\_cf\_%'`) is not a name and passes, as on D1.
fn internal_table_named(sql: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    let at = lower.find("_cf_")?;
    let end = sql[at..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(sql.len(), |n| at + n);
    Some(sql[at..end].to_string())
}

/// What a value looks like after a trip through D1's JSON: an integer past 2^53 is rounded to
/// the nearest double (and past `i64`, a real).
pub fn through_json(value: Value) -> Value {
    match value {
        Value::Integer(i) if i.unsigned_abs() > super::d1::EXACT_JSON_INTEGER as u64 => {
            let rounded = i as f64;
            // `i64::MAX as f64` is 2^63, just past i64. 2^63 does not fit i64: D1 sends it as 9223372036854776000, read as a real.
            if !(i64::MIN as f64..i64::MAX as f64).contains(&rounded) {
                Value::Real(rounded)
            } else {
                Value::Integer(rounded as i64)
            }
        }
        other => other,
    }
}

fn rows_through_json(mut rows: Rows) -> Rows {
    for row in &mut rows.rows {
        for value in row.iter_mut() {
            *value = through_json(std::mem::replace(value, Value::Null));
        }
    }
    rows
}

fn is_read(conn: &Connection, sql: &str) -> bool {
    conn.prepare(sql).map(|stmt| stmt.readonly()).unwrap_or(false)
}

impl Backend for D1Rules {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        self.count();
        self.refuse(statement)?;
        // The cached statement's scan counter, zeroed before and read after (the cache keeps
        // one statement per SQL text, so this reads this query's own steps).
        let scanned = |reset: bool| -> u64 {
            self.conn.prepare_cached(&statement.sql).map_or(0, |stmt| {
                let steps = stmt.get_status(rusqlite::StatementStatus::FullscanStep).max(0) as u64;
                if reset {
                    stmt.reset_status(rusqlite::StatementStatus::FullscanStep);
                }
                steps
            })
        };
        scanned(true);
        let mut rows = query_on(&self.conn, statement).map(rows_through_json)?;
        let read = scanned(true).max(rows.rows.len() as u64);
        self.rows_read.set(self.rows_read.get() + read);
        rows.cost.rows_read = Some(read);
        Ok(rows)
    }

    fn execute(&self, statement: &Statement) -> Result<Executed> {
        self.count();
        self.refuse(statement)?;
        let outcome = run_step(&self.conn, statement)?;
        Ok(Executed {
            changes: outcome.changes,
            last_insert_rowid: outcome.last_insert_rowid,
            cost: Default::default(),
        })
    }

    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        self.count();
        for step in steps {
            self.refuse(&step.statement)?;
        }
        let (statements, origin) = with_guards(steps);
        // What the D1 server does with a batch: one transaction around every statement, undone
        // whole on the first error. Squall's side only sees the statements go in and results
        // (or one error) come out.
        let tx = self.conn.unchecked_transaction()?;
        let mut outcomes = Vec::with_capacity(steps.len());
        for (statement, from) in statements.iter().zip(&origin) {
            match run_step(&tx, statement) {
                Ok(outcome) if from.is_some() => {
                    outcomes.push(StepOutcome { rows: rows_through_json(outcome.rows), ..outcome })
                }
                Ok(_) => {}
                Err(err) => {
                    let message = format!("{err:#}");
                    return Err(match (parse_guard_failure(&message, steps), from) {
                        (Some(failed), _) => failed.into(),
                        (None, Some(step)) => err.context(StepFailed { step: *step }),
                        (None, None) => err,
                    });
                }
            }
        }
        tx.commit()?;
        Ok(outcomes)
    }

    fn describe(&self) -> Result<Vec<TableInfo>> {
        crate::db::schema::describe_schema(self)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            interrupt: false,
            backup: false,
            interactive_transactions: false,
            read_only: self.read_only,
            remote: true,
        }
    }

    fn describe_target(&self) -> String {
        format!("D1 test backend over {}", self.conn.describe_target())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_word_skips_comments() {
        assert_eq!(first_word("  -- hi\n/* x */ begin immediate"), "begin");
        assert_eq!(transaction_keyword("savepoint a"), Some("SAVEPOINT".to_string()));
        assert_eq!(transaction_keyword("select 1"), None);
    }

    fn rules() -> D1Rules {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); CREATE TABLE _cf_KV (key TEXT);")
            .unwrap();
        D1Rules::new(conn)
    }

    #[test]
    fn integers_past_2_53_come_back_rounded_like_json_doubles() {
        let db = rules();
        let big = 9_007_199_254_740_993_i64;
        db.execute(&Statement::new(
            "INSERT INTO t (n) VALUES (?1), (?2)",
            vec![Value::Integer(big), Value::Integer(i64::MAX)],
        ))
        .unwrap();
        let rows = db.query(&Statement::plain("SELECT n, CAST(n AS TEXT) FROM t ORDER BY id")).unwrap();
        assert_eq!(rows.rows[0], vec![Value::Integer(big - 1), Value::Text(big.to_string())]);
        assert_eq!(rows.rows[1][0], Value::Real(9.223_372_036_854_776e18));
        assert_eq!(through_json(Value::Integer(42)), Value::Integer(42));
    }

    #[test]
    fn refuses_params_with_several_statements_too_many_params_and_cf_tables() {
        let db = rules();
        let err = db.query(&Statement::new("SELECT ?1; SELECT 2", vec![Value::Integer(1)])).unwrap_err();
        assert!(err.to_string().contains("7400"), "{err}");
        let many = Statement::new(format!("SELECT {}", vec!["?"; 101].join(", ")), vec![Value::Null; 101]);
        assert!(db.query(&many).unwrap_err().to_string().contains("at most 100"));
        let err = db.query(&Statement::plain("SELECT * FROM _cf_KV")).unwrap_err();
        assert!(err.to_string().contains("SQLITE_AUTH"), "{err}");
        let listed =
            crate::db::schema::list_tables(&db, &crate::db::schema::ListTables { include_internal: false }).unwrap();
        assert_eq!(listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["t"]);
        assert_eq!(db.describe().unwrap().len(), 1);
    }
}
