//! Reading the schema through SQLite's pragma table functions, always with bound names.

use anyhow::{Context, Result};
use rusqlite::types::Value;
use serde::Serialize;

use super::backend::{Backend, Statement};
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

/// Tables and views of the main schema, app tables first. One statement.
pub fn list_tables<B: Backend + ?Sized>(db: &B, input: &ListTables) -> Result<Vec<TableSummary>> {
    let rows = db.query(&Statement::plain(
        "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'view')",
    ))?;
    let mut tables: Vec<TableSummary> = rows
        .rows
        .iter()
        .map(|row| {
            let name = text_at(row, 0);
            TableSummary {
                internal: is_internal_table(&name),
                relation: if text_at(row, 1) == "view" { RelationType::View } else { RelationType::Table },
                without_rowid: int_at(row, 2) != 0,
                name,
            }
        })
        .collect();
    if !input.include_internal {
        tables.retain(|table| !table.internal);
    }
    sort_tables(&mut tables, |t| (t.internal, t.name.as_str()));
    Ok(tables)
}

/// App tables first (better-auth's in their order), then alphabetically; internals last.
fn sort_tables<T>(tables: &mut [T], key: impl Fn(&T) -> (bool, &str)) {
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

/// Input of [`describe_table`].
pub struct DescribeTable<'a> {
    pub name: &'a str,
}

/// Reads columns, keys, foreign keys and indexes of one table or view (one statement).
pub fn describe_table<B: Backend + ?Sized>(db: &B, input: &DescribeTable) -> Result<TableInfo> {
    let name = input.name;
    let mut tables = read_schema(db, Some(name))?;
    match tables.iter().position(|t| t.name == name) {
        Some(i) => Ok(tables.swap_remove(i)),
        None => Err(DbError::NotFound(format!("no table or view named {name:?}")).into()),
    }
}

/// Every table and view that is not internal, described, app tables first: one statement for
/// the whole schema (a remote database pays one round trip, not four per table).
pub fn describe_schema<B: Backend + ?Sized>(db: &B) -> Result<Vec<TableInfo>> {
    let mut tables = read_schema(db, None)?;
    tables.retain(|t| !is_internal_table(&t.name));
    sort_tables(&mut tables, |t| (false, t.name.as_str()));
    Ok(tables)
}

/// The pragma table functions of every table (or of `only`), in one UNION: `part` says which
/// pragma a row came from (0 table, 1 column, 2 foreign key, 3 index column), and sorts the
/// table's own row first. Workerd's `_cf_*` tables are left out unless asked for by name: D1
/// refuses to describe them.
const SCHEMA_SQL: &str = "
WITH m AS (
  SELECT name, type, wr FROM pragma_table_list
  WHERE schema = 'main' AND type IN ('table', 'view') AND (?1 IS NULL OR name = ?1)
    AND (name NOT LIKE '\\_cf\\_%' ESCAPE '\\' OR name = ?1)
)
SELECT 0 AS part, m.name AS tbl, 0 AS a, 0 AS b, m.type AS c, m.wr AS d, NULL AS e, NULL AS f, NULL AS g FROM m
UNION ALL
SELECT 1, m.name, x.cid, 0, x.name, x.type, x.\"notnull\", x.dflt_value, x.pk * 4 + x.hidden
FROM m JOIN pragma_table_xinfo(m.name) AS x
UNION ALL
SELECT 2, m.name, fk.id, fk.seq, fk.\"table\", fk.\"from\", fk.\"to\", fk.on_update, fk.on_delete
FROM m JOIN pragma_foreign_key_list(m.name) AS fk
UNION ALL
SELECT 3, m.name, -il.seq, ii.seqno, il.name, il.\"unique\", il.origin, il.partial, ii.name
FROM m JOIN pragma_index_list(m.name) AS il LEFT JOIN pragma_index_info(il.name) AS ii
ORDER BY 2, 1, 3, 4";

