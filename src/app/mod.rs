//! Application state: plain data changed only by [`App::update`], one [`Action`] at a time.
//! Database work leaves as [`Effect`]s and comes back as replies tagged with a request id;
//! a reply whose id is no longer awaited is dropped.

mod action;
mod browser;
mod columns;
mod confirm;
mod confirm_delete;
mod console;
mod console_keymap;
mod console_keys;
mod console_run;
mod cost;
mod detail;
mod edit;
mod edit_replies;
mod edit_values;
mod er;
mod export;
mod filter_form;
mod filter_hint;
mod filter_stack;
mod filter_time;
pub mod form;
pub mod grid_layout;
mod help;
mod hints;
mod input;
mod insert_form;
mod keymap;
pub mod layout;
mod migrations;
mod navigate;
mod overlay;
mod pending;
mod popup_keys;
mod protocol;
mod ref_picker;
mod reload;
mod remote;
mod remote_wait;
mod review;
mod said;
mod status_filter;
mod stopped;
mod tab;
#[cfg(test)]
mod tests_said;
mod user_links;
mod user_panel;
mod users;

use rusqlite::types::Value;

pub use crate::service::protocol::{
    ActionDone, AuditTarget, ConsoleRequest, ConsoleResult, DbReply, DbRequest, DbResult, ErView, ErrorKind, ExportJob,
    MigrationsOverview, MigrationsSource, ReplyError, RequestId, RowBatch, RunRequest, TableMeta, UsersRequest,
    UsersResult, WindowReload,
};
pub use action::Action;
pub use browser::arrow;
pub use columns::{ChooserEntry, ColumnChooser, SESSIONS_TITLE, STATUS_TITLE, column_title};
pub use confirm::{CONFIRM_KEYS, Confirmation, Confirmed, PreviewLine, TypedAnswer, WRITE_KEYS};
pub use console::{
    Awaiting, ConsoleAreas, ConsoleFocus, ConsoleState, Outcome, StatementResult, console_areas, console_body,
};
pub use console_keymap::{CONSOLE_KEYS, RESULT_KEYS};
pub use console_keys::editor_with;
pub use cost::{CostAsk, CostState, scan_causes};
pub use edit::{EditPopup, EditState, InsertField, StagedEdit, TYPE_COUNT_ABOVE};
pub use er::ErScreen;
pub use export::{ClipboardSupport, ExportPrompt, ExportState, RunningExport, default_export_path};
pub use filter_form::{FilterField, FilterForm};
pub use form::{FORM_KEYS, Form};
pub use grid_layout::{ColumnPrefs, GridColumn, GridLayout};
pub use help::{HelpLine, help_layout};
pub use hints::{Hint, fit_hints, help_key, hints, insert_key_line, offers_help};
pub use input::field_text;
pub use keymap::{
    BROWSER_KEYS, Binding, DETAIL_KEYS, ER_KEYS, FILTER_KEYS, KeyHelp, MIGRATION_KEYS, SCROLL_KEYS, help_rows,
};
pub use migrations::MigrationsScreen;
pub use navigate::{Breadcrumb, describe_group, describe_target};
pub use overlay::{Overlay, Picker};
pub use overlay::{describe_filter, filter_values};
pub use pending::{Pending, Stopped, Waiting};
pub use protocol::{AppEvent, Effect, Worker};
pub use ref_picker::RefPicker;
pub use reload::Live;
pub use remote::{ActionStart, RemoteSession};
pub use remote_wait::{RemoteWait, SHOWN_AFTER_SECONDS};
pub use status_filter::FilterFormLabels;
pub use tab::{FLASH_TICKS, Flash, FlashRow, Reread, RowWindow, TableTab, ViewSpec};
pub use user_links::{DetailLinks, LINKS_SHOWN};
pub use user_panel::{
    BanField, MENU_KEYS, MenuItem, PanelStep, PasswordField, ROLE_FIELD, ROLE_KEYS, ROLE_LIST, UserPanel, UserRef,
    read_ban_expiry,
};
pub use users::{StatusTone, UserTable, UsersState, grid_status, status_parts, status_text};

use crate::db::edit::RowConflict;
use crate::db::labels::RowLabel;
use crate::db::open::ReadOnlyReason;
use crate::db::schema::TableSummary;
use crate::db::value::DisplayContext;

/// How many status messages the log keeps.
const MESSAGES_KEPT: usize = 300;

/// A value being loaded, loaded, or failed (keeping what was there before).
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Loaded(T),
    Failed(String),
}

/// How loud a status message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// The last message shown in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub level: Level,
}

