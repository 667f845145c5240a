//! The one table of requests in flight, keyed by id, each saying what its reply is for. A reply
//! is taken out of the table and handled once; a reply the table does not hold (superseded,
//! cancelled, or already answered) is dropped.

use std::collections::HashMap;

use super::RequestId;
use super::console::Awaiting;
use super::export::RunningExport;
use super::tab::FetchKind;
use crate::db::users::UserAction;

/// What a request's reply is for. Sending a request for something already awaited supersedes
/// the older request (its reply is then dropped), except where several may run at once.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    /// The list of tables.
    Tables,
    /// The schema of the tab showing `table`.
    TableMeta { table: String },
    /// A page (or the window again) of the tab showing `table`: where it goes (`kind`), and the
    /// app's tick count when it was sent (to show how long a slow scan has been running).
    Page { table: String, kind: FetchKind, sent_at_tick: usize },
    /// The row count of the tab showing `table`.
    Count { table: String },
    /// The exact count (`#`) of the tab showing `table`, of the view `spec`.
    ExactCount { table: String, spec: super::tab::ViewSpec },
    /// Which staged rows changed underneath.
    StagedCheck,
    /// Rows matching the reference picker's text.
    RefPicker,
    /// Labels of the row detail's foreign keys, for these columns in request order.
    DetailLabels { columns: Vec<usize> },
    /// Who owns the rows a delete asks about (a session's user), to name them.
    DeleteOwners,
    /// An export's progress and result, and what the status line says about it.
    Export(RunningExport),
    /// The console's statement: run, rows, write or plan, and the app's tick count when it was
    /// sent (to show how long it has been running).
    Console { awaiting: Awaiting, sent_at_tick: usize },
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
    /// The insert form's new row, checked against the database (UNIQUE, foreign keys) before
    /// it is staged.
    InsertCheck { change: crate::db::edit::StagedChange },
    /// A jump along a foreign key (`gd`) or to the rows referencing this one (`gr`).
    Navigation,
}

impl Waiting {
    /// Whether a new request for this supersedes the one in flight.
    fn supersedes(&self) -> bool {
        !matches!(self, Waiting::UserStatuses)
    }

    /// Whether `self` and `other` wait for the same thing: the same kind of reply, for the same
    /// table's tab when it is a tab's. What else a variant holds is what its reply needs, not
    /// part of what it waits for (one user action at a time, whichever).
    fn same(&self, other: &Waiting) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other) && self.table() == other.table()
    }

    /// The table whose tab the reply fills, for a tab's requests.
    pub fn table(&self) -> Option<&str> {
        match self {
            Waiting::TableMeta { table }
            | Waiting::Page { table, .. }
            | Waiting::Count { table }
            | Waiting::ExactCount { table, .. } => Some(table),
            _ => None,
        }
    }
}

/// A remote write the user stopped waiting for (Esc): it may still finish on the server, and
/// its reply, when it comes, says how it ended instead of being dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    pub waiting: Waiting,
    /// For a commit: the staged changes it was sent with (still staged while it runs).
    pub staged: Vec<crate::db::edit::StagedChange>,
}

/// Requests in flight.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    waiting: HashMap<RequestId, Waiting>,
    /// Remote writes no longer waited for, whose replies are still reported.
    stopped: HashMap<RequestId, Stopped>,
    /// When each request in flight was sent, by the app's clock (the last tick's `now`).
    sent: HashMap<RequestId, chrono::DateTime<chrono::Utc>>,
    /// The app's clock, set before every action: what a request sent now is stamped with.
    pub clock: chrono::DateTime<chrono::Utc>,
}

impl Pending {
    /// Records request `id`, dropping any older request it supersedes.
    pub fn insert(&mut self, id: RequestId, waiting: Waiting) {
        if waiting.supersedes() {
            self.forget(&waiting);
        }
        self.waiting.insert(id, waiting);
        let waiting = &self.waiting;
        self.sent.retain(|id, _| waiting.contains_key(id));
        self.sent.insert(id, self.clock);
    }

