//! Time phrases: how long ago, or how soon, an instant is.

use chrono::{DateTime, Utc};

/// "3d ago", "in 5h", "just now": the largest whole unit.
pub fn relative_age(instant: DateTime<Utc>, now: DateTime<Utc>) -> String {
    // Rounded to the nearest second: a date stored in milliseconds lost its sub-millisecond part,
    // and truncating would show a 7-day ban as "in 6d".
    let millis = (now - instant).num_milliseconds();
    let seconds = (millis + if millis >= 0 { 500 } else { -500 }) / 1000;
    let magnitude = seconds.unsigned_abs();
    if magnitude < 60 {
        return "just now".into();
    }
    // Ages are whole units passed ("3d ago": at least three days). What lies ahead is rounded to
    // the nearest unit: a 7-day ban read a few seconds after it was set (`squall user show` right
    // after the TUI said "in 7d") is still "in 7d", not "in 6d".
    let future = seconds < 0;
    let magnitude = if future { round_to_unit(magnitude) } else { magnitude };
    let (amount, unit) = match magnitude {
        m if m < 3_600 => (m / 60, "m"),
        m if m < 86_400 => (m / 3_600, "h"),
        m if m < 86_400 * 365 => (m / 86_400, "d"),
        m => (m / (86_400 * 365), "y"),
    };
    if future { format!("in {amount}{unit}") } else { format!("{amount}{unit} ago") }
}

/// `seconds` rounded to the nearest whole unit of the size it is shown in (minutes, hours, days,
/// years); a round-up that reaches the next unit is shown in it (59m40s → 1h).
fn round_to_unit(seconds: u64) -> u64 {
    let unit = match seconds {
        s if s < 3_600 => 60,
        s if s < 86_400 => 3_600,
        s if s < 86_400 * 365 => 86_400,
        _ => 86_400 * 365,
    };
    (seconds + unit / 2) / unit * unit
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 6, 23, 0).unwrap()
    }

    #[test]
    fn relative_ages() {
        let now = now();
        assert_eq!(relative_age(now, now), "just now");
        assert_eq!(relative_age(now + chrono::TimeDelta::hours(5), now), "in 5h");
        assert_eq!(relative_age(now - chrono::TimeDelta::days(800), now), "2y ago");
    }

    #[test]
    fn a_week_ahead_read_a_moment_later_is_still_in_7d() {
        // The TUI shows a new ban from the action's clock, `squall user show` from its own a few
        // seconds later: both must say the same.
        let now = now();
        let end = now + chrono::TimeDelta::days(7);
        assert_eq!(relative_age(end, now + chrono::TimeDelta::seconds(40)), "in 7d");
        assert_eq!(relative_age(end, now + chrono::TimeDelta::hours(1)), "in 7d");
        assert_eq!(relative_age(end, now + chrono::TimeDelta::hours(13)), "in 6d");
        assert_eq!(relative_age(now + chrono::TimeDelta::seconds(59 * 60 + 40), now), "in 1h");
        assert_eq!(relative_age(now - chrono::TimeDelta::hours(47), now), "1d ago", "ages stay whole units passed");
    }
}
