//! Reading the schema through SQLite's pragma table functions, always with bound names.

use anyhow::{Context, Result};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::error::DbError;

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

/// Input of [`list_tables`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ListTables {
    pub include_internal: bool,
}

/// Tables whose names mark them as machinery rather than app data.
pub fn is_internal_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("sqlite_") || lower.starts_with("_cf_")
}

/// The better-auth tables come first, in this order; the rest follow alphabetically.
const PREFERRED_ORDER: [&str; 4] = ["user", "session", "account", "verification"];

/// Tables and views of the main schema, app tables first.
pub fn list_tables(conn: &Connection, input: &ListTables) -> Result<Vec<TableSummary>> {
    let mut stmt = conn
        .prepare("SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'view')")?;
    let mut tables: Vec<TableSummary> = stmt
        .query_map([], |row| {
            let name: String = row.get(0)?;
            let kind: String = row.get(1)?;
            Ok(TableSummary {
                internal: is_internal_table(&name),
                relation: if kind == "view" { RelationType::View } else { RelationType::Table },
                without_rowid: row.get::<_, i64>(2)? != 0,
                name,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if !input.include_internal {
        tables.retain(|table| !table.internal);
    }
    tables.sort_by_cached_key(|table| {
        let rank = PREFERRED_ORDER.iter().position(|p| *p == table.name).unwrap_or(PREFERRED_ORDER.len());
        (table.internal, rank, table.name.to_lowercase())
    });
    Ok(tables)
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

/// Input of [`describe_table`].
pub struct DescribeTable<'a> {
    pub name: &'a str,
}

/// Reads columns, keys, foreign keys and indexes of one table or view.
pub fn describe_table(conn: &Connection, input: &DescribeTable) -> Result<TableInfo> {
    let name = input.name;
    let summary = conn
        .query_row("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1", params![name], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })
        .map_err(|err| match err {
            rusqlite::Error::QueryReturnedNoRows => {
                DbError::NotFound(format!("no table or view named {name:?}")).into()
            }
            other => anyhow::Error::from(other),
        })?;
    let columns = read_columns(conn, name)?;
    let mut primary: Vec<&ColumnInfo> = columns.iter().filter(|c| c.pk_position > 0).collect();
    primary.sort_by_key(|c| c.pk_position);
    let primary_key: Vec<String> = primary.into_iter().map(|c| c.name.clone()).collect();
    let foreign_keys = read_foreign_keys(conn, name)?;
    let indexes = read_indexes(conn, name)?;
    Ok(TableInfo {
        name: name.to_string(),
        relation: if summary.0 == "view" { RelationType::View } else { RelationType::Table },
        without_rowid: summary.1 != 0,
        columns,
        primary_key,
        foreign_keys,
        indexes,
    })
}

fn read_columns(conn: &Connection, table: &str) -> Result<Vec<ColumnInfo>> {
    // pragma_table_xinfo also lists generated columns; hidden = 1 marks virtual-table internals.
    let mut stmt = conn
        .prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")?;
    let columns = stmt
        .query_map(params![table], |row| {
            let hidden: i64 = row.get(5)?;
            Ok((
                hidden,
                ColumnInfo {
                    name: row.get(0)?,
                    decl_type: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    not_null: row.get::<_, i64>(2)? != 0,
                    default: row.get(3)?,
                    pk_position: row.get::<_, i64>(4)? as u32,
                    generated: hidden == 2 || hidden == 3,
                },
            ))
        })?
        .filter_map(|row| match row {
            Ok((1, _)) => None,
            Ok((_, column)) => Some(Ok(column)),
            Err(err) => Some(Err(err)),
        })
        .collect::<rusqlite::Result<Vec<_>>>()
        .with_context(|| format!("reading the columns of {table:?}"))?;
    Ok(columns)
}

fn read_foreign_keys(conn: &Connection, table: &str) -> Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let mut keys: Vec<(i64, ForeignKey)> = Vec::new();
    let rows = stmt.query_map(params![table], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (id, ref_table, from, to, on_update, on_delete) = row?;
        match keys.last_mut() {
            Some((last_id, key)) if *last_id == id => {
                key.columns.push(from);
                key.ref_columns.extend(to);
            }
            _ => keys.push((
                id,
                ForeignKey {
                    columns: vec![from],
                    ref_table,
                    ref_columns: to.into_iter().collect(),
                    on_delete,
                    on_update,
                },
            )),
        }
    }
    let mut keys: Vec<ForeignKey> = keys.into_iter().map(|(_, key)| key).collect();
    for key in &mut keys {
        if key.ref_columns.is_empty() {
            key.ref_columns = referenced_primary_key(conn, &key.ref_table)?;
        }
    }
    Ok(keys)
}

fn referenced_primary_key(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
    let names = stmt.query_map(params![table], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

fn read_indexes(conn: &Connection, table: &str) -> Result<Vec<IndexInfo>> {
    let mut stmt =
        conn.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) ORDER BY seq DESC")?;
    let heads = stmt
        .query_map(params![table], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)? != 0,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)? != 0,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut cols = conn.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
    heads
        .into_iter()
        .map(|(name, unique, origin, partial)| {
            let columns = cols
                .query_map(params![name], |row| {
                    Ok(row.get::<_, Option<String>>(0)?.unwrap_or_else(|| "<expr>".into()))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(IndexInfo { name, unique, origin, partial, columns })
        })
        .collect()
}

/// Input of [`count_rows`].
pub struct CountRows<'a> {
    pub table: &'a str,
}

/// Exact row count. A full scan on big tables: call it once, in the background.
pub fn count_rows(conn: &Connection, input: &CountRows) -> Result<u64> {
    let sql = format!("SELECT count(*) FROM {}", quote_ident(input.table));
    let count: i64 = conn.query_row(&sql, [], |row| row.get(0))?;
    Ok(count as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

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
