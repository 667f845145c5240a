//! The parts of a schema that drift is checked on, read from a live database over any backend (one
//! statement) or from a drizzle-kit snapshot.

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::db::backend::Backend;
use crate::db::schema::{RelationType, TableInfo, describe_schema};

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
/// migration trackers). One statement on any backend ([`describe_schema`]'s UNION over the pragma
/// table functions, `_cf_*` excluded as D1 requires): a remote D1 pays one round trip, not four
/// per table.
pub fn read_live<B: Backend + ?Sized>(db: &B, skip: &[&str]) -> Result<SchemaModel> {
    let described = describe_schema(db).context("reading the live schema")?;
    let mut tables: Vec<TableModel> = described
        .iter()
        .filter(|info| info.relation == RelationType::Table)
        .filter(|info| !skip.iter().any(|s| s.eq_ignore_ascii_case(&info.name)))
        .map(table_model)
        .collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SchemaModel { tables })
}

/// One described table as drift compares it: what `PRAGMA table_info`, `index_list` /
/// `index_info` and `foreign_key_list` report (generated columns are not in `table_info`).
fn table_model(info: &TableInfo) -> TableModel {
    let mut columns: Vec<ColumnModel> = info
        .columns
        .iter()
        .filter(|c| !c.generated)
        .map(|c| ColumnModel {
            name: c.name.clone(),
            declared_type: c.decl_type.clone(),
            not_null: c.not_null,
            default: c.default.clone(),
            primary_key: c.pk_position > 0,
        })
        .collect();
    // An INTEGER PRIMARY KEY is the rowid, which is never NULL whether or not it says NOT NULL.
    let pk_count = columns.iter().filter(|c| c.primary_key).count();
    for column in columns.iter_mut().filter(|c| c.primary_key && pk_count == 1) {
        if column.declared_type.eq_ignore_ascii_case("integer") {
            column.not_null = true;
        }
    }
    let mut indexes: Vec<IndexModel> = info
        .indexes
        .iter()
        .filter(|index| index.origin != "pk")
        .map(|index| IndexModel {
            name: index.name.clone(),
            columns: index.columns.clone(),
            unique: index.unique,
            constraint: index.origin == "u",
        })
        .collect();
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    let foreign_keys = info
        .foreign_keys
        .iter()
        .map(|fk| ForeignKeyModel {
            columns: fk.columns.clone(),
            parent: fk.ref_table.clone(),
            // A reference without columns is already spelled out as the parent's primary key.
            parent_columns: fk.ref_columns.clone(),
            on_delete: fk.on_delete.to_ascii_uppercase(),
            on_update: fk.on_update.to_ascii_uppercase(),
        })
        .collect();
    TableModel { name: info.name.clone(), columns, indexes, foreign_keys }
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
