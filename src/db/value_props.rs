//! Property tests: for every column kind, what squall shows (or stores) reads back as the same
//! value, so editing a cell without changing it never changes the data.

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::types::Value;

use super::*;

/// Epoch milliseconds from 1973-03-04 (below that, ms and s are ambiguous by magnitude, see
/// `value_instant`) to 9999-12-31 (the last year RFC 3339 writes).
const MIN_MS: i64 = 100_000_000_000;
const MAX_MS: i64 = 253_402_300_799_000;

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (MIN_MS..MAX_MS).prop_map(|ms| Utc.timestamp_millis_opt(ms).unwrap())
}

fn context() -> impl Strategy<Value = DisplayContext> {
    // Whole quarter hours from -12:00 to +14:00, as real zones use.
    (instant(), -48i32..=56)
        .prop_map(|(now, quarters)| DisplayContext { now, offset: FixedOffset::east_opt(quarters * 15 * 60).unwrap() })
}

fn format() -> impl Strategy<Value = TimeFormat> {
    prop_oneof![Just(TimeFormat::Millis), Just(TimeFormat::Seconds), Just(TimeFormat::IsoText), Just(TimeFormat::Mixed)]
}

/// What a stored instant keeps: seconds drop the milliseconds.
fn truncated(instant: DateTime<Utc>, format: TimeFormat) -> DateTime<Utc> {
    match format {
        TimeFormat::Seconds => Utc.timestamp_opt(instant.timestamp(), 0).unwrap(),
        _ => instant,
    }
}

