//! The requests of the user screens (statuses, roles, previews, actions, links) and their answers.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use crate::db::page::{Cursor, Page, View};
use crate::db::users::{ActionOutcome, ActionPlan, ActionPreview, Impersonation, UserAction, UserSummary};

use super::AuditTarget;

/// Database work of the user screens, answered by `service::users`.
#[derive(Debug, Clone, PartialEq)]
pub enum UsersRequest {
    /// Summaries of these users: the ids of the rows of one fetched page.
    Statuses { ids: Vec<Value>, now: DateTime<Utc> },
    /// The roles a role picker offers.
    Roles,
    /// What an action would do; nothing is written.
    Preview { user: String, action: UserAction, now: DateTime<Utc> },
    /// Runs an action in one transaction, records it in the audit log, re-reads the grid's rows.
    Run(Box<RunRequest>),
    /// Sessions in which an admin impersonates this user, or this user impersonates someone.
    /// `scan`: reading every session was confirmed (on a remote without an index the worker
    /// otherwise answers [`UsersResult::ImpersonationsScan`] and reads nothing more).
    Impersonations { user: String, now: DateTime<Utc>, scan: bool },
    /// The first sessions and accounts of the user with this id, for the row detail.
    Links { user: Value, now: DateTime<Utc> },
}

/// A previewed action to run exactly as planned, and what to do after it commits.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub plan: ActionPlan,
    pub audit: AuditTarget,
    /// The grid rows to read again once the change is committed.
    pub reload: Option<WindowReload>,
}

/// Re-reads a window of rows from where it starts, so the grid stays where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowReload {
    pub view: View,
    /// The first row held; `None` when the window starts at the top of the table.
    pub first: Option<Cursor>,
    pub limit: usize,
}

/// What the worker answers to a [`UsersRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum UsersResult {
    Statuses(Vec<UserSummary>),
    Roles(Vec<String>),
    Preview(Box<ActionPreview>),
    Done(Box<ActionDone>),
    Impersonations(Vec<Impersonation>),
    /// Listing impersonations would read every session (no index): about this many rows.
    ImpersonationsScan {
        rows: u64,
    },
    Links(Box<crate::db::users::UserLinks>),
}

/// A committed action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionDone {
    /// What changed (`changes` is emptied: the old values stay on the worker and in the log).
    pub outcome: ActionOutcome,
    /// Set when the change was committed but squall's log could not be written.
    pub audit_error: Option<String>,
    /// The re-read window, or why it could not be read.
    pub rows: Option<Result<Page, String>>,
    /// On a remote D1: the command that puts the database back as it was before this write
    /// (the time-travel bookmark taken just before it).
    pub undo: Option<String>,
}

/// Sessions and accounts listed at most, each; the rest are counted.
pub const LINKS_SHOWN: usize = 20;
