//! A remote database as the workers hold it: the backend shared by the page and count workers
//! (one session cost), the schema read once and kept, and what the last request cost.
//!
//! Every statement is a billed round trip, so the schema statement (`db::schema`'s one UNION
//! over the pragma functions) is answered from the copy read at start for every later
//! `describe_table`, `describe_schema` and inferred-reference check; reading the table list
//! again (`ListTables`) refreshes it.

use std::cell::Cell;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Result;
use rusqlite::types::Value;

use crate::db::backend::d1::{D1Backend, SessionCost};
use crate::db::backend::{Backend, Capabilities, Executed, Rows, Statement, Step, StepOutcome};
use crate::db::schema::{SCHEMA_SQL, TableInfo};

thread_local! {
    /// Rows read by the requests this thread sent: each worker thread sends its own, so a
    /// request's cost is measured on its thread and another worker's concurrent request (a page
    /// read ahead, a count) cannot be counted in it.
    static READ_HERE: Cell<u64> = const { Cell::new(0) };
}

/// Rows read so far by the requests sent from this thread (see [`READ_HERE`]).
pub(super) fn rows_read_here() -> u64 {
    READ_HERE.with(Cell::get)
}

fn note_read(cost: &crate::db::backend::Cost) {
    let rows = cost.rows_read.unwrap_or(0);
    READ_HERE.with(|read| read.set(read.get().saturating_add(rows)));
}

/// What a remote backend offers beyond the seam: its bill and its undo path.
pub trait RemoteDatabase: Backend + Send + Sync {
    /// Requests and rows read so far (D1 bills rows read).
    fn session_cost(&self) -> SessionCost;
    /// The time-travel bookmark taken before the last write.
    fn last_bookmark(&self) -> Option<String>;
    /// The command that restores the last bookmark.
    fn restore_command(&self) -> Option<String>;
    /// The database's name for the badge.
    fn display_name(&self) -> String;
}

impl RemoteDatabase for D1Backend {
    fn session_cost(&self) -> SessionCost {
        D1Backend::session_cost(self)
    }
    fn last_bookmark(&self) -> Option<String> {
        D1Backend::last_bookmark(self)
    }
    fn restore_command(&self) -> Option<String> {
        D1Backend::restore_command(self)
    }
    fn display_name(&self) -> String {
        D1Backend::display_name(self).to_string()
    }
}

/// What the status line says about the remote session.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RemoteStats {
    /// Rows the last answered request read (all its statements).
    pub last_rows_read: u64,
    /// How long the last answered request took, network included, in milliseconds.
    pub last_ms: u64,
    /// Rows read by the whole session.
    pub total_rows_read: u64,
    /// Requests sent by the whole session.
    pub requests: u64,
}

/// A remote database shared by the workers (clones share everything).
#[derive(Clone)]
pub struct Remote {
    inner: Arc<dyn RemoteDatabase>,
    /// The rows of the whole-schema statement, read once.
    schema: Arc<Mutex<Option<Rows>>>,
    stats: Arc<Mutex<RemoteStats>>,
}

impl Remote {
    pub fn new(inner: Arc<dyn RemoteDatabase>) -> Remote {
        Remote { inner, schema: Arc::default(), stats: Arc::default() }
    }

    pub fn database(&self) -> &dyn RemoteDatabase {
        &*self.inner
    }

    /// What the last request and the session cost.
    /// The session's totals are read live, so requests answered after their reply (a page
    /// read ahead) count as soon as the status line is drawn again.
    pub fn stats(&self) -> RemoteStats {
        let mut stats = self.stats.lock().map(|s| *s).unwrap_or_default();
        let cost = self.inner.session_cost();
        stats.total_rows_read = cost.total.rows_read.unwrap_or(0);
        stats.requests = cost.requests;
        stats
    }

    /// Forgets the schema read so far: the next statement that needs it reads it again.
    pub fn forget_schema(&self) {
        if let Ok(mut schema) = self.schema.lock() {
            *schema = None;
        }
    }

    /// Starts measuring one request: call [`Measure::finish`] when it is answered.
    pub fn measure(&self) -> Measure {
        Measure { started: Instant::now(), rows_before: rows_read_here() }
    }

    fn rows_read(&self) -> u64 {
        self.inner.session_cost().total.rows_read.unwrap_or(0)
    }

    /// One statement sent to the database, its rows read noted for this thread.
    fn read(&self, statement: &Statement) -> Result<Rows> {
        let rows = self.inner.query(statement)?;
        note_read(&rows.cost);
        Ok(rows)
    }

    /// The schema rows, from the copy or (once) from the database.
    fn schema_rows(&self) -> Result<Rows> {
        if let Some(rows) = self.schema.lock().ok().and_then(|s| s.clone()) {
            return Ok(rows);
        }
        let rows = self.read(&Statement::new(SCHEMA_SQL, vec![Value::Null]))?;
        if let Ok(mut slot) = self.schema.lock() {
            *slot = Some(rows.clone());
        }
        Ok(rows)
    }
}

/// One request being measured.
pub struct Measure {
    started: Instant,
    rows_before: u64,
}

impl Measure {
    pub fn finish(self, remote: &Remote) {
        let total = remote.rows_read();
        let requests = remote.inner.session_cost().requests;
        if let Ok(mut stats) = remote.stats.lock() {
            *stats = RemoteStats {
                last_rows_read: rows_read_here().saturating_sub(self.rows_before),
                last_ms: self.started.elapsed().as_millis() as u64,
                total_rows_read: total,
                requests,
            };
        }
    }
}

impl Backend for Remote {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        if statement.sql != SCHEMA_SQL {
            return self.read(statement);
        }
        match statement.params.first() {
            None | Some(Value::Null) => self.schema_rows(),
            Some(Value::Text(name)) => {
                let mut rows = self.schema_rows()?;
                // Column 1 names the table each row describes; a table the copy lacks (an
                // internal one, asked for by name) is read from the database.
                rows.rows.retain(|row| matches!(row.get(1), Some(Value::Text(t)) if t == name));
                if rows.rows.is_empty() {
                    return self.read(statement);
                }
                Ok(rows)
            }
            Some(_) => self.read(statement),
        }
    }

    fn execute(&self, statement: &Statement) -> Result<Executed> {
        let executed = self.inner.execute(statement)?;
        note_read(&executed.cost);
        Ok(executed)
    }

    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        let outcomes = self.inner.atomic(steps)?;
        outcomes.iter().for_each(|outcome| note_read(&outcome.rows.cost));
        Ok(outcomes)
    }

    fn describe(&self) -> Result<Vec<TableInfo>> {
        crate::db::schema::describe_schema(self)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { remote: true, ..self.inner.capabilities() }
    }

    fn describe_target(&self) -> String {
        self.inner.describe_target()
    }

    fn check_writable(&self) -> Result<()> {
        self.inner.check_writable()
    }
}
