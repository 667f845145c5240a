//! No full scans unless asked (remote D1 bills every row read): on a remote, what reads the whole
//! table says so first and runs only when confirmed, by `y` (or `#` again for the exact count,
//! as its question says). Any other key, Enter and the key that asked included, drops the
//! question (nothing was sent) and then does what it does, as the hint line says.
//!
//! - `#` counts exactly (`count(*)` reads every row) instead of the `~N` from `max(rowid)`;
//!   locally counts are exact already, so `#` just counts again.
//! - A sort by a column no index starts with, a filter no index can serve (`contains`, `starts
//!   with`, `has`, `≠`, a computed status, or an unindexed column) and a search scan the table on every read.
//!
//! Local files are never asked.

use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::keymap::{Binding, ch, hint, key, lookup};
use super::tab::ViewSpec;
use super::{App, DbReply, DbRequest, DbResult, Effect, Level, Overlay, ReplyError, Waiting, Worker};
use crate::db::scan::{self, ScanCause};
use crate::db::schema::TableInfo;
use crate::present::{group_thousands, plural};

/// A read that scans a remote table, held until the user confirms it.
#[derive(Debug, Clone, PartialEq)]
pub enum CostAsk {
    /// An exact count of the tab showing `table`.
    ExactCount { table: String },
    /// The tab showing `table` switched to `spec`, whose reads scan the table.
    View { table: String, spec: ViewSpec, what: String },
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
    /// The question held, in full (the status line may cut it; the popup shows it whole).
    pub question: String,
    /// The last estimate (`~N`, `max(rowid)`) of each whole table counted, for the questions
    /// asked while a filter narrows its tab.
    pub estimates: HashMap<String, u64>,
}

/// Why reading `spec` scans the table, one phrase a cause (none: an index serves it).
pub fn scan_causes(spec: &ViewSpec, info: &TableInfo) -> Vec<String> {
    scan::scan_causes(spec.sort.as_ref(), &spec.filters, spec.search.is_some(), info).iter().map(phrase).collect()
}

fn phrase(cause: &ScanCause) -> String {
    match cause {
        ScanCause::Sort { column } => format!("sorting by {column} (not indexed)"),
        ScanCause::Operator { column, op } => format!("the filter {column} {}", op.label()),
        ScanCause::Computed { column } => format!("the filter on {column} (computed)"),
        ScanCause::Unindexed { column } => format!("the filter on {column} (not indexed)"),
        ScanCause::Search => "the search".to_string(),
    }
}

/// What a key does to the cost question held (see [`COST_KEYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostKey {
    /// Run the read asked about.
    Yes,
    /// Drop the question; nothing is read.
    No,
    /// The messages, each in full; the question stays.
    Messages,
    /// Help; the question stays.
    Help,
}

/// The keys of a remote cost question: they drive its answers, its hint line and its help.
/// Any key not here drops the question and then does what it does on the grid.
#[rustfmt::skip]
pub static COST_KEYS: &[Binding<CostKey>] = &[
    Binding { keys: "y", description: "run the read asked about (# again for the exact count)", chords: &[ch('y'), ch('Y')], action: Some(CostKey::Yes), hints: &[hint(1, "y", "run it")] },
    Binding { keys: "q / Esc", description: "no: nothing is read", chords: &[ch('q'), key(KeyCode::Esc)], action: Some(CostKey::No), hints: &[hint(2, "q/Esc", "no")] },
    Binding { keys: "m", description: "messages in full; the question stays", chords: &[ch('m')], action: Some(CostKey::Messages), hints: &[hint(3, "m", "messages")] },
    Binding { keys: "?", description: "help; the question stays", chords: &[ch('?')], action: Some(CostKey::Help), hints: &[] },
    Binding { keys: "other keys", description: "no, then do what they do", chords: &[], action: None, hints: &[hint(4, "other keys", "no, and go on")] },
];

/// The keys on the question's popup edge (the hint line under it comes from [`COST_KEYS`]).
const QUESTION_KEYS: &str = "y run it · q/Esc no · m messages · ? help";
const END_QUESTION_KEYS: &str = "G/y run it · q/Esc no · m messages · ? help";

