//! One write pipeline for everything squall writes: staged edits, user actions, deletes with
//! their cascades, migration applies and the SQL console's writes (`db::query::execute_write`).
//!
//! 1. **Plan**: the statements, each built with [`Sql`] (text and bound values kept apart) and a
//!    guard ([`Expect`]): optimistic checks sit in each UPDATE/DELETE's WHERE, and
//!    `Expect::Changes(1)` makes the batch fail whole when another writer got there first.
//! 2. **Preview**: the same [`Sql`] values written out ([`Sql::preview`] inline, [`Sql::listing`]
//!    as SQL plus `?N = value` lines), values through one renderer ([`literal`]), secrets redacted.
//! 3. **Execute**: the same statements, byte for byte, as ONE [`Backend::atomic`] call
//!    ([`execute`]): an IMMEDIATE transaction locally, one request on D1. The reads the audit
//!    needs (rows before and after, rows a cascade takes) ride in the same batch as SELECT steps,
//!    so they see exactly the state the writes saw.
//! 4. **Audit**: [`crate::db::change::RowChange`]s built from the rows the batch returned
//!    ([`diff_rows`], [`deleted_rows`]); `crate::audit` writes them.
//!
//! Errors are mapped here, once ([`explain`]): busy, read-only, a constraint (naming the change
//! and the column), a guard that did not hold ([`GuardFailed`], which callers turn into their
//! conflict message after reading the rows again, outside the batch).

mod audit;
pub mod read;
mod sql;

use anyhow::Result;

use crate::db::backend::{Backend, Expect, GuardFailed, Step, StepFailed, StepOutcome};
use crate::db::error::DbError;

pub use audit::{KeyedRow, deleted_rows, diff_rows, keyed_rows};
pub use sql::Sql;

/// The one renderer of values the previews use (`db::literal` sits below the error type, so
/// conflict messages use it too).
pub use crate::db::literal::sql_literal as literal;

/// One statement of a write and the rule it must keep.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteStep {
    pub sql: Sql,
    pub expect: Expect,
}

impl WriteStep {
    pub fn new(sql: Sql, expect: Expect) -> Self {
        WriteStep { sql, expect }
    }

    /// The step as the backend runs it.
    pub fn step(&self) -> Step {
        Step::guarded(self.sql.statement(), self.expect)
    }
}

/// How a failed write is described: which change a batch step carries, and what the person
/// keeps (e.g. "the staged changes are kept").
pub struct Describe<'a> {
    /// "change 3 of 3 (UPDATE user id = 'u1')" for a step of the batch.
    pub step: &'a dyn Fn(usize) -> String,
    pub kept: &'a str,
    /// For a foreign key failure of step N: which keys match no row, one sentence each.
    pub foreign_key: Option<&'a dyn Fn(usize) -> Vec<String>>,
}

/// Runs `steps` as ONE atomic batch on `db`, refusing first when `db` is read-only. Errors come
/// back through [`explain`]; a guard that did not hold stays a [`GuardFailed`] for the caller.
pub fn execute<B: Backend + ?Sized>(db: &B, steps: &[Step], describe: &Describe) -> Result<Vec<StepOutcome>> {
    if db.capabilities().read_only {
        return Err(read_only(&format!("{} is read-only", db.describe_target())));
    }
    db.atomic(steps).map_err(|err| explain(err, describe))
}

/// The database refused a write because it is read-only.
pub fn read_only(detail: &str) -> anyhow::Error {
    DbError::ReadOnly(format!("the database is read-only ({detail}); nothing was written")).into()
}

/// Turns a failed batch into the error the UI and CLI branch on. The one place that maps
/// busy, read-only and constraint failures of a write.
pub fn explain(err: anyhow::Error, describe: &Describe) -> anyhow::Error {
    if err.downcast_ref::<GuardFailed>().is_some() || err.downcast_ref::<crate::db::backend::d1::Unanswered>().is_some()
    {
        return err;
    }
    let step = err.downcast_ref::<StepFailed>().map(|failed| failed.step);
    let label = step.map_or_else(|| "the batch".to_string(), |i| (describe.step)(i));
    match err.downcast_ref::<DbError>() {
        Some(DbError::Busy(_)) => return busy(describe.kept),
        Some(DbError::ReadOnly(message)) => return read_only(message),
        Some(_) => return err,
        None => {}
    }
    let message = sqlite_message(&err);
    let found = match (describe.foreign_key, step) {
        (Some(lookup), Some(step)) if message.contains("FOREIGN KEY constraint") => lookup(step),
        _ => Vec::new(),
    };
    let message = if found.is_empty() { message } else { format!("{message}: {}", found.join("; ")) };
    match constraint_hint(&message) {
        Some(hint) => DbError::Invalid(format!("{label}: {message}{hint}; nothing was written")).into(),
        None => err.context(format!("{label}: nothing was written")),
    }
}

/// The database stayed locked for the whole busy timeout, or the person cancelled the wait.
pub fn busy(kept: &str) -> anyhow::Error {
    if crate::db::busy::lock_wait_cancelled() {
        return DbError::Busy(format!(
            "the wait for another process's lock was cancelled; nothing was written and {kept}"
        ))
        .into();
    }
    DbError::Busy(format!("the database is locked by another process; nothing was written and {kept}, try again"))
        .into()
}

/// SQLite's own message (`UNIQUE constraint failed: user.email`) from deep in the error.
fn sqlite_message(err: &anyhow::Error) -> String {
    for cause in err.chain() {
        if let Some(rusqlite::Error::SqliteFailure(failure, message)) = cause.downcast_ref::<rusqlite::Error>() {
            return message.clone().unwrap_or_else(|| failure.to_string());
        }
    }
    err.root_cause().to_string()
}

/// Whether `message` is a constraint failure, and the plain words added to it. Read from the
/// message, so a remote's errors (`...: SQLITE_CONSTRAINT`) map the same way.
fn constraint_hint(message: &str) -> Option<&'static str> {
    if !message.contains("constraint failed") && !message.contains("SQLITE_CONSTRAINT") {
        return None;
    }
    Some(if message.contains("NOT NULL constraint") {
        " (a value is required)"
    } else if message.contains("UNIQUE constraint") {
        " (another row already has this value)"
    } else {
        ""
    })
}
