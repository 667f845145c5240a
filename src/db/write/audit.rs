//! Audit entries built in one place, from rows a batch read before and after its writes.

use rusqlite::types::Value;

use crate::db::backend::Rows;
use crate::db::change::{ChangeOp, ColumnChange, RowChange};

/// A row read inside a batch, split into its key and its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedRow {
    pub table: String,
    pub key: Vec<(String, Value)>,
    pub columns: Vec<(String, Value)>,
}

/// The rows of a `SELECT <key columns>, * FROM table ...` step: the first `key_columns.len()`
/// values are the key, the rest the row as stored.
pub fn keyed_rows(table: &str, key_columns: &[String], rows: &Rows) -> Vec<KeyedRow> {
    let width = key_columns.len();
    rows.rows
        .iter()
        .map(|row| KeyedRow {
            table: table.to_string(),
            key: key_columns.iter().cloned().zip(row.iter().take(width).cloned()).collect(),
            columns: rows.columns.iter().skip(width).cloned().zip(row.iter().skip(width).cloned()).collect(),
        })
        .collect()
}

fn same_row(a: &KeyedRow, b: &KeyedRow) -> bool {
    a.table == b.table && a.key == b.key
}

/// What changed between the rows read `before` the writes and `after` them: a row in both with
/// other values is an update (only the columns that differ), a row only before was deleted, a
/// row only after was inserted. A row read twice counts once (its first read before, its last
/// after). Nothing is claimed that the rows do not show.
pub fn diff_rows(before: &[KeyedRow], after: &[KeyedRow]) -> Vec<RowChange> {
    let mut seen: Vec<&KeyedRow> = Vec::new();
    let mut changes = Vec::new();
    for old in before {
        if seen.iter().any(|s| same_row(s, old)) {
            continue;
        }
        seen.push(old);
        let new = after.iter().rev().find(|row| same_row(row, old));
        let (op, columns) = match new {
            Some(new) => {
                let changed: Vec<ColumnChange> = old
                    .columns
                    .iter()
                    .zip(&new.columns)
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((column, a), (_, b))| ColumnChange {
                        column: column.clone(),
                        old: a.clone(),
                        new: b.clone(),
                    })
                    .collect();
                if changed.is_empty() {
                    continue;
                }
                (ChangeOp::Update, changed)
            }
            None => (ChangeOp::Delete, deleted_columns(&old.columns)),
        };
        changes.push(RowChange { table: old.table.clone(), op, key: old.key.clone(), columns });
    }
    for new in after {
        if seen.iter().any(|s| same_row(s, new)) {
            continue;
        }
        seen.push(new);
        let columns = new
            .columns
            .iter()
            .map(|(c, v)| ColumnChange { column: c.clone(), old: Value::Null, new: v.clone() })
            .collect();
        changes.push(RowChange { table: new.table.clone(), op: ChangeOp::Insert, key: new.key.clone(), columns });
    }
    changes
}

/// Rows a batch deleted, each with what it held.
pub fn deleted_rows(rows: &[KeyedRow]) -> Vec<RowChange> {
    rows.iter()
        .map(|row| RowChange {
            table: row.table.clone(),
            op: ChangeOp::Delete,
            key: row.key.clone(),
            columns: deleted_columns(&row.columns),
        })
        .collect()
}

fn deleted_columns(columns: &[(String, Value)]) -> Vec<ColumnChange> {
    columns.iter().map(|(c, v)| ColumnChange { column: c.clone(), old: v.clone(), new: Value::Null }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(table: &str, id: &str, name: &str) -> KeyedRow {
        KeyedRow {
            table: table.into(),
            key: vec![("id".into(), Value::Text(id.into()))],
            columns: vec![("id".into(), Value::Text(id.into())), ("name".into(), Value::Text(name.into()))],
        }
    }

    #[test]
    fn before_and_after_become_updates_deletes_and_inserts() {
        let before = [row("user", "a", "Ada"), row("session", "s", "x"), row("user", "a", "Ada")];
        let after = [row("user", "a", "Ada L."), row("user", "b", "Bob")];
        let changes = diff_rows(&before, &after);
        let ops: Vec<(&str, ChangeOp)> = changes.iter().map(|c| (c.table.as_str(), c.op)).collect();
        assert_eq!(ops, [("user", ChangeOp::Update), ("session", ChangeOp::Delete), ("user", ChangeOp::Insert)]);
        assert_eq!(changes[0].columns.len(), 1, "only the column that changed");
    }
}
