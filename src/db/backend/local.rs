//! A local SQLite file behind the seam: `rusqlite::Connection` implements [`Backend`] directly,
//! so every `db/` function generic over the backend still takes `&conn` from the caller.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior, params_from_iter};

use super::{Backend, Capabilities, Executed, GuardFailed, Rows, Statement, Step, StepFailed, StepOutcome, keeps};
use crate::db::error::classify;
use crate::db::schema::{TableInfo, describe_schema};

impl Backend for Connection {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        query_on(self, statement)
    }

    fn execute(&self, statement: &Statement) -> Result<Executed> {
        let changes = self
            .prepare_cached(&statement.sql)
            .and_then(|mut stmt| stmt.execute(params_from_iter(&statement.params)))
            .map_err(classify)?;
        Ok(Executed { changes: changes as u64, last_insert_rowid: self.last_insert_rowid(), cost: Default::default() })
    }

    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        // IMMEDIATE takes the write lock up front, so nothing changes between the steps. Dropping
        // the transaction without commit rolls everything back.
        let tx = rusqlite::Transaction::new_unchecked(self, TransactionBehavior::Immediate).map_err(classify)?;
        let mut outcomes = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            let outcome = run_step(&tx, &step.statement).map_err(|err| err.context(StepFailed { step: i }))?;
            if !keeps(step.expect, outcome.changes) {
                return Err(GuardFailed { step: i, changes: Some(outcome.changes), expect: step.expect }.into());
            }
            outcomes.push(outcome);
        }
        tx.commit().map_err(classify)?;
        Ok(outcomes)
    }

    fn describe(&self) -> Result<Vec<TableInfo>> {
        describe_schema(self)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            interrupt: true,
            backup: true,
            interactive_transactions: true,
            read_only: crate::db::open::refuses_writes(self).unwrap_or(true),
            remote: false,
        }
    }

    fn describe_target(&self) -> String {
        match self.path() {
            Some(path) if !path.is_empty() => path.to_string(),
            _ => "the in-memory database".to_string(),
        }
    }

    fn stream(&self, statement: &Statement, each: &mut dyn FnMut(&[Value]) -> Result<()>) -> Result<Vec<String>> {
        let mut stmt = self.prepare(&statement.sql).map_err(classify)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let width = columns.len();
        let mut rows = stmt.query(params_from_iter(&statement.params)).map_err(classify)?;
        let mut values = Vec::with_capacity(width);
        while let Some(row) = rows.next().map_err(classify)? {
            values.clear();
            for i in 0..width {
                values.push(row.get::<_, Value>(i)?);
            }
            each(&values)?;
        }
        Ok(columns)
    }
}

/// Runs one statement on `conn` and collects its rows.
pub(super) fn query_on(conn: &Connection, statement: &Statement) -> Result<Rows> {
    let mut stmt = conn.prepare_cached(&statement.sql).map_err(classify)?;
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let width = columns.len();
    let mut rows = stmt.query(params_from_iter(&statement.params)).map_err(classify)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(classify)? {
        // Sized up front: collecting through a `Result` loses the length, and the doubling
        // reallocations cost more than SQLite's own step on a page of rows.
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(row.get::<_, Value>(i)?);
        }
        out.push(values);
    }
    Ok(Rows { columns, rows: out, cost: Default::default() })
}

/// Runs one step of a batch: its rows if it returns any, and its changes.
pub(super) fn run_step(conn: &Connection, statement: &Statement) -> Result<StepOutcome> {
    let mut stmt = conn.prepare_cached(&statement.sql).map_err(classify)?;
    if stmt.column_count() == 0 {
        let changes = stmt.execute(params_from_iter(&statement.params)).map_err(classify)?;
        return Ok(StepOutcome {
            rows: Rows::default(),
            changes: changes as u64,
            last_insert_rowid: conn.last_insert_rowid(),
        });
    }
    drop(stmt);
    // A statement that returns rows (a SELECT, or a write with RETURNING): `changes()` only moves
    // when it wrote, so compare the total before and after.
    let before = conn.total_changes();
    let rows = query_on(conn, statement)?;
    let changes = conn.total_changes().saturating_sub(before);
    Ok(StepOutcome { rows, changes, last_insert_rowid: conn.last_insert_rowid() })
}
