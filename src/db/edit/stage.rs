//! Turning what the grid loaded and what the user typed into [`StagedChange`] values.

use rusqlite::types::Value;

use super::values::{is_rowid_alias, updated_at_column, validate_value};
use super::{ColumnValues, ROWID, RowIdentity, StagedChange, row_identity};
use crate::db::kinds::ColumnKind;
use crate::db::schema::{RelationType, TableInfo};

/// A row as the grid loaded it.
#[derive(Debug, Clone, Copy)]
pub struct LoadedRow<'a> {
    /// Column names, in the order of `values`.
    pub columns: &'a [String],
    pub values: &'a [Value],
    /// The paging cursor's key (`page::Cursor::key`): for rowid tables, the rowid.
    pub cursor_key: &'a [Value],
}

impl LoadedRow<'_> {
    fn get(&self, column: &str) -> Option<&Value> {
        self.columns.iter().position(|c| c == column).and_then(|i| self.values.get(i))
    }
}

/// The key of a loaded row, as [`StagedChange`] carries it.
pub fn row_key(info: &TableInfo, row: &LoadedRow) -> Result<ColumnValues, String> {
    match row_identity(info)? {
        RowIdentity::PrimaryKey(columns) => columns
            .iter()
            .map(|column| {
                row.get(column)
                    .map(|value| (column.clone(), value.clone()))
                    .ok_or_else(|| format!("the loaded row lacks the key column {column}"))
            })
            .collect(),
        RowIdentity::Rowid => match row.cursor_key {
            [rowid @ Value::Integer(_)] => Ok(vec![(ROWID.to_string(), rowid.clone())]),
            _ => Err(format!("the loaded row of {} carries no rowid", info.name)),
        },
    }
}

/// Stages setting `column` of a loaded row to `new`, after checking the value
/// ([`validate_value`]). The loaded `updatedAt` is kept as an expectation, so the commit notices
/// when another process touched the row.
pub fn stage_update(
    info: &TableInfo,
    kinds: &[ColumnKind],
    row: &LoadedRow,
    column: &str,
    new: Value,
) -> Result<StagedChange, String> {
    let key = row_key(info, row)?;
    validate_value(info, kinds, column, &new)?;
    let old = row.get(column).cloned().ok_or_else(|| format!("the loaded row lacks the column {column}"))?;
    let mut expected = Vec::new();
    if let Some((updated_at, _)) = updated_at_column(info, kinds)
        && updated_at != column
        && let Some(value) = row.get(updated_at)
    {
        expected.push((updated_at.to_string(), value.clone()));
    }
    Ok(StagedChange::Update { table: info.name.clone(), key, column: column.to_string(), old, new, expected })
}

/// Stages deleting a loaded row. Every loaded value becomes an expectation: a row that changed
/// since it was shown is not deleted blindly.
pub fn stage_delete(info: &TableInfo, row: &LoadedRow) -> Result<StagedChange, String> {
    let key = row_key(info, row)?;
    let expected = row.columns.iter().cloned().zip(row.values.iter().cloned()).collect();
    Ok(StagedChange::Delete { table: info.name.clone(), key, expected })
}

/// Stages a new row from the insert form: `None` fields are left to their DEFAULT. Refuses
/// invalid values and NOT NULL columns that would be left empty, naming each problem.
pub fn stage_insert(
    info: &TableInfo,
    kinds: &[ColumnKind],
    fields: &[(String, Option<Value>)],
) -> Result<StagedChange, String> {
    if info.relation == RelationType::View {
        return Err(format!("{} is a view: views are read-only", info.name));
    }
    let values: ColumnValues =
        fields.iter().filter_map(|(column, value)| value.clone().map(|value| (column.clone(), value))).collect();
    let mut problems: Vec<String> =
        values.iter().filter_map(|(column, value)| validate_value(info, kinds, column, value).err()).collect();
    for column in &info.columns {
        let left_out = !values.iter().any(|(name, _)| *name == column.name);
        if left_out && column.not_null && column.default.is_none() && !column.generated && !is_rowid_alias(info, column)
        {
            problems.push(format!("{} needs a value (NOT NULL, no DEFAULT)", column.name));
        }
    }
    if problems.is_empty() {
        Ok(StagedChange::Insert { table: info.name.clone(), values })
    } else {
        Err(problems.join("; "))
    }
}
