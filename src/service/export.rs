//! An export over its own read-only connection: plan, write the file (never overwriting), report
//! progress, stop when cancelled and remove a partial file. The thread around it is `tui/`'s.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::InterruptHandle;

use crate::db::export::{ExportInput, export_rows, plan_export};
use crate::db::open::{OpenInput, OpenMode, open_database};

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
