//! No full scans unless asked (remote D1 bills every row read): on a remote, what reads the whole
//! table says so first and runs only when confirmed, by `y` or by asking again (the same key,
//! or Enter after a search or filter). Any other key drops the question; nothing was sent.
//!
//! - `#` counts exactly (`count(*)` reads every row) instead of the `~N` from `max(rowid)`;
//!   locally counts are exact already, so `#` just counts again.
//! - A sort by a column no index starts with, a filter no index can serve (`contains`, `starts
//!   with`, `has`, `≠`, a computed status, or an unindexed column) and a search scan the table on every read.
//!
//! Local files are never asked.

use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::tab::ViewSpec;
use super::{App, DbReply, DbRequest, DbResult, Effect, Level, Overlay, ReplyError, Waiting, Worker};
use crate::db::page::FilterOp;
use crate::db::schema::TableInfo;
use crate::present::{group_thousands, plural};

/// A read that scans a remote table, held until the user confirms it.
#[derive(Debug, Clone, PartialEq)]
pub enum CostAsk {
    /// An exact count of the tab showing `table`.
    ExactCount { table: String },
    /// The tab showing `table` switched to `spec`, whose reads scan the table.
    View { table: String, spec: ViewSpec, what: String },
    /// `gr` on the row of `table` with these key `values`: counting through `what` (unindexed
    /// references) scans those tables.
    References { table: String, columns: Vec<String>, values: Vec<rusqlite::types::Value>, what: String },
}

/// The remote session's part of asking before scans.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostState {
    /// The question on the status line, waiting for `y`.
    pub ask: Option<CostAsk>,
    /// Exact counts (`#`) per table, of the whole table: the status line drops the `~` while
    /// the tab's total is that count.
    pub exact: HashMap<String, u64>,
    /// A confirmed scan of this table whose first page is on its way: its reply says what it read.
    pub scanning: Option<(String, String)>,
}

/// Why reading `spec` scans the table, one phrase a cause (none: an index serves it).
pub fn scan_causes(spec: &ViewSpec, info: &TableInfo) -> Vec<String> {
    let mut causes = Vec::new();
    if let Some(sort) = spec.sort.as_ref().filter(|sort| !info.is_indexed(&sort.column)) {
        causes.push(format!("sorting by {} (not indexed)", sort.column));
    }
    for filter in &spec.filters {
        let cause = match filter.op {
            // `starts with` too: a LIKE seeks an index only on a NOCASE column, and squall's
            // LIKE carries an ESCAPE clause; the columns of a Drizzle schema are BINARY.
            FilterOp::Contains | FilterOp::StartsWith | FilterOp::Has | FilterOp::Ne | FilterOp::IsNotNull => {
                Some(format!("the filter {} {}", filter.column, filter.op.label()))
            }
            FilterOp::Status(_) => Some(format!("the filter on {} (computed)", filter.column)),
            _ if !info.is_indexed(&filter.column) => Some(format!("the filter on {} (not indexed)", filter.column)),
            _ => None,
        };
        causes.extend(cause.filter(|cause| !causes.contains(cause)));
    }
    if spec.search.is_some() {
        causes.push("the search".to_string());
    }
    causes
}

impl App {
    /// `#`: the exact row count. Locally it counts again; on a remote it asks first.
    pub(super) fn exact_count(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let table = tab.name.clone();
        let Some(remote) = &self.remote else {
            self.say(Level::Info, format!("counting the rows of {table} again"));
            return self.recount(self.active);
        };
        if tab.spec.narrows() {
            // A filtered or searched view is counted exactly on a remote already (it is read anyway).
            let total = tab.total.map_or_else(|| "…".to_string(), group_thousands);
            self.say(Level::Info, format!("the count of a filtered or searched view is exact already: {total}"));
            return Vec::new();
        }
        let ask = CostAsk::ExactCount { table: table.clone() };
        if remote.cost.ask.as_ref() == Some(&ask) {
            return self.run_asked();
        }
        let rows = self.rows_estimate();
        self.hold(ask, format!("an exact count of {table} reads every row ({rows}) · # or y runs it"))
    }

    /// Reads the tab's rows for its new sort, filters or search, asking first on a remote when
    /// that scans the table where the rows on screen did not.
    pub(super) fn reload_or_ask(&mut self) -> Vec<Effect> {
        let Some(ask) = self.scan_to_ask() else { return self.reload_rows() };
        if self.remote.as_ref().is_some_and(|r| r.cost.ask.as_ref() == Some(&ask)) {
            return self.run_asked();
        }
        let rows = self.rows_estimate();
        let CostAsk::View { what, .. } = &ask else { return Vec::new() };
        let message = format!("{what} scans the table ({rows} a page) · y runs it");
        // Until confirmed, the tab keeps the view on screen, and the status line describes it.
        if let Some(tab) = self.active_tab_mut() {
            tab.spec = tab.shown.as_ref().map(|shown| shown.spec.clone()).unwrap_or_default();
        }
        self.overlay = Overlay::None;
        self.hold(ask, message)
    }

