//! What a delete takes with it: the rows that declared foreign keys delete in cascade (followed
//! recursively), the rows whose key is set to NULL, and the rows that block the delete.
//!
//! Rows are collected by identity (rowid, or primary key for WITHOUT ROWID tables) so a row
//! reached twice, or through a cycle, is counted once.

use std::collections::{HashMap, HashSet, VecDeque};

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::ColumnValues;
use crate::db::change::{ChangeOp, ColumnChange, RowChange};
use crate::db::schema::{
    DescribeTable, ForeignKey, ListTables, RelationType, describe_table, list_tables, quote_ident,
};

/// Rows bound per query, well under SQLite's limit on variables.
const CHUNK_ROWS: usize = 300;

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
pub fn cascade_preview(conn: &Connection, input: &CascadeInput) -> Result<CascadePreview> {
    ForeignKeyGraph::load(conn)?.preview(conn, input.table, input.keys)
}

/// The preview and every row the cascade deletes beyond `input.keys` themselves (read whole
/// before the delete runs), for the audit log of a DELETE typed in the SQL console.
pub fn cascade_rows(conn: &Connection, input: &CascadeInput) -> Result<(CascadePreview, Vec<RowChange>)> {
    ForeignKeyGraph::load(conn)?.preview_with_rows(conn, input.table, input.keys)
}

/// A hashable copy of a value, to tell rows apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RowIdPart {
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

type RowId = Vec<RowIdPart>;

/// One table's identity expressions (already quoted).
struct Node {
    name: String,
    id_exprs: Vec<String>,
}

/// Every table and every declared foreign key of the database.
pub(super) struct ForeignKeyGraph {
    nodes: Vec<Node>,
    /// (referencing table, its foreign key)
    edges: Vec<(String, ForeignKey)>,
}

impl ForeignKeyGraph {
    pub fn load(conn: &Connection) -> Result<Self> {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for table in list_tables(conn, &ListTables { include_internal: true })? {
            if table.relation != RelationType::Table {
                continue;
            }
            let info = describe_table(conn, &DescribeTable { name: &table.name })?;
            let id_exprs = if info.without_rowid {
                info.primary_key.iter().map(|c| quote_ident(c)).collect()
            } else {
                vec!["rowid".to_string()]
            };
            edges.extend(info.foreign_keys.into_iter().map(|fk| (info.name.clone(), fk)));
            nodes.push(Node { name: info.name, id_exprs });
        }
        Ok(ForeignKeyGraph { nodes, edges })
    }

    fn node(&self, table: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name.eq_ignore_ascii_case(table))
    }

    pub fn preview(&self, conn: &Connection, table: &str, keys: &[ColumnValues]) -> Result<CascadePreview> {
        Ok(self.walk(conn, table, keys)?.0)
    }

    /// The preview, and every row the cascade will delete along with `keys` (not those rows
    /// themselves), read whole before the delete runs, so the audit log can say what each held.
    pub fn preview_with_rows(
        &self,
        conn: &Connection,
        table: &str,
        keys: &[ColumnValues],
    ) -> Result<(CascadePreview, Vec<RowChange>)> {
        let (preview, reached) = self.walk(conn, table, keys)?;
        let mut rows = Vec::new();
        for (name, ids) in reached {
            let Some(node) = self.node(&name) else { continue };
            rows.extend(read_whole_rows(conn, node, &ids)?);
        }
        Ok((preview, rows))
    }

    /// The preview, and the rows the cascade reaches beyond the first table, per table in order.
    fn walk(&self, conn: &Connection, table: &str, keys: &[ColumnValues]) -> Result<(CascadePreview, Reached)> {
        let mut reached: Reached = Vec::new();
        let mut first = true;
        let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
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
            let rows = select_rows(conn, node, &needed, &columns, &tuples)?;
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
                        let ids: HashSet<RowId> = select_rows(conn, child_node, &[], &fk.columns, &parents)?
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
type Reached = Vec<(String, Vec<RowId>)>;

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

/// The rows of `node` with these identities, every column, as deletions keyed by primary key
/// (or rowid when the table has none).
fn read_whole_rows(conn: &Connection, node: &Node, ids: &[RowId]) -> Result<Vec<RowChange>> {
    let info = describe_table(conn, &DescribeTable { name: &node.name })?;
    let id_columns: Vec<String> = if info.without_rowid { info.primary_key.clone() } else { vec!["rowid".to_string()] };
    let mut changes = Vec::new();
    let tuples: Vec<Vec<Value>> = ids.iter().map(|id| id.iter().cloned().map(Value::from).collect()).collect();
    for chunk in tuples.chunks(CHUNK_ROWS) {
        let membership = if info.without_rowid {
            tuple_membership(&id_columns, chunk.len())
        } else {
            format!("rowid IN ({})", vec!["?"; chunk.len()].join(", "))
        };
        let sql = format!("SELECT rowid AS \"rowid\", * FROM {} WHERE {membership}", quote_ident(&node.name));
        let sql = if info.without_rowid { sql.replacen("rowid AS \"rowid\", ", "", 1) } else { sql };
        let mut stmt = conn.prepare(&sql)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
        let skip = usize::from(!info.without_rowid);
        let mut rows = stmt.query(params_from_iter(chunk.iter().flatten()))?;
        while let Some(row) = rows.next()? {
            let values: Vec<Value> =
                (0..names.len()).map(|i| row.get::<_, Value>(i)).collect::<rusqlite::Result<_>>()?;
            let columns: Vec<(String, Value)> = names.iter().cloned().zip(values.iter().cloned()).skip(skip).collect();
            let key: Vec<(String, Value)> = if info.primary_key.is_empty() {
                vec![(super::ROWID.to_string(), values[0].clone())]
            } else {
                info.primary_key.iter().filter_map(|pk| columns.iter().find(|(c, _)| c == pk).cloned()).collect()
            };
            changes.push(RowChange {
                table: node.name.clone(),
                op: ChangeOp::Delete,
                key,
                columns: columns
                    .into_iter()
                    .map(|(column, old)| ColumnChange { column, old, new: Value::Null })
                    .collect(),
            });
        }
    }
    Ok(changes)
}

fn add_count(counts: &mut Vec<TableCount>, table: &str, rows: u64) {
    match counts.iter_mut().find(|c| c.table == table) {
        Some(count) => count.rows += rows,
        None => counts.push(TableCount { table: table.to_string(), rows }),
    }
}

/// The identity and the `needed` columns of the rows of `node` whose `columns` match one of
/// `tuples`, queried in chunks.
fn select_rows(
    conn: &Connection,
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
    for chunk in tuples.chunks(CHUNK_ROWS) {
        let sql = format!(
            "SELECT {} FROM {} WHERE {}",
            select.join(", "),
            quote_ident(&node.name),
            tuple_membership(columns, chunk.len())
        );
        let mut stmt = conn.prepare(&sql)?;
        let params = chunk.iter().flatten();
        let id_len = node.id_exprs.len();
        let found = stmt.query_map(params_from_iter(params), |row| {
            let id =
                (0..id_len).map(|i| row.get::<_, Value>(i).map(RowIdPart::from)).collect::<rusqlite::Result<_>>()?;
            let values = (0..needed.len()).map(|i| row.get::<_, Value>(id_len + i)).collect::<rusqlite::Result<_>>()?;
            Ok((id, values))
        })?;
        for row in found {
            rows.push(row?);
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
