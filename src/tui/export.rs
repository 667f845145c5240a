//! Exports from the TUI: each runs on its own thread with its own read-only connection, so the
//! page and count workers keep answering while a big table is written. Progress and the result
//! come back as replies on the app's channel; cancelling stops the statement and removes the
//! partial file.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::InterruptHandle;

use crate::app::{AppEvent, DbReply, DbResult, ExportJob, RequestId};
use crate::db::export::{ExportInput, export_rows, plan_export};
use crate::db::open::{OpenInput, OpenMode, open_database};

/// Progress replies at most this often: each one redraws the screen.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Output buffer of an export file.
const BUFFER_BYTES: usize = 256 * 1024;

/// Flags the running export's thread watches.
struct Running {
    id: RequestId,
    cancel: Arc<AtomicBool>,
    interrupt: Arc<Mutex<Option<InterruptHandle>>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// Starts and cancels exports of one database.
pub struct ExportRunner {
    db_path: PathBuf,
    events: Sender<AppEvent>,
    running: Vec<Running>,
}

impl ExportRunner {
    pub fn new(db_path: PathBuf, events: Sender<AppEvent>) -> ExportRunner {
        ExportRunner { db_path, events, running: Vec::new() }
    }

    pub fn start(&mut self, id: RequestId, job: ExportJob) {
        self.running.retain(|r| r.thread.as_ref().is_some_and(|t| !t.is_finished()));
        let cancel = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(Mutex::new(None));
        let (thread_cancel, thread_interrupt) = (cancel.clone(), interrupt.clone());
        let (db_path, events) = (self.db_path.clone(), self.events.clone());
        let spawned = thread::Builder::new().name("squall-export".into()).spawn(move || {
            let result = run_export(&db_path, &job, &thread_cancel, &thread_interrupt, &mut |rows| {
                let _ = events.send(AppEvent::Db(DbReply { id, result: Ok(DbResult::ExportProgress { rows }) }));
            })
            .map_err(|err| crate::present::error_chain(&err));
            let _ = events.send(AppEvent::Db(DbReply { id, result }));
        });
        match spawned {
            Ok(thread) => self.running.push(Running { id, cancel, interrupt, thread: Some(thread) }),
            Err(err) => {
                let result = Err(format!("starting the export thread: {err}"));
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

fn run_export(
    db_path: &Path,
    job: &ExportJob,
    cancel: &AtomicBool,
    interrupt: &Mutex<Option<InterruptHandle>>,
    report: &mut dyn FnMut(u64),
) -> Result<DbResult> {
    let db = open_database(&OpenInput { path: db_path, mode: OpenMode::ReadOnly })?;
    if let Ok(mut slot) = interrupt.lock() {
        *slot = Some(db.conn.get_interrupt_handle());
    }
    let plan = plan_export(&db.conn, &job.source)?;
    let path = PathBuf::from(&job.path);
    // Never overwrite: a second export in the same second must not clobber the first.
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(BUFFER_BYTES, file);
    let mut last = Instant::now();
    let mut progress = |rows: u64| {
        if last.elapsed() >= PROGRESS_INTERVAL {
            last = Instant::now();
            report(rows);
        }
        !cancel.load(Ordering::Relaxed)
    };
    let written = export_rows(&db.conn, &ExportInput { plan: &plan, options: &job.options }, &mut out, &mut progress);
    drop(out);
    match written {
        Ok(summary) => {
            let shown = std::path::absolute(&path).unwrap_or(path);
            Ok(DbResult::Exported { path: shown.display().to_string(), rows: summary.rows, redacted: summary.redacted })
        }
        Err(err) => {
            // A half-written file looks complete: remove it.
            let _ = std::fs::remove_file(&path);
            Err(err)
        }
    }
}
