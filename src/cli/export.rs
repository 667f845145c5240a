//! `squall export TABLE`: a whole table to stdout or a file, streamed (on `--remote`, a page per
//! request, the same bytes).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use super::{GlobalArgs, UsageError, open_target, resolve_command_database, stderr_is_terminal};
use crate::db::export::{
    ExportFormat, ExportInput, ExportOptions, ExportPlan, ExportSource, ExportSummary, export_pages, export_rows,
    plan_export, plan_paged_export, whole_table_view,
};
use crate::db::schema::{CountRows, count_rows};
use crate::present::group_thousands;
use crate::service::Remote;

/// Output buffer: large writes keep the syscall count low at a million rows.
const BUFFER_BYTES: usize = 256 * 1024;

/// The shortest time between two progress lines.
const PROGRESS_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
    Ndjson,
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatesArg {
    /// Add `<column>_iso` (ISO-8601 UTC) after each timestamp column.
    Iso,
}

const VALUES_HELP: &str = "\
Values are the stored values, read row by row (memory stays flat):
  csv     cells exactly as `sqlite3 -csv -header` prints them; BLOBs as hex
  json    an array of objects; ndjson: one object a line. Numbers stay numbers,
          NULL is null, BLOBs are hex strings
  sql     INSERT statements (100 rows each) that recreate the rows exactly in a
          database with the same schema
Secrets (password hashes, tokens: columns whose kind is secret) are written as
[redacted] ('[redacted N]' in SQL, so UNIQUE columns still load) unless
--include-secrets is given; stderr (and a comment in SQL) names them.
A progress line shows on stderr when it is a terminal.";

#[derive(Debug, Args)]
#[command(after_help = VALUES_HELP)]
pub struct ExportArgs {
    /// The table (or view) to export.
    pub table: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FormatArg,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Write password hashes, tokens and other secrets as stored instead of "[redacted]".
    #[arg(long)]
    pub include_secrets: bool,
    /// Add readable dates beside timestamp columns (not with --format sql). Default: raw only.
    #[arg(long, value_enum, value_name = "iso")]
    pub dates: Option<DatesArg>,
}

impl From<FormatArg> for ExportFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Json => ExportFormat::Json,
            FormatArg::Ndjson => ExportFormat::Ndjson,
            FormatArg::Sql => ExportFormat::Sql,
        }
    }
}

pub fn run(args: &ExportArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if args.dates.is_some() && args.format == FormatArg::Sql {
        // Checked before anything is opened: no file is created for a command line that cannot work.
        return Err(UsageError(
            "--dates iso adds columns the table does not have; it cannot be used with --format sql".into(),
        )
        .into());
    }
    if global.remote {
        return run_remote(args, global);
    }
    let target = resolve_command_database(global)?;
    // Exporting only reads: never take a write lock or touch the journal.
    let db = open_target(&target, &GlobalArgs { read_only: true, ..global.clone() })?;
    let view = whole_table_view(&db.conn, &args.table)?;
    let plan = plan_export(&db.conn, &ExportSource::Table(view))?;
    let options = options_of(args, &plan)?;
    let total = stderr_is_terminal().then(|| count_rows(&db.conn, &CountRows { table: &args.table }));
    let input = ExportInput { plan: &plan, options: &options };
    write_output(args, Progress::new(total), &mut |out, on_rows| export_rows(&db.conn, &input, out, on_rows))?;
    Ok(ExitCode::SUCCESS)
}

/// `--remote`: the same bytes, read a page per request (reads need no `--write`); the requests
/// and rows read go to stderr at the end, as D1 bills them.
fn run_remote(args: &ExportArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let d1 = std::sync::Arc::new(super::remote::open_remote(global)?);
    // The schema is read once and kept, as the terminal UI does.
    let remote = Remote::new(d1.clone());
    let written = (|| {
        let view = whole_table_view(&remote, &args.table)?;
        let plan = plan_paged_export(&remote, &ExportSource::Table(view))?;
        let options = options_of(args, &plan.plan)?;
        // No total: counting a table reads (and bills) every row; the rate says enough.
        let progress = Progress { total: stderr_is_terminal().then_some(None), ..Progress::new(None) };
        write_output(args, progress, &mut |out, on_rows| export_pages(&remote, &plan, &options, out, on_rows))
    })();
    super::remote::report_cost(&d1);
    written?;
    Ok(ExitCode::SUCCESS)
}

