//! Reading the rows on screen again in place: one mechanism serves live refresh (another
//! process committed), Ctrl-r, and the reload after squall's own commit or user action.
//!
//! The window is read again from its first row ([`crate::db::page::fetch_window`]). The
//! selection stays on its row by key, or moves to its neighbour when the row is gone, at the
//! same line of the screen. Cells that changed are highlighted for a few ticks (App never reads
//! the clock: ticks are counted). On every external change the staged rows are compared with
//! the database, so a conflict shows at once, not only at commit.

use rusqlite::types::Value;

use crate::db::edit::StagedChange;
use crate::db::page::{Page, PageRow};

use super::WindowReload;
use super::tab::{FLASH_TICKS, FetchKind, Flash, FlashRow, Position, Reread, RowWindow, ViewSpec, WINDOW_PAGES};
use super::{App, DbReply, DbRequest, DbResult, Effect, Level, Load, Overlay, Screen, TableMeta, TableTab};
use super::{EditPopup, RowConflict, Waiting, Worker};

/// Whether the screen follows other processes' commits, and what live refresh found.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// Why live refresh is off (`--no-live`, a remote database where each poll is a billed
    /// request); `None` while it is on.
    pub off: Option<String>,
    /// Check again when the check in flight answers (another change came meanwhile).
    check_again: bool,
    /// Staged rows that no longer hold the values they were loaded with.
    pub conflicts: Vec<RowConflict>,
}

impl RowWindow {
    /// Puts freshly read rows in place of the window's, keeping the selection on the same row
    /// (by key) at the same line of the screen. A row that is gone hands the selection to its
    /// next neighbour that is still there, else its previous one. Returns what changed.
    pub fn replace_in_place(&mut self, page: Page) -> Vec<FlashRow> {
        let old = std::mem::take(&mut self.rows);
        let was_at_end = self.at_end;
        let line = self.selected.saturating_sub(self.top);
        self.rows = page.rows;
        self.at_end = page.exhausted;
        // The position from the top stays an estimate when rows came or went above the window.
        if self.at_start {
            self.first = Position::FromStart(0);
        } else if self.at_end {
            self.first = Position::FromEnd(self.rows.len() as u64);
        }
        let from = self.selected.min(old.len());
        let kept = old[from..]
            .iter()
            .chain(old[..from].iter().rev())
            .find_map(|row| position_from(&self.rows, &row.cursor.key, 0));
        self.selected = kept.unwrap_or(self.selected).min(self.rows.len().saturating_sub(1));
        self.top = self.selected.saturating_sub(line);
        changed_rows(&old, &self.rows, was_at_end)
    }
}

/// Index of the row with paging key `key`, searching from `hint` on and then from the start
/// (rows mostly keep their order, so a moving hint makes a whole diff linear).
fn position_from(rows: &[PageRow], key: &[Value], hint: usize) -> Option<usize> {
    let hint = hint.min(rows.len());
    rows[hint..]
        .iter()
        .position(|r| r.cursor.key == key)
        .map(|i| i + hint)
        .or_else(|| rows[..hint].iter().position(|r| r.cursor.key == key))
}

/// Rows of `new` that are new, or whose values differ from the same row in `old`. A row not
/// held before counts as new only inside the old window's range (or past its end when the old
/// window reached the table's end): beyond it, it may simply not have been read before.
fn changed_rows(old: &[PageRow], new: &[PageRow], old_at_end: bool) -> Vec<FlashRow> {
    let mut hint = 0;
    let matches: Vec<Option<usize>> = new
        .iter()
        .map(|row| {
            let found = position_from(old, &row.cursor.key, hint);
            if let Some(index) = found {
                hint = index + 1;
            }
            found
        })
        .collect();
    let last_matched = matches.iter().rposition(Option::is_some);
    let mut changed = Vec::new();
    for (index, (row, found)) in new.iter().zip(matches).enumerate() {
        let key = row.cursor.key.clone();
        match found {
            Some(before) => {
                let columns: Vec<usize> = row
                    .values
                    .iter()
                    .zip(&old[before].values)
                    .enumerate()
                    .filter(|(_, (now, then))| now != then)
                    .map(|(column, _)| column)
                    .collect();
                if !columns.is_empty() {
                    changed.push(FlashRow { key, columns: Some(columns) });
                }
            }
            None if old_at_end || last_matched.is_some_and(|last| index < last) => {
                changed.push(FlashRow { key, columns: None });
            }
            None => {}
        }
    }
    changed
}

