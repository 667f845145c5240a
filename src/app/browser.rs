//! The table browser's part of `update`: moving, paging, tabs, sorting, and the replies that
//! fill a tab.

use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use crate::db::page::{Anchor, Sort, SortDirection};

use super::grid_layout::GridColumn;
use super::keymap::browser_action;
use super::layout::{GUTTER, areas, grid_rows, tab_bar};
use super::tab::FetchKind;
use super::{
    Action, App, DbReply, DbRequest, DbResult, Effect, Level, Load, Overlay, ReplyError, SPECIAL_SCREENS, Screen,
    Waiting, Worker,
};

impl App {
    /// Actions of the screen on top: the overlay's when one is open, else the grid's.
    pub(super) fn update_screen(&mut self, action: Action) -> Vec<Effect> {
        if !matches!(self.overlay, Overlay::None) {
            return self.update_overlay(action);
        }
        match (self.screen, action) {
            (_, Action::NextTab) => self.switch_tab(self.active_title() as i64 + 1),
            (_, Action::PrevTab) => self.switch_tab(self.active_title() as i64 - 1),
            (_, Action::SelectTab { index }) => self.switch_tab(index as i64),
            (_, Action::OpenConsole) => {
                let table =
                    if self.screen == Screen::Browser { self.active_tab().map(|t| t.name.clone()) } else { None };
                self.open_console(table)
            }
            (
                Screen::Console,
                action @ (Action::OpenHelp | Action::OpenPicker | Action::OpenDetail | Action::OpenMessages),
            ) => self.open_overlay(action),
            (Screen::Console, _) => Vec::new(),
            (Screen::Migrations, action @ (Action::OpenHelp | Action::OpenPicker | Action::OpenMessages)) => {
                self.open_overlay(action)
            }
            (Screen::Browser, action) => self.update_browser(action),
            (Screen::Migrations, action) => self.update_migrations(action),
            (Screen::Er, action @ (Action::OpenHelp | Action::OpenPicker | Action::OpenMessages)) => {
                self.open_overlay(action)
            }
            (Screen::Er, action @ Action::ToggleInternal) => self.update_browser(action),
            (Screen::Er, _) => Vec::new(),
        }
    }

