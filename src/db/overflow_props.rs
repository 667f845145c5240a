//! Property tests for numbers a person types that meet a date (issue 18): ban lengths, `+7d` in
//! the cell editor, `-3d` in filters, raw epoch numbers. However large, they are an input error
//! with a message, never a panic.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::types::Value;

use crate::db::kinds::{ColumnKind, TimeFormat};
use crate::db::users::{BanExpiry, parse_ban_expiry};
use crate::db::value::{DisplayContext, format_of_value, parse_duration, parse_instant, parse_value, value_instant};

fn context() -> impl Strategy<Value = DisplayContext> {
    // From 1970 to 9999, and any whole-minute offset chrono accepts.
    (0i64..253_402_300_799, -(23 * 60)..=(23 * 60i32)).prop_map(|(seconds, minutes)| DisplayContext {
        now: Utc.timestamp_opt(seconds, 0).single().unwrap_or_default(),
        offset: chrono::FixedOffset::east_opt(minutes * 60).unwrap_or(chrono::FixedOffset::east_opt(0).unwrap()),
    })
}

/// Digits as a person might type them, up to far past `i64`, with each unit squall knows.
fn typed_length() -> impl Strategy<Value = String> {
    ("[0-9]{1,24}", prop_oneof![Just("s"), Just("m"), Just("h"), Just("d"), Just("w"), Just("y"), Just("min")])
        .prop_map(|(digits, unit)| format!("{digits}{unit}"))
}

/// The instant `now + amount × unit`, or `None` when chrono cannot hold it.
fn exact(now: DateTime<Utc>, delta: Option<TimeDelta>, sign: i64) -> Option<DateTime<Utc>> {
    let delta = delta?;
    if sign > 0 { now.checked_add_signed(delta) } else { now.checked_sub_signed(delta) }
}

fn timestamp_kinds() -> [ColumnKind; 4] {
    [TimeFormat::Millis, TimeFormat::Seconds, TimeFormat::IsoText, TimeFormat::Mixed]
        .map(|format| ColumnKind::Timestamp { format })
}

proptest! {
    #[test]
    fn relative_dates_are_a_date_or_an_out_of_range_error(length in typed_length(), ctx in context()) {
        for (sign, typed) in [(1, format!("+{length}")), (1, length.clone()), (-1, format!("-{length}"))] {
            let expected = exact(ctx.now, parse_duration(&length), sign);
            match parse_instant(&typed, &ctx) {
                Ok(at) => prop_assert_eq!(Some(at), expected, "{}", typed),
                Err(message) => {
                    prop_assert!(expected.is_none(), "{typed} refused: {message}");
                    prop_assert!(message.contains(&typed) || message.contains("not a date"), "{}", message);
                }
            }
            // The cell editor and the filter form read dates through parse_value.
            for kind in timestamp_kinds() {
                let _ = parse_value(&typed, &kind, &ctx);
            }
        }
    }

    #[test]
    fn ban_lengths_end_at_a_date_or_are_refused_as_too_long(length in typed_length(), ctx in context()) {
        let delta = parse_duration(&length);
        match parse_ban_expiry(&length, &ctx) {
            Ok(BanExpiry::After(parsed)) => {
                prop_assert_eq!(Some(parsed), delta);
                prop_assert!(BanExpiry::After(parsed).ends_at(ctx.now).is_ok());
            }
            Ok(other) => prop_assert!(false, "{length} read as {other:?}"),
            Err(message) => {
                prop_assert!(delta.is_none() || exact(ctx.now, delta, 1).is_none(), "{length} refused: {message}");
                prop_assert!(message.contains("too long") || message.contains("not a ban length"), "{}", message);
            }
        }
    }

    #[test]
    fn any_stored_number_reads_as_a_date_or_none(n in any::<i64>(), f in any::<f64>()) {
        let _ = value_instant(&Value::Integer(n));
        let _ = value_instant(&Value::Real(f));
        let _ = format_of_value(&Value::Integer(n), TimeFormat::Millis);
        let ctx = DisplayContext { now: Utc::now(), offset: chrono::FixedOffset::east_opt(0).unwrap() };
        for kind in timestamp_kinds() {
            let _ = parse_value(&n.to_string(), &kind, &ctx);
        }
    }
}

#[test]
fn the_lengths_from_the_issue_are_refused_with_a_message() {
    let ctx = DisplayContext { now: Utc::now(), offset: chrono::FixedOffset::east_opt(0).unwrap() };
    for typed in ["300000y", "15000000w", "100000000d", "99999999999999999999d"] {
        let message = parse_ban_expiry(typed, &ctx).unwrap_err();
        assert!(message.contains(typed), "{message}");
    }
    assert!(BanExpiry::After(TimeDelta::MAX).ends_at(ctx.now).unwrap_err().contains("too long"));
    // The extremes of i64 as raw epoch numbers (i64::MIN.abs() used to overflow).
    assert_eq!(value_instant(&Value::Integer(i64::MIN)), None);
    assert!(parse_instant(&i64::MIN.to_string(), &ctx).is_err());
    // Dates past 9999 fit an epoch number, not ISO-8601 text.
    let iso = ColumnKind::Timestamp { format: TimeFormat::IsoText };
    assert!(parse_value("+9000y", &iso, &ctx).unwrap_err().contains("ISO-8601"));
    let millis = ColumnKind::Timestamp { format: TimeFormat::Millis };
    assert!(parse_value("+9000y", &millis, &ctx).is_ok());
}
