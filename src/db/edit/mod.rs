//! Editing rows. Changes are staged as plain values ([`StagedChange`]), shown as SQL
//! ([`preview_changes`]) and written all together in one transaction ([`commit_changes`]).
//!
//! Every UPDATE and DELETE also checks that the row still holds the values squall loaded
//! (optimistic concurrency): when another process changed it meanwhile, nothing is written and
//! the error says, per row, what was expected and what is there now ([`RowConflicts`]).
//!
//! Rows are keyed by their primary key, or by `rowid` where there is none ([`row_identity`]).

mod audit_rows;
mod cascade;
mod commit;
mod constraints;
mod plan;
mod stage;
mod values;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::page::RowKey;
use super::schema::TableInfo;

pub use super::conflict::{ColumnConflict, RowConflict, RowConflicts};
pub use audit_rows::{row_changes, staged_row_changes};
pub use cascade::{CascadeInput, CascadePreview, ColumnCount, TableCount, cascade_preview, cascade_rows};
pub use commit::{commit_changes, find_staged_conflicts};
pub use constraints::{CheckChange, CheckRow, check_change, check_row};
pub use plan::preview_changes;
pub use stage::{LoadedRow, row_key, stage_delete, stage_insert, stage_update};
pub use values::{InsertTemplate, insert_template, is_stamp_column, restamp, updated_at_column, validate_value};

/// Column names with values: a row key, the values of an insert, the values a row was loaded with.
pub type ColumnValues = Vec<(String, Value)>;

/// The name rows of tables without a primary key are keyed by.
pub const ROWID: &str = "rowid";

/// How the rows of a table are told apart when writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowIdentity {
    /// The declared primary key columns, in key order.
    PrimaryKey(Vec<String>),
    /// SQLite's implicit rowid (an ordinary table without a primary key).
    Rowid,
}

impl RowIdentity {
    /// The column names a key of this identity holds, in order.
    pub fn columns(&self) -> Vec<String> {
        match self {
            RowIdentity::PrimaryKey(columns) => columns.clone(),
            RowIdentity::Rowid => vec![ROWID.to_string()],
        }
    }
}

/// How rows of `info` are identified for editing, or why the table cannot be edited.
/// Builds on the paging key ([`RowKey::for_table`]) so the grid and the editor agree.
pub fn row_identity(info: &TableInfo) -> Result<RowIdentity, String> {
    match RowKey::for_table(info) {
        RowKey::Position => Err(format!("{} is a view: views are read-only", info.name)),
        RowKey::Columns(columns) if columns.is_empty() => {
            Err(format!("{} is a WITHOUT ROWID table without a primary key: its rows cannot be told apart", info.name))
        }
        RowKey::Columns(columns) => Ok(RowIdentity::PrimaryKey(columns)),
        RowKey::Rowid if !info.primary_key.is_empty() => Ok(RowIdentity::PrimaryKey(info.primary_key.clone())),
        RowKey::Rowid if info.columns.iter().any(|c| c.name.eq_ignore_ascii_case(ROWID)) => Err(format!(
            "{} has no primary key and a column named rowid hides SQLite's row id: its rows cannot be told apart",
            info.name
        )),
        RowKey::Rowid => Ok(RowIdentity::Rowid),
    }
}

/// One change waiting to be committed. Values are exactly what will be bound.
#[derive(Debug, Clone, PartialEq)]
pub enum StagedChange {
    /// Set one cell of one row.
    Update {
        table: String,
        /// The row's key ([`row_identity`]) as loaded.
        key: ColumnValues,
        column: String,
        /// The value loaded: the row must still hold it (unless overwriting).
        old: Value,
        new: Value,
        /// Other loaded values the row must still hold, typically `updatedAt`.
        expected: ColumnValues,
    },
    /// Add a row. Columns left out get their DEFAULT.
    Insert { table: String, values: ColumnValues },
    /// Remove one row (foreign keys may cascade; see [`cascade_preview`]).
    Delete {
        table: String,
        key: ColumnValues,
        /// The values loaded: the row must still hold them (unless overwriting).
        expected: ColumnValues,
    },
}

impl StagedChange {
    pub fn table(&self) -> &str {
        match self {
            StagedChange::Update { table, .. }
            | StagedChange::Insert { table, .. }
            | StagedChange::Delete { table, .. } => table,
        }
    }

    pub fn action(&self) -> ChangeAction {
        match self {
            StagedChange::Update { .. } => ChangeAction::Update,
            StagedChange::Insert { .. } => ChangeAction::Insert,
            StagedChange::Delete { .. } => ChangeAction::Delete,
        }
    }
}

/// What a change does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    Insert,
    Update,
    Delete,
}

/// Input of [`preview_changes`] and [`commit_changes`].
#[derive(Debug, Clone)]
pub struct CommitInput<'a> {
    pub changes: &'a [StagedChange],
    /// Write without checking that rows still hold the loaded values (after a conflict, on request).
    pub overwrite: bool,
    /// The instant written into `updatedAt` columns.
    pub now: DateTime<Utc>,
}

/// One column of one row as written, for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedChange {
    pub action: ChangeAction,
    pub table: String,
    /// The row's key; for inserts, the key the new row got.
    pub key: ColumnValues,
    /// `None` only for a deleted row whose values were not loaded.
    pub column: Option<String>,
    /// NULL for inserts.
    pub old: Value,
    /// NULL for deletes.
    pub new: Value,
    /// The column holds a secret (password hash, token): redact it when logging.
    pub secret: bool,
}

/// What a successful commit wrote.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommitReport {
    /// Every column written, in statement order.
    pub applied: Vec<AppliedChange>,
    /// Rows that foreign keys deleted along with the rows asked for (ON DELETE CASCADE).
    pub cascaded: Vec<TableCount>,
    /// Those rows, each with what it held, for the audit log.
    pub cascaded_rows: Vec<crate::db::change::RowChange>,
    /// Rows whose foreign key was set to NULL or its default by a delete.
    pub set_null: Vec<ColumnCount>,
    /// Statements run.
    pub statements: usize,
}

impl CommitReport {
    /// Every row the commit changed, in the audit log's shape: the columns written, then the
    /// rows cascades took along. The one place an edit's audit rows are built.
    pub fn row_changes(&self) -> Vec<crate::db::change::RowChange> {
        let mut rows = row_changes(&self.applied);
        rows.extend(self.cascaded_rows.iter().cloned());
        rows
    }
}
