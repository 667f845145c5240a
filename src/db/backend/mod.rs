//! The seam between squall and a database: a local SQLite file and a remote D1 both implement
//! [`Backend`], so `db/` functions written over it (statement builders plus readers over plain
//! rows) run unchanged on either.
//!
//! What the seam offers is what D1's REST API can do: run one statement, and run a batch
//! atomically. It has no interactive transaction, so a write never reads, decides, then writes
//! inside one: its optimistic checks sit in each statement's WHERE, and a step that must change
//! a given number of rows is *guarded* (see [`Expect`]); the batch fails whole when a guard does
//! not hold. Local-only powers (interrupting a statement, the backup API, `PRAGMA data_version`)
//! are announced by [`Capabilities`], and callers check them before using a `Connection` directly.

pub mod d1;
mod local;
pub mod rules;

use anyhow::Result;
use rusqlite::types::Value;

use super::error::DbError;
use super::schema::TableInfo;

/// One SQL statement with its bound values (`?1`, `?2`, ... or `?`), never values spliced in.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, params: Vec<Value>) -> Self {
        Statement { sql: sql.into(), params }
    }

    /// A statement without parameters.
    pub fn plain(sql: impl Into<String>) -> Self {
        Statement { sql: sql.into(), params: Vec::new() }
    }
}

/// What a statement cost, when the backend says (D1 reports rows read and written; a local file
/// does not count).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    pub rows_read: Option<u64>,
    pub rows_written: Option<u64>,
    /// Time the backend spent, in milliseconds (D1's `meta.duration`), without the network.
    pub duration_ms: Option<f64>,
}

/// Rows a statement returned, as plain values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub cost: Cost,
}

impl Rows {
    /// The first value of the first row, if any.
    pub fn scalar(&self) -> Option<&Value> {
        self.rows.first().and_then(|row| row.first())
    }

    /// The position of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// What a statement that writes did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Executed {
    /// Rows the statement changed (SQLite's `changes()`).
    pub changes: u64,
    /// The rowid of the last row inserted (`last_insert_rowid()`), meaningful after an INSERT.
    pub last_insert_rowid: i64,
    pub cost: Cost,
}

/// A rule one step of an atomic batch must keep, or the whole batch is undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Any outcome is fine.
    Any,
    /// The step must change exactly this many rows (an optimistic update whose WHERE holds the
    /// values the row was loaded with changes one row, or none when someone else got there first).
    Changes(u64),
    /// The step must change at least one row.
    SomeChanges,
}

/// One statement of an atomic batch and the rule it must keep.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub statement: Statement,
    pub expect: Expect,
}

impl Step {
    pub fn any(statement: Statement) -> Self {
        Step { statement, expect: Expect::Any }
    }

    pub fn guarded(statement: Statement, expect: Expect) -> Self {
        Step { statement, expect }
    }
}

/// What one step of an atomic batch did: its rows (a SELECT inside the batch reads the state the
/// batch sees at that point) and its changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepOutcome {
    pub rows: Rows,
    pub changes: u64,
    pub last_insert_rowid: i64,
}

/// A guard of an atomic batch did not hold: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("statement {} of the batch changed {} where {} was required; nothing was written", .step + 1, changes_text(*.changes), expect_text(.expect))]
pub struct GuardFailed {
    /// The step's position in the batch (0-based).
    pub step: usize,
    /// How many rows it changed, when the backend can tell.
    pub changes: Option<u64>,
    pub expect: Expect,
}

fn changes_text(changes: Option<u64>) -> String {
    match changes {
        Some(1) => "1 row".to_string(),
        Some(n) => format!("{n} rows"),
        None => "a different number of rows".to_string(),
    }
}

fn expect_text(expect: &Expect) -> String {
    match expect {
        Expect::Any => "any number".to_string(),
        Expect::Changes(1) => "exactly 1 row".to_string(),
        Expect::Changes(n) => format!("exactly {n} rows"),
        Expect::SomeChanges => "at least 1 row".to_string(),
    }
}

/// Which step of an atomic batch failed with an error (not a guard): added as context to the
/// error, so `err.downcast_ref::<DbError>()` still sees SQLite's kind underneath and a write
/// pipeline can name the change that failed. A remote that cannot tell leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("statement {} of the batch failed", .step + 1)]
pub struct StepFailed {
    /// The step's position in the batch (0-based).
    pub step: usize,
}

