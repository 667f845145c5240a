//! What the ER diagram shows, read from the database once: tables with their columns, row
//! counts and markers, and the relations between them. Layout and renderers are pure functions
//! of this model.

use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;

use crate::db::kinds::{ColumnKind, infer_kinds};
use crate::db::relations::{Relation, RelationOrigin, relations_of_tables};
use crate::db::schema::{CountRows, DescribeTable, ListTables, RelationType, count_rows, describe_table, list_tables};

/// Migration trackers: bookkeeping, not part of the app's schema, left out unless asked for.
const TRACKER_TABLES: [&str; 2] = ["d1_migrations", "__drizzle_migrations"];

/// One column as the diagram shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErColumn {
    pub name: String,
    /// The declared type, as written in the DDL (may be empty).
    pub decl_type: String,
    /// Short kind label: `timestamp`, `boolean`, `enum`, `→ user` for references...
    pub kind_label: String,
    /// The values of an enum column, for mermaid comments (`user | admin`).
    pub enum_values: Vec<String>,
    pub primary_key: bool,
    /// Unique on its own (not counting the primary key).
    pub unique: bool,
    /// Set when the column references another table, with how we know.
    pub reference: Option<RelationOrigin>,
}

impl ErColumn {
    /// `PK`, `FK`, `fk` (inferred), `UK`, combined as `PK FK`.
    pub fn markers(&self) -> Vec<&'static str> {
        let mut markers = Vec::new();
        if self.primary_key {
            markers.push("PK");
        }
        match self.reference {
            Some(RelationOrigin::Declared) => markers.push("FK"),
            Some(_) => markers.push("fk"),
            None => {}
        }
        if self.unique && !self.primary_key {
            markers.push("UK");
        }
        markers
    }
}

/// One table of the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErTable {
    pub name: String,
    /// Exact row count, when it was asked for.
    pub rows: Option<u64>,
    pub columns: Vec<ErColumn>,
}

/// Tables and relations, in display order (better-auth tables first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErModel {
    pub tables: Vec<ErTable>,
    /// Only relations whose two tables are in `tables`.
    pub relations: Vec<Relation>,
}

impl ErModel {
    /// Position of a table by name.
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }
}

/// Input of [`load_er_model`].
#[derive(Debug, Clone, Copy)]
pub struct LoadErModel {
    /// Also show internal tables and migration trackers.
    pub include_internal: bool,
    /// Show the migration trackers (`d1_migrations`, `__drizzle_migrations`): the TUI does, as
    /// its tab bar lists them; the CLI only with `--all`.
    pub include_trackers: bool,
    /// Count each table's rows (a scan per table: run it off the UI thread).
    pub count_rows: bool,
}

/// Reads tables (not views), column kinds, row counts and relations.
pub fn load_er_model(conn: &Connection, input: &LoadErModel) -> Result<ErModel> {
    let mut infos = Vec::new();
    for summary in list_tables(conn, &ListTables { include_internal: input.include_internal })? {
        let tracker = TRACKER_TABLES.iter().any(|t| t.eq_ignore_ascii_case(&summary.name));
        if summary.relation == RelationType::Table && (input.include_internal || input.include_trackers || !tracker) {
            infos.push(describe_table(conn, &DescribeTable { name: &summary.name })?);
        }
    }
    let relations = relations_of_tables(conn, &infos)?;
    let mut tables = Vec::with_capacity(infos.len());
    for info in &infos {
        let kinds = infer_kinds(conn, info)?;
        let rows = if input.count_rows { Some(count_rows(conn, &CountRows { table: &info.name })?) } else { None };
        let columns = info
            .columns
            .iter()
            .zip(kinds)
            .map(|(column, kind)| {
                let reference = relations
                    .iter()
                    .filter(|r| r.from_table == info.name && r.from_columns.contains(&column.name))
                    .map(|r| (r.origin, r.to_table.as_str()))
                    .min_by_key(|(origin, _)| origin.is_inferred());
                let kind_label = match (&reference, &kind) {
                    (Some((_, table)), _) => format!("→ {table}"),
                    (None, ColumnKind::Enum { .. }) => "enum".to_string(),
                    (None, other) => other.label().to_string(),
                };
                let enum_values = match kind {
                    ColumnKind::Enum { values } => values,
                    _ => Vec::new(),
                };
                ErColumn {
                    name: column.name.clone(),
                    decl_type: column.decl_type.clone(),
                    kind_label,
                    enum_values,
                    primary_key: column.pk_position > 0,
                    unique: info.is_unique(&column.name),
                    reference: reference.map(|(origin, _)| origin),
                }
            })
            .collect();
        tables.push(ErTable { name: info.name.clone(), rows, columns });
    }
    Ok(ErModel { tables, relations })
}
