//! A backend that keeps D1's rules over a local SQLite connection, for tests: it refuses
//! interactive transactions (`BEGIN`, `SAVEPOINT`, ...) and runs an atomic batch the way a
//! server without them must, with guard statements instead of reading counts in between. Code
//! that runs correctly here needs nothing D1 lacks.

use std::cell::Cell;

use anyhow::Result;
use rusqlite::Connection;

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
}

impl D1Rules {
    pub fn new(conn: Connection) -> Self {
        D1Rules { conn, read_only: false, requests: Cell::new(0) }
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

    fn count(&self) {
        self.requests.set(self.requests.get() + 1);
    }

    fn refuse(&self, statement: &Statement) -> Result<()> {
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

fn is_read(conn: &Connection, sql: &str) -> bool {
    conn.prepare(sql).map(|stmt| stmt.readonly()).unwrap_or(false)
}

impl Backend for D1Rules {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        self.count();
        self.refuse(statement)?;
        query_on(&self.conn, statement)
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
                Ok(outcome) if from.is_some() => outcomes.push(outcome),
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
}
