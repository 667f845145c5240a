//! `squall sql "SQL"`: runs one statement and prints its rows as they come (aligned text, JSON or
//! CSV). Writes are shown first and need a yes (or `--yes` without a terminal), are refused on a
//! read-only database, run in one transaction and go to the audit log.

use crate::present::plural;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use rusqlite::types::Value;

use super::{GlobalArgs, UsageError, open_target, resolve_command_database};
use crate::audit::{append_audit_to, audit_log_path, sql_entries};
use crate::db::change::value_to_json;
use crate::db::error::DbError;
use crate::db::query::{
    ResultColumn, Returned, RowSink, StreamRows, execute_write, is_read_only, preview_write, split_statements,
    stream_rows,
};
use crate::db::value::raw_text;

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The statement to run, or `-` to read it from stdin.
    #[arg(value_name = "SQL")]
    pub sql: String,
    /// Print rows as JSON (an array of objects, one a line).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print rows as CSV with a header line.
    #[arg(long)]
    pub csv: bool,
    /// Run a statement that changes data without asking.
    #[arg(long)]
    pub yes: bool,
}

/// Rows read before the text columns' widths are fixed; later rows are padded to the same widths.
const WIDTH_SAMPLE_ROWS: usize = 200;
/// A text column is never padded wider than this (longer values overflow their column).
const MAX_TEXT_WIDTH: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Csv,
}

