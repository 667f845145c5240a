//! What a delete takes with it: the rows that declared foreign keys delete in cascade (followed
//! recursively), the rows whose key is set to NULL, and the rows that block the delete.
//!
//! Rows are collected by identity (rowid, or primary key for WITHOUT ROWID tables) so a row
//! reached twice, or through a cycle, is counted once.

use std::collections::{HashMap, HashSet, VecDeque};

use anyhow::Result;
use rusqlite::types::Value;

use super::ColumnValues;
use crate::db::backend::{Backend, Statement};
use crate::db::change::RowChange;
use crate::db::schema::{ForeignKey, RelationType, quote_ident};
use crate::db::write::{KeyedRow, deleted_rows, keyed_rows};

/// Values bound per query: under D1's 100 bound parameters per statement (and far under
/// SQLite's own limit).
const CHUNK_PARAMS: usize = 90;

/// Input of [`cascade_preview`].
pub struct CascadeInput<'a> {
    pub table: &'a str,
    /// The keys of the rows to delete, as [`super::StagedChange::Delete`] carries them.
    pub keys: &'a [ColumnValues],
}

/// Rows of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub rows: u64,
}

/// Rows of one table reached through one foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnCount {
    pub table: String,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The foreign key's ON DELETE action as SQLite reports it (`SET NULL`, `RESTRICT`, ...).
    pub action: String,
    pub rows: u64,
}

/// What deleting some rows would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CascadePreview {
    /// Rows deleted per table: the table asked about first (rows that exist), then in the order
    /// the cascade reaches them.
    pub deletes: Vec<TableCount>,
    /// Rows kept but whose foreign key is set to NULL (or its DEFAULT).
    pub set_null: Vec<ColumnCount>,
    /// Rows that still reference a deleted row without a cascade (RESTRICT / NO ACTION): the
    /// delete would fail on them.
    pub blocked: Vec<ColumnCount>,
    /// Whether `PRAGMA foreign_keys` is on; when off, nothing cascades.
    pub foreign_keys_enforced: bool,
}

impl CascadePreview {
    /// Rows deleted in all, cascades included.
    pub fn total_deleted(&self) -> u64 {
        self.deletes.iter().map(|d| d.rows).sum()
    }