impl App {
    /// `#`: the exact row count. Locally it counts again; on a remote it asks first.
    pub(super) fn exact_count(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let table = tab.name.clone();
        let narrowed = tab.spec.narrows();
        let Some(remote) = &self.remote else {
            self.say(Level::Info, format!("counting the rows of {table} again"));
            return self.recount(self.active);
        };
        let ask = CostAsk::ExactCount { table: table.clone() };
        if remote.cost.ask.as_ref() == Some(&ask) {
            return self.run_asked();
        }
        let rows = self.rows_estimate(1);
        let what =
            if narrowed { format!("this view reads every row of {table}") } else { format!("{table} reads every row") };
        self.hold(ask, format!("An exact count of {what} ({rows} read) · # or y runs it"))
    }

    /// Reads the tab's rows for its new sort, filters or search, asking first on a remote when
    /// that scans the table where the rows on screen did not.
    pub(super) fn reload_or_ask(&mut self) -> Vec<Effect> {
        let Some((ask, sorts)) = self.scan_to_ask() else { return self.reload_rows() };
        let CostAsk::View { what, table, .. } = &ask else { return Vec::new() };
        // A page that scans reads every row; one that sorts them too reads each twice (D1
        // bills the rows out of the sorter), and no index stops it early.
        let (rows, how) = if sorts {
            (self.rows_estimate(2), format!("scans and sorts all of {table}"))
        } else {
            (self.rows_estimate(1), format!("scans {table}"))
        };
        // Measured on the D1 stand-in (5,000 users, sort by role): the first 1,000 rows read
        // 10,000, G 10,000, the next 1,000 (read near row 500) 9,000; a PageDown within the rows
        // on hand reads only the statuses of the rows it shows (~170).
        let page = plural(self.active_tab().map_or(0, |tab| tab.page_rows()) as u64, "row");
        let message = format!(
            "{what} {how}: its first {page}, G, and each next {page} as you scroll read up to {rows} each (fewer further down) · y runs it",
        );
        // Until confirmed, the tab keeps the view on screen, and the status line describes it.
        if let Some(tab) = self.active_tab_mut() {
            tab.spec = tab.shown.as_ref().map(|shown| shown.spec.clone()).unwrap_or_default();
        }
        self.overlay = Overlay::None;
        self.hold(ask, message)
    }

    /// The question to ask before reading the tab's new view, and whether its pages sort in
    /// memory: `None` locally, when the view does not scan, or when it is the view on screen.
    fn scan_to_ask(&self) -> Option<(CostAsk, bool)> {
        self.remote.as_ref()?;
        let tab = self.active_tab()?;
        let meta = tab.meta()?;
        let shown = tab.shown.as_ref().map(|shown| shown.spec.clone()).unwrap_or_default();
        // Every new view that scans is asked about (the same sort the other way round reads
        // the table again); the question names what the view on screen did not do, else all.
        let all = scan_causes(&tab.spec, &meta.info);
        if all.is_empty() || tab.spec == shown {
            return None;
        }
        let before = scan_causes(&shown, &meta.info);
        let new: Vec<String> = all.iter().filter(|cause| !before.contains(cause)).cloned().collect();
        let causes = if new.is_empty() { all } else { new };
        let spec = &tab.spec;
        let sorts = scan::sorts_in_memory(&scan::scan_causes(
            spec.sort.as_ref(),
            &spec.filters,
            spec.search.is_some(),
            &meta.info,
        ));
        let what = capitalised(&causes.join(", "))?;
        Some((CostAsk::View { table: tab.name.clone(), spec: tab.spec.clone(), what }, sorts))
    }

    /// `~N rows` from the estimate of the whole table (`times` the rows: a sort reads each
    /// twice), when the session has one.
    fn rows_estimate(&self, times: u64) -> String {
        match self.active_tab().and_then(|tab| self.whole_table_estimate(&tab.name)) {
            Some(total) => format!("~{}", plural(total * times, "row")),
            None if times > 1 => "every row twice".to_string(),
            None => "every row".to_string(),
        }
    }

