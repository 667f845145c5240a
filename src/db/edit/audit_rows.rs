//! A commit's applied columns regrouped into rows, the shape the audit log records.

use rusqlite::types::Value;

use super::{AppliedChange, ChangeAction, StagedChange};
use crate::db::change::{ChangeOp, ColumnChange, RowChange};

/// Groups consecutive applied columns of one row into one [`RowChange`].
pub fn row_changes(applied: &[AppliedChange]) -> Vec<RowChange> {
    let mut rows: Vec<RowChange> = Vec::new();
    for change in applied {
        let op = match change.action {
            ChangeAction::Insert => ChangeOp::Insert,
            ChangeAction::Update => ChangeOp::Update,
            ChangeAction::Delete => ChangeOp::Delete,
        };
        let same_row =
            rows.last().is_some_and(|row| row.op == op && row.table == change.table && row.key == change.key);
        if !same_row {
            rows.push(RowChange { table: change.table.clone(), op, key: change.key.clone(), columns: Vec::new() });
        }
        if let (Some(row), Some(column)) = (rows.last_mut(), &change.column) {
            row.columns.push(ColumnChange { column: column.clone(), old: change.old.clone(), new: change.new.clone() });
        }
    }
    rows
}

/// Staged (never committed) changes in the audit log's shape, for recording that they were
/// discarded: an update's old and new value, an insert's values, a delete's loaded row.
pub fn staged_row_changes(staged: &[StagedChange]) -> Vec<RowChange> {
    let column = |(column, value): &(String, Value), inserted: bool| {
        let (old, new) = if inserted { (Value::Null, value.clone()) } else { (value.clone(), Value::Null) };
        ColumnChange { column: column.clone(), old, new }
    };
    staged
        .iter()
        .map(|change| match change {
            StagedChange::Update { table, key, column, old, new, .. } => RowChange {
                table: table.clone(),
                op: ChangeOp::Update,
                key: key.clone(),
                columns: vec![ColumnChange { column: column.clone(), old: old.clone(), new: new.clone() }],
            },
            StagedChange::Insert { table, values } => RowChange {
                table: table.clone(),
                op: ChangeOp::Insert,
                key: Vec::new(),
                columns: values.iter().map(|value| column(value, true)).collect(),
            },
            StagedChange::Delete { table, key, expected } => RowChange {
                table: table.clone(),
                op: ChangeOp::Delete,
                key: key.clone(),
                columns: expected.iter().map(|value| column(value, false)).collect(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value;

    use super::*;

    fn applied(action: ChangeAction, key: &str, column: &str) -> AppliedChange {
        AppliedChange {
            action,
            table: "user".into(),
            key: vec![("id".into(), Value::Text(key.into()))],
            column: Some(column.into()),
            old: Value::Null,
            new: Value::Integer(1),
            secret: false,
        }
    }

    #[test]
    fn columns_of_one_row_become_one_entry() {
        let rows = row_changes(&[
            applied(ChangeAction::Update, "a", "name"),
            applied(ChangeAction::Update, "a", "updatedAt"),
            applied(ChangeAction::Delete, "b", "name"),
        ]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].columns.len(), 2);
        assert_eq!(rows[1].op, ChangeOp::Delete);
    }
}