/// What a backend can do beyond the seam's statements and batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// A running statement can be stopped (SQLite's interrupt). Without it, cancelling means
    /// dropping the reply, which stale-reply handling already does.
    pub interrupt: bool,
    /// A consistent copy can be taken before a risky write (SQLite's backup API). D1 has
    /// time-travel bookmarks instead.
    pub backup: bool,
    /// BEGIN ... COMMIT around reads and writes on one connection. D1 refuses BEGIN.
    pub interactive_transactions: bool,
    /// Writes are refused (asked for, or the file is not writable).
    pub read_only: bool,
    /// Every statement is a network round trip (and may be billed by rows read).
    pub remote: bool,
}

/// A database squall can read and write: a local SQLite file or a remote D1.
pub trait Backend {
    /// Runs one statement and returns its rows (none for a statement that returns none).
    fn query(&self, statement: &Statement) -> Result<Rows>;

    /// Runs one statement that changes data or schema.
    fn execute(&self, statement: &Statement) -> Result<Executed>;

    /// Runs `steps` in order as one unit: all of them, or (on an error or a guard that does not
    /// hold, reported as [`GuardFailed`]) none. Locally an IMMEDIATE transaction; on D1 one
    /// request.
    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>>;

    /// Every user table and view with its columns, keys, foreign keys and indexes, in as few
    /// round trips as the backend allows.
    fn describe(&self) -> Result<Vec<TableInfo>>;

    /// What this backend can do beyond statements and batches.
    fn capabilities(&self) -> Capabilities;

    /// Names the database for messages and the audit log: a file path, or `D1 name (id)`.
    fn describe_target(&self) -> String;

    /// Runs one statement and hands each row to `each` as it arrives, without keeping them (an
    /// export of a million rows). The default reads them all first; a local file streams.
    fn stream(&self, statement: &Statement, each: &mut dyn FnMut(&[Value]) -> Result<()>) -> Result<Vec<String>> {
        let rows = self.query(statement)?;
        for row in &rows.rows {
            each(row)?;
        }
        Ok(rows.columns)
    }

    /// Refuses a write up front, with the reason, when the backend is read-only.
    fn check_writable(&self) -> Result<()> {
        if self.capabilities().read_only {
            return Err(
                DbError::ReadOnly(format!("{} is read-only: nothing was written", self.describe_target())).into()
            );
        }
        Ok(())
    }
}

/// The marker a guard statement puts in its error, followed by the step and the changes seen.
pub(crate) const GUARD_MARK: &str = "squall guard step ";

/// A statement that runs right after a guarded step and fails (a JSON path error whose text
/// names the step and the changes seen) when the step's `changes()` breaks its rule. This is
/// how a batch that cannot branch (D1's) still fails whole on a guard; a backend with
/// transactions checks the count directly instead.
pub fn guard_statement(step: usize, expect: Expect) -> Option<Statement> {
    let condition = match expect {
        Expect::Any => return None,
        Expect::Changes(n) => format!("changes() = {n}"),
        Expect::SomeChanges => "changes() > 0".to_string(),
    };
    // The path is built from `changes()` so SQLite cannot fold it into a constant evaluated
    // whether or not the CASE takes that branch.
    Some(Statement::plain(format!(
        "SELECT CASE WHEN {condition} THEN 1 ELSE json_extract('{{}}', '{GUARD_MARK}{step} changed ' || changes()) END"
    )))
}

/// Reads a [`GuardFailed`] back out of the error a guard statement raised, if it was one.
pub fn parse_guard_failure(message: &str, steps: &[Step]) -> Option<GuardFailed> {
    let rest = &message[message.find(GUARD_MARK)? + GUARD_MARK.len()..];
    let mut words = rest.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty());
    let step: usize = words.next()?.parse().ok()?;
    let changes = words.next().and_then(|w| w.parse().ok());
    let expect = steps.get(step)?.expect;
    Some(GuardFailed { step, changes, expect })
}

/// The statements a backend without transactions sends for `steps`: each step, followed by its
/// guard when it has one. Returns the statements and, per statement, the step it came from
/// (`None` for a guard).
pub fn with_guards(steps: &[Step]) -> (Vec<Statement>, Vec<Option<usize>>) {
    let mut statements = Vec::with_capacity(steps.len());
    let mut origin = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        statements.push(step.statement.clone());
        origin.push(Some(i));
        if let Some(guard) = guard_statement(i, step.expect) {
            statements.push(guard);
            origin.push(None);
        }
    }
    (statements, origin)
}

/// Whether `changes` keeps `expect`.
pub fn keeps(expect: Expect, changes: u64) -> bool {
    match expect {
        Expect::Any => true,
        Expect::Changes(n) => changes == n,
        Expect::SomeChanges => changes > 0,
    }
}

#[cfg(test)]
mod tests;
