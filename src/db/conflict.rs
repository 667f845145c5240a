//! Rows that changed since they were loaded, as an optimistic write finds them: what
//! [`super::error::DbError::RowConflict`] carries. Apart from the edit code so the error type
//! needs nothing above it.

use rusqlite::types::Value;

use super::literal::{describe_key, sql_literal};

/// The rows that changed since they were loaded: carried by [`super::error::DbError::RowConflict`].
#[derive(Debug, Clone, PartialEq)]
pub struct RowConflicts {
    pub rows: Vec<RowConflict>,
}

/// One row that no longer holds what was loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct RowConflict {
    pub table: String,
    pub key: Vec<(String, Value)>,
    /// Indexes into the staged changes that touch this row.
    pub changes: Vec<usize>,
    /// False when the row has been deleted meanwhile.
    pub row_exists: bool,
    /// The columns that differ (every checked column when the row of an update is gone; none
    /// when the row of a delete is: there is nothing left to compare).
    pub columns: Vec<ColumnConflict>,
}

/// A column whose value changed under us.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnConflict {
    pub column: String,
    /// The value loaded.
    pub expected: Value,
    /// The value in the database now; `None` when the row is gone.
    pub current: Option<Value>,
}

/// Rows spelled out in a conflict message; the rest are counted.
const SHOWN_CONFLICTS: usize = 10;

impl std::fmt::Display for RowConflicts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.rows.len();
        write!(
            f,
            "{count} row{} changed since {} loaded, nothing was written (reload, or commit again to overwrite)",
            if count == 1 { "" } else { "s" },
            if count == 1 { "it was" } else { "they were" }
        )?;
        for row in self.rows.iter().take(SHOWN_CONFLICTS) {
            write!(f, "\n  {} {}: ", row.table, describe_key(&row.key))?;
            if !row.row_exists && row.columns.is_empty() {
                write!(f, "deleted by someone else (nothing to delete)")?;
                continue;
            }
            if !row.row_exists {
                write!(f, "deleted by someone else since it was loaded")?;
                continue;
            }
            let parts: Vec<String> = row
                .columns
                .iter()
                .map(|c| {
                    let now = c.current.as_ref().map_or_else(|| "gone".to_string(), sql_literal);
                    format!("{} was {}, now {now}", c.column, sql_literal(&c.expected))
                })
                .collect();
            write!(f, "{}", parts.join(", "))?;
        }
        if count > SHOWN_CONFLICTS {
            write!(f, "\n  and {} more", count - SHOWN_CONFLICTS)?;
        }
        Ok(())
    }
}
