//! The few database errors the UI and CLI branch on. Everything else travels as `anyhow::Error`.

use std::path::PathBuf;

/// Errors worth matching on: each carries a message a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The thing asked for does not exist (a file, a table, a row, a user).
    #[error("{0}")]
    NotFound(String),
    /// The row changed under us since it was loaded.
    #[error("{0}")]
    Conflict(String),
    /// The input cannot be stored as asked.
    #[error("{0}")]
    Invalid(String),
    /// A value the caller gave is unusable whatever the database holds (an empty role, a ban
    /// that would end in the past, a `--d1` name the wrangler config lacks): the command line
    /// reports it as bad usage (exit 2), unlike `Invalid`, which can come from the data.
    #[error("{0}")]
    BadInput(String),
    /// A write was asked of a read-only database.
    #[error("{0}")]
    ReadOnly(String),
    /// Another connection holds the lock and did not let go in time.
    #[error("{0}")]
    Busy(String),
    /// Rows changed (or vanished) since they were loaded for editing; nothing was written.
    #[error("{0}")]
    RowConflict(super::conflict::RowConflicts),
    /// The file exists but is not a usable SQLite database.
    #[error("{path}: {reason}")]
    BadFile { path: PathBuf, reason: String },
}

/// Maps SQLite's lock and read-only failures onto [`DbError`], keeping other errors as they are.
pub fn classify(err: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode;
    if let rusqlite::Error::SqliteFailure(failure, message) = &err {
        let detail = message.clone().unwrap_or_else(|| failure.to_string());
        match failure.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return DbError::Busy(format!("database is busy (locked by another process): {detail}")).into();
            }
            ErrorCode::ReadOnly => {
                return DbError::ReadOnly(format!("database is read-only: {detail}")).into();
            }
            _ => {}
        }
    }
    err.into()
}