fn read_schema<B: Backend + ?Sized>(db: &B, only: Option<&str>) -> Result<Vec<TableInfo>> {
    let only = only.map_or(Value::Null, |name| Value::Text(name.to_string()));
    let rows = db.query(&Statement::new(SCHEMA_SQL, vec![only])).context("reading the schema")?;
    let mut tables: Vec<TableInfo> = Vec::new();
    // Foreign keys by (table, id), to merge the columns of a composite key.
    let mut key_ids: Vec<(String, i64)> = Vec::new();
    for row in &rows.rows {
        let table = text_at(row, 1);
        if int_at(row, 0) == 0 {
            tables.push(TableInfo {
                name: table,
                relation: if text_at(row, 4) == "view" { RelationType::View } else { RelationType::Table },
                without_rowid: int_at(row, 5) != 0,
                columns: Vec::new(),
                primary_key: Vec::new(),
                foreign_keys: Vec::new(),
                indexes: Vec::new(),
            });
            continue;
        }
        let Some(info) = tables.iter_mut().find(|t| t.name == table) else { continue };
        match int_at(row, 0) {
            1 => {
                let (pk, hidden) = (int_at(row, 8) / 4, int_at(row, 8) % 4);
                // hidden = 1 marks virtual-table internals; 2 and 3 are generated columns.
                if hidden == 1 {
                    continue;
                }
                info.columns.push(ColumnInfo {
                    name: text_at(row, 4),
                    decl_type: text_at(row, 5),
                    not_null: int_at(row, 6) != 0,
                    default: opt_text_at(row, 7),
                    pk_position: pk as u32,
                    generated: hidden == 2 || hidden == 3,
                });
            }
            2 => {
                let id = int_at(row, 2);
                let (from, to) = (text_at(row, 5), opt_text_at(row, 6));
                let known = key_ids.iter().position(|(t, k)| *t == info.name && *k == id);
                match known.and_then(|_| info.foreign_keys.last_mut()) {
                    Some(key) => {
                        key.columns.push(from);
                        key.ref_columns.extend(to);
                    }
                    None => {
                        key_ids.push((info.name.clone(), id));
                        info.foreign_keys.push(ForeignKey {
                            columns: vec![from],
                            ref_table: text_at(row, 4),
                            ref_columns: to.into_iter().collect(),
                            on_update: text_at(row, 7),
                            on_delete: text_at(row, 8),
                        });
                    }
                }
            }
            3 => {
                let name = text_at(row, 4);
                let column = opt_text_at(row, 8).unwrap_or_else(|| "<expr>".into());
                match info.indexes.last_mut() {
                    Some(index) if index.name == name => index.columns.push(column),
                    _ => info.indexes.push(IndexInfo {
                        name,
                        unique: int_at(row, 5) != 0,
                        origin: text_at(row, 6),
                        partial: int_at(row, 7) != 0,
                        columns: if row.get(8).is_some_and(|v| *v == Value::Null) && row.get(3) == Some(&Value::Null) {
                            Vec::new()
                        } else {
                            vec![column]
                        },
                    }),
                }
            }
            _ => {}
        }
    }
    for info in &mut tables {
        let mut primary: Vec<&ColumnInfo> = info.columns.iter().filter(|c| c.pk_position > 0).collect();
        primary.sort_by_key(|c| c.pk_position);
        info.primary_key = primary.into_iter().map(|c| c.name.clone()).collect();
    }
    // `REFERENCES parent` without columns means the parent's primary key.
    let missing: Vec<(usize, usize, String)> = tables
        .iter()
        .enumerate()
        .flat_map(|(t, info)| {
            info.foreign_keys
                .iter()
                .enumerate()
                .filter(|(_, key)| key.ref_columns.is_empty())
                .map(move |(k, key)| (t, k, key.ref_table.clone()))
        })
        .collect();
    for (t, k, parent) in missing {
        let known = tables.iter().find(|info| info.name == parent).map(|info| info.primary_key.clone());
        let columns = match known {
            Some(columns) => columns,
            None => referenced_primary_key(db, &parent)?,
        };
        tables[t].foreign_keys[k].ref_columns = columns;
    }
    Ok(tables)
}

fn referenced_primary_key<B: Backend + ?Sized>(db: &B, table: &str) -> Result<Vec<String>> {
    let rows = db.query(&Statement::new(
        "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
        vec![Value::Text(table.to_string())],
    ))?;
    Ok(rows.rows.iter().map(|row| text_at(row, 0)).collect())
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

/// Input of [`count_rows`].
pub struct CountRows<'a> {
    pub table: &'a str,
}

/// Exact row count. A full scan on big tables: call it once, in the background.
pub fn count_rows<B: Backend + ?Sized>(db: &B, input: &CountRows) -> Result<u64> {
    let sql = format!("SELECT count(*) FROM {}", quote_ident(input.table));
    let rows = db.query(&Statement::plain(sql))?;
    Ok(rows.rows.first().map_or(0, |row| int_at(row, 0)).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
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
