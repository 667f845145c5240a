//! The parts of a schema that drift is checked on, read from a live SQLite database (with the
//! plain `PRAGMA`s D1 allows remotely) or from a drizzle-kit snapshot.

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Deserialize;

use crate::db::schema::quote_ident;

/// Tables, in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaModel {
    pub tables: Vec<TableModel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableModel {
    pub name: String,
    pub columns: Vec<ColumnModel>,
    /// Indexes made by `CREATE INDEX`, and `UNIQUE` constraints (unique, matched by columns).
    pub indexes: Vec<IndexModel>,
    pub foreign_keys: Vec<ForeignKeyModel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnModel {
    pub name: String,
    /// The declared type as written (`integer`, `TEXT`, `varchar(20)`, or empty).
    pub declared_type: String,
    pub not_null: bool,
    /// The default expression as written, `None` when there is none.
    pub default: Option<String>,
    pub primary_key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexModel {
    /// The index name; for a `UNIQUE` table constraint SQLite's `sqlite_autoindex_…` or the
    /// snapshot's constraint name, which are not compared.
    pub name: String,
    /// Column names; `<expr>` for an expression.
    pub columns: Vec<String>,
    pub unique: bool,
    /// A table constraint rather than a `CREATE INDEX`.
    pub constraint: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyModel {
    pub columns: Vec<String>,
    pub parent: String,
    pub parent_columns: Vec<String>,
    /// Upper case, as SQLite reports them (`CASCADE`, `NO ACTION`, ...).
    pub on_delete: String,
    pub on_update: String,
}

impl ForeignKeyModel {
    /// `(userId) → user(id)`.
    pub fn describe(&self) -> String {
        format!("({}) → {}({})", self.columns.join(", "), self.parent, self.parent_columns.join(", "))
    }
}

impl SchemaModel {
    pub fn table(&self, name: &str) -> Option<&TableModel> {
        self.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// Reads the live schema, leaving out SQLite's and workerd's internal tables and `skip` (the
/// migration trackers).
pub fn read_live(conn: &Connection, skip: &[&str]) -> Result<SchemaModel> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
           AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let names: Vec<String> = stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|name| !skip.iter().any(|s| s.eq_ignore_ascii_case(name))) {
        tables.push(read_table(conn, &name).with_context(|| format!("reading the schema of {name}"))?);
    }
    Ok(SchemaModel { tables })
}

fn read_table(conn: &Connection, table: &str) -> Result<TableModel> {
    let quoted = quote_ident(table);
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({quoted})"))?;
    let mut columns: Vec<ColumnModel> = stmt
        .query_map([], |row| {
            Ok(ColumnModel {
                name: row.get(1)?,
                declared_type: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                not_null: row.get::<_, i64>(3)? != 0,
                default: row.get(4)?,
                primary_key: row.get::<_, i64>(5)? > 0,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // An INTEGER PRIMARY KEY is the rowid, which is never NULL whether or not it says NOT NULL.
    let pk_count = columns.iter().filter(|c| c.primary_key).count();
    for column in columns.iter_mut().filter(|c| c.primary_key && pk_count == 1) {
        if column.declared_type.eq_ignore_ascii_case("integer") {
            column.not_null = true;
        }
    }

    let mut stmt = conn.prepare(&format!("PRAGMA index_list({quoted})"))?;
    let listed: Vec<(String, bool, String)> = stmt
        .query_map([], |row| Ok((row.get(1)?, row.get::<_, i64>(2)? != 0, row.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut indexes = Vec::new();
    for (name, unique, origin) in listed.into_iter().filter(|(_, _, origin)| origin != "pk") {
        let mut stmt = conn.prepare(&format!("PRAGMA index_info({})", quote_ident(&name)))?;
        let columns: Vec<String> = stmt
            .query_map([], |row| Ok(row.get::<_, Option<String>>(2)?.unwrap_or_else(|| "<expr>".into())))?
            .collect::<rusqlite::Result<_>>()?;
        indexes.push(IndexModel { name, columns, unique, constraint: origin == "u" });
    }
    indexes.sort_by(|a, b| a.name.cmp(&b.name));

    let mut stmt = conn.prepare(&format!("PRAGMA foreign_key_list({quoted})"))?;
    let rows: Vec<(i64, String, String, Option<String>, String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut foreign_keys: Vec<(i64, ForeignKeyModel)> = Vec::new();
    for (id, parent, from, to, on_update, on_delete) in rows {
        if let Some((_, fk)) = foreign_keys.iter_mut().find(|(fk_id, _)| *fk_id == id) {
            fk.columns.push(from);
            fk.parent_columns.extend(to);
            continue;
        }
        let fk = ForeignKeyModel {
            columns: vec![from],
            parent,
            parent_columns: to.into_iter().collect(),
            on_delete: on_delete.to_ascii_uppercase(),
            on_update: on_update.to_ascii_uppercase(),
        };
        foreign_keys.push((id, fk));
    }
    let mut foreign_keys: Vec<ForeignKeyModel> = foreign_keys.into_iter().map(|(_, fk)| fk).collect();
    // A reference without columns means the parent's primary key; spell it out for comparison.
    for fk in foreign_keys.iter_mut().filter(|fk| fk.parent_columns.is_empty()) {
        fk.parent_columns = primary_key_of(conn, &fk.parent)?;
    }
    columns.shrink_to_fit();
    Ok(TableModel { name: table.to_string(), columns, indexes, foreign_keys })
}

fn primary_key_of(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quote_ident(table)))?;
    let mut keyed: Vec<(i64, String)> = stmt
        .query_map([], |row| Ok((row.get::<_, i64>(5)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(pk, _)| *pk > 0)
        .collect();
    keyed.sort();
    Ok(keyed.into_iter().map(|(_, name)| name).collect())
}

/// drizzle-kit's `meta/NNNN_snapshot.json` (SQLite dialect), the parts drift needs.
#[derive(Debug, Deserialize)]
struct Snapshot {
    dialect: String,
    tables: std::collections::BTreeMap<String, SnapshotTable>,
}

#[derive(Debug, Deserialize)]
struct SnapshotTable {
    name: String,
    columns: std::collections::BTreeMap<String, SnapshotColumn>,
    #[serde(default)]
    indexes: std::collections::BTreeMap<String, SnapshotIndex>,
    #[serde(default, rename = "foreignKeys")]
    foreign_keys: std::collections::BTreeMap<String, SnapshotForeignKey>,
    #[serde(default, rename = "compositePrimaryKeys")]
    composite_primary_keys: std::collections::BTreeMap<String, SnapshotColumns>,
    #[serde(default, rename = "uniqueConstraints")]
    unique_constraints: std::collections::BTreeMap<String, SnapshotColumns>,
}

#[derive(Debug, Deserialize)]
struct SnapshotColumn {
    name: String,
    #[serde(rename = "type")]
    column_type: String,
    #[serde(rename = "primaryKey", default)]
    primary_key: bool,
    #[serde(rename = "notNull", default)]
    not_null: bool,
    default: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct SnapshotIndex {
    name: String,
    columns: Vec<String>,
    #[serde(rename = "isUnique", default)]
    is_unique: bool,
}

#[derive(Debug, Deserialize)]
struct SnapshotForeignKey {
    #[serde(rename = "tableTo")]
    table_to: String,
    #[serde(rename = "columnsFrom")]
    columns_from: Vec<String>,
    #[serde(rename = "columnsTo")]
    columns_to: Vec<String>,
    #[serde(rename = "onDelete", default)]
    on_delete: Option<String>,
    #[serde(rename = "onUpdate", default)]
    on_update: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SnapshotColumns {
    #[serde(default)]
    name: Option<String>,
    columns: Vec<String>,
}

/// Reads a drizzle-kit snapshot; errors name `origin` (its path).
pub fn parse_snapshot(text: &str, origin: &str) -> Result<SchemaModel> {
    let snapshot: Snapshot =
        serde_json::from_str(text).with_context(|| format!("{origin}: not a drizzle-kit snapshot"))?;
    if snapshot.dialect != "sqlite" && snapshot.dialect != "turso" {
        anyhow::bail!("{origin}: snapshot is for dialect {:?}, squall reads SQLite", snapshot.dialect);
    }
    let mut tables: Vec<TableModel> = snapshot.tables.into_values().map(table_from_snapshot).collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SchemaModel { tables })
}

fn table_from_snapshot(table: SnapshotTable) -> TableModel {
    let composite: Vec<String> = table.composite_primary_keys.values().flat_map(|pk| pk.columns.clone()).collect();
    // drizzle-kit keeps columns in a JSON object, whose order serde_json does not keep; SQLite's
    // column order is not compared, so name order is as good as any.
    let columns = table
        .columns
        .into_values()
        .map(|c| ColumnModel {
            primary_key: c.primary_key || composite.contains(&c.name),
            name: c.name,
            declared_type: c.column_type,
            not_null: c.not_null,
            default: c.default.map(|value| match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            }),
        })
        .collect();
    let mut indexes: Vec<IndexModel> = table
        .indexes
        .into_values()
        .map(|i| IndexModel { name: i.name, columns: i.columns, unique: i.is_unique, constraint: false })
        .collect();
    indexes.extend(table.unique_constraints.into_iter().map(|(key, u)| IndexModel {
        name: u.name.unwrap_or(key),
        columns: u.columns,
        unique: true,
        constraint: true,
    }));
    let foreign_keys = table
        .foreign_keys
        .into_values()
        .map(|fk| ForeignKeyModel {
            columns: fk.columns_from,
            parent: fk.table_to,
            parent_columns: fk.columns_to,
            on_delete: fk.on_delete.unwrap_or_else(|| "no action".into()).to_ascii_uppercase(),
            on_update: fk.on_update.unwrap_or_else(|| "no action".into()).to_ascii_uppercase(),
        })
        .collect();
    TableModel { name: table.name, columns, indexes, foreign_keys }
}
