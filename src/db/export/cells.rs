//! Writing one row in each format, straight from SQLite's borrowed values (no per-cell
//! allocation for integers and text).
//!
//! CSV follows the sqlite3 shell's `output_csv` rule rather than the csv crate's: the shell
//! quotes any cell holding a control character, space, quote, apostrophe, comma or non-ASCII
//! byte (and the empty string), where RFC 4180 writers quote only what they must. Matching it
//! byte for byte makes `squall export` diffable against `sqlite3 -csv -header`.

use std::io::Write;

use anyhow::Result;
use chrono::SecondsFormat;
use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use super::{ExportFormat, ExportOptions, ExportPlan, REDACTED, SQL_BATCH_ROWS};
use crate::db::schema::quote_ident;
use crate::db::value::value_instant;

/// Turns REALs into text the way SQLite does (`sqlite3_column_text`), which the shell prints.
pub struct Cells<'c> {
    conn: Option<&'c Connection>,
}

impl<'c> Cells<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Cells { conn: Some(conn) }
    }

    /// For formats that never need SQLite's REAL text (JSON).
    pub fn none() -> Cells<'static> {
        Cells { conn: None }
    }

    /// SQLite's own text for a REAL, so CSV matches the shell whatever its version prints.
    fn real_text(&mut self, f: f64) -> Result<String> {
        match self.conn {
            Some(conn) => {
                let mut stmt = conn.prepare_cached("SELECT CAST(?1 AS TEXT)")?;
                Ok(stmt.query_row([f], |row| row.get::<_, String>(0))?)
            }
            None => Ok(f.to_string()),
        }
    }

    /// A REAL literal that SQLite reads back as the very same double. Rust's shortest
    /// round-trip digits when SQLite's own parser agrees (checked here, with the same parser);
    /// SQLite parses some digit strings a unit off (even those its `quote()` writes), and those
    /// get an exact expression instead.
    fn real_literal(&mut self, f: f64) -> Result<String> {
        if f.is_infinite() {
            // An overflowing literal reads as infinity.
            return Ok(if f > 0.0 { "1e999".into() } else { "-1e999".into() });
        }
        let digits = format!("{f:?}");
        let Some(conn) = self.conn else { return Ok(digits) };
        let mut stmt = conn.prepare_cached("SELECT CAST(?1 AS REAL)")?;
        let parsed: f64 = stmt.query_row([&digits], |row| row.get(0))?;
        Ok(if parsed.to_bits() == f.to_bits() { digits } else { exact_real(f) })
    }
}

/// Per-column facts decided once, before the first row.
struct Column {
    redact: bool,
    timestamp_iso: bool,
    /// JSON: `"name":` (escaped once); CSV and SQL: unused.
    json_key: Vec<u8>,
    /// JSON: `"name_iso":`.
    json_iso_key: Vec<u8>,
}

/// Writes rows of one plan in one format, keeping the little state the format needs.
pub struct RowWriter {
    format: ExportFormat,
    columns: Vec<Column>,
    /// SQL: `INSERT INTO "t" ("a", "b") VALUES`.
    insert_prefix: Vec<u8>,
    /// Rows written so far (JSON array separators, SQL batches).
    written: usize,
}

impl RowWriter {
    /// Prepares the writer and writes what comes before the first row (CSV header, `[`, SQL
    /// comments).
    pub fn new(plan: &ExportPlan, options: &ExportOptions, out: &mut impl Write) -> Result<RowWriter> {
        let columns: Vec<Column> = plan
            .columns
            .iter()
            .map(|c| Column {
                redact: c.secret && !options.include_secrets,
                timestamp_iso: c.timestamp && options.iso_dates,
                json_key: json_key(&c.name),
                json_iso_key: json_key(&format!("{}_iso", c.name)),
            })
            .collect();
        let mut insert_prefix = Vec::new();
        match options.format {
            ExportFormat::Csv => {
                let mut first = true;
                for (column, info) in plan.columns.iter().zip(&columns) {
                    for name in header_names(&column.name, info.timestamp_iso) {
                        if !first {
                            out.write_all(b",")?;
                        }
                        first = false;
                        csv_text(out, name.as_bytes())?;
                    }
                }
                out.write_all(b"\n")?;
            }
            ExportFormat::Json => out.write_all(b"[")?,
            ExportFormat::Ndjson => {}
            ExportFormat::Sql => {
                let table = plan.table.as_deref().unwrap_or_default();
                writeln!(
                    out,
                    "-- squall export of {}: INSERTs in batches of {SQL_BATCH_ROWS} rows",
                    quote_ident(table)
                )?;
                writeln!(out, "-- (no BEGIN/COMMIT, which D1 refuses: wrap the file in one for speed with sqlite3)")?;
                let redacted = plan.redacted(options);
                if !redacted.is_empty() {
                    let names: Vec<String> = redacted.iter().map(|n| quote_ident(n)).collect();
                    writeln!(
                        out,
                        "-- redacted (written as '[redacted N]', N the row number): {}; --include-secrets writes the stored values",
                        names.join(", ")
                    )?;
                }
                let names: Vec<String> = plan.columns.iter().map(|c| quote_ident(&c.name)).collect();
                insert_prefix =
                    format!("INSERT INTO {} ({}) VALUES", quote_ident(table), names.join(", ")).into_bytes();
            }
        }
        Ok(RowWriter { format: options.format, columns, insert_prefix, written: 0 })
    }

