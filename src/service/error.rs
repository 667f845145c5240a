//! How a failed request crosses the channel: a kind the app branches on, plus the message shown.
//! Every worker maps its errors here, in one place, so the app never searches a message's text
//! ("interrupted", "locked") to decide what happened.

use crate::db::error::DbError;

/// What kind of failure a reply carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request was cancelled (SQLite's interrupt, or a lock wait stopped by the user).
    Interrupted,
    /// Another connection held the lock and did not let go in time.
    Busy,
    /// A write was asked of a read-only database.
    ReadOnly,
    /// Rows changed since they were read; nothing was written.
    Conflict,
    /// What was asked for does not exist.
    NotFound,
    /// The input cannot be used as given.
    Invalid,
    /// Anything else.
    Other,
}

/// A failed request: its kind and the whole message (every cause, once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ReplyError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ReplyError {
        ReplyError { kind, message: message.into() }
    }

    /// A failure the app only shows.
    pub fn other(message: impl Into<String>) -> ReplyError {
        ReplyError::new(ErrorKind::Other, message)
    }

    /// Whether the user (or a newer request) cut this request short.
    pub fn is_interrupted(&self) -> bool {
        self.kind == ErrorKind::Interrupted
    }

    /// Maps any error of the layers below: the first cause that says what kind it is decides.
    pub fn from_error(err: &anyhow::Error) -> ReplyError {
        let kind = err.chain().find_map(kind_of).unwrap_or(ErrorKind::Other);
        ReplyError { kind, message: crate::present::error_chain(err) }
    }
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReplyError {}

impl From<anyhow::Error> for ReplyError {
    fn from(err: anyhow::Error) -> ReplyError {
        ReplyError::from_error(&err)
    }
}

/// The kind of one cause, when it says.
fn kind_of(cause: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    if let Some(err) = cause.downcast_ref::<DbError>() {
        return Some(match err {
            DbError::NotFound(_) => ErrorKind::NotFound,
            DbError::Conflict(_) | DbError::RowConflict(_) => ErrorKind::Conflict,
            DbError::Invalid(_) | DbError::BadInput(_) => ErrorKind::Invalid,
            DbError::ReadOnly(_) => ErrorKind::ReadOnly,
            DbError::Busy(_) => ErrorKind::Busy,
            DbError::BadFile { .. } => ErrorKind::Other,
        });
    }
    if let Some(err) = cause.downcast_ref::<rusqlite::Error>() {
        use rusqlite::ErrorCode;
        return match err {
            rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
                ErrorCode::OperationInterrupted => Some(ErrorKind::Interrupted),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some(ErrorKind::Busy),
                ErrorCode::ReadOnly => Some(ErrorKind::ReadOnly),
                ErrorCode::ConstraintViolation => Some(ErrorKind::Invalid),
                _ => None,
            },
            rusqlite::Error::QueryReturnedNoRows => Some(ErrorKind::NotFound),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_statement_is_a_kind_not_a_word() {
        let code = rusqlite::ffi::SQLITE_INTERRUPT;
        let err = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some("interrupted".into()));
        let reply = ReplyError::from_error(&anyhow::Error::new(err).context("reading the rows"));
        assert_eq!(reply.kind, ErrorKind::Interrupted);
        assert!(reply.message.starts_with("reading the rows: "), "{}", reply.message);
    }

    #[test]
    fn db_errors_keep_their_kind_under_context() {
        let err = anyhow::Error::new(DbError::ReadOnly("the file is read-only".into())).context("committing");
        assert_eq!(ReplyError::from_error(&err).kind, ErrorKind::ReadOnly);
        let err = anyhow::anyhow!("something else");
        assert_eq!(ReplyError::from_error(&err), ReplyError::other("something else"));
    }
}