impl TableTab {
    /// What to read to show this tab's window again where it is; `None` before its schema is known.
    pub fn window_reload(&self) -> Option<WindowReload> {
        let view = self.view()?;
        let window = &self.window;
        let first = if window.at_start { None } else { window.rows.first().map(|r| r.cursor.clone()) };
        let page_rows = self.page_rows();
        // A window at the table's end also takes a few rows added after it, so they show.
        let slack = if window.at_end { page_rows / 4 } else { 0 };
        let limit = (window.rows.len().max(page_rows) + slack).min(WINDOW_PAGES * page_rows);
        Some(WindowReload { view, first, limit })
    }
}

impl App {
    /// Turns live refresh off, saying why (the status line shows "not live" and the reload key).
    pub fn set_live_off(&mut self, why: impl Into<String>) {
        self.live.off = Some(why.into());
    }

    /// Another process committed: every tab's rows are stale (the active one is read again by
    /// [`App::catch_up_stale`] as soon as it can be), the staged rows are checked, and a schema
    /// change reads the table list again.
    pub(super) fn on_external_change(&mut self, schema: bool) -> Vec<Effect> {
        for tab in &mut self.tabs {
            if tab.meta().is_some() {
                tab.stale = Some(Reread { flash: true });
            }
        }
        let mut effects = Vec::new();
        if schema {
            effects.extend(self.request_tables());
            effects.extend(self.reread_schemas());
            effects.extend(self.drift_schema_changed());
        }
        effects.extend(self.check_staged());
        effects
    }

    /// The schema changed (a migration ran, a column was added by hand): the active tab reads
    /// its table's schema again now, keeping its rows if the columns stayed the same (see
    /// [`App::on_schema_reread`]); other tabs start afresh when next shown.
    fn reread_schemas(&mut self) -> Vec<Effect> {
        let active = self.active;
        for (index, tab) in self.tabs.iter_mut().enumerate() {
            if index == active || tab.meta().is_none() {
                continue;
            }
            tab.meta = Load::Loading;
            self.pending.forget_tab(&tab.name);
            tab.total = None;
            tab.stale = None;
            tab.window = RowWindow::default();
        }
        let Some(tab) = self.tabs.get(active).filter(|t| t.meta().is_some()) else {
            return Vec::new();
        };
        let waiting = Waiting::TableMeta { table: tab.name.clone() };
        if self.pending.awaits(&waiting) {
            return Vec::new();
        }
        let table = tab.name.clone();
        let (_, effect) = self.request(Worker::Foreground, waiting, DbRequest::LoadTable { table });
        vec![effect]
    }

    /// A tab's schema arrived again while it held rows. Same columns: the rows are read again in
    /// place. Other columns: the rows held no longer fit them, so they are dropped and read from
    /// the top (the cursor cannot be kept across a change of columns).
    pub(super) fn on_schema_reread(&mut self, index: usize, meta: Box<TableMeta>) -> Vec<Effect> {
        let Some(tab) = self.tabs.get_mut(index) else { return Vec::new() };
        let same = tab.meta().is_some_and(|old| old.info.columns == meta.info.columns);
        tab.meta = Load::Loaded(meta);
        if same {
            return self.reread_now(index, Reread { flash: true });
        }
        tab.window = RowWindow::default();
        tab.flash = None;
        tab.selected_col = 0;
        tab.spec = ViewSpec::default();
        tab.stale = None;
        let message = format!("the columns of {} changed: rows read again from the top", tab.name);
        self.say(Level::Warning, message);
        if index == self.active { self.reload_rows() } else { Vec::new() }
    }

