//! Showing values by kind, and the inverse: reading what a person typed into a value to store.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, SecondsFormat, TimeZone, Utc};
use rusqlite::types::Value;

pub use super::instant::{parse_iso_datetime, value_instant};
use super::kinds::{ColumnKind, TimeFormat};
use crate::present::relative_age;

/// The clock and time zone values are shown in. Passed in, so output is reproducible in tests.
#[derive(Debug, Clone, Copy)]
pub struct DisplayContext {
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

impl DisplayContext {
    /// Now, in the machine's local time zone.
    pub fn local() -> Self {
        let now = Utc::now();
        let offset = chrono::Local.offset_from_utc_datetime(&now.naive_utc()).fix();
        DisplayContext { now, offset }
    }
}

/// Placeholder shown for masked secrets.
pub const MASK: &str = "•••••";

/// Formats a value for a grid cell or a CLI table: dates as local time with age, booleans as
/// ✓/✗, secrets masked, NULL as `NULL` (an empty string stays empty).
pub fn display_value(value: &Value, kind: &ColumnKind, ctx: &DisplayContext) -> String {
    match (value, kind) {
        (Value::Null, _) => "NULL".into(),
        (_, ColumnKind::Secret) => mask(value),
        (_, ColumnKind::Timestamp { .. }) => match value_instant(value) {
            Some(instant) => format!("{} ({})", format_local(instant, ctx), relative_age(instant, ctx.now)),
            None => raw_text(value),
        },
        (Value::Integer(0), ColumnKind::Boolean) => "✗".into(),
        (Value::Integer(1), ColumnKind::Boolean) => "✓".into(),
        _ => raw_text(value),
    }
}

/// Long ids are cut to this many characters in the grid (the row detail shows them whole).
pub const SHORT_ID: usize = 8;

/// Formats a value for a grid cell: as [`display_value`], but dates as dates and long ids cut
/// to their first [`SHORT_ID`] characters and `…`, so the columns people read get the room.
pub fn display_cell(value: &Value, kind: &ColumnKind, ctx: &DisplayContext) -> String {
    match (value, kind) {
        (Value::Null, _) => "NULL".into(),
        (_, ColumnKind::Timestamp { .. }) => match value_instant(value) {
            Some(instant) => instant.with_timezone(&ctx.offset).format("%Y-%m-%d").to_string(),
            None => raw_text(value),
        },
        (Value::Text(text), ColumnKind::Id | ColumnKind::ForeignKey { .. }) if text.chars().count() > SHORT_ID + 4 => {
            let head: String = text.chars().take(SHORT_ID).collect();
            format!("{head}…")
        }
        _ => display_value(value, kind, ctx),
    }
}

/// Formats a value in full, unmasked when `reveal` is set: for the row detail.
pub fn display_full(value: &Value, kind: &ColumnKind, ctx: &DisplayContext, reveal: bool) -> String {
    match (value, kind) {
        (Value::Null, _) => "NULL".into(),
        (_, ColumnKind::Secret) if !reveal => mask(value),
        (Value::Text(text), ColumnKind::Json) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_else(|_| text.clone()),
            Err(_) => text.clone(),
        },
        (_, ColumnKind::Timestamp { .. }) => match value_instant(value) {
            Some(instant) => format!(
                "{} ({}) · stored as {}",
                instant.with_timezone(&ctx.offset).format("%Y-%m-%d %H:%M:%S%.3f %:z"),
                relative_age(instant, ctx.now),
                raw_text(value)
            ),
            None => raw_text(value),
        },
        (_, ColumnKind::Secret) => raw_text(value),
        _ => display_value(value, kind, ctx),
    }
}

fn mask(value: &Value) -> String {
    format!("{MASK} ({})", raw_text(value).chars().count())
}

/// The value as SQLite would print it.
pub fn raw_text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(text) => text.clone(),
        Value::Blob(bytes) => format!("<blob {} bytes>", bytes.len()),
    }
}

fn format_local(instant: DateTime<Utc>, ctx: &DisplayContext) -> String {
    instant.with_timezone(&ctx.offset).format("%Y-%m-%d %H:%M").to_string()
}

