//! The one table of requests in flight, keyed by id, each saying what its reply is for. A reply
//! is taken out of the table and handled once; a reply the table does not hold (superseded,
//! cancelled, or already answered) is dropped.

use std::collections::HashMap;

use super::RequestId;
use crate::db::users::UserAction;

/// What a request's reply is for. Sending a request for something already awaited supersedes
/// the older request (its reply is then dropped), except where several may run at once.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    /// The list of tables.
    Tables,
    /// The schema of the tab showing `table`.
    TableMeta { table: String },
    /// A page (or the window again) of the tab showing `table`.
    Page { table: String },
    /// The row count of the tab showing `table`.
    Count { table: String },
    /// The exact count (`#`) of the tab showing `table`, of the view `spec`.
    ExactCount { table: String, spec: super::tab::ViewSpec },
    /// Which staged rows changed underneath.
    StagedCheck,
    /// Rows matching the reference picker's text.
    RefPicker,
    /// Labels of the row detail's foreign keys.
    DetailLabels,
    /// Who owns the rows a delete asks about (a session's user), to name them.
    DeleteOwners,
    /// An export's progress and result.
    Export,
    /// The console's statement: run, rows, write or plan.
    Console,
    /// Every table's columns, for the console's completion.
    ConsoleSchema,
    /// The statuses of the users of one page (several pages may be read at once).
    UserStatuses,
    /// The user menu's roles, preview or impersonations.
    UserPanel,
    /// A user action running; its reply is handled even if the menu was closed.
    UserAction { action: UserAction },
    /// The sessions and accounts of the user whose detail is open.
    UserLinks,
    /// The migrations overview.
    Migrations,
    /// An apply of pending migrations (progress comes as partial replies).
    ApplyMigrations,
    /// The ER diagram.
    Er,
    /// An insert template, cascade preview, change preview or commit.
    Edit,
    /// A jump along a foreign key (`gd`) or to the rows referencing this one (`gr`).
    Navigation,
}

impl Waiting {
    /// Whether a new request for this supersedes the one in flight.
    fn supersedes(&self) -> bool {
        !matches!(self, Waiting::UserStatuses)
    }

    /// Whether `self` and `other` wait for the same thing (one user action at a time, whichever).
    fn same(&self, other: &Waiting) -> bool {
        match (self, other) {
            (Waiting::UserAction { .. }, Waiting::UserAction { .. }) => true,
            _ => self == other,
        }
    }
}

/// Requests in flight.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    waiting: HashMap<RequestId, Waiting>,
}

impl Pending {
    /// Records request `id`, dropping any older request it supersedes.
    pub fn insert(&mut self, id: RequestId, waiting: Waiting) {
        if waiting.supersedes() {
            self.forget(&waiting);
        }
        self.waiting.insert(id, waiting);
    }

    /// Takes request `id` out of the table: its reply is handled now, and only now.
    pub fn take(&mut self, id: RequestId) -> Option<Waiting> {
        self.waiting.remove(&id)
    }

    /// What request `id` waits for, leaving it in the table (a partial reply: more will come).
    pub fn get(&self, id: RequestId) -> Option<&Waiting> {
        self.waiting.get(&id)
    }

    /// Whether a request for `waiting` is in flight.
    pub fn awaits(&self, waiting: &Waiting) -> bool {
        self.waiting.values().any(|w| w.same(waiting))
    }

    /// Whether a request in flight is for something `matches` accepts.
    pub fn any(&self, matches: impl Fn(&Waiting) -> bool) -> bool {
        self.waiting.values().any(matches)
    }

    /// The id of the request in flight for `waiting` (the newest, when several are).
    pub fn id_of(&self, waiting: &Waiting) -> Option<RequestId> {
        self.waiting.iter().filter(|(_, w)| w.same(waiting)).map(|(id, _)| *id).max()
    }

    /// Drops every request for `waiting`: their replies will find nothing.
    pub fn forget(&mut self, waiting: &Waiting) {
        self.waiting.retain(|_, w| !w.same(waiting));
    }

    /// Whether any request is in flight.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_matched_once_and_a_superseded_one_finds_nothing() {
        let mut pending = Pending::default();
        pending.insert(1, Waiting::Er);
        pending.insert(2, Waiting::Er);
        assert_eq!(pending.take(1), None, "superseded");
        assert_eq!(pending.take(2), Some(Waiting::Er));
        assert_eq!(pending.take(2), None, "already answered");
        pending.insert(3, Waiting::UserStatuses);
        pending.insert(4, Waiting::UserStatuses);
        assert_eq!(pending.id_of(&Waiting::UserStatuses), Some(4));
        assert_eq!(pending.take(3), Some(Waiting::UserStatuses), "statuses of pages run side by side");
        pending.forget(&Waiting::UserStatuses);
        assert!(pending.is_empty());
    }
}