    /// Ctrl-r: the rows on screen and the count read again, the selection kept.
    pub(super) fn refresh_in_place(&mut self) -> Vec<Effect> {
        self.reread_now(self.active, Reread { flash: true })
    }

    /// After squall's own commit: the active tab is read again in place, other tabs showing a
    /// changed table when they are next shown. Nothing is highlighted: the user made the change.
    pub(super) fn reload_after_commit(&mut self, tables: &[String]) -> Vec<Effect> {
        let active = self.active;
        for (index, tab) in self.tabs.iter_mut().enumerate() {
            if index != active && tables.contains(&tab.name) && tab.meta().is_some() && tab.stale.is_none() {
                tab.stale = Some(Reread { flash: false });
            }
        }
        self.reread_now(active, Reread { flash: false })
    }

    /// Reads tab `index` again now, or as soon as the read in flight answers.
    fn reread_now(&mut self, index: usize, reread: Reread) -> Vec<Effect> {
        let Some(tab) = self.tabs.get_mut(index) else { return Vec::new() };
        if self.pending.loads_tab(&tab.name) {
            tab.stale = Some(reread);
            return Vec::new();
        }
        self.reload_in_place(index, reread)
    }

    /// Reads the active tab again if its rows went stale while that had to wait: a read was in
    /// flight, another screen was shown, or a popup showed or acted on the selected row (reloading
    /// under it could move the selection to another row between the gesture and its effect).
    pub(super) fn catch_up_stale(&mut self) -> Vec<Effect> {
        let index = self.active;
        let Some(tab) = self.tabs.get(index) else { return Vec::new() };
        let Some(reread) = tab.stale else { return Vec::new() };
        // The row detail and the `gr` list belong to the selected row too (labels, referencing rows).
        let acting_on_row = matches!(
            self.overlay,
            Overlay::Edit(EditPopup::Cell { .. } | EditPopup::Insert { .. })
                | Overlay::Confirm(_)
                | Overlay::Help { over: Some(_), .. }
                | Overlay::User(_)
                | Overlay::Detail { .. }
                | Overlay::References { .. }
        );
        if self.screen != Screen::Browser || acting_on_row || self.pending.loads_tab(&tab.name) {
            return Vec::new();
        }
        self.reload_in_place(index, reread)
    }

    /// Sends the read of tab `index`'s window where it is, and a count.
    fn reload_in_place(&mut self, index: usize, reread: Reread) -> Vec<Effect> {
        let Some(reload) = self.tabs.get(index).and_then(TableTab::window_reload) else { return Vec::new() };
        let kind = FetchKind::InPlace { flash: reread.flash };
        let waiting = Waiting::Page { table: reload.view.table.clone(), kind, sent_at_tick: self.spinner };
        let (_, effect) = self.request(Worker::Foreground, waiting, DbRequest::ReloadWindow { reload });
        self.tabs[index].stale = None;
        let mut effects = vec![effect];
        effects.extend(self.recount(index));
        effects
    }

    /// Counts tab `index` again, or once the count in flight answers (it may predate the change):
    /// never more than one count per tab queues on the background worker.
    pub(super) fn recount(&mut self, index: usize) -> Vec<Effect> {
        let Some(tab) = self.tabs.get_mut(index) else { return Vec::new() };
        let waiting = Waiting::Count { table: tab.name.clone() };
        if self.pending.awaits(&waiting) {
            tab.recount = true;
            return Vec::new();
        }
        let Some(view) = tab.view() else { return Vec::new() };
        tab.recount = false;
        if self.remote.is_some() && tab.spec.narrows() {
            // Counting it would read every row it scans: only `#` does that (`app::cost`).
            tab.total = None;
            return Vec::new();
        }
        let (_, effect) = self.request(Worker::Background, waiting, DbRequest::Count { view });
        vec![effect]
    }