    /// "deletes 1 user, 3 sessions, 1 account; sets NULL in 2 post rows; blocked by 1 invoice row".
    pub fn summary(&self) -> String {
        let deletes: Vec<String> = self.deletes.iter().map(|d| plural(d.rows, &d.table)).collect();
        let mut text =
            format!("deletes {}", if deletes.is_empty() { "nothing".to_string() } else { deletes.join(", ") });
        let rows_of = |counts: &[ColumnCount]| -> String {
            counts
                .iter()
                .map(|c| format!("{} ({})", plural(c.rows, &format!("{} row", c.table)), c.columns.join(", ")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.set_null.is_empty() {
            text.push_str(&format!("; sets NULL in {}", rows_of(&self.set_null)));
        }
        if !self.blocked.is_empty() {
            text.push_str(&format!("; blocked by {}", rows_of(&self.blocked)));
        }
        text
    }
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// Counts what deleting `input.keys` from `input.table` would delete, set NULL or be blocked by,
/// following ON DELETE CASCADE recursively. Reads only; every value is bound.
pub fn cascade_preview<B: Backend + ?Sized>(db: &B, input: &CascadeInput) -> Result<CascadePreview> {
    ForeignKeyGraph::load(db)?.preview(db, input.table, input.keys)
}

/// The preview and every row the cascade deletes beyond `input.keys` themselves (read whole
/// before the delete runs), for the audit log of a DELETE typed in the SQL console.
pub fn cascade_rows<B: Backend + ?Sized>(db: &B, input: &CascadeInput) -> Result<(CascadePreview, Vec<RowChange>)> {
    ForeignKeyGraph::load(db)?.preview_with_rows(db, input.table, input.keys)
}

/// A hashable copy of a value, to tell rows apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum RowIdPart {
    Null,
    Integer(i64),
    Real(u64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<Value> for RowIdPart {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => RowIdPart::Null,
            Value::Integer(n) => RowIdPart::Integer(n),
            Value::Real(f) => RowIdPart::Real(f.to_bits()),
            Value::Text(text) => RowIdPart::Text(text),
            Value::Blob(bytes) => RowIdPart::Blob(bytes),
        }
    }
}

pub(super) type RowId = Vec<RowIdPart>;

/// One table's identity expressions (already quoted).
struct Node {
    name: String,
    id_exprs: Vec<String>,
    without_rowid: bool,
    primary_key: Vec<String>,
}

/// Every table and every declared foreign key of the database.
pub(super) struct ForeignKeyGraph {
    nodes: Vec<Node>,
    /// (referencing table, its foreign key)
    edges: Vec<(String, ForeignKey)>,
}

impl ForeignKeyGraph {
    /// Reads the graph in one call to [`Backend::describe`] (one round trip on a remote).
    pub fn load<B: Backend + ?Sized>(db: &B) -> Result<Self> {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for info in db.describe()? {
            if info.relation != RelationType::Table {
                continue;
            }
            let id_exprs = if info.without_rowid {
                info.primary_key.iter().map(|c| quote_ident(c)).collect()
            } else {
                vec!["rowid".to_string()]
            };
            edges.extend(info.foreign_keys.into_iter().map(|fk| (info.name.clone(), fk)));
            nodes.push(Node {
                name: info.name,
                id_exprs,
                without_rowid: info.without_rowid,
                primary_key: info.primary_key,
            });
        }
        Ok(ForeignKeyGraph { nodes, edges })
    }

    fn node(&self, table: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name.eq_ignore_ascii_case(table))
    }

    pub fn preview<B: Backend + ?Sized>(&self, db: &B, table: &str, keys: &[ColumnValues]) -> Result<CascadePreview> {
        Ok(self.walk(db, table, keys)?.0)
    }

    /// The preview, and every row the cascade will delete along with `keys` (not those rows
    /// themselves), read whole before the delete runs, so the audit log can say what each held.
    pub fn preview_with_rows<B: Backend + ?Sized>(
        &self,
        db: &B,
        table: &str,
        keys: &[ColumnValues],
    ) -> Result<(CascadePreview, Vec<RowChange>)> {
        let (preview, reached) = self.walk(db, table, keys)?;
        let mut rows = Vec::new();
        for statement in self.whole_rows_statements(&reached) {
            let read = db.query(&statement.statement)?;
            rows.extend(deleted_rows(&statement.rows(&read)));
        }
        Ok((preview, rows))
    }

    /// The statements that read every row `reached` whole, keyed by primary key (or rowid): a
    /// commit runs them inside its batch, just before the delete, so the audit records what each
    /// row held when it went.
    pub fn whole_rows_statements(&self, reached: &Reached) -> Vec<WholeRows> {
        let mut statements = Vec::new();
        for (name, ids) in reached {
            let Some(node) = self.node(name) else { continue };
            let tuples: Vec<Vec<Value>> = ids.iter().map(|id| id.iter().cloned().map(Value::from).collect()).collect();
            let width = node.id_exprs.len().max(1);
            for chunk in tuples.chunks((CHUNK_PARAMS / width).max(1)) {
                statements.push(whole_rows_statement(node, chunk));
            }
        }
        statements
    }

    /// The preview, and the rows the cascade reaches beyond the first table, per table in order.
    /// The walk reads level by level (each query depends on the rows the last one found), so it
    /// cannot ride inside a batch: a commit walks before its batch.
    pub fn walk<B: Backend + ?Sized>(
        &self,
        db: &B,
        table: &str,
        keys: &[ColumnValues],
    ) -> Result<(CascadePreview, Reached)> {
        let mut reached: Reached = Vec::new();
        let mut first = true;
        let enforced = db
            .query(&Statement::plain("PRAGMA foreign_keys"))?
            .scalar()
            .is_some_and(|v| matches!(v, Value::Integer(n) if *n != 0));
        let mut preview = CascadePreview { foreign_keys_enforced: enforced, ..CascadePreview::default() };
        let mut deleted: HashMap<String, HashSet<RowId>> = HashMap::new();
        // Rows reached through SET NULL / RESTRICT keys, counted at the end: a row that the
        // cascade deletes anyway is neither updated nor blocking.
        let mut set_null: Vec<(ColumnCount, HashSet<RowId>)> = Vec::new();
        let mut blockers: Vec<(ColumnCount, HashSet<RowId>)> = Vec::new();
        let mut queue: VecDeque<(String, Vec<String>, Vec<Vec<Value>>)> = VecDeque::new();
        let root_columns: Vec<String> =
            keys.first().map(|k| k.iter().map(|(c, _)| c.clone()).collect()).unwrap_or_default();
        let root_tuples = keys.iter().map(|k| k.iter().map(|(_, v)| v.clone()).collect()).collect();
        queue.push_back((table.to_string(), root_columns, root_tuples));
        while let Some((table, columns, tuples)) = queue.pop_front() {
            let Some(node) = self.node(&table) else { continue };
            let referencing: Vec<&(String, ForeignKey)> =
                self.edges.iter().filter(|(_, fk)| fk.ref_table.eq_ignore_ascii_case(&node.name)).collect();
            let mut needed: Vec<String> = Vec::new();
            for (_, fk) in &referencing {
                for column in &fk.ref_columns {
                    if !needed.contains(column) {
                        needed.push(column.clone());
                    }
                }
            }
            let rows = select_rows(db, node, &needed, &columns, &tuples)?;
            let seen = deleted.entry(node.name.to_lowercase()).or_default();
            let (fresh_ids, fresh): (Vec<RowId>, Vec<Vec<Value>>) =
                rows.into_iter().filter(|(id, _)| seen.insert(id.clone())).unzip();
            add_count(&mut preview.deletes, &node.name, fresh.len() as u64);
            if !std::mem::take(&mut first) && enforced && !fresh_ids.is_empty() {
                match reached.iter_mut().find(|(t, _)| *t == node.name) {
                    Some((_, ids)) => ids.extend(fresh_ids),
                    None => reached.push((node.name.clone(), fresh_ids)),
                }
            }
            if !enforced || fresh.is_empty() {
                continue;
            }
            for (child, fk) in referencing {
                let positions: Vec<usize> =
                    fk.ref_columns.iter().filter_map(|c| needed.iter().position(|n| n == c)).collect();
                let mut parents: Vec<Vec<Value>> = Vec::new();
                for row in &fresh {
                    let tuple: Vec<Value> = positions.iter().map(|&i| row[i].clone()).collect();
                    // NULL never matches a foreign key, and a tuple is looked up once.
                    if !tuple.iter().any(|v| matches!(v, Value::Null)) && !parents.contains(&tuple) {
                        parents.push(tuple);
                    }
                }
                if parents.is_empty() {
                    continue;
                }
                let Some(child_node) = self.node(child) else { continue };
                match fk.on_delete.to_ascii_uppercase().as_str() {
                    "CASCADE" => queue.push_back((child.clone(), fk.columns.clone(), parents)),
                    action => {
                        let ids: HashSet<RowId> = select_rows(db, child_node, &[], &fk.columns, &parents)?
                            .into_iter()
                            .map(|(id, _)| id)
                            .collect();
                        let count = ColumnCount {
                            table: child_node.name.clone(),
                            columns: fk.columns.clone(),
                            action: action.to_string(),
                            rows: 0,
                        };
                        let reached =
                            if action == "SET NULL" || action == "SET DEFAULT" { &mut set_null } else { &mut blockers };
                        match reached.iter_mut().find(|(c, _)| c.table == count.table && c.columns == count.columns) {
                            Some((_, known)) => known.extend(ids),
                            None => reached.push((count, ids)),
                        }
                    }
                }
            }
        }
        // Tables the cascade reached without finding rows say nothing; the table asked about stays.
        let mut position = 0;
        preview.deletes.retain(|count| {
            position += 1;
            position == 1 || count.rows > 0
        });
        let surviving = |reached: Vec<(ColumnCount, HashSet<RowId>)>| -> Vec<ColumnCount> {
            reached
                .into_iter()
                .filter_map(|(count, ids)| {
                    let gone = deleted.get(&count.table.to_lowercase());
                    let left = ids.iter().filter(|id| gone.is_none_or(|g| !g.contains(*id))).count() as u64;
                    (left > 0).then_some(ColumnCount { rows: left, ..count })
                })
                .collect()
        };
        preview.set_null = surviving(set_null);
        preview.blocked = surviving(blockers);
        Ok((preview, reached))
    }
}

/// Rows reached by a cascade: per table, their identities.
pub(super) type Reached = Vec<(String, Vec<RowId>)>;

impl From<RowIdPart> for Value {
    fn from(part: RowIdPart) -> Self {
        match part {
            RowIdPart::Null => Value::Null,
            RowIdPart::Integer(n) => Value::Integer(n),
            RowIdPart::Real(bits) => Value::Real(f64::from_bits(bits)),
            RowIdPart::Text(text) => Value::Text(text),
            RowIdPart::Blob(bytes) => Value::Blob(bytes),
        }
    }
}

/// A statement reading some rows of one table whole, and how to key what it returns.
pub(super) struct WholeRows {
    pub statement: Statement,
    table: String,
    key_columns: Vec<String>,
}

impl WholeRows {
    /// The rows the statement returned, keyed by primary key (or rowid when there is none).
    pub fn rows(&self, read: &crate::db::backend::Rows) -> Vec<KeyedRow> {
        keyed_rows(&self.table, &self.key_columns, read)
    }
}

/// `SELECT <key>, * FROM node WHERE <identity> IN (...)` for these identities.
fn whole_rows_statement(node: &Node, ids: &[Vec<Value>]) -> WholeRows {
    let key_columns: Vec<String> =
        if node.primary_key.is_empty() { vec![super::ROWID.to_string()] } else { node.primary_key.clone() };
    let membership = if node.without_rowid {
        tuple_membership(&node.primary_key, ids.len())
    } else {
        format!("rowid IN ({})", vec!["?"; ids.len()].join(", "))
    };
    let select: Vec<String> = key_columns.iter().map(|c| quote_ident(c)).collect();
    let sql = format!("SELECT {}, * FROM {} WHERE {membership}", select.join(", "), quote_ident(&node.name));
    WholeRows {
        statement: Statement::new(sql, ids.iter().flatten().cloned().collect()),
        table: node.name.clone(),
        key_columns,
    }
}

fn add_count(counts: &mut Vec<TableCount>, table: &str, rows: u64) {
    match counts.iter_mut().find(|c| c.table == table) {
        Some(count) => count.rows += rows,
        None => counts.push(TableCount { table: table.to_string(), rows }),
    }
}

/// The identity and the `needed` columns of the rows of `node` whose `columns` match one of
/// `tuples`, queried in chunks.
fn select_rows<B: Backend + ?Sized>(
    db: &B,
    node: &Node,
    needed: &[String],
    columns: &[String],
    tuples: &[Vec<Value>],
) -> Result<Vec<(RowId, Vec<Value>)>> {
    let mut rows = Vec::new();
    if columns.is_empty() {
        return Ok(rows);
    }
    let select: Vec<String> = node.id_exprs.iter().cloned().chain(needed.iter().map(|c| quote_ident(c))).collect();
    let id_len = node.id_exprs.len();
    for chunk in tuples.chunks((CHUNK_PARAMS / columns.len()).max(1)) {
        let sql = format!(
            "SELECT {} FROM {} WHERE {}",
            select.join(", "),
            quote_ident(&node.name),
            tuple_membership(columns, chunk.len())
        );
        let found = db.query(&Statement::new(sql, chunk.iter().flatten().cloned().collect()))?;
        for row in found.rows {
            let id = row.iter().take(id_len).cloned().map(RowIdPart::from).collect();
            let values = row.into_iter().skip(id_len).collect();
            rows.push((id, values));
        }
    }
    Ok(rows)
}

/// `"a" IN (?, ?)` or `("a", "b") IN (VALUES (?, ?), (?, ?))`.
fn tuple_membership(columns: &[String], count: usize) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    if let [column] = quoted.as_slice() {
        return format!("{column} IN ({})", vec!["?"; count].join(", "));
    }
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    format!("({}) IN (VALUES {})", quoted.join(", "), vec![row; count].join(", "))
}