    /// The estimate (`~N`, `max(rowid)`) or exact count of the whole `table`, when one was read.
    pub(super) fn whole_table_estimate(&self, table: &str) -> Option<u64> {
        let remote = self.remote.as_ref()?;
        let tab = self.tabs.iter().find(|tab| tab.name == table);
        let whole = tab.filter(|tab| !tab.spec.narrows()).and_then(|tab| tab.total);
        remote.cost.exact.get(table).or(remote.cost.estimates.get(table)).copied().or(whole)
    }

    /// The console's `G` question before reading result `self.console.shown` to its end: what it
    /// reads, when the statement reads one table whose size is known (`G` counts, then reads the
    /// tail past an OFFSET: the table twice, all of it or up to all of it under a WHERE, ORDER
    /// BY or LIMIT), else (a join, a subquery, a CTE) that the count is unknown.
    pub(super) fn end_question(&self) -> String {
        let result = self.console.results.get(self.console.end_asked.unwrap_or(self.console.shown));
        let reads = match result.and_then(|r| crate::db::query::one_table_read(&r.sql)) {
            Some(read) => {
                let table = read.table;
                let name =
                    self.tabs.iter().find(|t| t.name.eq_ignore_ascii_case(&table)).map_or(table, |t| t.name.clone());
                match (self.whole_table_estimate(&name), read.whole) {
                    (Some(rows), true) => format!("all of {name} twice, ~{} read", plural(rows * 2, "row")),
                    (Some(rows), false) => format!(
                        "up to ~{} read (all of {name}, twice: D1 bills every row its scan or sorter reads)",
                        plural(rows * 2, "row")
                    ),
                    (None, true) => format!("all of {name} twice (its row count is not known yet)"),
                    (None, false) => format!("up to all of {name} twice (its row count is not known yet)"),
                }
            }
            None => "how many rows is unknown, and D1 bills every row the query reads, twice".to_string(),
        };
        format!("G counts the whole result, then reads its last rows past an OFFSET: {reads} · G or y runs it")
    }

    /// A count arrived for tab `index`: on a remote, a whole table's is kept as its estimate,
    /// for the questions asked while a filter narrows the tab.
    pub(super) fn note_estimate(&mut self, index: usize, total: u64) {
        let Some(tab) = self.tabs.get(index).filter(|tab| !tab.spec.narrows()) else { return };
        let table = tab.name.clone();
        if let Some(remote) = self.remote.as_mut() {
            remote.cost.estimates.insert(table, total);
        }
    }

    /// Whether the tab's view is counted in the background after its first page: always
    /// locally; on a remote only a whole table (`max(rowid)`, one row). A filtered or searched
    /// view would be counted by reading every row it scans: only `#` does that, asked.
    pub(super) fn counts_in_background(&self, spec: &ViewSpec) -> bool {
        self.remote.is_none() || !spec.narrows()
    }

    fn hold(&mut self, ask: CostAsk, message: String) -> Vec<Effect> {
        if let Some(remote) = self.remote.as_mut() {
            remote.cost.ask = Some(ask);
            remote.cost.question.clone_from(&message);
        }
        self.say(Level::Warning, message);
        Vec::new()
    }

