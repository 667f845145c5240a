//! A test stand-in for a remote D1: D1's rules over a local file (`D1Rules`: no BEGIN, batches with
//! guard statements, integers as doubles) with a bookmark taken before every write, as D1's client
//! does, and every request noted so tests can count round trips. Shared by the service, console and
//! migrations tests.

use std::sync::{Arc, Mutex};

use anyhow::Result;
use rusqlite::Connection;

use super::RemoteDatabase;
use crate::db::backend::d1::SessionCost;
use crate::db::backend::rules::D1Rules;
use crate::db::backend::{Backend, Capabilities, Executed, Rows, Statement, Step, StepOutcome};
use crate::db::schema::TableInfo;

/// The marker noted for a bookmark taken before a write.
const BOOKMARK: &str = "bookmark";

pub(crate) struct FakeD1 {
    rules: Mutex<D1Rules>,
    /// What ran, in order: a query's or execute's SQL, `batch` for an atomic batch, and
    /// `bookmark` before each write.
    log: Mutex<Vec<String>>,
    /// The next write runs, then is reported unanswered (as a D1 that stalled after it was sent).
    time_out_next_write: std::sync::atomic::AtomicBool,
}

impl FakeD1 {
    /// A writable remote over `conn`, or a read-only one (as without `--write`).
    pub(crate) fn new(conn: Connection, read_only: bool) -> Arc<FakeD1> {
        let rules = if read_only { D1Rules::new(conn).read_only() } else { D1Rules::new(conn) };
        Arc::new(FakeD1 { rules: Mutex::new(rules), log: Mutex::default(), time_out_next_write: Default::default() })
    }

    /// Everything noted, bookmarks included.
    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The statements sent (the requests, bookmarks left out).
    pub(crate) fn statements(&self) -> Vec<String> {
        self.log().into_iter().filter(|l| l != BOOKMARK).collect()
    }

    /// The statements sent after the first `from`.
    pub(crate) fn since(&self, from: usize) -> Vec<String> {
        self.statements()[from..].to_vec()
    }

    /// How many statements were sent.
    pub(crate) fn requests(&self) -> usize {
        self.statements().len()
    }

    /// How many bookmarks were taken: one per write.
    pub(crate) fn bookmarks(&self) -> usize {
        self.log().iter().filter(|l| *l == BOOKMARK).count()
    }

    /// How many writes ran (each after its bookmark).
    pub(crate) fn writes(&self) -> u64 {
        self.bookmarks() as u64
    }

    /// The next write lands but its reply never comes (a timeout after it was sent).
    pub(crate) fn time_out_next_write(&self) {
        self.time_out_next_write.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// A write's result, or the timeout asked for by [`FakeD1::time_out_next_write`].
    fn answered<T>(&self, result: Result<T>) -> Result<T> {
        if !self.time_out_next_write.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return result;
        }
        let text = "D1 at test did not answer within 35 s after the write was sent: its outcome is unknown; check the data before repeating it (squall did not repeat it)";
        Err(crate::db::backend::d1::Unanswered { text: text.into(), sent: true }.into())
    }

    fn note_write(&self, what: String) {
        self.log.lock().unwrap().extend([BOOKMARK.to_string(), what]);
    }
}

impl Backend for FakeD1 {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        self.log.lock().unwrap().push(statement.sql.clone());
        self.rules.lock().unwrap().query(statement)
    }
    fn execute(&self, statement: &Statement) -> Result<Executed> {
        self.check_writable()?;
        self.note_write(statement.sql.clone());
        let result = self.rules.lock().unwrap().execute(statement);
        self.answered(result)
    }
    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        self.check_writable()?;
        self.note_write("batch".into());
        let result = self.rules.lock().unwrap().atomic(steps);
        self.answered(result)
    }
    fn describe(&self) -> Result<Vec<TableInfo>> {
        self.rules.lock().unwrap().describe()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { remote: true, ..self.rules.lock().unwrap().capabilities() }
    }
    fn describe_target(&self) -> String {
        "D1 app-db (7f3c2a9e)".into()
    }
    fn check_writable(&self) -> Result<()> {
        self.rules.lock().unwrap().check_writable()
    }
}

impl RemoteDatabase for FakeD1 {
    fn session_cost(&self) -> SessionCost {
        let rules = self.rules.lock().unwrap();
        let total = crate::db::backend::Cost { rows_read: Some(rules.rows_read()), ..Default::default() };
        SessionCost { total, requests: rules.requests(), ..Default::default() }
    }
    fn last_bookmark(&self) -> Option<String> {
        let n = self.bookmarks();
        (n > 0).then(|| format!("00000000-0000000{n}-bookmark"))
    }
    fn restore_command(&self) -> Option<String> {
        self.last_bookmark().map(|b| crate::db::backend::d1::restore_command("app-db", &b))
    }
    fn display_name(&self) -> String {
        "app-db".into()
    }
}
