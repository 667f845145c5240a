//! One local migration as one batch of the write pipeline (`db::write`): its statements, the
//! tracker table and row, and the checks, as the steps of ONE [`Backend::atomic`] call (an
//! IMMEDIATE transaction on a local file), so a migration is all there or not at all.
//!
//! The checks the old hand-run transaction made are steps too, so they fail the batch whole:
//! - each statement runs inside `SAVEPOINT squall_statement` and is followed by its `RELEASE`,
//!   which fails ("no such savepoint") when the statement ended the transaction (a `COMMIT` the
//!   guard could not read): the run stops there and the failure names that statement;
//! - `foreign_key_check` runs last (foreign keys are off for the run, see `apply`) and fails the
//!   batch, naming the first row whose key points nowhere.
//!
//! [`Backend::atomic`]: crate::db::backend::Backend::atomic

use std::cell::Cell;

use anyhow::Result;
use rusqlite::types::Value;

use super::folder::MigrationFile;
use super::status::TrackerKind;
use super::{drizzle, wrangler};
use crate::db::backend::{Backend, Expect, StepFailed};
use crate::db::write::{Describe, Sql, WriteStep, execute};

/// What a step of a migration's batch is for, so a failure can name the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// `SAVEPOINT` before statement `n` (1-based).
    Open(usize),
    /// Statement `n` of the file (1-based).
    Statement(usize),
    /// `RELEASE` after statement `n`: fails when the statement ended the transaction.
    Check(usize),
    /// The tracker's `CREATE TABLE IF NOT EXISTS`.
    TrackerTable,
    /// The tracker's row for this file (must insert one row).
    TrackerRow,
    /// `foreign_key_check` over the whole database.
    ForeignKeys,
}

/// The savepoint each statement runs in.
const SAVEPOINT: &str = "SAVEPOINT squall_statement";
const RELEASE: &str = "RELEASE squall_statement";

/// The marker the foreign-key step puts in its error, followed by the violation.
const FOREIGN_KEY_MARK: &str = "squall foreign key check: ";

/// Fails (a JSON path error whose text is the first violation) when `foreign_key_check` reports
/// a row; returns 1 otherwise. The path depends on the violation, so SQLite evaluates it only in
/// the branch that fails.
fn foreign_key_step() -> String {
    format!(
        "SELECT CASE WHEN v IS NULL THEN 1 ELSE json_extract('{{}}', '{FOREIGN_KEY_MARK}' || v) END FROM (SELECT (SELECT \"table\" || ' ' || coalesce('rowid ' || rowid, 'a row') || ' → ' || parent FROM pragma_foreign_key_check LIMIT 1) AS v)"
    )
}

/// The tracker's row for `file`, with its values bound: what runs, and (written out by
/// [`Sql::inline`]) what the confirmation shows, from one value.
pub(super) fn tracker_record(kind: TrackerKind, wrangler_table: &str, file: &MigrationFile) -> Sql {
    let mut sql = Sql::default();
    match kind {
        TrackerKind::Wrangler => {
            sql.text(&format!("INSERT INTO {} (name) values (", wrangler::table_ident(wrangler_table)));
            sql.param(Value::Text(file.name.clone()));
            sql.text(")");
        }
        TrackerKind::Drizzle => {
            sql.text("INSERT INTO ");
            sql.ident(drizzle::DEFAULT_TABLE);
            sql.text(" (\"hash\", \"created_at\") VALUES(");
            sql.param(Value::Text(file.hash.clone()));
            sql.text(", ");
            sql.param(file.created_at.map_or(Value::Null, Value::Integer));
            sql.text(")");
        }
    }
    sql
}

fn plain(text: &str) -> Sql {
    let mut sql = Sql::default();
    sql.text(text);
    sql
}

/// The steps of one migration's batch and what each is for.
pub(super) struct MigrationBatch {
    pub steps: Vec<WriteStep>,
    pub roles: Vec<Role>,
}