    /// Shows a window read again in place (see [`RowWindow::replace_in_place`]).
    pub(super) fn apply_in_place(&mut self, index: usize, page: Page, flash: bool) -> Vec<Effect> {
        let is_active = index == self.active;
        let (page, kept) = self.keep_staged_rows(index, page);
        let Some(tab) = self.tabs.get_mut(index) else { return Vec::new() };
        tab.rows_error = None;
        if page.rows.is_empty() && !tab.window.at_start {
            // Every row from the window's start on is gone: read from the top instead.
            tab.window = RowWindow::default();
            tab.total = None;
            return if is_active { self.reload_rows() } else { Vec::new() };
        }
        let changed = tab.window.replace_in_place(page);
        if flash && !changed.is_empty() {
            tab.flash = Some(Flash { rows: changed, ticks_left: FLASH_TICKS });
        }
        let mut effects = self.refresh_statuses(index);
        if is_active {
            effects.extend(self.after_move());
        }
        // A kept row not yet known to be gone (Ctrl-r, a reload after a commit) is checked, so
        // it is marked `!` and the review and the commit say so.
        if kept.iter().any(|key| !self.staged_row_gone(&self.tabs[index].name, key)) {
            effects.extend(self.check_staged());
        }
        effects
    }

    /// Rows with staged edits (updates, deletes) that a read in place no longer has: another
    /// writer deleted them. They stay in the window where they were, so the staged edit can
    /// still be seen and undone (`u`); the live check marks them `!` (gone), the review flags
    /// them, and the commit reports them as conflicts. Returns the page and the keys kept.
    fn keep_staged_rows(&self, index: usize, mut page: Page) -> (Page, Vec<Vec<Value>>) {
        let Some(tab) = self.tabs.get(index) else { return (page, Vec::new()) };
        let staged: Vec<&Vec<Value>> = self
            .edits
            .staged
            .iter()
            .filter(|e| e.change.table() == tab.name && !e.cursor_key.is_empty())
            .filter(|e| !matches!(e.change, StagedChange::Insert { .. }))
            .map(|e| &e.cursor_key)
            .collect();
        let mut kept = Vec::new();
        let old = &tab.window.rows;
        for (i, row) in old.iter().enumerate() {
            let key = &row.cursor.key;
            if !staged.contains(&key) || page.rows.iter().any(|r| r.cursor.key == *key) {
                continue;
            }
            // Right after the nearest row before it that is still there.
            let at = old[..i]
                .iter()
                .rev()
                .find_map(|before| page.rows.iter().position(|r| r.cursor.key == before.cursor.key))
                .map_or(0, |p| p + 1);
            page.rows.insert(at, row.clone());
            kept.push(key.clone());
        }
        (page, kept)
    }

    /// Takes rows another writer deleted out of the grid once no staged change keeps them
    /// (undone, dropped): `rows` are (table, paging key) of rows that were gone.
    pub(super) fn let_go_of_gone_rows(&mut self, rows: &[(String, Vec<Value>)]) {
        for (table, key) in rows {
            if self.edits.staged.iter().any(|e| e.change.table() == table && e.cursor_key == *key) {
                continue;
            }
            let Some(tab) = self.tabs.iter_mut().find(|t| t.name == *table) else { continue };
            let window = &mut tab.window;
            let Some(at) = window.rows.iter().position(|r| r.cursor.key == *key) else { continue };
            window.rows.remove(at);
            if at < window.selected || window.selected >= window.rows.len() {
                window.selected = window.selected.saturating_sub(1);
            }
            window.top = window.top.min(window.selected);
        }
    }

    /// The (table, paging key) of staged rows the live check found deleted.
    pub(super) fn gone_rows(&self) -> Vec<(String, Vec<Value>)> {
        self.edits
            .staged
            .iter()
            .filter(|e| self.staged_row_gone(e.change.table(), &e.cursor_key))
            .map(|e| (e.change.table().to_string(), e.cursor_key.clone()))
            .collect()
    }