    pub fn row(&mut self, values: &[ValueRef], cells: &mut Cells, out: &mut impl Write) -> Result<()> {
        match self.format {
            ExportFormat::Csv => self.csv_row(values, cells, out)?,
            ExportFormat::Json => {
                out.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
                self.json_row(values, out)?;
            }
            ExportFormat::Ndjson => {
                self.json_row(values, out)?;
                out.write_all(b"\n")?;
            }
            ExportFormat::Sql => self.sql_row(values, cells, out)?,
        }
        self.written += 1;
        Ok(())
    }

    /// Writes what comes after the last row.
    pub fn finish(&mut self, out: &mut impl Write) -> Result<()> {
        match self.format {
            ExportFormat::Json if self.written == 0 => out.write_all(b"]\n")?,
            ExportFormat::Json => out.write_all(b"\n]\n")?,
            ExportFormat::Sql if !self.written.is_multiple_of(SQL_BATCH_ROWS) => out.write_all(b";\n")?,
            _ => {}
        }
        Ok(())
    }

    fn csv_row(&self, values: &[ValueRef], cells: &mut Cells, out: &mut impl Write) -> Result<()> {
        for (i, (value, column)) in values.iter().zip(&self.columns).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            match value {
                ValueRef::Null => {}
                _ if column.redact => out.write_all(REDACTED.as_bytes())?,
                ValueRef::Integer(n) => out.write_all(itoa::Buffer::new().format(*n).as_bytes())?,
                ValueRef::Real(f) => out.write_all(cells.real_text(*f)?.as_bytes())?,
                ValueRef::Text(text) => csv_text(out, text)?,
                ValueRef::Blob(bytes) => out.write_all(hex::encode(bytes).as_bytes())?,
            }
            if column.timestamp_iso {
                out.write_all(b",")?;
                if let Some(iso) = iso_text(value) {
                    out.write_all(iso.as_bytes())?;
                }
            }
        }
        out.write_all(b"\n")?;
        Ok(())
    }

    fn json_row(&self, values: &[ValueRef], out: &mut impl Write) -> Result<()> {
        out.write_all(b"{")?;
        for (i, (value, column)) in values.iter().zip(&self.columns).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&column.json_key)?;
            match value {
                ValueRef::Null => out.write_all(b"null")?,
                _ if column.redact => serde_json::to_writer(&mut *out, REDACTED)?,
                ValueRef::Integer(n) => out.write_all(itoa::Buffer::new().format(*n).as_bytes())?,
                // Infinities have no JSON number; serde_json writes them as null.
                ValueRef::Real(f) => serde_json::to_writer(&mut *out, f)?,
                ValueRef::Text(text) => serde_json::to_writer(&mut *out, &String::from_utf8_lossy(text))?,
                ValueRef::Blob(bytes) => serde_json::to_writer(&mut *out, &hex::encode(bytes))?,
            }
            if column.timestamp_iso {
                out.write_all(b",")?;
                out.write_all(&column.json_iso_key)?;
                match iso_text(value) {
                    Some(iso) => serde_json::to_writer(&mut *out, &iso)?,
                    None => out.write_all(b"null")?,
                }
            }
        }
        out.write_all(b"}")?;
        Ok(())
    }

    fn sql_row(&self, values: &[ValueRef], cells: &mut Cells, out: &mut impl Write) -> Result<()> {
        if self.written.is_multiple_of(SQL_BATCH_ROWS) {
            out.write_all(&self.insert_prefix)?;
            out.write_all(b"\n(")?;
        } else {
            out.write_all(b",\n(")?;
        }
        for (i, (value, column)) in values.iter().zip(&self.columns).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            match value {
                ValueRef::Null => out.write_all(b"NULL")?,
                // Numbered, so a redacted UNIQUE column (session tokens) still loads.
                _ if column.redact => write!(out, "'{} {}]'", REDACTED.trim_end_matches(']'), self.written + 1)?,
                ValueRef::Integer(n) => out.write_all(itoa::Buffer::new().format(*n).as_bytes())?,
                ValueRef::Real(f) => out.write_all(cells.real_literal(*f)?.as_bytes())?,
                ValueRef::Text(text) => sql_text(out, text)?,
                ValueRef::Blob(bytes) => write!(out, "X'{}'", hex::encode(bytes))?,
            }
        }
        out.write_all(b")")?;
        if (self.written + 1).is_multiple_of(SQL_BATCH_ROWS) {
            out.write_all(b";\n")?;
        }
        Ok(())
    }
}

