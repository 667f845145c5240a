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
    /// The session's totals when the last key that sent requests was pressed: what the key
    /// cost is everything since (its page, counts, reads ahead, retries), not one request.
    pub action_start: ActionStart,
}

/// The session's rows read and requests at the start of an action.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActionStart {
    pub rows_read: u64,
    pub requests: u64,
}

impl RemoteSession {
    /// Rows read and requests sent since the last key that sent requests (its whole action).
    pub fn action_cost(&self) -> (u64, u64) {
        (
            self.stats.total_rows_read.saturating_sub(self.action_start.rows_read),
            self.stats.requests.saturating_sub(self.action_start.requests),
        )
    }
}

impl super::App {
    /// A key (or other thing the user did) sent requests on a remote: its cost counts from here.
    /// Replies and ticks do not start an action: what a reply asks next is the same key's work.
    pub(super) fn start_remote_action(&mut self, effects: &[super::Effect]) {
        let sends = effects.iter().any(|e| matches!(e, super::Effect::Request { .. } | super::Effect::Export { .. }));
        if let Some(remote) = self.remote.as_mut().filter(|_| sends) {
            remote.action_start =
                ActionStart { rows_read: remote.stats.total_rows_read, requests: remote.stats.requests };
        }
    }
}
