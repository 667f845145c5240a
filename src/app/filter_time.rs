//! A date typed in the filter form means the whole of what it names: `createdAt = 2026-06-11`
//! is that day (local time, as the grid shows it), `2026-06-11 09:30` that minute. The filter
//! becomes ranges `[start, end)` in the column's unit ([`FilterOp::Within`]), which an index on
//! the column serves; a full timestamp (with seconds' fraction or a zone), an epoch number or
//! `now` / `+7d` still compare exactly.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use crate::db::instant::value_instant;
use crate::db::kinds::{ColumnKind, TimeFormat};
use crate::db::page::{Filter, FilterOp};
use crate::db::value::{DisplayContext, parse_instant, store_instant};

/// How much of a date was typed: the span the filter then covers.
fn typed_span(text: &str) -> Option<TimeDelta> {
    let text = text.trim();
    if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Some(TimeDelta::days(1));
    }
    let minute = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"];
    if minute.iter().any(|f| NaiveDateTime::parse_from_str(text, f).is_ok()) {
        return Some(TimeDelta::minutes(1));
    }
    let second = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"];
    second.iter().any(|f| NaiveDateTime::parse_from_str(text, f).is_ok()).then(|| TimeDelta::seconds(1))
}

/// The filter `=`, `≠` or `in` on a timestamp column makes of `text` when it names a day, a
/// minute or a second (each `in` item must): ranges in the column's unit. None: compare exactly.
pub fn time_filter(
    column: &str,
    op: FilterOp,
    text: &str,
    kind: &ColumnKind,
    ctx: &DisplayContext,
) -> Option<Result<Filter, String>> {
    let ColumnKind::Timestamp { format } = kind else { return None };
    // A mixed column's rows are compared as milliseconds, the convention most of them use.
    let format = if *format == TimeFormat::Mixed { TimeFormat::Millis } else { *format };
    let (negated, items): (bool, Vec<&str>) = match op {
        FilterOp::Eq => (false, vec![text]),
        FilterOp::Ne => (true, vec![text]),
        FilterOp::In => (false, text.split(',').map(str::trim).collect()),
        _ => return None,
    };
    let spans: Option<Vec<TimeDelta>> = items.iter().map(|item| typed_span(item)).collect();
    let spans = spans?;
    let mut values = Vec::with_capacity(items.len() * 2);
    for (item, span) in items.iter().zip(spans) {
        let start = match parse_instant(item.trim(), ctx) {
            Ok(start) => start,
            Err(reason) => return Some(Err(reason)),
        };
        let Some(end) = start.checked_add_signed(span) else {
            return Some(Err(format!("{item} is out of range for a date")));
        };
        values.push(store_instant(start, format));
        values.push(store_instant(end, format));
    }
    Some(Ok(Filter { column: column.to_string(), op: FilterOp::Within { negated }, values }))
}

/// `createdAt = 2026-06-11`, `createdAt ≠ 2026-06-11 09:30`, `createdAt in (2026-06-11, 2026-06-12)`:
/// each range shown as typed, to the precision it covers.
pub fn describe_within(filter: &Filter, ctx: &DisplayContext) -> String {
    let (op, shown) = within_text(filter, ctx);
    match op {
        FilterOp::In => format!("{} in ({shown})", filter.column),
        op => format!("{} {} {shown}", filter.column, op.label()),
    }
}

/// The operator of the form and the text that make `filter` again: `=` / `≠` / `in` and the
/// dates as they were typed (`2026-06-11, 2026-06-12`).
pub fn within_text(filter: &Filter, ctx: &DisplayContext) -> (FilterOp, String) {
    let shown: Vec<String> = filter
        .values
        .chunks(2)
        .map(|pair| {
            let instants: Vec<Option<DateTime<Utc>>> = pair.iter().map(value_instant).collect();
            match instants.as_slice() {
                [Some(start), Some(end)] => {
                    let local = start.with_timezone(&ctx.offset);
                    let span = *end - *start;
                    let pattern = if span >= TimeDelta::days(1) {
                        "%Y-%m-%d"
                    } else if span >= TimeDelta::minutes(1) {
                        "%Y-%m-%d %H:%M"
                    } else {
                        "%Y-%m-%d %H:%M:%S"
                    };
                    local.format(pattern).to_string()
                }
                _ => pair.first().map_or(String::new(), crate::db::value::raw_text),
            }
        })
        .collect();
    let op = match filter.op {
        FilterOp::Within { negated: true } => FilterOp::Ne,
        _ if shown.len() > 1 => FilterOp::In,
        _ => FilterOp::Eq,
    };
    (op, shown.join(", "))
}

#[cfg(test)]
#[path = "tests_filter_fixes.rs"]
mod tests;
