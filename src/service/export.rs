//! An export over its own read-only connection, or through the remote: plan, write the file
//! (never overwriting), report progress, stop when cancelled and remove a partial file. The
//! thread around it is `tui/`'s.

use std::cell::Cell;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::InterruptHandle;

use crate::db::backend::{Backend, Capabilities, Executed, Rows, Statement, Step, StepOutcome};
use crate::db::export::{
    ExportInput, ExportSummary, RequestCost, export_pages, export_rows, plan_export, plan_paged_export,
};
use crate::db::open::{OpenInput, OpenMode, open_database};
use crate::db::schema::{SCHEMA_SQL, TableInfo};

use super::Remote;
use super::protocol::{DbResult, ExportJob};

/// Progress replies at most this often: each one redraws the screen.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Output buffer of an export file.
const BUFFER_BYTES: usize = 256 * 1024;

/// Writes `job` from the database at `db_path`; `interrupt` receives the connection's handle so a
/// cancel can stop a long sort, and `cancel` is checked between rows.
pub fn run_export(
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
    let input = ExportInput { plan: &plan, options: &job.options };
    write_file(job, cancel, report, &mut |out, progress| export_rows(&db.conn, &input, out, progress))
        .map(|(path, summary)| exported(path, summary, None))
}

/// Writes `job` through the remote, a page per request; `cancel` is checked between requests.
/// The status line's last request becomes the whole export (its rows read and time).
pub fn run_remote_export(
    remote: &Remote,
    job: &ExportJob,
    cancel: &AtomicBool,
    report: &mut dyn FnMut(u64),
) -> Result<DbResult> {
    let measure = remote.measure();
    let counted = Counted { remote, cost: Cell::new(RequestCost::default()) };
    let written = plan_paged_export(&counted, &job.source).and_then(|plan| {
        write_file(job, cancel, report, &mut |out, progress| export_pages(&counted, &plan, &job.options, out, progress))
    });
    measure.finish(remote);
    written.map(|(path, summary)| exported(path, summary, Some(counted.cost.get())))
}

fn exported(path: PathBuf, summary: ExportSummary, cost: Option<RequestCost>) -> DbResult {
    let shown = std::path::absolute(&path).unwrap_or(path);
    DbResult::Exported { path: shown.display().to_string(), rows: summary.rows, redacted: summary.redacted, cost }
}

/// Creates the job's file and lets `write` fill it, reporting progress at most every
/// [`PROGRESS_INTERVAL`] and saying stop once `cancel` is set; a failed or cancelled export's
/// file is removed.
fn write_file(
    job: &ExportJob,
    cancel: &AtomicBool,
    report: &mut dyn FnMut(u64),
    write: &mut dyn FnMut(&mut BufWriter<File>, &mut dyn FnMut(u64) -> bool) -> Result<ExportSummary>,
) -> Result<(PathBuf, ExportSummary)> {
    let path = PathBuf::from(&job.path);
    // Never overwrite: a second export in the same second must not clobber the first. Owner-only
    // like every file squall creates: an export may hold secrets.
    let file = crate::paths::create_private_file(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(BUFFER_BYTES, file);
    let mut last = Instant::now();
    let mut progress = |rows: u64| {
        if last.elapsed() >= PROGRESS_INTERVAL {
            last = Instant::now();
            report(rows);
        }
        !cancel.load(Ordering::Relaxed)
    };
    let written = write(&mut out, &mut progress);
    drop(out);
    match written {
        Ok(summary) => Ok((path, summary)),
        Err(err) => {
            // A half-written file looks complete: remove it.
            let _ = std::fs::remove_file(&path);
            Err(err)
        }
    }
}

/// The remote as the export sees it, counting the requests the export makes and the rows they
/// read (the workers share the remote, so the session's totals would mix theirs in).
struct Counted<'a> {
    remote: &'a Remote,
    cost: Cell<RequestCost>,
}

impl Counted<'_> {
    fn add(&self, requests: u64, rows_read: u64) {
        let cost = self.cost.get();
        self.cost.set(RequestCost { requests: cost.requests + requests, rows_read: cost.rows_read + rows_read });
    }
}

impl Backend for Counted<'_> {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        // The schema usually comes from the copy read at start: a request only if it moved the
        // session's count.
        let before = self.remote.database().session_cost().requests;
        let rows = self.remote.query(statement)?;
        let made = self.remote.database().session_cost().requests.saturating_sub(before);
        if statement.sql != SCHEMA_SQL || made > 0 {
            self.add(made.max(1), rows.cost.rows_read.unwrap_or(0));
        }
        Ok(rows)
    }
    fn execute(&self, statement: &Statement) -> Result<Executed> {
        self.remote.execute(statement)
    }
    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        self.remote.atomic(steps)
    }
    fn describe(&self) -> Result<Vec<TableInfo>> {
        self.remote.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.remote.capabilities()
    }
    fn describe_target(&self) -> String {
        self.remote.describe_target()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::export::{ExportFormat, ExportOptions, ExportSource};

    /// The TUI's `x` export may hold secrets: owner-only, like every file squall creates.
    #[test]
    #[cfg(unix)]
    fn the_export_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.sqlite");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);")
            .unwrap();
        let path = dir.path().join("t.csv");
        let job = ExportJob {
            source: ExportSource::Query { sql: "SELECT a FROM t".into() },
            options: ExportOptions { format: ExportFormat::Csv, include_secrets: true, iso_dates: false },
            path: path.display().to_string(),
        };
        run_export(&db, &job, &AtomicBool::new(false), &Mutex::new(None), &mut |_| {}).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(
            run_export(&db, &job, &AtomicBool::new(false), &Mutex::new(None), &mut |_| {}).is_err(),
            "never overwrites"
        );
    }
}
