//! The schema as squall sees it: tables, columns, keys and indexes ([`TableInfo`]), and the
//! identifier quoting every statement uses. Reading it over a backend is in [`read`].

mod read;

use rusqlite::types::Value;
use serde::Serialize;

pub(crate) use read::SCHEMA_SQL;
pub use read::{CountRows, DescribeTable, ListTables, count_rows, describe_schema, describe_table, list_tables};

/// Quotes an identifier for SQL. Identifiers cannot be bound as parameters, so every table and
/// column name that reaches SQL text goes through here (doubling embedded quotes).
pub fn quote_ident(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for ch in name.chars() {
        if ch == '"' {
            quoted.push('"');
        }
        quoted.push(ch);
    }
    quoted.push('"');
    quoted
}

/// Whether a relation is a table or a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationType {
    Table,
    View,
}

/// One entry of the schema list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    pub name: String,
    #[serde(rename = "type")]
    pub relation: RelationType,
    /// SQLite's own tables and workerd's `_cf_*` tables (migration trackers stay visible).
    pub internal: bool,
    pub without_rowid: bool,
}

/// Tables whose names mark them as machinery rather than app data.
pub fn is_internal_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("sqlite_") || lower.starts_with("_cf_")
}

/// The better-auth tables come first, in this order; the rest follow alphabetically.
const PREFERRED_ORDER: [&str; 4] = ["user", "session", "account", "verification"];

/// App tables first (better-auth's in their order), then alphabetically; internals last.
pub(crate) fn sort_tables<T>(tables: &mut [T], key: impl Fn(&T) -> (bool, &str)) {
    tables.sort_by_cached_key(|table| {
        let (internal, name) = key(table);
        let rank = PREFERRED_ORDER.iter().position(|p| *p == name).unwrap_or(PREFERRED_ORDER.len());
        (internal, rank, name.to_lowercase())
    });
}

/// One column as SQLite declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    pub decl_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// 1-based position in the primary key, 0 when not part of it.
    pub pk_position: u32,
    /// Generated columns cannot be written.
    pub generated: bool,
}

/// A declared foreign key (possibly over several columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: String,
    /// Empty in the DDL means the referenced table's primary key; filled in here.
    pub ref_columns: Vec<String>,
    pub on_delete: String,
    pub on_update: String,
}

/// An index and the columns it covers, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexInfo {
    pub name: String,
    pub unique: bool,
    /// `c` created by CREATE INDEX, `u` by a UNIQUE constraint, `pk` by the primary key.
    pub origin: String,
    pub partial: bool,
    pub columns: Vec<String>,
}

/// Everything squall needs to know about one table or view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub relation: RelationType,
    pub without_rowid: bool,
    pub columns: Vec<ColumnInfo>,
    /// Primary key columns in key order (empty when the table has none).
    pub primary_key: Vec<String>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<IndexInfo>,
}

impl TableInfo {
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether some index starts with `column`, so sorting or seeking on it is cheap.
    pub fn is_indexed(&self, column: &str) -> bool {
        self.primary_key.first().is_some_and(|c| c == column)
            || self.indexes.iter().any(|i| !i.partial && i.columns.first().is_some_and(|c| c == column))
    }

    /// Whether a UNIQUE constraint or index covers exactly this one column.
    pub fn is_unique(&self, column: &str) -> bool {
        (self.primary_key.len() == 1 && self.primary_key[0] == column)
            || self.indexes.iter().any(|i| i.unique && !i.partial && i.columns.len() == 1 && i.columns[0] == column)
    }

    /// The foreign key that starts at this single column, if any.
    pub fn foreign_key_of(&self, column: &str) -> Option<&ForeignKey> {
        self.foreign_keys.iter().find(|fk| fk.columns.len() == 1 && fk.columns[0] == column)
    }
}

/// The text at `i` (empty for NULL; numbers as their digits).
pub(crate) fn text_at(row: &[Value], i: usize) -> String {
    opt_text_at(row, i).unwrap_or_default()
}

pub(crate) fn opt_text_at(row: &[Value], i: usize) -> Option<String> {
    match row.get(i)? {
        Value::Null => None,
        Value::Text(text) => Some(text.clone()),
        Value::Integer(n) => Some(n.to_string()),
        Value::Real(r) => Some(r.to_string()),
        Value::Blob(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// The integer at `i` (0 for NULL or text; a remote's doubles are truncated).
pub(crate) fn int_at(row: &[Value], i: usize) -> i64 {
    match row.get(i) {
        Some(Value::Integer(n)) => *n,
        Some(Value::Real(r)) => *r as i64,
        Some(Value::Text(text)) => text.parse().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::error::DbError;
    use rusqlite::Connection;

    #[test]
    fn quotes_identifiers_with_quotes_and_unicode() {
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
        let conn = Connection::open_in_memory().unwrap();
        let name = "Tabl\u{e9} \"with\" spaces";
        conn.execute_batch(&format!(
            "CREATE TABLE {t} ({c} INTEGER PRIMARY KEY, \"ref\" TEXT REFERENCES {t}); CREATE UNIQUE INDEX ix ON {t}(\"ref\")",
            t = quote_ident(name),
            c = quote_ident("i\"d")
        ))
        .unwrap();
        let info = describe_table(&conn, &DescribeTable { name }).unwrap();
        assert_eq!(info.primary_key, vec!["i\"d".to_string()]);
        assert_eq!(info.foreign_keys[0].ref_columns, vec!["i\"d".to_string()]);
        assert!(info.is_unique("ref"));
        assert_eq!(count_rows(&conn, &CountRows { table: name }).unwrap(), 0);
    }

    #[test]
    fn lists_app_tables_first_and_hides_internals() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE zeta(a); CREATE TABLE \"user\"(id); CREATE TABLE session(id); CREATE TABLE _cf_KV(k);
             CREATE TABLE alpha(a); CREATE VIEW v AS SELECT 1",
        )
        .unwrap();
        let names: Vec<String> =
            list_tables(&conn, &ListTables::default()).unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["user", "session", "alpha", "v", "zeta"]);
        let all = list_tables(&conn, &ListTables { include_internal: true }).unwrap();
        assert!(all.iter().any(|t| t.name == "_cf_KV" && t.internal));
        assert!(matches!(
            describe_table(&conn, &DescribeTable { name: "nope" }).unwrap_err().downcast::<DbError>(),
            Ok(DbError::NotFound(_))
        ));
    }
}