/// The database being shown and why it was picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: String,
    /// The wrangler database name (or binding) when opened from a wrangler project: its file is a hash.
    pub name: Option<String>,
    pub reason: String,
    pub read_only: Option<ReadOnlyReason>,
    pub migrations: MigrationsSource,
    pub audit: AuditTarget,
}

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// A table's tab.
    Browser,
    /// The ER diagram of the schema.
    Er,
    /// The migrations of the database.
    Migrations,
    /// The SQL console.
    Console,
}

/// Screens that have a tab after the tables', in tab-bar order.
pub const SPECIAL_SCREENS: [(Screen, &str); 3] =
    [(Screen::Er, "◇ ER"), (Screen::Migrations, "⇅ migrations"), (Screen::Console, "› SQL")];

/// The whole application state.
pub struct App {
    pub source: Source,
    pub tables: Load<Vec<TableSummary>>,
    pub show_internal: bool,
    pub tabs: Vec<TableTab>,
    pub active: usize,
    pub screen: Screen,
    pub migrations: MigrationsScreen,
    pub er: ErScreen,
    pub edits: EditState,
    /// The path walked with `gd` / `gr`, most recent last.
    pub trail: Vec<Breadcrumb>,
    /// User statuses and the user action menu's requests.
    pub users: UsersState,
    /// Following other processes' commits: on or off, and staged rows found changed underneath.
    pub live: Live,
    /// The running export and whether the clipboard works here.
    pub export: ExportState,
    /// The SQL console.
    pub console: ConsoleState,
    pub overlay: Overlay,
    pub status: Option<Status>,
    /// Every message shown in the status line this session, oldest first (the last few hundred).
    pub messages: Vec<Status>,
    /// Terminal size in cells.
    pub width: u16,
    pub height: u16,
    pub ctx: DisplayContext,
    /// Column choices per table of this database (loaded and saved by the terminal side).
    pub column_prefs: std::collections::HashMap<String, ColumnPrefs>,
    /// Advances on every tick while something loads.
    pub spinner: usize,
    pub should_quit: bool,
    /// The first `g` of `gg` was pressed.
    pub pending_g: bool,
    /// Requests in flight, each with what its reply is for.
    pub pending: Pending,
    next_id: RequestId,
    /// On a remote D1 (`--remote`): its badge and what requests cost.
    pub remote: Option<RemoteSession>,
    /// When and where the status line's message was said (it goes when that is over).
    pub said: said::Said,
}

impl App {
    /// A new app for `source`, with the effects that load its first screen.
    pub fn new(source: Source, width: u16, height: u16, ctx: DisplayContext) -> (App, Vec<Effect>) {
        let mut app = App {
            source,
            tables: Load::Loading,
            show_internal: false,
            tabs: Vec::new(),
            active: 0,
            screen: Screen::Browser,
            migrations: MigrationsScreen::default(),
            er: ErScreen::default(),
            edits: EditState::default(),
            trail: Vec::new(),
            users: UsersState::default(),
            live: Live::default(),
            export: ExportState::default(),
            console: ConsoleState::default(),
            overlay: Overlay::None,
            status: None,
            messages: Vec::new(),
            width,
            height,
            ctx,
            column_prefs: std::collections::HashMap::new(),
            spinner: 0,
            should_quit: false,
            pending_g: false,
            pending: Pending::default(),
            next_id: 1,
            remote: None,
            said: said::Said::default(),
        };
        let mut effects = app.request_tables();
        effects.extend(app.read_migrations_at_start());
        (app, effects)
    }

    /// The tab on screen, if any table is open.
    pub fn active_tab(&self) -> Option<&TableTab> {
        self.tabs.get(self.active)
    }

    fn active_tab_mut(&mut self) -> Option<&mut TableTab> {
        self.tabs.get_mut(self.active)
    }

    fn next_request_id(&mut self) -> RequestId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A request to `worker`, recorded in the table of pending requests as `waiting` (which
    /// supersedes an older request for the same thing: its reply will be dropped).
    fn request(&mut self, worker: Worker, waiting: Waiting, request: DbRequest) -> (RequestId, Effect) {
        let id = self.next_request_id();
        self.pending.insert(id, waiting);
        (id, Effect::Request { worker, id, request: Box::new(request) })
    }

    pub(crate) fn request_tables(&mut self) -> Vec<Effect> {
        let request = DbRequest::ListTables { include_internal: self.show_internal };
        let (_, effect) = self.request(Worker::Foreground, Waiting::Tables, request);
        vec![effect]
    }

    /// Shows a message in the status line, and keeps it in the log `m` opens.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let status = Status { text: text.into(), level };
        if self.messages.last() != Some(&status) {
            if self.messages.len() >= MESSAGES_KEPT {
                self.messages.remove(0);
            }
            self.messages.push(status.clone());
        }
        self.status = Some(status);
        self.note_said();
    }

    /// Shows an error whole: in the status line, and in the message log opened over the screen
    /// (a status line cuts long messages such as a constraint's name).
    pub fn show_error(&mut self, text: impl Into<String>) {
        self.say(Level::Error, text);
        self.overlay = Overlay::Messages { scroll: 0 };
    }

