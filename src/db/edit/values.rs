//! Values around edits: checking a value against its column, the pre-filled values of a new
//! row, the `updatedAt` convention, and SQL literals for the preview.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use crate::db::backend::{Backend, Statement};
use crate::db::kinds::{Affinity, ColumnKind, TimeFormat, affinity, name_words};
pub(super) use crate::db::literal::{describe_key, sql_literal};
use crate::db::schema::{ColumnInfo, TableInfo, quote_ident};
use crate::db::value::{format_of_value, parse_iso_datetime, store_instant};

/// The `updatedAt` / `updated_at` timestamp column of a table, with the format its kind found.
pub fn updated_at_column<'a>(info: &'a TableInfo, kinds: &[ColumnKind]) -> Option<(&'a str, TimeFormat)> {
    info.columns.iter().zip(kinds).find_map(|(column, kind)| match kind {
        ColumnKind::Timestamp { format } if !column.generated && name_words(&column.name) == ["updated", "at"] => {
            Some((column.name.as_str(), *format))
        }
        _ => None,
    })
}

/// The format to write an instant in, for a row whose column holds `loaded`: the row's own format
/// (a column may mix ms integers and ISO text), except that epoch seconds are only written where
/// the column uses seconds, since better-auth reads small integers as 1970 dates.
pub(super) fn row_time_format(loaded: Option<&Value>, column: TimeFormat) -> TimeFormat {
    let fallback = match column {
        TimeFormat::Mixed => TimeFormat::Millis,
        format => format,
    };
    match loaded {
        Some(value @ (Value::Integer(_) | Value::Real(_) | Value::Text(_))) => match format_of_value(value, fallback) {
            TimeFormat::Seconds if column != TimeFormat::Seconds => fallback,
            format => format,
        },
        _ => fallback,
    }
}

/// Whether `column` is the INTEGER PRIMARY KEY that aliases the rowid (SQLite fills it in).
pub(super) fn is_rowid_alias(info: &TableInfo, column: &ColumnInfo) -> bool {
    !info.without_rowid
        && info.primary_key.len() == 1
        && info.primary_key[0] == column.name
        && column.decl_type.eq_ignore_ascii_case("INTEGER")
}

/// Checks, without the database, that `value` can be stored in `column`: the column exists and
/// is not generated, NOT NULL is respected, and the value fits the column's kind (booleans 0/1,
/// dates as epoch numbers or ISO text, JSON that parses, numbers in numeric columns).
/// UNIQUE and foreign keys need the database: see [`super::check_change`].
pub fn validate_value(info: &TableInfo, kinds: &[ColumnKind], column: &str, value: &Value) -> Result<(), String> {
    let Some(index) = info.columns.iter().position(|c| c.name == column) else {
        return Err(format!("{} has no column named {column}", info.name));
    };
    let col = &info.columns[index];
    if col.generated {
        return Err(format!("{column} is computed by the database and cannot be set"));
    }
    if matches!(value, Value::Null) {
        return if col.not_null && !is_rowid_alias(info, col) {
            Err(format!("{column} cannot be NULL (the column is NOT NULL)"))
        } else {
            Ok(())
        };
    }
    match (kinds.get(index), value) {
        (Some(ColumnKind::Boolean), Value::Integer(0 | 1)) => Ok(()),
        (Some(ColumnKind::Boolean), other) => {
            Err(format!("{column} is a boolean: store 0 or 1, not {}", sql_literal(other)))
        }
        (Some(ColumnKind::Timestamp { .. }), Value::Integer(_) | Value::Real(_)) => Ok(()),
        (Some(ColumnKind::Timestamp { .. }), Value::Text(text)) if parse_iso_datetime(text).is_some() => Ok(()),
        (Some(ColumnKind::Timestamp { .. }), other) => {
            Err(format!("{column} holds dates: {} is not one", sql_literal(other)))
        }
        (Some(ColumnKind::Json), Value::Text(text)) => serde_json::from_str::<serde_json::Value>(text)
            .map(|_| ())
            .map_err(|err| format!("{column} holds JSON: {err}")),
        (_, value) => check_affinity(column, affinity(&col.decl_type), value),
    }
}

/// Numeric columns refuse text that is not a number (SQLite would store it as text silently,
/// or refuse it outright for an INTEGER PRIMARY KEY).
fn check_affinity(column: &str, affinity: Affinity, value: &Value) -> Result<(), String> {
    let numeric = match value {
        Value::Integer(_) | Value::Real(_) => true,
        Value::Text(text) => text.trim().parse::<f64>().is_ok(),
        Value::Blob(_) | Value::Null => false,
    };
    match affinity {
        Affinity::Integer if !numeric => {
            Err(format!("{column} holds whole numbers: {} is not one", sql_literal(value)))
        }
        Affinity::Real | Affinity::Numeric if !numeric => {
            Err(format!("{column} holds numbers: {} is not one", sql_literal(value)))
        }
        _ => Ok(()),
    }
}