pub fn run(args: &SqlArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let sql = if args.sql == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the statement from stdin")?;
        text
    } else {
        args.sql.clone()
    };
    let statements = split_statements(&sql);
    let statement = match statements.as_slice() {
        [one] => sql[one.start..one.end].to_string(),
        [] => return Err(UsageError("no statement given: the SQL is empty".into()).into()),
        many => {
            let message = format!("give one statement at a time ({} found, separated by ';')", many.len());
            return Err(UsageError(message).into());
        }
    };
    if global.remote {
        let format = output_format(args);
        let output = super::remote::SqlOutput {
            print: &|returned: &Returned| print_returned(returned, format),
            json: format == Format::Json,
        };
        return super::remote::sql(&statement, &output, args.yes, args.sql == "-", global);
    }
    let target = resolve_command_database(global)?;
    let mut db = open_target(&target, global)?;
    if is_read_only(&db.conn, &statement)? {
        print_rows(&db.conn, &statement, output_format(args))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(reason) = db.read_only {
        let message = format!(
            "{}: refusing to run a statement that changes data: the database is read-only ({}); nothing was written",
            target.path.display(),
            reason.describe()
        );
        return Err(DbError::ReadOnly(message).into());
    }
    let described = preview_write(&db.conn, &statement)?.describe();
    let what = described.trim_end_matches('.');
    if !args.yes {
        let can_ask = args.sql != "-" && std::io::stdin().is_terminal();
        if !can_ask {
            return Err(UsageError(format!(
                "{what}: refusing to run it without confirmation (stdin is not a terminal to ask on); pass --yes to run it; nothing was written"
            ))
            .into());
        }
        eprint!("{what}:\n  {statement}\nrun it on {}? [y/N] ", target.path.display());
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            eprintln!("squall: cancelled; nothing was written");
            return Ok(ExitCode::from(super::EXIT_ERROR));
        }
    }
    let report = execute_write(&mut db.conn, &statement)?;
    append_audit_to(&audit_log_path()?, &sql_entries(&db.path, &report, chrono::Utc::now()))?;
    let format = output_format(args);
    if let Some(returned) = &report.returned {
        print_returned(returned, format)?;
    }
    // With JSON on stdout, the summary goes to stderr so the output stays one JSON document.
    let summary = format!("{}; recorded in squall's log (squall log)\ndatabase: {}", report.text(), db.path.display());
    if format == Format::Json && report.returned.is_some() {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

fn output_format(args: &SqlArgs) -> Format {
    if args.json {
        Format::Json
    } else if args.csv {
        Format::Csv
    } else {
        Format::Text
    }
}

/// Prints the rows a write returned (`RETURNING`) as a read's rows are printed.
fn print_returned(returned: &Returned, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    let mut printer = Printer { out, format, columns: Vec::new(), pending: Vec::new(), widths: None, rows: 0 };
    printer.columns(&returned.columns)?;
    for row in &returned.rows {
        printer.row(row.clone())?;
    }
    printer.finish()?;
    printer.out.flush()?;
    Ok(())
}

/// Prints rows as SQLite yields them. A closed pipe (`| head`) ends the output quietly.
fn print_rows(conn: &rusqlite::Connection, sql: &str, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    let mut printer = Printer { out, format, columns: Vec::new(), pending: Vec::new(), widths: None, rows: 0 };
    let ended = stream_rows(conn, &StreamRows { sql }, &mut printer)
        .and_then(|_| printer.finish())
        .and_then(|()| Ok(printer.out.flush()?));
    match ended {
        Err(err) if is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

struct Printer<W: Write> {
    out: W,
    format: Format,
    columns: Vec<ResultColumn>,
    /// Text rows held until the widths are fixed.
    pending: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    rows: u64,
}

impl<W: Write> RowSink for Printer<W> {
    fn columns(&mut self, columns: &[ResultColumn]) -> Result<()> {
        self.columns = columns.to_vec();
        let out = &mut self.out;
        match self.format {
            Format::Json => out.write_all(b"[")?,
            Format::Csv => {
                let header: Vec<String> = self.columns.iter().map(|c| csv_field(&c.name)).collect();
                writeln!(out, "{}", header.join(","))?;
            }
            Format::Text => {}
        }
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<bool> {
        self.rows += 1;
        let out = &mut self.out;
        match self.format {
            Format::Json => {
                // Written by hand: a serde_json map would sort the keys, and the columns' order is
                // the statement's.
                let fields: Vec<String> = self
                    .columns
                    .iter()
                    .zip(&row)
                    .map(|(c, v)| format!("{}:{}", serde_json::Value::from(c.name.as_str()), value_to_json(v)))
                    .collect();
                let lead = if self.rows == 1 { "\n" } else { ",\n" };
                write!(out, "{lead}{{{}}}", fields.join(","))?;
            }
            Format::Csv => {
                let fields: Vec<String> = row.iter().map(|v| csv_field(&cell_text(v, ""))).collect();
                writeln!(out, "{}", fields.join(","))?;
            }
            Format::Text => {
                let cells: Vec<String> = row.iter().map(|v| cell_text(v, "NULL").replace('\n', "⏎")).collect();
                match &self.widths {
                    Some(widths) => write_text_line(out, widths, &cells)?,
                    None => {
                        self.pending.push(cells);
                        if self.pending.len() >= WIDTH_SAMPLE_ROWS {
                            self.flush_pending()?;
                        }
                    }
                }
            }
        }
        Ok(true)
    }
}

impl<W: Write> Printer<W> {
    /// Fixes the widths from the rows held, prints the header and those rows.
    fn flush_pending(&mut self) -> Result<()> {
        let out = &mut self.out;
        let mut widths: Vec<usize> = self.columns.iter().map(|c| text_width(&c.name)).collect();
        for cells in &self.pending {
            for (w, cell) in widths.iter_mut().zip(cells) {
                *w = (*w).max(text_width(cell).min(MAX_TEXT_WIDTH));
            }
        }
        let names: Vec<String> = self.columns.iter().map(|c| c.name.clone()).collect();
        write_text_line(out, &widths, &names)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        write_text_line(out, &widths, &rule)?;
        for cells in std::mem::take(&mut self.pending) {
            write_text_line(out, &widths, &cells)?;
        }
        self.widths = Some(widths);
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        match self.format {
            Format::Json => self.out.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?,
            Format::Csv => {}
            Format::Text => {
                if self.widths.is_none() {
                    self.flush_pending()?;
                }
                writeln!(self.out, "({})", plural(self.rows, "row"))?;
            }
        }
        Ok(())
    }
}

fn cell_text(value: &Value, null: &str) -> String {
    match value {
        Value::Null => null.to_string(),
        Value::Blob(bytes) => format!("x'{}'", hex::encode(bytes)),
        other => raw_text(other),
    }
}

fn text_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn fit(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if text_width(text) <= width {
        return text.into();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out.into()
}

/// Cells padded to their column's width, two spaces apart; the last cell is not padded. A cell
/// wider than its column (past the rows the widths were fixed from, or over
/// [`MAX_TEXT_WIDTH`]) is cut with `…` so the columns after it stay aligned.
fn write_text_line(out: &mut dyn Write, widths: &[usize], cells: &[String]) -> Result<()> {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let cell = if i + 1 < cells.len() { fit(cell, *width) } else { cell.as_str().into() };
        line.push_str(&cell);
        if i + 1 < cells.len() {
            line.push_str(&" ".repeat(width.saturating_sub(text_width(&cell))));
        }
    }
    writeln!(out, "{}", line.trim_end())?;
    Ok(())
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}