    /// Whether any request is outstanding (drives the spinner).
    pub fn is_busy(&self) -> bool {
        [
            Waiting::Tables,
            Waiting::Migrations,
            Waiting::ApplyMigrations,
            Waiting::Er,
            Waiting::Navigation,
            Waiting::Edit,
        ]
        .iter()
        .any(|waiting| self.pending.awaits(waiting))
            || self.pending.any(|w| {
                matches!(
                    w,
                    Waiting::TableMeta { .. }
                        | Waiting::Page { .. }
                        | Waiting::UserPanel
                        | Waiting::UserAction { .. }
                        | Waiting::Console { .. }
                )
            })
    }

    /// Whether a tick moving the clock from `before` to the app's `now` changes the screen: the
    /// spinner moves while busy, changed cells fade, and otherwise shown times only change once a
    /// second.
    pub fn tick_shows(&self, before: chrono::DateTime<chrono::Utc>) -> bool {
        self.wants_tick() || before.timestamp() != self.ctx.now.timestamp()
    }

    /// Whether ticks change more than the clock: something loads (spinner) or changed cells are
    /// highlighted.
    pub fn wants_tick(&self) -> bool {
        self.is_busy() || self.tabs.iter().any(|t| t.flash.is_some()) || self.remote_wait().is_some()
    }

    /// Titles of the tab bar: the tables, then the special screens.
    pub fn tab_titles(&self) -> Vec<&str> {
        self.tabs.iter().map(|t| t.name.as_str()).chain(SPECIAL_SCREENS.iter().map(|(_, title)| *title)).collect()
    }

    /// Index into [`App::tab_titles`] of what is showing.
    pub fn active_title(&self) -> usize {
        match self.screen {
            Screen::Browser => self.active,
            other => self.tabs.len() + SPECIAL_SCREENS.iter().position(|(s, _)| *s == other).unwrap_or(0),
        }
    }