/// Reads what a person typed as a value for a column of `kind`. Never returns NULL: setting NULL
/// is its own gesture, so the text `NULL` and the empty string stay ordinary text.
pub fn parse_value(input: &str, kind: &ColumnKind, ctx: &DisplayContext) -> Result<Value, String> {
    let trimmed = input.trim();
    match kind {
        ColumnKind::Boolean => parse_bool(trimmed).map(|b| Value::Integer(b as i64)),
        ColumnKind::Timestamp { format } => {
            let instant = parse_instant(trimmed, ctx)?;
            // RFC 3339 has four-digit years: a later date would be stored as text nothing reads
            // back as a date (squall included).
            if *format == TimeFormat::IsoText && !(0..=9999).contains(&chrono::Datelike::year(&instant)) {
                return Err(format!("{trimmed} is out of range for a date stored as ISO-8601 text (years 0 to 9999)"));
            }
            Ok(store_instant(instant, *format))
        }
        ColumnKind::Integer => {
            trimmed.parse::<i64>().map(Value::Integer).map_err(|_| format!("{trimmed:?} is not a whole number"))
        }
        // SQLite stores NaN as NULL, so "nan" is refused rather than silently erasing the cell.
        ColumnKind::Real => trimmed
            .parse::<f64>()
            .ok()
            .filter(|f| !f.is_nan())
            .map(Value::Real)
            .ok_or_else(|| format!("{trimmed:?} is not a number")),
        ColumnKind::Json => serde_json::from_str::<serde_json::Value>(input)
            .map(|_| Value::Text(input.to_string()))
            .map_err(|err| format!("not valid JSON: {err}")),
        ColumnKind::Blob => Err("binary values cannot be typed in".into()),
        ColumnKind::Enum { .. }
        | ColumnKind::Id
        | ColumnKind::ForeignKey { .. }
        | ColumnKind::Secret
        | ColumnKind::Text => Ok(Value::Text(input.to_string())),
    }
}

/// [`parse_value`] for a new value of a cell holding `original`: a date is stored the way the
/// cell already stores it (its unit, or its text shape), so the column stays consistent.
pub fn parse_value_like(
    input: &str,
    kind: &ColumnKind,
    ctx: &DisplayContext,
    original: &Value,
) -> Result<Value, String> {
    // An integer key stays an integer: text would not match the rows that point at it.
    if matches!(kind, ColumnKind::Id | ColumnKind::ForeignKey { .. }) && matches!(original, Value::Integer(_)) {
        return parse_value(input, &ColumnKind::Integer, ctx);
    }
    let ColumnKind::Timestamp { format } = kind else { return parse_value(input, kind, ctx) };
    let instant = parse_instant(input.trim(), ctx)?;
    let format = match (format, original) {
        (TimeFormat::Mixed, Value::Text(_)) => TimeFormat::IsoText,
        (TimeFormat::Mixed, _) => TimeFormat::Millis,
        (format, _) => *format,
    };
    Ok(store_instant_like(instant, format, Some(original)))
}

/// A stored value as text to edit, the form [`parse_value`] reads back: NULL as empty (setting
/// NULL is its own gesture), dates in local time, booleans as true/false, JSON pretty-printed,
/// secrets unmasked.
pub fn edit_text(value: &Value, kind: &ColumnKind, ctx: &DisplayContext) -> String {
    match (value, kind) {
        (Value::Null, _) => String::new(),
        (value, ColumnKind::Timestamp { .. }) => value_instant(value)
            .map(|instant| instant.with_timezone(&ctx.offset).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| raw_text(value)),
        (Value::Integer(n), ColumnKind::Boolean) => if *n != 0 { "true" } else { "false" }.to_string(),
        (value, kind) => display_full(value, kind, ctx, true),
    }
}

/// true/false, 1/0, yes/no, on/off, ✓/✗.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" | "✓" => Ok(true),
        "false" | "0" | "no" | "n" | "off" | "f" | "✗" => Ok(false),
        _ => Err(format!("{text:?} is not a boolean (use true/false, yes/no or 1/0)")),
    }
}

