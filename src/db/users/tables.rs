//! Finding better-auth's tables and columns in either naming flavour (`banExpires` or
//! `ban_expires`, `user` or `users`), and choosing the storage format of dates to write.

use std::collections::HashMap;

use anyhow::Result;
use rusqlite::types::Value;

use crate::db::backend::Backend;
use crate::db::error::DbError;
use crate::db::kinds::{ColumnKind, TimeFormat, classify_column, name_words, sample_column};
use crate::db::schema::{TableInfo, describe_schema, quote_ident};
use crate::db::value::{format_of_value, parse_iso_datetime};

/// `banExpires`, `ban_expires` and `BanExpires` all normalise to `banexpires`.
pub fn normalise(name: &str) -> String {
    name_words(name).concat()
}

/// One table with its columns looked up by normalised name.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedTable {
    pub info: TableInfo,
    by_normalised: HashMap<String, String>,
}

impl MappedTable {
    /// Indexes `info`'s columns by normalised name (the first column wins on a clash).
    pub fn new(info: TableInfo) -> Self {
        let mut by_normalised = HashMap::new();
        for column in &info.columns {
            by_normalised.entry(normalise(&column.name)).or_insert_with(|| column.name.clone());
        }
        MappedTable { info, by_normalised }
    }

    /// The table's real name.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The table's name, quoted for SQL.
    pub fn quoted(&self) -> String {
        quote_ident(&self.info.name)
    }

    /// The real name of the column better-auth calls `logical` (written in camelCase), if present.
    pub fn column(&self, logical: &str) -> Option<&str> {
        self.by_normalised.get(&normalise(logical)).map(String::as_str)
    }

    /// Like [`MappedTable::column`], but a missing column is an error that says what is missing.
    pub fn require(&self, logical: &str) -> Result<&str> {
        self.column(logical).ok_or_else(|| {
            let snake = name_words(logical).join("_");
            let plugin = if ["banned", "banReason", "banExpires", "role", "impersonatedBy"].contains(&logical) {
                " (is better-auth's admin plugin enabled?)"
            } else {
                ""
            };
            DbError::Invalid(format!("table {:?} has no {logical} / {snake} column{plugin}", self.info.name)).into()
        })
    }

    /// The columns that identify a row: the primary key, or `rowid` when there is none.
    pub fn key_columns(&self) -> Vec<String> {
        if self.info.primary_key.is_empty() { vec!["rowid".to_string()] } else { self.info.primary_key.clone() }
    }

    /// The format dates in `column` are stored in, judged from a sample; `None` when it holds no
    /// dates yet (or holds something that is not dates).
    pub fn time_format<B: Backend + ?Sized>(&self, db: &B, column: &str) -> Result<Option<TimeFormat>> {
        let samples = sample_column(db, &self.info.name, column)?;
        if samples.is_empty() {
            return Ok(None);
        }
        let decl = self.info.column(column).map(|c| c.decl_type.as_str()).unwrap_or_default();
        Ok(match classify_column(&self.info, column, decl, &samples) {
            ColumnKind::Timestamp { format } => Some(format),
            _ => None,
        })
    }
}

/// The table named `singular` (`user`), else its plural (`users`), in any case or naming flavour:
/// how better-auth's tables are recognised, by the CLI and by the TUI alike.
pub fn auth_table<'a>(names: &[&'a str], singular: &str) -> Option<&'a str> {
    let plural = format!("{singular}s");
    names.iter().find(|n| normalise(n) == singular).or_else(|| names.iter().find(|n| normalise(n) == plural)).copied()
}

/// The names of better-auth's three tables, when a database has all three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthTables {
    pub user: String,
    pub session: String,
    pub account: String,
}

impl AuthTables {
    /// Finds the three among a database's table names (see [`auth_table`]).
    pub fn find(names: &[&str]) -> Option<AuthTables> {
        let find = |singular| auth_table(names, singular).map(str::to_string);
        Some(AuthTables { user: find("user")?, session: find("session")?, account: find("account")? })
    }
}

/// better-auth's three tables in this database.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSchema {
    pub user: MappedTable,
    pub session: MappedTable,
    pub account: MappedTable,
}

/// Finds the `user`, `session` and `account` tables (singular or plural, any case): one
/// statement, the whole schema described at once.
pub fn load_auth_schema<B: Backend + ?Sized>(db: &B) -> Result<AuthSchema> {
    auth_schema_of(describe_schema(db)?)
}

