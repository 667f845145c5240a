//! Reading the instant a stored timestamp stands for (epoch ms or s, ISO text). A leaf: both
//! column kinds (which sample values to decide a column's format) and value display use it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::types::Value;

/// The instant a stored timestamp stands for, whatever its format.
pub fn value_instant(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        // unsigned_abs: `i64::MIN.abs()` overflows (a panic in debug builds).
        Value::Integer(n) if n.unsigned_abs() >= 100_000_000_000 => Utc.timestamp_millis_opt(*n).single(),
        Value::Integer(n) => Utc.timestamp_opt(*n, 0).single(),
        Value::Real(f) if f.abs() >= 1e11 => Utc.timestamp_millis_opt(*f as i64).single(),
        Value::Real(f) => Utc.timestamp_opt(*f as i64, 0).single(),
        Value::Text(text) => parse_iso_datetime(text),
        _ => None,
    }
}

/// Parses the ISO-8601 forms apps store: `2026-11-28T06:22:01.200Z`, with an offset, with a space
/// instead of `T`, without a zone (taken as UTC, as SQLite's `datetime()` writes it), or a date.
pub fn parse_iso_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.len() < 10 || !text.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|n| n.and_utc())
}
