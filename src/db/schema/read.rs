//! Reading the schema through SQLite's pragma table functions, always with bound names, over
//! any [`Backend`].

use anyhow::{Context, Result};
use rusqlite::types::Value;

use super::{
    ColumnInfo, ForeignKey, IndexInfo, RelationType, TableInfo, TableSummary, int_at, is_internal_table, opt_text_at,
    quote_ident, sort_tables, text_at,
};
use crate::db::backend::{Backend, Statement};
use crate::db::error::DbError;

/// Input of [`list_tables`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ListTables {
    pub include_internal: bool,
}

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
pub(crate) const SCHEMA_SQL: &str = "
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