fn header_names(name: &str, iso: bool) -> Vec<String> {
    if iso { vec![name.to_string(), format!("{name}_iso")] } else { vec![name.to_string()] }
}

fn json_key(name: &str) -> Vec<u8> {
    let mut key = serde_json::to_vec(name).unwrap_or_else(|_| b"\"\"".to_vec());
    key.push(b':');
    key
}

/// The instant a timestamp cell stands for, as ISO-8601 UTC with milliseconds.
fn iso_text(value: &ValueRef) -> Option<String> {
    let value = match value {
        ValueRef::Null | ValueRef::Blob(_) => return None,
        other => Value::from(*other),
    };
    value_instant(&value).map(|instant| instant.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Whether the sqlite3 shell quotes a cell holding this byte (its `needCsvQuote` table).
fn needs_csv_quote(byte: u8) -> bool {
    byte <= b' ' || byte == b'"' || byte == b'\'' || byte == b',' || byte >= 0x7f
}

/// A text cell as the sqlite3 shell writes it: quoted (quotes doubled) when the shell would.
pub fn csv_text(out: &mut impl Write, text: &[u8]) -> std::io::Result<()> {
    if !text.is_empty() && !text.iter().any(|&b| needs_csv_quote(b)) {
        return out.write_all(text);
    }
    out.write_all(b"\"")?;
    for part in text.split_inclusive(|&b| b == b'"') {
        out.write_all(part)?;
        if part.last() == Some(&b'"') {
            out.write_all(b"\"")?;
        }
    }
    out.write_all(b"\"")
}

/// A text literal. Text that is not UTF-8 or holds NUL (which ends SQL text) goes as a hex
/// blob cast to text, which stores the same bytes.
fn sql_text(out: &mut impl Write, text: &[u8]) -> std::io::Result<()> {
    if text.contains(&0) || std::str::from_utf8(text).is_err() {
        return write!(out, "CAST(X'{}' AS TEXT)", hex::encode(text));
    }
    out.write_all(b"'")?;
    for part in text.split_inclusive(|&b| b == b'\'') {
        out.write_all(part)?;
        if part.last() == Some(&b'\'') {
            out.write_all(b"'")?;
        }
    }
    out.write_all(b"'")
}

/// `f` as its integer significand scaled by powers of two: every step is exact in binary
/// floating point, so SQLite computes exactly `f` whatever its decimal parser does.
fn exact_real(f: f64) -> String {
    let bits = f.to_bits();
    let sign = if bits >> 63 == 1 { "-" } else { "" };
    let exponent_bits = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (significand, mut exponent) =
        if exponent_bits == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), exponent_bits - 1075) };
    let mut expr = format!("({sign}{significand}.0");
    while exponent < 0 {
        let step = (-exponent).min(62);
        expr.push_str(&format!("/{}", 1u64 << step));
        exponent += step;
    }
    while exponent > 0 {
        let step = exponent.min(62);
        expr.push_str(&format!("*{}", 1u64 << step));
        exponent -= step;
    }
    expr.push(')');
    expr
}
