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

/// Writes the rows to the file, reporting the rows written (`false` back stops it).
type WriteRows<'a> = dyn FnMut(&mut BufWriter<File>, &mut dyn FnMut(u64) -> bool) -> Result<ExportSummary> + 'a;

/// Creates the job's file and lets `write` fill it, reporting progress at most every
/// [`PROGRESS_INTERVAL`] and saying stop once `cancel` is set; a failed or cancelled export's
/// file is removed.
fn write_file(
    job: &ExportJob,
    cancel: &AtomicBool,
    report: &mut dyn FnMut(u64),
    write: &mut WriteRows,
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

    /// D1's rules over a file, behind the [`Remote`] the TUI's workers share.
    struct Rules(Mutex<crate::db::backend::rules::D1Rules>);

    impl Backend for Rules {
        fn query(&self, statement: &Statement) -> Result<Rows> {
            self.0.lock().unwrap().query(statement)
        }
        fn execute(&self, statement: &Statement) -> Result<Executed> {
            self.0.lock().unwrap().execute(statement)
        }
        fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
            self.0.lock().unwrap().atomic(steps)
        }
        fn describe(&self) -> Result<Vec<TableInfo>> {
            self.0.lock().unwrap().describe()
        }
        fn capabilities(&self) -> Capabilities {
            self.0.lock().unwrap().capabilities()
        }
        fn describe_target(&self) -> String {
            "D1 app-db (test)".into()
        }
    }

    impl super::super::RemoteDatabase for Rules {
        fn session_cost(&self) -> crate::db::backend::d1::SessionCost {
            let requests = self.0.lock().unwrap().requests();
            crate::db::backend::d1::SessionCost { requests, ..Default::default() }
        }
        fn last_bookmark(&self) -> Option<String> {
            None
        }
        fn restore_command(&self) -> Option<String> {
            None
        }
        fn display_name(&self) -> String {
            "app-db".into()
        }
    }

    #[test]
    fn a_remote_export_writes_the_local_bytes_and_counts_its_requests() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.sqlite");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, big INTEGER, r REAL, b BLOB, s TEXT);
                 INSERT INTO t VALUES (1, 9007199254740993, 1.0, x'00ff', 'a, \"b\"
c'), (2, NULL, NULL, NULL, NULL);
                 WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
                 INSERT INTO t SELECT i, i, i / 3.0, NULL, 'row ' || i FROM n;",
            )
            .unwrap();
        let remote = Remote::new(std::sync::Arc::new(Rules(Mutex::new(
            crate::db::backend::rules::D1Rules::new(rusqlite::Connection::open(&db).unwrap()).read_only(),
        ))));
        let view = crate::db::export::whole_table_view(&remote, "t").unwrap();
        let job = |name: &str| ExportJob {
            source: ExportSource::Table(view.clone()),
            options: ExportOptions { format: ExportFormat::Csv, include_secrets: false, iso_dates: false },
            path: dir.path().join(name).display().to_string(),
        };
        let no = AtomicBool::new(false);
        run_export(&db, &job("local.csv"), &no, &Mutex::new(None), &mut |_| {}).unwrap();
        let done = run_remote_export(&remote, &job("remote.csv"), &no, &mut |_| {}).unwrap();
        let DbResult::Exported { rows, cost, .. } = done else { panic!("{done:?}") };
        assert_eq!(rows, 1500);
        // 1,000 rows, then the other 500: two requests (the schema came from the copy).
        assert_eq!(cost, Some(RequestCost { requests: 2, rows_read: 1500 }));
        let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(read("remote.csv"), read("local.csv"));

        // Cancelled between requests: an error, and no partial file left.
        let err = run_remote_export(&remote, &job("cancelled.csv"), &AtomicBool::new(true), &mut |_| {}).unwrap_err();
        assert!(err.downcast_ref::<crate::db::export::Cancelled>().is_some(), "{err:#}");
        assert!(!dir.path().join("cancelled.csv").exists());
    }
}