impl MigrationBatch {
    fn push(&mut self, role: Role, sql: Sql, expect: Expect) {
        self.steps.push(WriteStep::new(sql, expect));
        self.roles.push(role);
    }
}

/// Plans the batch of `file` (split into `statements`): each statement in its checked savepoint,
/// the tracker table and row, then the foreign-key check when the database had no violation before.
pub(super) fn plan_batch(
    statements: &[String],
    file: &MigrationFile,
    kind: TrackerKind,
    wrangler_table: &str,
    check_foreign_keys: bool,
) -> MigrationBatch {
    let mut batch = MigrationBatch { steps: Vec::new(), roles: Vec::new() };
    for (index, statement) in statements.iter().enumerate() {
        let number = index + 1;
        batch.push(Role::Open(number), plain(SAVEPOINT), Expect::Any);
        batch.push(Role::Statement(number), plain(statement), Expect::Any);
        batch.push(Role::Check(number), plain(RELEASE), Expect::Any);
    }
    let ddl = match kind {
        TrackerKind::Wrangler => wrangler::tracker_ddl(wrangler_table),
        TrackerKind::Drizzle => drizzle::tracker_ddl(),
    };
    batch.push(Role::TrackerTable, plain(&ddl), Expect::Any);
    batch.push(Role::TrackerRow, tracker_record(kind, wrangler_table, file), Expect::Changes(1));
    if check_foreign_keys {
        batch.push(Role::ForeignKeys, plain(&foreign_key_step()), Expect::Any);
    }
    batch
}

/// How a batch failed, when a step of it did.
pub(super) enum BatchFailure {
    /// Statement `number` failed with SQLite's `message`.
    Statement { number: usize, message: String },
    /// Statement `number` ended the transaction.
    EndedTransaction { number: usize },
    /// The migration leaves rows whose key points nowhere (the first one described).
    ForeignKeys { violation: String },
    /// Anything else (the tracker, a busy database): the error as the pipeline explained it.
    Other(anyhow::Error),
}

/// Runs the batch as ONE atomic call through the write pipeline. Nothing of it stays on failure.
pub(super) fn run_batch<B: Backend + ?Sized>(db: &B, batch: &MigrationBatch) -> Result<(), BatchFailure> {
    let steps: Vec<_> = batch.steps.iter().map(WriteStep::step).collect();
    let failed_step = Cell::new(None);
    let label = |i: usize| {
        failed_step.set(Some(i));
        format!("step {} of the migration's batch", i + 1)
    };
    let describe = Describe { step: &label, kept: "the migration was not applied", foreign_key: None };
    let Err(err) = execute(db, &steps, &describe) else { return Ok(()) };
    let step = failed_step.get().or_else(|| err.downcast_ref::<StepFailed>().map(|f| f.step));
    let message = sqlite_message(&err);
    Err(match step.and_then(|i| batch.roles.get(i)) {
        Some(Role::Statement(number)) => BatchFailure::Statement { number: *number, message },
        Some(Role::Check(number)) => BatchFailure::EndedTransaction { number: *number },
        Some(Role::ForeignKeys) => match message.split_once(FOREIGN_KEY_MARK) {
            Some((_, violation)) => {
                BatchFailure::ForeignKeys { violation: violation.trim_end_matches('\'').to_string() }
            }
            None => BatchFailure::Other(err),
        },
        _ => BatchFailure::Other(err),
    })
}

/// SQLite's own message from deep in the error (`no such table: nope`).
fn sqlite_message(err: &anyhow::Error) -> String {
    for cause in err.chain() {
        match cause.downcast_ref::<rusqlite::Error>() {
            // What SQLite refuses while preparing a statement (`table t1 already exists`).
            Some(rusqlite::Error::SqlInputError { msg, .. }) => return msg.clone(),
            Some(rusqlite::Error::SqliteFailure(failure, message)) => {
                return message.clone().unwrap_or_else(|| failure.to_string());
            }
            _ => {}
        }
    }
    err.root_cause().to_string()
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