/// The options the flags ask for, once the plan says they can work; names the redacted columns.
fn options_of(args: &ExportArgs, plan: &ExportPlan) -> Result<ExportOptions> {
    if args.format == FormatArg::Sql && plan.table.is_none() {
        return Err(UsageError(format!(
            "{:?} is a view: --format sql needs a table to insert into; use csv, json or ndjson",
            args.table
        ))
        .into());
    }
    let options = ExportOptions {
        format: args.format.into(),
        include_secrets: args.include_secrets,
        iso_dates: args.dates == Some(DatesArg::Iso),
    };
    let redacted = plan.redacted(&options);
    if !redacted.is_empty() {
        eprintln!("squall: redacted {} (secrets; --include-secrets writes them)", redacted.join(", "));
    }
    Ok(options)
}

/// Where an export goes, buffered: the file (new, owner-only) or stdout.
type Output = BufWriter<Box<dyn Write>>;

/// Writes the rows to the output, reporting the rows written (`false` back stops it).
type WriteRows<'a> = dyn FnMut(&mut Output, &mut dyn FnMut(u64) -> bool) -> Result<ExportSummary> + 'a;

/// Runs `write` into `--out` (removing a partial file when it fails) or stdout (a closed pipe is
/// not an error: the reader has what it wanted), with the progress line on a terminal.
fn write_output(args: &ExportArgs, mut bar: Progress, write: &mut WriteRows) -> Result<()> {
    let mut on_rows = |rows: u64| {
        bar.show(rows);
        true
    };
    let summary = match &args.out {
        Some(path) => {
            // Owner-only like every file squall creates (the export may hold secrets), and never
            // over an existing file: the user asked for a new one.
            let file =
                crate::paths::create_private_file(path).with_context(|| format!("creating {}", path.display()))?;
            let mut out: Output = BufWriter::with_capacity(BUFFER_BYTES, Box::new(file));
            let written = write(&mut out, &mut on_rows);
            if written.is_err() {
                drop(out);
                remove_partial(path);
            }
            written.with_context(|| format!("exporting {} to {}", args.table, path.display()))?
        }
        None => {
            let mut out: Output = BufWriter::with_capacity(BUFFER_BYTES, Box::new(std::io::stdout().lock()));
            match write(&mut out, &mut on_rows) {
                Ok(summary) => summary,
                Err(err) if is_broken_pipe(&err) => return Ok(()),
                Err(err) => return Err(err.context(format!("exporting {}", args.table))),
            }
        }
    };
    bar.done(summary.rows);
    if let Some(path) = &args.out {
        eprintln!("squall: wrote {} rows to {}", group_thousands(summary.rows), path.display());
    }
    Ok(())
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A half-written file is worse than none: it looks complete.
fn remove_partial(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// The progress line on stderr: rows done, of the count when known, and the rate. Only when
/// stderr is a terminal; pipes and files stay quiet.
struct Progress {
    /// `None` when not showing; the inner count is `None` when counting failed.
    total: Option<Option<u64>>,
    started: Instant,
    last: Option<Instant>,
    shown: bool,
}

impl Progress {
    fn new(total: Option<Result<u64>>) -> Progress {
        Progress { total: total.map(|t| t.ok()), started: Instant::now(), last: None, shown: false }
    }

    fn show(&mut self, rows: u64) {
        let Some(total) = self.total else { return };
        // A line every 100 ms is enough to read; more only costs time.
        if self.last.is_some_and(|last| last.elapsed() < PROGRESS_INTERVAL) {
            return;
        }
        self.last = Some(Instant::now());
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = group_thousands((rows as f64 / seconds) as u64);
        let line = match total {
            Some(total) if total > 0 => format!(
                "{} / {} rows ({:.0}%), {rate} rows/s",
                group_thousands(rows),
                group_thousands(total),
                rows as f64 * 100.0 / total as f64
            ),
            _ => format!("{} rows, {rate} rows/s", group_thousands(rows)),
        };
        let mut err = std::io::stderr();
        let _ = write!(err, "\r\x1b[2K  {line}");
        let _ = err.flush();
        self.shown = true;
    }

    fn done(&mut self, rows: u64) {
        if self.shown {
            self.last = None;
            self.show(rows);
            eprintln!();
        }
    }
}