    /// A key on the grid while a question is held, answered by [`COST_KEYS`]: `y` runs it,
    /// `q`/Esc drop it, `m`/`?` show the messages or help and keep it. Any other key (Enter
    /// and the key that asked too: the hint line says "no, and go on") drops it first, so that
    /// what the key does next cannot run it; `None` then lets the key do what it does. Only
    /// `#` at the exact count's question runs it again, as that question says.
    pub(super) fn answer_ask(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let ask = self.remote.as_ref()?.cost.ask.as_ref()?;
        let count_again = matches!(ask, CostAsk::ExactCount { .. }) && key.code == KeyCode::Char('#');
        let Some(command) = lookup(COST_KEYS, key) else {
            if !count_again {
                let asked = self.held_ask();
                self.drop_unanswered(asked);
            }
            return None;
        };
        match command {
            CostKey::Yes => Some(self.run_asked()),
            CostKey::No => {
                let asked = self.held_ask();
                self.drop_unanswered(asked);
                Some(Vec::new())
            }
            CostKey::Messages => Some(self.open_overlay(super::Action::OpenMessages)),
            CostKey::Help => Some(self.open_overlay(super::Action::OpenHelp)),
        }
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
                CostAsk::View { what, .. } => what,
            };
            if self.status.as_ref().is_some_and(|s| s.level == Level::Warning) {
                self.say(Level::Info, format!("not run: {what}; nothing was read"));
            }
        }
    }

    /// A key on the console's results while `G` is asked about, answered by [`COST_KEYS`] (`G`
    /// too is yes): `None` when the key drops the question and then does what it does. Esc is
    /// "no" here, not "to the editor".
    pub(super) fn answer_end_question(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let asked = self.console.end_asked?;
        let bottom = lookup(super::RESULT_KEYS, key) == Some(super::console_keymap::ResultKey::Bottom);
        let command = if bottom { Some(CostKey::Yes) } else { lookup(COST_KEYS, key) };
        match command {
            Some(CostKey::Yes) => {
                self.console.end_asked = None;
                if asked != self.console.shown {
                    return Some(Vec::new());
                }
                Some(self.console_jump_confirmed(super::tab::FetchKind::Bottom))
            }
            Some(CostKey::Messages) => Some(self.open_overlay(super::Action::OpenMessages)),
            Some(CostKey::Help) => Some(self.open_overlay(super::Action::OpenHelp)),
            Some(CostKey::No) | None => {
                self.console.end_asked = None;
                self.say(Level::Info, "not run: G on the result; nothing was read");
                command.map(|_| Vec::new())
            }
        }
    }

    /// The question on screen and its keys, drawn whole in a popup (the status line cuts it):
    /// the grid's held question, or the console's `G`.
    pub fn question_on_screen(&self) -> Option<(String, &'static str)> {
        if !matches!(self.overlay, Overlay::None) {
            return None;
        }
        match self.screen {
            super::Screen::Browser => {
                let remote = self.remote.as_ref()?;
                remote.cost.ask.as_ref()?;
                Some((remote.cost.question.clone(), QUESTION_KEYS))
            }
            super::Screen::Console if self.console.focus == super::console::ConsoleFocus::Results => {
                self.console.end_asked?;
                Some((self.end_question(), END_QUESTION_KEYS))
            }
            _ => None,
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
                // A narrowed view's count is of the view, not of the table.
                let what = if spec.narrows() {
                    format!("this view: exactly {} of {table}", plural(total, "row"))
                } else {
                    format!("{table}: exactly {}", plural(total, "row"))
                };
                self.say(Level::Info, format!("{what}{read}"));
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

    /// The total shown while the tab's view is not counted: on a remote, a filtered or searched
    /// view is counted only by `#`, so the rows read so far and more (`100+`); else `…` (the
    /// count is on its way).
    pub fn uncounted_total(&self, tab: &super::TableTab) -> String {
        if self.remote.is_none() || !tab.spec.narrows() || tab.window.rows.is_empty() {
            return "…".to_string();
        }
        // Rows known to exist: those before the window (when counted from the top) and in it.
        let before = match tab.window.first {
            super::tab::Position::FromStart(n) => n,
            super::tab::Position::FromEnd(_) => 0,
        };
        format!("{}+", group_thousands(before + tab.window.rows.len() as u64))
    }

    /// Whether the tab's total is an estimate (`~N`): a remote's whole table, not counted by `#`.
    pub fn total_is_estimate(&self, tab: &super::TableTab) -> bool {
        let Some(remote) = &self.remote else { return false };
        !tab.spec.narrows() && (tab.total.is_none() || remote.cost.exact.get(&tab.name) != tab.total.as_ref())
    }
}

fn ask_table(ask: &CostAsk) -> &str {
    match ask {
        CostAsk::ExactCount { table } | CostAsk::View { table, .. } => table,
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
    use crate::db::page::{Filter, FilterOp};
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