    pub(super) fn update_browser(&mut self, action: Action) -> Vec<Effect> {
        let page = grid_rows(self).max(1) as i64;
        match action {
            Action::MoveRows { delta } => self.move_rows(delta),
            Action::PageDown => self.move_rows(page),
            Action::PageUp => self.move_rows(-page),
            Action::FirstRow => self.jump(FetchKind::Top),
            Action::LastRow => self.jump(FetchKind::Bottom),
            Action::MoveColumns { delta } => self.move_column(delta),
            Action::FirstColumn => self.move_column(i64::MIN),
            Action::LastColumn => self.move_column(i64::MAX),
            Action::OpenColumns => self.open_column_chooser(),
            Action::ResizeColumn { steps } => self.resize_column(steps),
            Action::CycleSort => {
                let column = self.active_tab().map_or(0, |t| t.selected_col);
                self.cycle_sort(column)
            }
            Action::SortColumn { column } => self.cycle_sort(column),
            Action::ToggleInternal => {
                self.show_internal = !self.show_internal;
                let shown = if self.show_internal { "shown" } else { "hidden" };
                self.say(Level::Info, format!("internal tables {shown}"));
                let mut effects = self.request_tables();
                effects.extend(self.er_after_tables_changed());
                effects
            }
            Action::Refresh => self.refresh_in_place(),
            Action::ExactCount => self.exact_count(),
            Action::FollowReference => self.follow_reference(),
            Action::ShowReferences => self.show_references(),
            Action::Back => self.go_back(),
            Action::EditCell => self.start_cell_edit(),
            Action::InsertRow => self.start_insert(),
            Action::DeleteRows => self.start_delete(),
            Action::ToggleMark => self.toggle_mark(),
            Action::UndoEdit => self.undo_staged(),
            Action::ReviewChanges => self.review_staged(),
            Action::OpenUserMenu => self.open_user_menu(),
            Action::Cancel if self.running_export().is_some() => self.cancel_export(),
            Action::Cancel => self.cancel_query(),
            Action::OpenExport => self.open_export(),
            Action::CopyCell => self.copy_cell(false),
            Action::CopyRow => self.copy_row(false),
            Action::ClearFilters => {
                if let Some(tab) = self.active_tab_mut() {
                    tab.spec.clear_filters();
                }
                self.say(Level::Info, "filters and search cleared");
                self.reload_rows()
            }
            Action::OpenHelp
            | Action::OpenMessages
            | Action::OpenPicker
            | Action::OpenDetail
            | Action::OpenSearch
            | Action::OpenFilter
            | Action::ToggleReveal => self.open_overlay(action),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        use ratatui::crossterm::event::KeyEventKind;
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if let Some(effects) = self.stop_remote_wait(&key) {
            return effects;
        }
        if self.edits.committing {
            return self.key_while_committing(key);
        }
        if !matches!(self.overlay, Overlay::None) {
            return self.overlay_key(key);
        }
        match self.screen {
            Screen::Migrations => return self.migrations_key(key),
            Screen::Er => return self.er_key(key),
            Screen::Console => return self.console_key(key),
            Screen::Browser => {}
        }
        // On a remote, a scan held for confirmation answers its own keys (`app::cost`); any
        // other key drops it and does what it does.
        if let Some(effects) = self.answer_ask(&key) {
            return effects;
        }
        let asked = self.held_ask();
        let effects = self.grid_key(key);
        self.drop_unanswered(asked);
        effects
    }

    fn grid_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        use ratatui::crossterm::event::KeyCode;
        if std::mem::take(&mut self.pending_g) && key.modifiers.is_empty() {
            let action = match key.code {
                KeyCode::Char('g') => Some(Action::FirstRow),
                KeyCode::Char('d') => Some(Action::FollowReference),
                KeyCode::Char('r') => Some(Action::ShowReferences),
                _ => None,
            };
            if let Some(action) = action {
                return self.update_browser(action);
            }
        }
        if key.code == KeyCode::Char('g') && key.modifiers.is_empty() {
            self.pending_g = true;
            return Vec::new();
        }
        match browser_action(&key) {
            Some(action) => self.update(action),
            None => Vec::new(),
        }
    }

    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        if matches!(self.overlay, Overlay::Detail { .. }) {
            return self.detail_mouse(mouse);
        }
        if !matches!(self.overlay, Overlay::None) {
            return Vec::new();
        }
        let areas = areas(self);
        if let MouseEventKind::Down(MouseButton::Left) = mouse.kind
            && mouse.row == areas.tabs.y
        {
            // A tab, or a `‹N` / `N›` mark: the nearest hidden tab on its side.
            let hit = tab_bar(self).tab_at(mouse.column);
            return hit.map_or_else(Vec::new, |index| self.switch_tab(index as i64));
        }
        match self.screen {
            Screen::Er => return self.er_mouse(mouse),
            Screen::Console => return self.console_mouse(mouse),
            Screen::Migrations => return Vec::new(),
            Screen::Browser => {}
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_rows(3),
            MouseEventKind::ScrollUp => self.move_rows(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let (x, y) = (mouse.column, mouse.row);
                let Some(column) = self.column_at(x) else { return Vec::new() };
                if y >= areas.header.y && y < areas.header.y + areas.header.height {
                    return self.cycle_sort(column);
                }
                if y >= areas.grid.y && y < areas.grid.y + areas.grid.height {
                    let row = (y - areas.grid.y) as usize;
                    if let Some(tab) = self.active_tab_mut() {
                        let target = tab.window.top + row;
                        if target < tab.window.rows.len() {
                            tab.window.selected = target;
                            tab.selected_col = column;
                        }
                    }
                    return self.after_move();
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The table column drawn at `x`, if any (computed columns are not selectable).
    fn column_at(&self, x: u16) -> Option<usize> {
        let tab = self.active_tab()?;
        let layout = self.layout_of(tab);
        let selected = layout.position(GridColumn::Table(tab.selected_col)).unwrap_or(0);
        layout
            .place(selected, self.width, GUTTER)
            .into_iter()
            .find(|(_, start, width)| x >= *start && x < start + width)
            .and_then(|(index, _, _)| match layout.columns[index].column {
                GridColumn::Table(column) => Some(column),
                _ => None,
            })
    }

    fn move_rows(&mut self, delta: i64) -> Vec<Effect> {
        if let Some(tab) = self.active_tab_mut() {
            tab.window.move_by(delta);
        }
        self.after_move()
    }

    /// Keeps the selection on screen and fetches the neighbouring page when it gets close.
    pub(super) fn after_move(&mut self) -> Vec<Effect> {
        let height = grid_rows(self);
        let Some(tab) = self.tabs.get_mut(self.active) else { return Vec::new() };
        tab.window.keep_visible(height);
        // On a remote, statuses are read for the rows near the screen only: moving reads theirs.
        let mut effects =
            if self.remote.is_some() { self.request_statuses(self.active, FetchKind::Append) } else { Vec::new() };
        let Some(tab) = self.tabs.get(self.active) else { return effects };
        if self.pending.page_of(&tab.name).is_some() {
            return effects;
        }
        if let Some((kind, anchor)) = tab.window.wanted_fetch(tab.page_rows()) {
            effects.extend(self.fetch(kind, anchor));
        }
        effects
    }

    fn jump(&mut self, kind: FetchKind) -> Vec<Effect> {
        let anchor = if kind == FetchKind::Top { Anchor::First } else { Anchor::Last };
        let reading = self.active_tab().and_then(|t| self.pending.page_of(&t.name)).map(|(_, kind, _)| kind);
        let Some(tab) = self.active_tab_mut() else { return Vec::new() };
        // Already there: the window holds the table's edge.
        let at_edge = if kind == FetchKind::Top { tab.window.at_start } else { tab.window.at_end };
        if at_edge && !tab.window.rows.is_empty() {
            tab.window.selected = if kind == FetchKind::Top { 0 } else { tab.window.rows.len() - 1 };
            // A jump to the other edge still on its way (`G` then `gg`) is superseded: its page
            // must not land later and pull the view away from where the user went.
            let superseded = reading.is_some_and(|kind| matches!(kind, FetchKind::Top | FetchKind::Bottom));
            let mut effects = if superseded { self.interrupt_running_fetch() } else { Vec::new() };
            effects.extend(self.after_move());
            return effects;
        }
        let mut effects = self.interrupt_running_fetch();
        effects.extend(self.fetch(kind, anchor));
        effects
    }

    /// Cancels an outstanding page read whose result a new one will replace.
    fn interrupt_running_fetch(&mut self) -> Vec<Effect> {
        match self.take_page_read(self.active) {
            Some((id, _)) => vec![Effect::Interrupt { worker: Worker::Foreground, id }],
            None => Vec::new(),
        }
    }

    /// Lets go of tab `index`'s page read in flight (its reply will find nothing): its id, to
    /// interrupt it, and where its rows were going.
    pub(super) fn take_page_read(&mut self, index: usize) -> Option<(super::RequestId, FetchKind)> {
        let table = self.tabs.get(index)?.name.clone();
        let (id, kind, _) = self.pending.page_of(&table)?;
        self.pending.take(id);
        Some((id, kind))
    }

    /// Tab `index` goes back to the view of its rows on screen (see [`super::TableTab::restore_shown`]);
    /// the count in flight, of the view left, is let go.
    pub(super) fn restore_shown_view(&mut self, index: usize) -> bool {
        let Some(tab) = self.tabs.get_mut(index) else { return false };
        let changed = tab.restore_shown();
        if changed {
            let table = tab.name.clone();
            self.pending.forget(&Waiting::Count { table });
        }
        changed
    }

    fn fetch(&mut self, kind: FetchKind, anchor: Anchor) -> Vec<Effect> {
        let Some(view) = self.active_tab().and_then(|t| t.view()) else { return Vec::new() };
        let limit = self.active_tab().map_or(super::tab::PAGE_ROWS, |t| t.page_rows());
        let waiting = Waiting::Page { table: view.table.clone(), kind, sent_at_tick: self.spinner };
        let (_, effect) = self.request(Worker::Foreground, waiting, DbRequest::FetchPage { view, anchor, limit });
        vec![effect]
    }

    /// Re-reads the first page and recounts, after the sort, filters or search changed.
    pub(super) fn reload_rows(&mut self) -> Vec<Effect> {
        let mut effects = self.interrupt_running_fetch();
        let Some(view) = self.active_tab().and_then(|t| t.view()) else { return effects };
        effects.extend(self.fetch(FetchKind::Top, Anchor::First));
        if let Some(tab) = self.active_tab_mut() {
            tab.total = None;
        }
        if self.active_tab().is_some_and(|tab| !self.counts_in_background(&tab.spec)) {
            return effects;
        }
        let waiting = Waiting::Count { table: view.table.clone() };
        let (_, count) = self.request(Worker::Background, waiting, DbRequest::Count { view });
        effects.push(count);
        effects
    }

    /// Counts the rows of tab `index` when nothing has counted them yet (after its first page).
    fn count_if_unknown(&mut self, index: usize) -> Vec<Effect> {
        let Some(tab) = self.tabs.get(index) else { return Vec::new() };
        let waiting = Waiting::Count { table: tab.name.clone() };
        let known = tab.window.known_total().filter(|_| tab.total.is_none());
        if let Some(total) = known.filter(|_| !self.counts_in_background(&tab.spec)) {
            // The rows read reach the view's end from its start (all on hand, or read down to
            // the end): its count is known without asking.
            self.tabs[index].total = Some(total);
            return Vec::new();
        }
        if tab.total.is_some() || self.pending.awaits(&waiting) || !self.counts_in_background(&tab.spec) {
            return Vec::new();
        }
        let Some(view) = tab.view() else { return Vec::new() };
        let (_, effect) = self.request(Worker::Background, waiting, DbRequest::Count { view });
        vec![effect]
    }

    /// Esc on the grid: stops a running read; with none running, lets go of the marked rows.
    fn cancel_query(&mut self) -> Vec<Effect> {
        let Some((id, kind)) = self.take_page_read(self.active) else {
            let marked = std::mem::take(&mut self.edits.marked).len() as u64;
            if marked > 0 {
                self.say(Level::Info, format!("{} unmarked", crate::present::plural(marked, "row")));
            }
            return Vec::new();
        };
        let restored = kind == FetchKind::Top && self.restore_shown_view(self.active);
        let message = if restored {
            "query cancelled; back to the rows and view from before"
        } else {
            "query cancelled; showing the rows from before"
        };
        self.say(Level::Info, message);
        vec![Effect::Interrupt { worker: Worker::Foreground, id }]
    }

    /// Shows the tab at `index` of the tab bar (tables, then special screens), wrapping around.
    fn switch_tab(&mut self, index: i64) -> Vec<Effect> {
        let count = self.tab_titles().len() as i64;
        if count == 0 {
            return Vec::new();
        }
        let index = index.rem_euclid(count) as usize;
        if self.screen == Screen::Er {
            self.leave_er();
        }
        if index < self.tabs.len() {
            self.screen = Screen::Browser;
            self.active = index;
            return self.open_active_tab();
        }
        self.screen = SPECIAL_SCREENS[index - self.tabs.len()].0;
        match self.screen {
            Screen::Migrations => self.open_migrations(),
            Screen::Er => self.open_er(),
            Screen::Console => self.open_console(None),
            Screen::Browser => Vec::new(),
        }
    }

    fn cycle_sort(&mut self, column: usize) -> Vec<Effect> {
        let Some(tab) = self.active_tab_mut() else { return Vec::new() };
        let Some(meta) = tab.meta() else { return Vec::new() };
        let Some(name) = meta.info.columns.get(column).map(|c| c.name.clone()) else { return Vec::new() };
        let indexed = meta.info.is_indexed(&name);
        let nullable = meta.info.columns.get(column).is_some_and(|c| !c.not_null);
        tab.selected_col = column;
        tab.spec.sort = match &tab.spec.sort {
            Some(Sort { column, direction: SortDirection::Asc, .. }) if *column == name => {
                Some(Sort { column: name.clone(), direction: SortDirection::Desc, nullable })
            }
            Some(Sort { column, direction: SortDirection::Desc, .. }) if *column == name => None,
            _ => Some(Sort { column: name.clone(), direction: SortDirection::Asc, nullable }),
        };
        let message = match (&tab.spec.sort, indexed) {
            (None, _) => "sort removed".to_string(),
            (Some(sort), true) => format!("sorted by {name} {}", arrow(sort.direction)),
            (Some(sort), false) => {
                format!("sorted by {name} {} — {name} is not indexed: each page scans the table", arrow(sort.direction))
            }
        };
        let level = if indexed || tab.spec.sort.is_none() { Level::Info } else { Level::Warning };
        self.say(level, message);
        self.reload_or_ask()
    }

    /// A reply for tab `index`, answered from what its request in the table said it was for.
    pub(super) fn on_tab_reply(&mut self, index: usize, waiting: Waiting, reply: DbReply) -> Vec<Effect> {
        let is_active = index == self.active;
        let tab = &mut self.tabs[index];
        if let Waiting::TableMeta { .. } = waiting {
            match reply.result {
                Ok(DbResult::Table(meta)) if tab.meta().is_some() => return self.on_schema_reread(index, meta),
                Ok(DbResult::Table(meta)) => {
                    tab.meta = Load::Loaded(meta);
                    if is_active {
                        // The first page only: the count (a full scan on the other connection)
                        // is asked for once the rows are on screen, so it cannot slow them.
                        return self.fetch(FetchKind::Top, Anchor::First);
                    }
                }
                Ok(_) => {}
                Err(ReplyError { message, .. }) => {
                    tab.meta = Load::Failed(message.clone());
                    self.say(
                        Level::Error,
                        crate::present::cause_first(&format!("reading {}", self.tabs[index].name), &message),
                    );
                }
            }
            return Vec::new();
        }
        if let Waiting::Count { .. } = waiting {
            if std::mem::take(&mut tab.recount) {
                return self.recount(index);
            }
            // Another process holds a lock: say so once, and count again (the background worker
            // waits its busy timeout each time, so this settles as soon as the lock goes). An
            // error on screen (the page itself failed) says more, and stays.
            if let Err(ReplyError { kind: super::ErrorKind::Busy, .. }) = &reply.result {
                let said = "the database is locked by another process; counting again until it is free";
                if self.status.as_ref().is_none_or(|s| s.text != said && s.level != Level::Error) {
                    self.say(Level::Warning, said);
                }
                return self.recount(index);
            }
            if let Ok(DbResult::Count(total)) = reply.result {
                tab.total = Some(total);
                // The count is of the current view; if its rows are on screen, remember it too.
                let spec = tab.spec.clone();
                if let Some(shown) = tab.shown.as_mut().filter(|s| s.spec == spec) {
                    shown.total = Some(total);
                }
                self.note_estimate(index, total);
            }
            return Vec::new();
        }
        let Waiting::Page { kind, .. } = waiting else { return Vec::new() };
        match reply.result {
            Ok(DbResult::Page(page)) => {
                if let FetchKind::InPlace { flash } = kind {
                    return self.apply_in_place(index, page, flash);
                }
                tab.rows_error = None;
                if is_active {
                    self.rows_read_anew();
                }
                let tab = &mut self.tabs[index];
                let page_rows = tab.page_rows();
                tab.window.apply(kind, page, page_rows);
                if matches!(kind, FetchKind::Top | FetchKind::Bottom) {
                    tab.remember_shown();
                }
                let mut effects = self.request_statuses(index, kind);
                self.after_search_page(index);
                self.after_filter_page(index, kind);
                self.after_scan_page(index);
                self.settle_layout(index);
                effects.extend(self.count_if_unknown(index));
                if is_active {
                    effects.extend(self.after_move());
                }
                effects
            }
            Ok(_) => Vec::new(),
            Err(error) => {
                let name = tab.name.clone();
                tab.rows_error = Some(error.message.clone());
                if kind == FetchKind::Top {
                    self.restore_shown_view(index);
                }
                if error.is_interrupted() {
                    self.say(Level::Info, "query cancelled; showing the rows from before");
                } else if error.kind == super::ErrorKind::Busy {
                    // The worker tried again already; the rows from before stay on screen.
                    self.say(Level::Error, BUSY_READ);
                } else {
                    self.say(Level::Error, format!("reading {name} failed: {error}"));
                }
                Vec::new()
            }
        }
    }
}

/// What the status line says when a page read stayed locked out after the worker's retries.
pub const BUSY_READ: &str = "the database is locked by another process; press Ctrl-r to retry";

impl App {
    /// A search's first page arrived: the status line says what it found, not that it is looking.
    fn after_search_page(&mut self, index: usize) {
        let Some(tab) = self.tabs.get(index) else { return };
        let Some(search) = tab.spec.search.clone() else { return };
        if self.status.as_ref().map(|s| s.text.as_str()) != Some(&super::overlay::searching_message(&search)) {
            return;
        }
        let text = if tab.window.rows.is_empty() {
            format!("no rows match {search:?}")
        } else {
            format!("showing rows matching {search:?} · / changes the search, F clears")
        };
        self.say(Level::Info, text);
    }
}

/// ▲ for ascending, ▼ for descending.
pub fn arrow(direction: SortDirection) -> &'static str {
    match direction {
        SortDirection::Asc => "▲",
        SortDirection::Desc => "▼",
    }
}