/// Finds better-auth's tables among tables already described (by [`auth_table`]'s rule),
/// without reading anything.
pub fn auth_schema_of(mut tables: Vec<TableInfo>) -> Result<AuthSchema> {
    let mut find = |singular: &str| -> Result<MappedTable> {
        let plural = format!("{singular}s");
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        let name = auth_table(&names, singular).map(str::to_string).ok_or_else(|| {
            DbError::NotFound(format!(
                "this database has no better-auth {singular:?} table (looked for {singular} and {plural})"
            ))
        })?;
        let at = tables.iter().position(|t| t.name == name).unwrap_or_default();
        Ok(MappedTable::new(tables.remove(at)))
    };
    Ok(AuthSchema { user: find("user")?, session: find("session")?, account: find("account")? })
}

/// The format to write an instant in, for one row of one column:
/// 1. the format the row's own value already has (epoch seconds only in a seconds column: a
///    seconds value in a milliseconds column is a past mistake, not a convention to repeat);
/// 2. else the column's established format (from a sample);
/// 3. else, for an empty or mixed column, the format of a sibling date of the same row
///    (`updatedAt`), since better-auth's Kysely adapter writes every date of a row as ISO text;
/// 4. else epoch milliseconds, drizzle's `timestamp_ms`. Never epoch seconds by default.
pub fn write_format(own: &Value, column: Option<TimeFormat>, sibling: &Value) -> TimeFormat {
    let is_date_text = |v: &Value| matches!(v, Value::Text(t) if parse_iso_datetime(t).is_some());
    let own_format = match own {
        Value::Integer(_) | Value::Real(_) => Some(format_of_value(own, TimeFormat::Millis)),
        text if is_date_text(text) => Some(TimeFormat::IsoText),
        _ => None,
    };
    match own_format {
        Some(TimeFormat::Seconds) if column != Some(TimeFormat::Seconds) => {}
        Some(format) => return format,
        None => {}
    }
    match column {
        Some(format @ (TimeFormat::Millis | TimeFormat::Seconds | TimeFormat::IsoText)) => format,
        Some(TimeFormat::Mixed) | None if is_date_text(sibling) => TimeFormat::IsoText,
        Some(TimeFormat::Mixed) | None => TimeFormat::Millis,
    }
}

/// Epoch milliseconds past which an integer is taken as milliseconds (as in `kinds`).
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// SQL for the instant in `column_sql` as epoch milliseconds, whatever its storage format (ms or
/// s integers, ISO text), so one comparison works on mixed columns. `column_sql` must already be
/// quoted (it is built from [`quote_ident`] only).
pub fn instant_ms_sql(column_sql: &str) -> String {
    let c = column_sql;
    format!(
        "(CASE WHEN typeof({c}) IN ('integer', 'real') THEN \
           (CASE WHEN abs({c}) >= {MILLIS_THRESHOLD} THEN {c} ELSE {c} * 1000 END) \
         WHEN typeof({c}) = 'text' THEN CAST(unixepoch({c}, 'subsec') * 1000 AS INTEGER) END)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_format_follows_the_row_then_the_column_then_the_sibling() {
        let ms = Value::Integer(1_765_000_000_000);
        let secs = Value::Integer(1_765_000_000);
        let iso = Value::Text("2026-11-28T06:22:01.200Z".into());
        assert_eq!(write_format(&iso, Some(TimeFormat::Millis), &ms), TimeFormat::IsoText);
        assert_eq!(write_format(&ms, Some(TimeFormat::IsoText), &iso), TimeFormat::Millis);
        // A seconds value in a milliseconds column is not repeated.
        assert_eq!(write_format(&secs, Some(TimeFormat::Millis), &ms), TimeFormat::Millis);
        assert_eq!(write_format(&secs, None, &Value::Null), TimeFormat::Millis);
        assert_eq!(write_format(&secs, Some(TimeFormat::Seconds), &Value::Null), TimeFormat::Seconds);
        assert_eq!(write_format(&Value::Null, Some(TimeFormat::IsoText), &ms), TimeFormat::IsoText);
        assert_eq!(write_format(&Value::Null, None, &iso), TimeFormat::IsoText);
        assert_eq!(write_format(&Value::Null, Some(TimeFormat::Mixed), &iso), TimeFormat::IsoText);
        assert_eq!(write_format(&Value::Null, None, &ms), TimeFormat::Millis);
        assert_eq!(write_format(&Value::Null, None, &Value::Null), TimeFormat::Millis);
    }

    #[test]
    fn instant_sql_reads_every_format_as_milliseconds() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let sql = format!("SELECT {} FROM (SELECT ?1 AS x)", instant_ms_sql("x"));
        let read = |v: Value| conn.query_row(&sql, [v], |r| r.get::<_, Option<i64>>(0)).unwrap();
        assert_eq!(read(Value::Integer(1_765_000_000_123)), Some(1_765_000_000_123));
        assert_eq!(read(Value::Integer(1_765_000_000)), Some(1_765_000_000_000));
        assert_eq!(read(Value::Text("2025-12-06T05:46:40.123Z".into())), Some(1_765_000_000_123));
        assert_eq!(read(Value::Null), None);
    }
}