    /// When request `id` was sent, by the app's clock.
    pub fn sent_at(&self, id: RequestId) -> Option<chrono::DateTime<chrono::Utc>> {
        self.sent.get(&id).copied().filter(|_| self.waiting.contains_key(&id))
    }

    /// Every request in flight, with what it waits for.
    pub fn iter(&self) -> impl Iterator<Item = (RequestId, &Waiting)> {
        self.waiting.iter().map(|(id, w)| (*id, w))
    }

    /// Takes request `id` out of the table: its reply is handled now, and only now.
    pub fn take(&mut self, id: RequestId) -> Option<Waiting> {
        self.waiting.remove(&id)
    }

    /// What request `id` waits for, leaving it in the table (a partial reply: more will come).
    pub fn get(&self, id: RequestId) -> Option<&Waiting> {
        self.waiting.get(&id)
    }

    /// What request `id` waits for, to update in place (an export's progress).
    pub fn get_mut(&mut self, id: RequestId) -> Option<&mut Waiting> {
        self.waiting.get_mut(&id)
    }

    /// The request in flight that `matches` accepts, with its id (the newest, when several are).
    pub fn find(&self, matches: impl Fn(&Waiting) -> bool) -> Option<(RequestId, &Waiting)> {
        self.waiting.iter().filter(|(_, w)| matches(w)).max_by_key(|(id, _)| **id).map(|(id, w)| (*id, w))
    }

    /// Takes the request in flight for `waiting` out of the table (it is cancelled or let go:
    /// its reply will find nothing), with its id to interrupt it.
    pub fn take_for(&mut self, waiting: &Waiting) -> Option<(RequestId, Waiting)> {
        let id = self.id_of(waiting)?;
        self.waiting.remove(&id).map(|w| (id, w))
    }

    /// The page read in flight for `table`'s tab: its id, where it goes and when it was sent.
    pub fn page_of(&self, table: &str) -> Option<(RequestId, FetchKind, usize)> {
        self.waiting.iter().find_map(|(id, w)| match w {
            Waiting::Page { table: t, kind, sent_at_tick } if t == table => Some((*id, *kind, *sent_at_tick)),
            _ => None,
        })
    }

    /// Whether the screen waits on `table`'s tab: its schema or a page (counts run quietly).
    pub fn loads_tab(&self, table: &str) -> bool {
        self.any(|w| matches!(w, Waiting::TableMeta { .. } | Waiting::Page { .. }) && w.table() == Some(table))
    }

    /// Drops every request of `table`'s tab (schema, page, count): the tab starts afresh.
    pub fn forget_tab(&mut self, table: &str) {
        self.waiting.retain(|_, w| w.table() != Some(table));
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

    /// Keeps request `id` (already taken out of the table) as a write no longer waited for.
    pub fn stop(&mut self, id: RequestId, stopped: Stopped) {
        self.stopped.insert(id, stopped);
    }

    /// The write no longer waited for that reply `id` answers, taken out: said once.
    pub fn take_stopped(&mut self, id: RequestId) -> Option<Stopped> {
        self.stopped.remove(&id)
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

    #[test]
    fn a_tabs_requests_are_told_apart_by_table_not_by_what_they_hold() {
        let mut pending = Pending::default();
        let page = |table: &str, kind| Waiting::Page { table: table.into(), kind, sent_at_tick: 0 };
        pending.insert(1, page("user", FetchKind::Top));
        pending.insert(2, page("session", FetchKind::Top));
        pending.insert(3, page("user", FetchKind::Append));
        assert_eq!(pending.take(1), None, "a newer page of the same tab supersedes it");
        assert_eq!(pending.page_of("user"), Some((3, FetchKind::Append, 0)));
        pending.insert(4, Waiting::Count { table: "user".into() });
        assert!(pending.loads_tab("user") && pending.loads_tab("session"));
        pending.forget_tab("user");
        assert!(!pending.loads_tab("user"));
        assert_eq!(pending.take(4), None);
        assert_eq!(pending.take_for(&page("session", FetchKind::Bottom)).map(|(id, _)| id), Some(2));
        assert!(pending.is_empty());
    }
}