/// Input of [`insert_template`].
pub struct InsertTemplate<'a> {
    pub info: &'a TableInfo,
    pub kinds: &'a [ColumnKind],
    /// The instant pre-filled into `createdAt` / `updatedAt`.
    pub now: DateTime<Utc>,
}

/// The pre-filled fields of a new row: one per writable column, in column order. `None` leaves
/// the column to SQLite (its DEFAULT, or the next rowid for an INTEGER PRIMARY KEY) by leaving it
/// out of the INSERT; otherwise a new UUID v4 for a text primary key, now for `createdAt` and
/// `updatedAt` (in the format the column's newest row uses), 0 for booleans, NULL for the rest.
/// A declared DEFAULT always wins over a convention: it is the schema's own answer.
pub fn insert_template<B: Backend + ?Sized>(db: &B, input: &InsertTemplate) -> Result<Vec<(String, Option<Value>)>> {
    let info = input.info;
    let text_key = match info.primary_key.as_slice() {
        [key] => info.column(key).filter(|c| affinity(&c.decl_type) == Affinity::Text).map(|c| c.name.as_str()),
        _ => None,
    };
    let mut fields = Vec::new();
    for (column, kind) in info.columns.iter().zip(input.kinds) {
        if column.generated {
            continue;
        }
        let stamp = is_stamp_column(&column.name, kind);
        // createdAt is filled even where it has a DEFAULT: staging stamps it and updatedAt with
        // one instant, so a new row never reads as updated before it was created.
        let value = if (column.default.is_some() && !stamp) || is_rowid_alias(info, column) {
            None
        } else if name_words(&column.name) == ["token"] && is_token_table(&info.name) {
            Some(Value::Text(random_token()))
        } else if text_key == Some(column.name.as_str()) {
            Some(Value::Text(uuid::Uuid::new_v4().to_string()))
        } else {
            match kind {
                ColumnKind::Timestamp { format } if is_creation_or_update_stamp(&column.name) => {
                    let format = match format {
                        TimeFormat::Mixed => row_time_format(newest_value(db, info, &column.name)?.as_ref(), *format),
                        format => *format,
                    };
                    Some(store_instant(input.now, format))
                }
                ColumnKind::Boolean => Some(Value::Integer(0)),
                // better-auth's defaults: the admin plugin's `user` role, a session lasting 7 days.
                ColumnKind::Enum { .. } | ColumnKind::Text if name_words(&column.name) == ["role"] => {
                    Some(Value::Text("user".into()))
                }
                ColumnKind::Timestamp { format }
                    if name_words(&column.name) == ["expires", "at"]
                        && name_words(&info.name).concat() == "session" =>
                {
                    let format = if *format == TimeFormat::Mixed { TimeFormat::Millis } else { *format };
                    Some(store_instant(input.now + chrono::TimeDelta::days(SESSION_DAYS), format))
                }
                _ => Some(Value::Null),
            }
        };
        fields.push((column.name.clone(), value));
    }
    Ok(fields)
}

/// better-auth's tables whose `token` is a required secret it generates itself.
fn is_token_table(table: &str) -> bool {
    matches!(name_words(table).concat().as_str(), "session" | "sessions" | "verification" | "verifications")
}

/// A new token as better-auth makes them (`generateId`): 32 random letters and digits.
fn random_token() -> String {
    use rand::Rng;
    rand::rng().sample_iter(rand::distr::Alphanumeric).take(TOKEN_LENGTH).map(char::from).collect()
}

/// Length of better-auth's generated tokens.
const TOKEN_LENGTH: usize = 32;

/// `now` stored as `like` is (a value this column was pre-filled with): the staging time of a
/// creation or update stamp the user left as it was.
pub fn restamp(like: &Value, kind: &ColumnKind, now: DateTime<Utc>) -> Value {
    let column = match kind {
        ColumnKind::Timestamp { format } => *format,
        _ => TimeFormat::Millis,
    };
    crate::db::value::store_instant_like(now, row_time_format(Some(like), column), Some(like))
}

/// Whether `column` is a `createdAt` / `updatedAt` timestamp squall pre-fills with the time.
pub fn is_stamp_column(column: &str, kind: &ColumnKind) -> bool {
    matches!(kind, ColumnKind::Timestamp { .. }) && is_creation_or_update_stamp(column)
}

/// better-auth's default session length (`session.expiresIn`: 7 days).
const SESSION_DAYS: i64 = 7;

fn is_creation_or_update_stamp(column: &str) -> bool {
    let words = name_words(column);
    words == ["created", "at"] || words == ["updated", "at"]
}

/// The value of `column` in the most recently inserted row (rowid tables only).
fn newest_value<B: Backend + ?Sized>(db: &B, info: &TableInfo, column: &str) -> Result<Option<Value>> {
    if info.without_rowid {
        return Ok(None);
    }
    let sql = format!("SELECT {} FROM {} ORDER BY rowid DESC LIMIT 1", quote_ident(column), quote_ident(&info.name));
    Ok(db.query(&Statement::plain(sql))?.rows.into_iter().next().and_then(|row| row.into_iter().next()))
}