    /// Applies one action and returns the work it asks for.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let by_user = !matches!(action, Action::Tick { .. } | Action::Reply { .. } | Action::ExternalChange { .. });
        let reply = matches!(action, Action::Reply { .. });
        if by_user {
            self.said.keys += 1;
        }
        let place = (self.screen, self.active);
        // Requests sent now are stamped with the app's clock (waits show their seconds).
        self.pending.clock = self.ctx.now;
        let mut effects = self.dispatch(action);
        if by_user {
            self.left_place(place);
        } else if reply {
            self.progress_over();
        }
        // Rows that went stale while they could not be reloaded (a read in flight, a popup
        // acting on the selected row) are read again as soon as they can be.
        effects.extend(self.catch_up_stale());
        if by_user {
            self.start_remote_action(&effects);
        }
        effects
    }

    fn dispatch(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.should_quit = self.confirm_quit();
                Vec::new()
            }
            Action::Resize { width, height } => {
                self.width = width;
                self.height = height;
                self.relayout_all();
                self.after_move()
            }
            Action::Tick { now } => {
                if self.is_busy() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
                self.fade_flash();
                self.ctx = DisplayContext { now, ..self.ctx };
                self.pending.clock = now;
                Vec::new()
            }
            Action::Reply { reply } => self.beneath_help(|app| app.on_reply(reply)),
            Action::ExternalChange { schema } => self.on_external_change(schema),
            Action::Key { key } => self.on_key(key),
            Action::Mouse { mouse } => self.on_mouse(mouse),
            other => self.update_screen(other),
        }
    }

    /// A reply is taken out of the table of pending requests and handled once, by what it was
    /// for; one the table does not hold (superseded, cancelled, answered) is dropped.
    fn on_reply(&mut self, reply: DbReply) -> Vec<Effect> {
        // Progress leaves its request in the table: the final reply follows.
        let partial = matches!(
            reply.result,
            Ok(DbResult::ApplyProgress(_) | DbResult::ExportProgress { .. } | DbResult::LockWait)
        );
        let waiting = if partial { self.pending.get(reply.id).cloned() } else { self.pending.take(reply.id) };
        let Some(waiting) = waiting else {
            // A remote write the user stopped waiting for still says how it ended.
            if let Some(stopped) = self.pending.take_stopped(reply.id).filter(|_| !partial) {
                return self.on_stopped_write(stopped, reply);
            }
            return Vec::new(); // stale: the user moved on
        };
        if matches!(reply.result, Ok(DbResult::LockWait)) {
            return self.on_lock_wait(&waiting);
        }
        match waiting {
            Waiting::Tables => match reply.result {
                Ok(DbResult::Tables(tables)) => self.on_tables(tables),
                Ok(_) => Vec::new(),
                Err(ReplyError { message, .. }) => {
                    self.say(Level::Error, crate::present::cause_first("reading the schema", &message));
                    self.tables = Load::Failed(message);
                    Vec::new()
                }
            },
            Waiting::StagedCheck => self.on_staged_check(reply),
            Waiting::RefPicker => self.on_ref_picker_reply(&reply).unwrap_or_default(),
            Waiting::DetailLabels { columns } => self.on_detail_labels(&columns, &reply).unwrap_or_default(),
            Waiting::DeleteOwners => self.on_delete_owners(reply),
            Waiting::Export(running) => self.on_export_reply(running, reply),
            Waiting::Console { .. } | Waiting::ConsoleSchema => self.on_console_reply(waiting, reply),
            Waiting::UserStatuses | Waiting::UserPanel | Waiting::UserAction { .. } | Waiting::UserLinks => {
                self.on_users_reply(waiting, reply)
            }
            Waiting::Migrations | Waiting::ApplyMigrations => self.on_migrations_reply(waiting, reply),
            Waiting::Er => self.on_er_reply(reply),
            Waiting::Edit => self.on_edit_reply(reply),
            Waiting::InsertCheck { change } => self.on_insert_check(change, reply),
            Waiting::Navigation => self.on_navigation_reply(reply),
            Waiting::ExactCount { .. } => self.on_exact_count(waiting, reply),
            Waiting::TableMeta { ref table } | Waiting::Page { ref table, .. } | Waiting::Count { ref table } => {
                let Some(index) = self.tabs.iter().position(|t| t.name == *table) else {
                    return Vec::new(); // the table is gone from the list
                };
                self.on_tab_reply(index, waiting, reply)
            }
        }
    }

    fn on_tables(&mut self, tables: Vec<TableSummary>) -> Vec<Effect> {
        let current = self.active_tab().map(|t| t.name.clone());
        let mut kept: Vec<TableTab> = Vec::new();
        for summary in &tables {
            let existing = self.tabs.iter().position(|t| t.name == summary.name);
            kept.push(match existing {
                Some(i) => self.tabs.swap_remove(i),
                None => TableTab::new(summary.name.clone(), summary.relation),
            });
        }
        // A remote bills rows read: smaller pages (the next one is read ahead).
        let cap = self.remote.is_some().then_some(tab::REMOTE_PAGE_ROWS);
        kept.iter_mut().for_each(|tab| tab.page_cap = cap);
        self.tabs = kept;
        self.active = current.and_then(|name| self.tabs.iter().position(|t| t.name == name)).unwrap_or(0);
        if tables.is_empty() {
            self.say(Level::Warning, "this database has no tables");
        }
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        self.users.auth = crate::db::users::AuthTables::find(&names);
        self.tables = Load::Loaded(tables);
        self.open_active_tab()
    }

    /// Makes sure the active tab has its schema and rows, requesting what is missing.
    fn open_active_tab(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        // A tab whose rows were dropped (after a commit) reads them again when shown.
        let reading = self.pending.page_of(&tab.name).is_some();
        if tab.meta().is_some() && tab.window.rows.is_empty() && !reading && tab.total.is_none() {
            return self.reload_rows();
        }
        let waiting = Waiting::TableMeta { table: tab.name.clone() };
        if self.pending.awaits(&waiting) || !matches!(tab.meta, Load::Loading) {
            return Vec::new();
        }
        let table = tab.name.clone();
        let (_, effect) = self.request(Worker::Foreground, waiting, DbRequest::LoadTable { table });
        vec![effect]
    }

    /// Labels for foreign-key values of the selected row (row detail).
    pub fn fk_label(&self, column: usize) -> Option<&RowLabel> {
        match &self.overlay {
            Overlay::Detail { labels, .. } => labels.get(column).and_then(|l| l.as_ref()),
            _ => None,
        }
    }

    /// The selected row's values, if one is selected.
    pub fn selected_values(&self) -> Option<&[Value]> {
        self.active_tab().and_then(|t| t.window.selected_row()).map(|r| r.values.as_slice())
    }
}

#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_busy;
#[cfg(test)]
mod tests_dialogs;
#[cfg(test)]
mod tests_edit;
#[cfg(test)]
mod tests_export;
#[cfg(test)]
mod tests_faults;
#[cfg(test)]
mod tests_insert_checks;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_migrations;
#[cfg(test)]
mod tests_picker;
#[cfg(test)]
mod tests_popups;
#[cfg(test)]
mod tests_status_filter;
#[cfg(test)]
pub(crate) mod tests_user_links;
#[cfg(test)]
pub(crate) use tests_user_links as user_links_test_support;
#[cfg(test)]
pub(crate) mod tests_trust;
#[cfg(test)]
pub(crate) use users::tests as users_test_support;
#[cfg(test)]
pub(crate) mod console_tests;