proptest! {
    #[test]
    fn stored_timestamps_read_back_in_the_same_format(at in instant(), format in format(), ctx in context()) {
        // Epoch seconds from the year 5138 on are as large as milliseconds and read as such.
        prop_assume!(format != TimeFormat::Seconds || at.timestamp() < MIN_MS);
        let stored = store_instant(at, format);
        let kind = ColumnKind::Timestamp { format };
        // The raw stored text (what the edit popup shows for a timestamp) parses to the same value.
        prop_assert_eq!(parse_value(&raw_text(&stored), &kind, &ctx), Ok(stored.clone()));
        prop_assert_eq!(value_instant(&stored), Some(truncated(at, format)));
        let expected_format = if format == TimeFormat::Mixed { TimeFormat::Millis } else { format };
        prop_assert_eq!(format_of_value(&stored, TimeFormat::Millis), expected_format);
    }

    #[test]
    fn iso_text_in_any_precision_parses_to_its_instant(at in instant(), precision in 0usize..4) {
        let seconds_format = [SecondsFormat::Secs, SecondsFormat::Millis, SecondsFormat::Micros, SecondsFormat::Nanos][precision];
        let kept = if precision == 0 { truncated(at, TimeFormat::Seconds) } else { at };
        let with_z = at.to_rfc3339_opts(seconds_format, true);
        prop_assert_eq!(parse_iso_datetime(&with_z), Some(kept));
        let with_offset = at.to_rfc3339_opts(seconds_format, false);
        prop_assert_eq!(parse_iso_datetime(&with_offset), Some(kept));
        // SQLite's own `datetime()` form: a space and no zone, meaning UTC.
        let sqlite_form = at.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
        prop_assert_eq!(parse_iso_datetime(&sqlite_form), Some(at));
    }

    #[test]
    fn local_minutes_as_typed_parse_to_that_minute(at in instant(), ctx in context()) {
        let minute = Utc.timestamp_opt(at.timestamp() - at.timestamp().rem_euclid(60), 0).unwrap();
        let typed = minute.with_timezone(&ctx.offset).format("%Y-%m-%d %H:%M").to_string();
        prop_assert_eq!(parse_instant(&typed, &ctx), Ok(minute));
    }

    #[test]
    fn relative_durations_move_from_now(amount in 0i64..10_000, unit in 0usize..6, ctx in context()) {
        let (suffix, seconds) = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000)][unit];
        let delta = chrono::TimeDelta::seconds(amount * seconds);
        prop_assert_eq!(parse_duration(&format!("{amount}{suffix}")), Some(delta));
        prop_assert_eq!(parse_instant(&format!("+{amount}{suffix}"), &ctx), Ok(ctx.now + delta));
        prop_assert_eq!(parse_instant(&format!("-{amount}{suffix}"), &ctx), Ok(ctx.now - delta));
    }

    #[test]
    fn any_typed_date_is_a_date_or_a_reason(typed in "[+-]?[0-9]{1,19}(s|m|h|d|w|y|min)?", ctx in context()) {
        // Far-off offsets are refused with a reason, never overflow.
        if let Err(reason) = parse_instant(&typed, &ctx) {
            prop_assert!(reason.contains("out of range") || reason.contains("is not a date"), "{reason}");
        }
    }

    #[test]
    fn numbers_never_parse_to_nan(typed in "[+-]?(nan|NaN|inf|infinity|[0-9.e+-]{1,12})", ctx in context()) {
        // SQLite stores NaN as NULL, so it would silently erase the cell.
        if let Ok(Value::Real(f)) = parse_value(&typed, &ColumnKind::Real, &ctx) {
            prop_assert!(!f.is_nan(), "{typed} parsed to NaN");
        }
    }

    #[test]
    fn booleans_as_shown_parse_back(value in 0i64..=1, ctx in context()) {
        let shown = display_value(&Value::Integer(value), &ColumnKind::Boolean, &ctx);
        prop_assert_eq!(parse_value(&shown, &ColumnKind::Boolean, &ctx), Ok(Value::Integer(value)));
        let word = if value == 1 { "Yes" } else { "NO" };
        prop_assert_eq!(parse_value(word, &ColumnKind::Boolean, &ctx), Ok(Value::Integer(value)));
    }

    #[test]
    fn integers_and_reals_round_trip(n in any::<i64>(), f in any::<f64>().prop_filter("finite", |f| f.is_finite()), ctx in context()) {
        prop_assert_eq!(parse_value(&raw_text(&Value::Integer(n)), &ColumnKind::Integer, &ctx), Ok(Value::Integer(n)));
        let parsed = parse_value(&raw_text(&Value::Real(f)), &ColumnKind::Real, &ctx);
        prop_assert_eq!(parsed, Ok(Value::Real(f)));
    }

    #[test]
    fn text_kinds_keep_every_character(text in any::<String>(), ctx in context()) {
        let kinds = [
            ColumnKind::Text,
            ColumnKind::Id,
            ColumnKind::Secret,
            ColumnKind::Enum { values: vec!["admin".into()] },
            ColumnKind::ForeignKey { table: "user".into(), column: "id".into() },
        ];
        for kind in &kinds {
            // Spaces, empty strings and the word NULL stay text: NULL is its own gesture.
            prop_assert_eq!(parse_value(&text, kind, &ctx), Ok(Value::Text(text.clone())));
        }
    }

    #[test]
    fn json_documents_round_trip(map in proptest::collection::btree_map("[a-z]{0,6}", any::<i32>(), 0..5), ctx in context()) {
        let document = serde_json::to_string_pretty(&map).unwrap();
        prop_assert_eq!(parse_value(&document, &ColumnKind::Json, &ctx), Ok(Value::Text(document.clone())));
    }
}

/// The two cases the properties above found, pinned.
#[test]
fn far_offsets_and_nan_are_refused() {
    let ctx = DisplayContext {
        now: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        offset: FixedOffset::east_opt(0).unwrap(),
    };
    assert!(parse_instant("+99999999999d", &ctx).unwrap_err().contains("out of range"));
    assert!(parse_instant("-99999999999d", &ctx).unwrap_err().contains("out of range"));
    assert!(parse_value("nan", &ColumnKind::Real, &ctx).is_err());
    assert_eq!(parse_value("inf", &ColumnKind::Real, &ctx), Ok(Value::Real(f64::INFINITY)));
}