/// `now`, `+7d` / `-3h` / `30m` (relative to now), `2026-12-01 12:00` or `2026-12-01` in local
/// time, full ISO-8601, or a raw epoch number.
pub fn parse_instant(text: &str, ctx: &DisplayContext) -> Result<DateTime<Utc>, String> {
    if text.eq_ignore_ascii_case("now") {
        return Ok(ctx.now);
    }
    // Checked arithmetic: `+99999999999d` is out of range, not a crash.
    let out_of_range = || format!("{text} is out of range for a date");
    if let Some(delta) = parse_duration(text.trim_start_matches('+')) {
        return ctx.now.checked_add_signed(delta).ok_or_else(out_of_range);
    }
    if let Some(rest) = text.strip_prefix('-')
        && let Some(delta) = parse_duration(rest)
    {
        return ctx.now.checked_sub_signed(delta).ok_or_else(out_of_range);
    }
    if let Ok(n) = text.parse::<i64>() {
        return value_instant(&Value::Integer(n)).ok_or_else(|| format!("{text} is out of range for a date"));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Ok(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return local_to_utc(naive, ctx);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return local_to_utc(date.and_hms_opt(0, 0, 0).unwrap_or_default(), ctx);
    }
    Err(format!("{text:?} is not a date: use 2026-12-01 12:00, 2026-12-01, now, or +7d / -3h from now"))
}

fn local_to_utc(naive: NaiveDateTime, ctx: &DisplayContext) -> Result<DateTime<Utc>, String> {
    ctx.offset
        .from_local_datetime(&naive)
        .single()
        .map(|dt| dt.with_timezone(&Utc))
        .ok_or_else(|| format!("{naive} does not exist in the local time zone"))
}

/// `30m`, `12h`, `7d`, `2w`, `1y` (also `90s`).
pub fn parse_duration(text: &str) -> Option<chrono::TimeDelta> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let amount: i64 = digits.parse().ok()?;
    let seconds = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "y" => 365 * 86_400,
        _ => return None,
    };
    chrono::TimeDelta::try_seconds(amount.checked_mul(seconds)?)
}

/// An instant in a column's storage format. Mixed columns get milliseconds, drizzle's default.
pub fn store_instant(instant: DateTime<Utc>, format: TimeFormat) -> Value {
    match format {
        TimeFormat::Millis | TimeFormat::Mixed => Value::Integer(instant.timestamp_millis()),
        TimeFormat::Seconds => Value::Integer(instant.timestamp()),
        TimeFormat::IsoText => Value::Text(instant.to_rfc3339_opts(SecondsFormat::Millis, true)),
    }
}

/// `instant` in `format`, except that text is written in the shape of `like` (another value of
/// the same column, usually the one being replaced): `2026-11-29 18:37:52` stays without `T`,
/// zone or milliseconds, so the column still sorts and compares as text.
pub fn store_instant_like(instant: DateTime<Utc>, format: TimeFormat, like: Option<&Value>) -> Value {
    let stored = store_instant(instant, format);
    match (&stored, like) {
        (Value::Text(_), Some(Value::Text(sample))) => match text_time_pattern(sample) {
            Some(pattern) => Value::Text(instant.format(&pattern).to_string()),
            None => stored,
        },
        _ => stored,
    }
}

/// The chrono pattern that writes a UTC instant in the shape of `sample`, when it is a date.
fn text_time_pattern(sample: &str) -> Option<String> {
    let sample = sample.trim();
    parse_iso_datetime(sample)?;
    if sample.len() == 10 {
        return Some("%Y-%m-%d".into());
    }
    let separator = sample.get(10..11).filter(|s| *s == "T" || *s == " ")?;
    let rest = sample.get(11..)?;
    let time_len = rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len());
    let mut pattern = format!("%Y-%m-%d{separator}{}", if time_len >= 8 { "%H:%M:%S" } else { "%H:%M" });
    let mut tail = &rest[time_len..];
    if let Some(fraction) = tail.strip_prefix('.') {
        let digits = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
        pattern.push_str(match digits {
            0..=3 => "%.3f",
            4..=6 => "%.6f",
            _ => "%.9f",
        });
        tail = &fraction[digits..];
    }
    match tail {
        "" => {}
        "Z" => pattern.push('Z'),
        zone if zone.contains(':') => pattern.push_str("%:z"),
        _ => pattern.push_str("%z"),
    }
    Some(pattern)
}