    /// The question to ask before reading the tab's new view: `None` locally, or when it scans
    /// no more than the view on screen.
    fn scan_to_ask(&self) -> Option<CostAsk> {
        self.remote.as_ref()?;
        let tab = self.active_tab()?;
        let meta = tab.meta()?;
        let shown = tab.shown.as_ref().map(|shown| shown.spec.clone()).unwrap_or_default();
        let before = scan_causes(&shown, &meta.info);
        let causes: Vec<String> =
            scan_causes(&tab.spec, &meta.info).into_iter().filter(|cause| !before.contains(cause)).collect();
        if causes.is_empty() {
            return None;
        }
        Some(CostAsk::View { table: tab.name.clone(), spec: tab.spec.clone(), what: capitalised(&causes.join(", "))? })
    }

    /// `~N rows read` from the estimate of the whole table, when the tab has one.
    fn rows_estimate(&self) -> String {
        let whole = |tab: &super::TableTab| tab.shown.as_ref().is_none_or(|shown| !shown.spec.narrows());
        match self.active_tab().filter(|tab| whole(tab)).and_then(|tab| tab.total) {
            Some(total) => format!("~{} read", plural(total, "row")),
            None => "every row read".to_string(),
        }
    }

    /// The worker says `gr`'s counts would scan: asked, with the row kept for `y`.
    pub(super) fn ask_to_count_references(&mut self, unindexed: Vec<String>) -> Vec<Effect> {
        let Some(row) = self.selected_row_for_navigation() else { return Vec::new() };
        let what = format!("counting the rows pointing at this row through {}", unindexed.join(", "));
        let message = format!("{what} reads every row of those tables (no index) · y runs it");
        let ask = CostAsk::References { table: row.table, columns: row.columns, values: row.values, what };
        self.hold(ask, message)
    }

    fn hold(&mut self, ask: CostAsk, message: String) -> Vec<Effect> {
        if let Some(remote) = self.remote.as_mut() {
            remote.cost.ask = Some(ask);
        }
        self.say(Level::Warning, message);
        Vec::new()
    }

    /// A key on the grid while a question is held: `y` (or Enter after a search or filter) runs
    /// it; `None` lets the key do what it does, and [`App::drop_unanswered`] then drops the
    /// question unless the key asked it again.
    pub(super) fn answer_ask(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let ask = self.remote.as_ref()?.cost.ask.as_ref()?;
        let yes = key.modifiers.is_empty() || key.modifiers == ratatui::crossterm::event::KeyModifiers::SHIFT;
        let confirms = match key.code {
            KeyCode::Char('y') => true,
            KeyCode::Enter => matches!(ask, CostAsk::View { .. }),
            _ => false,
        };
        (yes && confirms).then(|| self.run_asked())
    }

    /// The question held before a key, for [`App::drop_unanswered`].
    pub(super) fn held_ask(&self) -> Option<CostAsk> {
        self.remote.as_ref().and_then(|r| r.cost.ask.clone())
    }

    /// Drops the question `before` when the key neither ran it nor asked something else.
    pub(super) fn drop_unanswered(&mut self, before: Option<CostAsk>) {
        let Some(before) = before else { return };
        let Some(remote) = self.remote.as_mut() else { return };
        if remote.cost.ask.as_ref() == Some(&before) {
            remote.cost.ask = None;
            let what = match before {
                CostAsk::ExactCount { .. } => "the exact count".to_string(),
                CostAsk::View { what, .. } | CostAsk::References { what, .. } => what,
            };
            if self.status.as_ref().is_some_and(|s| s.level == Level::Warning) {
                self.say(Level::Info, format!("not run: {what}; nothing was read"));
            }
        }
    }

    /// Runs the question held (confirmed).
    fn run_asked(&mut self) -> Vec<Effect> {
        let Some(ask) = self.remote.as_mut().and_then(|r| r.cost.ask.take()) else { return Vec::new() };
        if self.active_tab().is_none_or(|tab| tab.name != ask_table(&ask)) {
            return Vec::new();
        }
        match ask {
            CostAsk::ExactCount { table } => {
                let Some(tab) = self.active_tab() else { return Vec::new() };
                let Some(view) = tab.view() else { return Vec::new() };
                let waiting = Waiting::ExactCount { table: table.clone(), spec: tab.spec.clone() };
                let (_, effect) = self.request(Worker::Background, waiting, DbRequest::CountExact { view });
                self.say(Level::Info, format!("counting {table} exactly…"));
                vec![effect]
            }
            CostAsk::View { table, spec, what } => {
                if let Some(tab) = self.active_tab_mut() {
                    tab.spec = spec;
                }
                if let Some(remote) = self.remote.as_mut() {
                    remote.cost.scanning = Some((table, what.clone()));
                }
                self.say(Level::Info, format!("{what}: reading…"));
                self.reload_rows()
            }
            CostAsk::References { table, columns, values, what } => {
                self.say(Level::Info, format!("{what}: reading…"));
                self.count_references(table, columns, values, true)
            }
        }
    }

