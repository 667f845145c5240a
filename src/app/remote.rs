//! The remote D1 session as the app shows it: which database, whether writes are on, and what
//! requests cost (set by the terminal side as replies arrive; the status line draws it).

use crate::service::RemoteStats;

/// A session on a remote D1 database (`--remote`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemoteSession {
    /// The database's name (wrangler's `database_name`, else its id).
    pub name: String,
    /// Started with `--write`: the badge is in the warning colour.
    pub write: bool,
    /// The last request's rows read and duration, and the session's rows read.
    pub stats: RemoteStats,
    /// Reads that scan the table, asked before they run, and exact counts taken (`#`).
    pub cost: super::cost::CostState,
}
