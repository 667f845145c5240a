//! What the ER diagram shows, read from the database once: tables with their columns, row
//! counts and markers, and the relations between them. Layout and renderers are pure functions
//! of this model.

use anyhow::Result;
use rusqlite::types::Value;
use serde::Serialize;

use crate::db::backend::{Backend, Statement};
use crate::db::kinds::{ColumnKind, classify_column, infer_kinds};
use crate::db::relations::{Relation, RelationOrigin, relations_of_tables};
use crate::db::schema::{
    CountRows, DescribeTable, ListTables, RelationType, TableInfo, count_rows, describe_table, list_tables, quote_ident,
};

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
    /// Row count, when it was asked for.
    pub rows: Option<u64>,
    /// `rows` is an estimate (`max(rowid)`, on a remote database that bills rows read), shown `~N`.
    pub rows_estimated: bool,
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

/// How a remote database's rows are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteCounts {
    /// `~N` from `max(rowid)`: one row read per table.
    Estimate,
    /// `count(*)`: reads (and bills) every row.
    Exact,
}

/// Reads tables (not views), column kinds, row counts and relations. On a remote database
/// (billed by rows read, every statement a round trip) the schema is one request, kinds come
/// from names and types only (no value samples) and counts are `~N` estimates.
pub fn load_er_model<B: Backend + ?Sized>(db: &B, input: &LoadErModel) -> Result<ErModel> {
    load_er_model_counted(db, input, RemoteCounts::Estimate)
}

/// [`load_er_model`], choosing how a remote database's rows are counted.
pub fn load_er_model_counted<B: Backend + ?Sized>(
    db: &B,
    input: &LoadErModel,
    remote_counts: RemoteCounts,
) -> Result<ErModel> {
    let remote = db.capabilities().remote;
    let keep = |name: &str| {
        let tracker = TRACKER_TABLES.iter().any(|t| t.eq_ignore_ascii_case(name));
        input.include_internal || input.include_trackers || !tracker
    };
    let mut infos = Vec::new();
    if remote {
        infos = db.describe()?;
        infos.retain(|t| t.relation == RelationType::Table && keep(&t.name));
    } else {
        for summary in list_tables(db, &ListTables { include_internal: input.include_internal })? {
            if summary.relation == RelationType::Table && keep(&summary.name) {
                infos.push(describe_table(db, &DescribeTable { name: &summary.name })?);
            }
        }
    }
    let relations = relations_of_tables(db, &infos)?;
    let remote_rows = match (remote, input.count_rows) {
        (true, true) => remote_row_counts(db, &infos, remote_counts)?,
        _ => vec![None; infos.len()],
    };
    let mut tables = Vec::with_capacity(infos.len());
    for (info, remote_rows) in infos.iter().zip(remote_rows) {
        let kinds = if remote {
            info.columns.iter().map(|c| classify_column(info, &c.name, &c.decl_type, &[])).collect()
        } else {
            infer_kinds(db, info)?
        };
        let rows = match (remote, input.count_rows) {
            (true, _) => remote_rows,
            (false, true) => Some(count_rows(db, &CountRows { table: &info.name })?),
            (false, false) => None,
        };
        let rows_estimated = remote && remote_counts == RemoteCounts::Estimate && rows.is_some();
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
        tables.push(ErTable { name: info.name.clone(), rows, rows_estimated, columns });
    }
    Ok(ErModel { tables, relations })
}

/// Every table's rows in ONE statement of scalar subqueries: `max(rowid)` reads one row per
/// table, `count(*)` every row. WITHOUT ROWID tables have no estimate.
fn remote_row_counts<B: Backend + ?Sized>(
    db: &B,
    infos: &[TableInfo],
    counts: RemoteCounts,
) -> Result<Vec<Option<u64>>> {
    let parts: Vec<(usize, String)> = infos
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match (counts, t.without_rowid) {
            (RemoteCounts::Exact, _) => Some((i, format!("(SELECT count(*) FROM {})", quote_ident(&t.name)))),
            (RemoteCounts::Estimate, false) => {
                Some((i, format!("(SELECT coalesce(max(rowid), 0) FROM {})", quote_ident(&t.name))))
            }
            (RemoteCounts::Estimate, true) => None,
        })
        .collect();
    let mut rows = vec![None; infos.len()];
    if parts.is_empty() {
        return Ok(rows);
    }
    let sql = format!("SELECT {}", parts.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join(", "));
    let values = db.query(&Statement::plain(sql))?.rows.into_iter().next().unwrap_or_default();
    for ((i, _), value) in parts.iter().zip(values) {
        rows[*i] = match value {
            Value::Integer(n) => Some(n.max(0) as u64),
            Value::Real(f) => Some(f.max(0.0) as u64),
            _ => None,
        };
    }
    Ok(rows)
}