    /// The exact count arrived: shown in place of the estimate, with what it read.
    pub(super) fn on_exact_count(&mut self, waiting: Waiting, reply: DbReply) -> Vec<Effect> {
        let Waiting::ExactCount { table, spec } = waiting else { return Vec::new() };
        let Some(index) = self.tabs.iter().position(|tab| tab.name == table) else { return Vec::new() };
        match reply.result {
            Ok(DbResult::ExactCount { total, rows_read }) => {
                let tab = &mut self.tabs[index];
                if tab.spec != spec {
                    return Vec::new(); // the view changed meanwhile: this count is of another one
                }
                tab.total = Some(total);
                if let Some(shown) = tab.shown.as_mut().filter(|shown| shown.spec == spec) {
                    shown.total = Some(total);
                }
                if let Some(remote) = self.remote.as_mut().filter(|_| !spec.narrows()) {
                    remote.cost.exact.insert(table.clone(), total);
                }
                let read = rows_read
                    .map_or(String::new(), |n| format!(" · that count read {} (D1 rows_read)", plural(n, "row")));
                self.say(Level::Info, format!("{table}: exactly {} rows{read}", group_thousands(total)));
            }
            Ok(_) => {}
            Err(ReplyError { message, .. }) => self.say(Level::Error, format!("counting {table} failed: {message}")),
        }
        Vec::new()
    }

    /// A page arrived for tab `index`: after a confirmed scan, the status says what that read
    /// (the last request's rows read, measured on the worker that read the page).
    pub(super) fn after_scan_page(&mut self, index: usize) {
        let Some(name) = self.tabs.get(index).map(|tab| tab.name.clone()) else { return };
        let Some(remote) = self.remote.as_mut() else { return };
        let Some((_, what)) = remote.cost.scanning.take_if(|(table, _)| *table == name) else { return };
        let read = plural(remote.stats.last_rows_read, "row");
        self.say(Level::Info, format!("{what}: the first page read {read} (D1 rows_read)"));
    }

    /// Whether the tab's total is an estimate (`~N`): a remote's whole table, not counted by `#`.
    pub fn total_is_estimate(&self, tab: &super::TableTab) -> bool {
        let Some(remote) = &self.remote else { return false };
        !tab.spec.narrows() && (tab.total.is_none() || remote.cost.exact.get(&tab.name) != tab.total.as_ref())
    }
}

fn ask_table(ask: &CostAsk) -> &str {
    match ask {
        CostAsk::ExactCount { table } | CostAsk::View { table, .. } | CostAsk::References { table, .. } => table,
    }
}

fn capitalised(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tests::users_db;
    use crate::db::page::Filter;
    use crate::db::schema::{DescribeTable, describe_table};

    #[test]
    fn what_an_index_serves_is_not_a_scan() {
        let (_dir, conn) = users_db(3);
        let info = describe_table(&conn, &DescribeTable { name: "user" }).unwrap();
        let spec = |column: &str, op: FilterOp| ViewSpec {
            filters: vec![Filter { column: column.into(), op, values: vec![rusqlite::types::Value::Text("x".into())] }],
            ..ViewSpec::default()
        };
        assert!(scan_causes(&spec("id", FilterOp::Eq), &info).is_empty(), "the key is indexed");
        assert!(scan_causes(&spec("email", FilterOp::Eq), &info).is_empty(), "email is unique");
        assert_eq!(scan_causes(&spec("email", FilterOp::StartsWith), &info).len(), 1, "LIKE on a BINARY column");
        assert_eq!(scan_causes(&spec("id", FilterOp::Contains), &info).len(), 1, "LIKE '%x%' cannot seek");
        assert_eq!(scan_causes(&spec("name", FilterOp::Eq), &info).len(), 1, "name has no index");
        let search = ViewSpec { search: Some("ada".into()), ..ViewSpec::default() };
        assert_eq!(scan_causes(&search, &info).len(), 1);
        assert!(scan_causes(&ViewSpec::default(), &info).is_empty());
    }

    #[test]
    fn a_local_file_is_never_asked() {
        use crate::app::{Action, DbRequest, Effect, tests::open_app};
        let (_dir, mut conn) = users_db(30);
        let mut app = open_app(&mut conn, 120, 30);
        let effects = app.update(Action::ExactCount);
        let counts: Vec<_> = effects
            .iter()
            .filter(|e| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::Count { .. })))
            .collect();
        assert_eq!(counts.len(), 1, "counted again at once: {effects:?}");
        let name = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "name");
        let effects = app.update(Action::SortColumn { column: name.unwrap() });
        assert!(effects.iter().any(|e| matches!(e, Effect::Request { .. })), "sorted at once");
        assert_eq!(app.active_tab().unwrap().spec.sort.as_ref().map(|s| s.column.as_str()), Some("name"));
    }
}
