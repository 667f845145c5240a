//! The database worker: a thread that owns one connection and answers requests in order.
//! The UI never waits on it; replies come back as events carrying the request's id.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use crate::app::{AppEvent, DbReply, DbRequest, DbResult, RequestId, TableMeta};
use crate::db::kinds::infer_kinds;
use crate::db::labels::{RowLabel, row_label};
use crate::db::page::{PageQuery, count_matching, fetch_page};
use crate::db::schema::{DescribeTable, ListTables, describe_table, list_tables};

/// A running worker: where to send requests, and how to cancel the one it is running.
pub struct WorkerHandle {
    requests: Sender<(RequestId, DbRequest)>,
    interrupt: InterruptHandle,
}

impl WorkerHandle {
    /// Starts a worker owning `conn`; its replies go to `events`.
    pub fn spawn(conn: Connection, events: Sender<AppEvent>, name: &str) -> Result<WorkerHandle> {
        let (requests, inbox) = channel();
        let interrupt = conn.get_interrupt_handle();
        thread::Builder::new().name(format!("squall-db-{name}")).spawn(move || serve(conn, inbox, events))?;
        Ok(WorkerHandle { requests, interrupt })
    }

    /// Queues a request. A worker that has gone away (it only does on shutdown) is ignored.
    pub fn send(&self, id: RequestId, request: DbRequest) {
        let _ = self.requests.send((id, request));
    }

    /// Stops the statement running now (SQLite returns SQLITE_INTERRUPT to it).
    pub fn interrupt(&self) {
        self.interrupt.interrupt();
    }
}

fn serve(conn: Connection, inbox: Receiver<(RequestId, DbRequest)>, events: Sender<AppEvent>) {
    while let Ok((id, request)) = inbox.recv() {
        let result = answer(&conn, request).map_err(|err| crate::cli::error_chain(&err));
        if events.send(AppEvent::Db(DbReply { id, result })).is_err() {
            break;
        }
    }
}

/// Runs one request on `conn`. Public so tests can drive the app without threads.
pub fn answer(conn: &Connection, request: DbRequest) -> Result<DbResult> {
    Ok(match request {
        DbRequest::ListTables { include_internal } => {
            DbResult::Tables(list_tables(conn, &ListTables { include_internal })?)
        }
        DbRequest::LoadTable { table } => {
            let info = describe_table(conn, &DescribeTable { name: &table })?;
            let kinds = infer_kinds(conn, &info)?;
            DbResult::Table(Box::new(TableMeta { info, kinds }))
        }
        DbRequest::FetchPage { view, anchor, limit } => {
            DbResult::Page(fetch_page(conn, &PageQuery { view: &view, anchor: &anchor, limit })?)
        }
        DbRequest::Count { view } => DbResult::Count(count_matching(conn, &view)?),
        DbRequest::Labels { lookups } => DbResult::Labels(
            lookups
                .iter()
                .map(|lookup| row_label(conn, lookup))
                .collect::<Result<Vec<Option<RowLabel>>>>()?,
        ),
    })
}