    /// Whether the live check found the row of a staged change on this grid row deleted.
    pub fn staged_row_gone(&self, table: &str, cursor_key: &[Value]) -> bool {
        self.edits.staged.iter().any(|e| {
            e.change.table() == table
                && e.cursor_key == cursor_key
                && match &e.change {
                    StagedChange::Update { key, .. } | StagedChange::Delete { key, .. } => {
                        self.live.conflicts.iter().any(|c| !c.row_exists && c.table == table && c.key == *key)
                    }
                    StagedChange::Insert { .. } => false,
                }
        })
    }

    /// One tick less for highlighted cells.
    pub(super) fn fade_flash(&mut self) {
        for tab in &mut self.tabs {
            if let Some(flash) = &mut tab.flash {
                flash.ticks_left = flash.ticks_left.saturating_sub(1);
                if flash.ticks_left == 0 {
                    tab.flash = None;
                }
            }
        }
    }

    /// Compares the staged rows with the database (one check at a time).
    fn check_staged(&mut self) -> Vec<Effect> {
        if self.edits.staged.is_empty() {
            self.live.conflicts.clear();
            return Vec::new();
        }
        if self.pending.awaits(&Waiting::StagedCheck) {
            self.live.check_again = true;
            return Vec::new();
        }
        let changes = self.edits.staged.iter().map(|e| e.change.clone()).collect();
        let (_, effect) = self.request(Worker::Foreground, Waiting::StagedCheck, DbRequest::CheckStaged { changes });
        vec![effect]
    }

    pub(super) fn on_staged_check(&mut self, reply: DbReply) -> Vec<Effect> {
        if let Ok(DbResult::StagedConflicts(conflicts)) = reply.result {
            let before = self.conflicted_rows();
            self.live.conflicts = conflicts;
            let now = self.conflicted_rows();
            // A review open meanwhile says what the check found.
            self.refresh_review_conflicts();
            if now > before {
                self.say(
                    Level::Warning,
                    format!(
                        "{} changed underneath (marked !) · Ctrl-s reviews · u undoes",
                        crate::present::plural(now as u64, "staged row")
                    ),
                );
            }
        }
        if std::mem::take(&mut self.live.check_again) {
            return self.check_staged();
        }
        Vec::new()
    }

    /// Whether the staged change's row was found changed underneath.
    fn change_conflicts(&self, change: &StagedChange) -> bool {
        let (table, key) = match change {
            StagedChange::Update { table, key, .. } | StagedChange::Delete { table, key, .. } => (table, key),
            StagedChange::Insert { .. } => return false,
        };
        self.live.conflicts.iter().any(|c| c.table == *table && c.key == *key)
    }

    /// Whether a staged change on this grid row (table, paging key) conflicts with the database.
    pub fn staged_conflict(&self, table: &str, cursor_key: &[Value]) -> bool {
        self.edits
            .staged
            .iter()
            .any(|e| e.change.table() == table && e.cursor_key == cursor_key && self.change_conflicts(&e.change))
    }

    /// How many staged rows changed underneath, and how many of those are gone (deleted).
    pub fn conflicted_rows_by_kind(&self) -> (usize, usize) {
        let conflicted = self.conflicted_rows();
        let gone = self
            .live
            .conflicts
            .iter()
            .filter(|c| !c.row_exists)
            .filter(|c| {
                self.edits.staged.iter().any(|e| match &e.change {
                    StagedChange::Update { table, key, .. } | StagedChange::Delete { table, key, .. } => {
                        *table == c.table && *key == c.key
                    }
                    StagedChange::Insert { .. } => false,
                })
            })
            .count();
        (conflicted - gone, gone)
    }

    /// How many staged rows changed underneath.
    pub fn conflicted_rows(&self) -> usize {
        self.live
            .conflicts
            .iter()
            .filter(|c| {
                self.edits.staged.iter().any(|e| match &e.change {
                    StagedChange::Update { table, key, .. } | StagedChange::Delete { table, key, .. } => {
                        *table == c.table && *key == c.key
                    }
                    StagedChange::Insert { .. } => false,
                })
            })
            .count()
    }
}

#[cfg(test)]
#[path = "reload_tests.rs"]
mod tests;
