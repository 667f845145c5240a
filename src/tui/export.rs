//! Exports from the TUI: each runs on its own thread with its own read-only connection (on a
//! remote: its own requests through the shared remote), so the page and count workers keep
//! answering while a big table is written. Progress and the result come back as replies on the
//! app's channel; cancelling stops the statement (on a remote: before the next request) and
//! removes the partial file.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread;

use rusqlite::InterruptHandle;

use crate::app::AppEvent;
use crate::service::Remote;
use crate::service::ReplyError;
use crate::service::export::{run_export, run_remote_export};
use crate::service::protocol::{DbReply, DbResult, ExportJob, RequestId};

/// Flags the running export's thread watches.
struct Running {
    id: RequestId,
    cancel: Arc<AtomicBool>,
    interrupt: Arc<Mutex<Option<InterruptHandle>>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// Where the rows come from.
#[derive(Clone)]
enum Origin {
    /// A local file, opened read-only by each export.
    File(PathBuf),
    Remote(Remote),
}

/// Starts and cancels exports of one database.
pub struct ExportRunner {
    from: Origin,
    events: Sender<AppEvent>,
    running: Vec<Running>,
}

impl ExportRunner {
    pub fn new(db_path: PathBuf, events: Sender<AppEvent>) -> ExportRunner {
        ExportRunner { from: Origin::File(db_path), events, running: Vec::new() }
    }

    /// Exports through a remote database, a page per request.
    pub fn remote(remote: Remote, events: Sender<AppEvent>) -> ExportRunner {
        ExportRunner { from: Origin::Remote(remote), events, running: Vec::new() }
    }

    pub fn start(&mut self, id: RequestId, job: ExportJob) {
        self.running.retain(|r| r.thread.as_ref().is_some_and(|t| !t.is_finished()));
        let cancel = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(Mutex::new(None));
        let (thread_cancel, thread_interrupt) = (cancel.clone(), interrupt.clone());
        let (from, events) = (self.from.clone(), self.events.clone());
        let spawned = thread::Builder::new().name("squall-export".into()).spawn(move || {
            let mut report = |rows| {
                let _ = events.send(AppEvent::Db(DbReply { id, result: Ok(DbResult::ExportProgress { rows }) }));
            };
            let result = match &from {
                Origin::File(db_path) => run_export(db_path, &job, &thread_cancel, &thread_interrupt, &mut report),
                Origin::Remote(remote) => run_remote_export(remote, &job, &thread_cancel, &mut report),
            }
            .map_err(|err| ReplyError::from_error(&err));
            let _ = events.send(AppEvent::Db(DbReply { id, result }));
        });
        match spawned {
            Ok(thread) => self.running.push(Running { id, cancel, interrupt, thread: Some(thread) }),
            Err(err) => {
                let result = Err(ReplyError::other(format!("starting the export thread: {err}")));
                let _ = self.events.send(AppEvent::Db(DbReply { id, result }));
            }
        }
    }

    /// On quit: stop every export and wait until each has removed its partial file.
    pub fn shutdown(&mut self) {
        let ids: Vec<RequestId> = self.running.iter().map(|r| r.id).collect();
        for id in ids {
            self.cancel(id);
        }
        for running in &mut self.running {
            if let Some(thread) = running.thread.take() {
                let _ = thread.join();
            }
        }
    }

    pub fn cancel(&mut self, id: RequestId) {
        for running in self.running.iter().filter(|r| r.id == id) {
            running.cancel.store(true, Ordering::Relaxed);
            // A sort before the first row can take a while: stop SQLite too.
            if let Ok(guard) = running.interrupt.lock()
                && let Some(handle) = guard.as_ref()
            {
                handle.interrupt();
            }
        }
    }
}