/// The storage format a particular stored value uses, so a write can match its row.
pub fn format_of_value(value: &Value, column_default: TimeFormat) -> TimeFormat {
    match value {
        Value::Text(_) => TimeFormat::IsoText,
        Value::Integer(n) if n.unsigned_abs() < 100_000_000_000 => TimeFormat::Seconds,
        Value::Integer(_) | Value::Real(_) => TimeFormat::Millis,
        _ => column_default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> DisplayContext {
        DisplayContext {
            now: Utc.with_ymd_and_hms(2026, 12, 1, 6, 23, 0).unwrap(),
            offset: FixedOffset::east_opt(0).unwrap(),
        }
    }

    #[test]
    fn a_week_stored_in_milliseconds_reads_as_a_week() {
        let now = ctx().now + chrono::TimeDelta::nanoseconds(400_000);
        let stored = value_instant(&Value::Integer((now + chrono::TimeDelta::days(7)).timestamp_millis())).unwrap();
        assert_eq!(relative_age(stored, now), "in 7d");
    }

    #[test]
    fn text_dates_are_written_in_the_shape_the_column_uses() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 18, 40, 5).unwrap() + chrono::TimeDelta::milliseconds(7);
        let like = |s: &str| store_instant_like(at, TimeFormat::IsoText, Some(&Value::Text(s.into())));
        assert_eq!(like("2026-11-29 18:37:52"), Value::Text("2026-11-29 18:40:05".into()));
        assert_eq!(like("2026-11-29T18:37:52.760Z"), Value::Text("2026-11-29T18:40:05.007Z".into()));
        assert_eq!(like("2026-11-29 18:37:52.760"), Value::Text("2026-11-29 18:40:05.007".into()));
        assert_eq!(like("2026-11-29T18:37:52+00:00"), Value::Text("2026-11-29T18:40:05+00:00".into()));
        assert_eq!(like("2026-11-29"), Value::Text("2026-11-29".into()));
        assert_eq!(like("not a date"), Value::Text("2026-11-29T18:40:05.007Z".into()));
        let ms = store_instant_like(at, TimeFormat::Millis, Some(&Value::Text("2026-11-29 18:37:52".into())));
        assert_eq!(ms, Value::Integer(at.timestamp_millis()), "an integer format stays an integer");
    }

    #[test]
    fn displays_by_kind() {
        let ts = ColumnKind::Timestamp { format: TimeFormat::Millis };
        let ms = Utc.with_ymd_and_hms(2026, 11, 28, 6, 22, 1).unwrap().timestamp_millis();
        assert_eq!(display_value(&Value::Integer(ms), &ts, &ctx()), "2026-11-28 06:22 (3d ago)");
        let iso = Value::Text("2026-11-28T06:22:01.200Z".into());
        assert_eq!(display_value(&iso, &ts, &ctx()), "2026-11-28 06:22 (3d ago)");
        assert_eq!(display_value(&Value::Integer(1), &ColumnKind::Boolean, &ctx()), "✓");
        assert_eq!(display_value(&Value::Integer(0), &ColumnKind::Boolean, &ctx()), "✗");
        assert_eq!(display_value(&Value::Null, &ColumnKind::Text, &ctx()), "NULL");
        assert_eq!(display_value(&Value::Text(String::new()), &ColumnKind::Text, &ctx()), "");
        assert_eq!(display_value(&Value::Text("abc:def".into()), &ColumnKind::Secret, &ctx()), "••••• (7)");
        assert_eq!(display_full(&Value::Text("abc".into()), &ColumnKind::Secret, &ctx(), true), "abc");
    }

    #[test]
    fn parses_dates_relative_and_absolute_into_the_column_format() {
        let c = ctx();
        let ms = ColumnKind::Timestamp { format: TimeFormat::Millis };
        assert_eq!(parse_value("now", &ms, &c), Ok(Value::Integer(c.now.timestamp_millis())));
        assert_eq!(
            parse_value("+7d", &ms, &c),
            Ok(Value::Integer((c.now + chrono::TimeDelta::days(7)).timestamp_millis()))
        );
        let iso = ColumnKind::Timestamp { format: TimeFormat::IsoText };
        assert_eq!(parse_value("2026-12-01 12:00", &iso, &c), Ok(Value::Text("2026-12-01T12:00:00.000Z".into())));
        assert!(parse_value("tomorrowish", &ms, &c).is_err());
        assert_eq!(parse_value("yes", &ColumnKind::Boolean, &c), Ok(Value::Integer(1)));
        assert!(parse_value("maybe", &ColumnKind::Boolean, &c).is_err());
        assert_eq!(parse_value("", &ColumnKind::Text, &c), Ok(Value::Text(String::new())));
    }

    #[test]
    fn edit_text_reads_back_as_the_same_value() {
        let c = ctx();
        let ms = ColumnKind::Timestamp { format: TimeFormat::Millis };
        let stored = Value::Integer(Utc.with_ymd_and_hms(2026, 11, 28, 6, 22, 1).unwrap().timestamp_millis());
        assert_eq!(edit_text(&stored, &ms, &c), "2026-11-28 06:22:01");
        assert_eq!(parse_value(&edit_text(&stored, &ms, &c), &ms, &c), Ok(stored));
        assert_eq!(edit_text(&Value::Integer(1), &ColumnKind::Boolean, &c), "true");
        assert_eq!(edit_text(&Value::Null, &ColumnKind::Text, &c), "");
        assert_eq!(edit_text(&Value::Text("h:k".into()), &ColumnKind::Secret, &c), "h:k");
    }
}

#[cfg(test)]
#[path = "value_props.rs"]
mod props;
