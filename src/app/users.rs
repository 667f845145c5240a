//! User administration on better-auth's user table: the status columns of the grid (filled by
//! one bounded request per fetched page), and the replies of the action menu's requests. The
//! menu itself (its steps, forms and keys) is in `user_panel`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use crate::db::page::Page;
use crate::db::users::{ActionPlan, AuthTables, BanState, MappedTable, UserAction, UserSummary};
use crate::db::value::{DisplayContext, raw_text};
use crate::present::relative_age;

use super::tab::{FetchKind, RowWindow};
use super::{
    App, DbReply, DbRequest, DbResult, Effect, Level, Load, Overlay, RunRequest, TableTab, UsersRequest, UsersResult,
    Waiting, Worker,
};

/// The better-auth user table of this database, as the grid shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTable {
    pub table: String,
    pub id_column: usize,
    pub email_column: Option<usize>,
    /// better-auth's admin plugin columns, when the table has them.
    pub ban: Option<BanColumns>,
}

/// Where a user row holds `banned` and `banExpires` (found by name, in either naming flavour: an
/// adapter that stores 'true' makes the column text, and it is still a ban).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BanColumns {
    pub banned: usize,
    pub expires: Option<usize>,
}

impl BanColumns {
    /// The row's ban state, by the one rule the status column and the CLI use too
    /// ([`crate::db::users::ban_state`]).
    pub fn state(&self, values: &[Value], now: DateTime<Utc>) -> BanState {
        let banned = values.get(self.banned).unwrap_or(&Value::Null);
        let expires = self.expires.and_then(|i| values.get(i)).unwrap_or(&Value::Null);
        crate::db::users::ban_state(banned, expires, now)
    }
}

/// State of the user features that outlives the menu.
#[derive(Debug, Clone, Default)]
pub struct UsersState {
    /// better-auth's tables, detected once when the table list loads (`None`: not an auth database).
    pub auth: Option<AuthTables>,
    /// The user table the statuses belong to, once its first page was read.
    pub table: Option<UserTable>,
    /// Status of each user of the held rows, by id; `None` while it is being read.
    pub statuses: HashMap<String, Option<UserSummary>>,
    /// Set when the statuses cannot be read here (the column is then hidden).
    pub statuses_failed: bool,
    /// The sessions and accounts of the user whose row detail is open.
    pub links: Option<super::user_links::DetailLinks>,
}

impl UsersState {
    /// The status of the user in `row` when `tab` is the user table: `Some(None)` while loading.
    pub fn status_of(&self, tab: &TableTab, values: &[Value]) -> Option<Option<&UserSummary>> {
        let table = self.table.as_ref().filter(|t| t.table == tab.name && !self.statuses_failed)?;
        let id = raw_text(values.get(table.id_column)?);
        Some(self.statuses.get(&id).and_then(Option::as_ref))
    }
}

/// The warning of a failed statuses read (it goes when they are read again).
const STATUSES_FAILED: &str = "user statuses are not shown";

/// What a piece of a status says, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusTone {
    Banned,
    BanExpired,
    Admin,
    Role,
    Unverified,
}

/// The pieces of a user's status, short enough for a grid column: ban (with when it ends and
/// why), roles other than `user`, an unverified email. Most users have none of these.
pub fn status_parts(user: &UserSummary, ctx: &DisplayContext) -> Vec<(String, StatusTone)> {
    let mut parts = Vec::new();
    let reason = user.ban.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    match (user.ban.state, user.ban.expires_at) {
        (BanState::NotBanned, _) => {}
        (BanState::Banned, None) => parts.push((format!("banned permanently{reason}"), StatusTone::Banned)),
        (BanState::Banned, Some(until)) => {
            let left = relative_age(until, ctx.now);
            parts.push((format!("banned, ends {left}{reason}"), StatusTone::Banned))
        }
        (BanState::BanExpired, at) => {
            let ago = at.map(|at| format!(" {}", relative_age(at, ctx.now))).unwrap_or_default();
            parts.push((format!("ban expired{ago}"), StatusTone::BanExpired))
        }
    }
    for role in user.roles.iter().filter(|r| r.as_str() != "user") {
        let tone = if role == "admin" { StatusTone::Admin } else { StatusTone::Role };
        parts.push((role.clone(), tone));
    }
    if !user.email_verified {
        parts.push(("unverified".into(), StatusTone::Unverified));
    }
    parts
}

/// The grid's compact status: the ban with the date it ends, or `ban expired`, and an
/// unverified email. Roles have their own column in the grid.
pub fn grid_status(user: &UserSummary, ctx: &DisplayContext) -> Vec<(String, StatusTone)> {
    let mut parts = Vec::new();
    match (user.ban.state, user.ban.expires_at) {
        (BanState::NotBanned, _) => {}
        (BanState::Banned, None) => parts.push(("banned".to_string(), StatusTone::Banned)),
        (BanState::Banned, Some(until)) => {
            let date = until.with_timezone(&ctx.offset).format("%Y-%m-%d");
            parts.push((format!("banned→{date}"), StatusTone::Banned))
        }
        (BanState::BanExpired, _) => parts.push(("ban expired".to_string(), StatusTone::BanExpired)),
    }
    if !user.email_verified {
        parts.push(("unverified".into(), StatusTone::Unverified));
    }
    parts
}

/// The status as one line, pieces joined with ` · `.
pub fn status_text(user: &UserSummary, ctx: &DisplayContext) -> String {
    status_parts(user, ctx).into_iter().map(|(text, _)| text).collect::<Vec<_>>().join(" · ")
}

impl App {
    /// better-auth's user table, when `tab` is it: the one detected when the table list loaded
    /// ([`UsersState::auth`]), its columns found with the users module's column map.
    pub fn user_table_of(&self, tab: &TableTab) -> Option<UserTable> {
        if self.users.auth.as_ref()?.user != tab.name {
            return None;
        }
        let meta = tab.meta()?;
        let mapped = MappedTable::new(meta.info.clone());
        let index = |logical: &str| {
            mapped.column(logical).and_then(|name| meta.info.columns.iter().position(|c| c.name == name))
        };
        let ban = index("banned").map(|banned| BanColumns { banned, expires: index("banExpires") });
        Some(UserTable { table: tab.name.clone(), id_column: index("id")?, email_column: index("email"), ban })
    }

    /// The roles a remote's role form offers without reading every user: better-auth's `admin`
    /// and `user`, those the table's sample found, and those on the rows read so far, sorted.
    pub(super) fn roles_in_sight(&self) -> Vec<String> {
        let mut roles = vec!["admin".to_string(), "user".to_string()];
        let tab = self.active_tab();
        let meta = tab.and_then(|tab| tab.meta());
        let column = meta.and_then(|meta| {
            let mapped = MappedTable::new(meta.info.clone());
            let name = mapped.column("role")?.to_string();
            meta.info.columns.iter().position(|c| c.name == name)
        });
        if let (Some(tab), Some(meta), Some(column)) = (tab, meta, column) {
            if let Some(crate::db::kinds::ColumnKind::Enum { values }) = meta.kinds.get(column) {
                roles.extend(values.iter().flat_map(|v| crate::db::users::split_roles(Some(v))));
            }
            let stored = tab.window.rows.iter().filter_map(|row| row.values.get(column));
            roles.extend(
                stored
                    .filter(|v| !matches!(v, Value::Null))
                    .flat_map(|v| crate::db::users::split_roles(Some(&raw_text(v)))),
            );
        }
        roles.sort();
        roles.dedup();
        roles
    }

    /// After a page of tab `index` arrived: reads the statuses of its users that are not known
    /// yet, in one request. A page that replaced the window re-reads them all.
    pub(super) fn request_statuses(&mut self, index: usize, kind: FetchKind) -> Vec<Effect> {
        let Some(tab) = self.tabs.get(index) else { return Vec::new() };
        let Some(table) = self.user_table_of(tab) else { return Vec::new() };
        // After a failed read (a connection reset, a timeout) the next page or Ctrl-r reads
        // them all again: one failure does not hide them for the session.
        if matches!(kind, FetchKind::Top | FetchKind::Bottom)
            || self.users.table.as_ref() != Some(&table)
            || self.users.statuses_failed
        {
            self.users.statuses.clear();
            self.pending.forget(&Waiting::UserStatuses);
            self.users.statuses_failed = false;
        }
        let mut held: HashMap<String, Value> = HashMap::new();
        for row in &tab.window.rows {
            if let Some(id) = row.values.get(table.id_column) {
                held.insert(raw_text(id), id.clone());
            }
        }
        self.users.statuses.retain(|id, _| held.contains_key(id));
        // On a remote, only the rows on screen and near it (D1 bills each status's reads): an
        // unindexed sort's 1,000-row page would otherwise read ten batches nobody sees.
        let near = if self.remote.is_some() {
            // `top` may be stale past the rows (they were read again, fewer): clamped.
            let end = (tab.window.top + super::tab::REMOTE_PAGE_ROWS).min(tab.window.rows.len());
            tab.window.top.saturating_sub(super::tab::REMOTE_PAGE_ROWS / 2).min(end)..end
        } else {
            0..tab.window.rows.len()
        };
        let missing: Vec<Value> = tab.window.rows[near]
            .iter()
            .filter_map(|row| row.values.get(table.id_column))
            .filter(|id| !self.users.statuses.contains_key(&raw_text(id)))
            .cloned()
            .collect();
        self.users.table = Some(table);
        if missing.is_empty() {
            return Vec::new();
        }
        for id in &missing {
            self.users.statuses.insert(raw_text(id), None);
        }
        let request = UsersRequest::Statuses { ids: missing, now: self.ctx.now };
        // Statuses are extra: they read on the background worker so a jump never queues behind them.
        let (_, effect) = self.request(Worker::Background, Waiting::UserStatuses, DbRequest::Users(request));
        vec![effect]
    }

    /// After tab `index`'s rows were read again in place: reads every held user's status again
    /// in one request, showing the old ones until the answer comes (no blink on live refresh).
    pub(super) fn refresh_statuses(&mut self, index: usize) -> Vec<Effect> {
        let Some(tab) = self.tabs.get(index) else { return Vec::new() };
        let Some(table) = self.user_table_of(tab) else { return Vec::new() };
        if self.users.statuses_failed || self.users.table.as_ref() != Some(&table) {
            return self.request_statuses(index, FetchKind::Top);
        }
        let ids: Vec<Value> =
            tab.window.rows.iter().filter_map(|row| row.values.get(table.id_column)).cloned().collect();
        let held: std::collections::HashSet<String> = ids.iter().map(raw_text).collect();
        self.users.statuses.retain(|id, _| held.contains(id));
        for id in &ids {
            self.users.statuses.entry(raw_text(id)).or_insert(None);
        }
        if ids.is_empty() {
            return Vec::new();
        }
        let request = UsersRequest::Statuses { ids, now: self.ctx.now };
        let (_, effect) = self.request(Worker::Background, Waiting::UserStatuses, DbRequest::Users(request));
        vec![effect]
    }

    /// A reply to one of the user features' requests.
    pub(super) fn on_users_reply(&mut self, waiting: Waiting, reply: DbReply) -> Vec<Effect> {
        if waiting == Waiting::UserLinks {
            return self.on_links_reply(reply);
        }
        if waiting == Waiting::UserStatuses {
            match reply.result {
                Ok(DbResult::Users(UsersResult::Statuses(users))) => {
                    for user in users {
                        if let Some(slot) = self.users.statuses.get_mut(&user.id) {
                            *slot = Some(user);
                        }
                    }
                    // Ids the reply did not name are gone (removed meanwhile): show nothing.
                    self.users.statuses.retain(|_, status| status.is_some());
                    if self.status.as_ref().is_some_and(|s| s.text.starts_with(STATUSES_FAILED)) {
                        self.status = None;
                    }
                }
                Ok(_) => {}
                Err(message) => {
                    self.users.statuses_failed = true;
                    self.users.statuses.clear();
                    self.say(Level::Warning, format!("{STATUSES_FAILED}: {message}"));
                }
            }
            return Vec::new();
        }
        if let Waiting::UserAction { action } = waiting {
            return self.on_action_done(action, reply.result.map_err(|e| e.message));
        }
        if waiting == Waiting::UserPanel {
            if let (Overlay::Edit(super::EditPopup::Insert { .. }), Ok(DbResult::Users(UsersResult::Roles(roles)))) =
                (&self.overlay, &reply.result)
            {
                let roles = roles.clone();
                self.set_insert_form_roles(roles);
                return Vec::new();
            }
            self.on_panel_reply(reply.result.map_err(|e| e.message));
        }
        Vec::new()
    }

    /// Sends a previewed plan to run on the worker, with the grid rows to re-read after it.
    pub(super) fn run_user_plan(&mut self, plan: ActionPlan) -> Vec<Effect> {
        let reload = self.active_tab().and_then(TableTab::window_reload);
        let audit = self.source.audit.clone();
        let action = plan.action.clone();
        let request = RunRequest { plan, audit, reload };
        let request = DbRequest::Users(UsersRequest::Run(Box::new(request)));
        if self.remote.is_some() {
            // The wait's words replace an older message (an earlier attempt's failure beside
            // "waiting 1 s on D1" reads as this one's); `m` keeps it.
            self.status = None;
        }
        let (_, effect) = self.request(Worker::Foreground, Waiting::UserAction { action }, request);
        vec![effect]
    }

    fn on_action_done(&mut self, action: UserAction, result: Result<DbResult, String>) -> Vec<Effect> {
        let done = match result {
            Ok(DbResult::Users(UsersResult::Done(done))) => done,
            Ok(_) => return Vec::new(),
            Err(message) => {
                let text = super::remote_wait::failed_text(action.name(), &message);
                self.say(Level::Error, text.clone());
                self.show_panel_failure(text);
                return Vec::new();
            }
        };
        self.overlay = Overlay::None;
        let mut said = crate::db::users::outcome(&done.outcome, &action, &self.ctx).trim_end().to_string();
        if let Some(undo) = &done.undo {
            said.push_str(&format!(" · {}", crate::db::backend::d1::restore_point(undo)));
        }
        match &done.audit_error {
            None => self.say(Level::Info, said),
            Some(error) => self.say(Level::Warning, format!("{said} — but squall's log was not written: {error}")),
        }
        let changed: Vec<String> =
            done.outcome.effects.iter().filter(|e| e.rows > 0).map(|e| e.table.clone()).collect();
        self.forget_rows_of(&changed);
        let mut effects = match done.rows {
            Some(Ok(page)) => self.replace_window(page),
            _ => self.reload_rows(),
        };
        effects.extend(self.recount_active());
        effects
    }

    /// Puts freshly read rows in place of the active tab's window, keeping the position and the
    /// selected user (or the row that took its place).
    fn replace_window(&mut self, page: Page) -> Vec<Effect> {
        self.apply_in_place(self.active, page, false)
    }

    /// Counts the active tab's rows again (a removal or a filtered column may have changed it).
    fn recount_active(&mut self) -> Vec<Effect> {
        let Some(view) = self.active_tab().and_then(|t| t.view()) else { return Vec::new() };
        if self.active_tab().is_some_and(|tab| !self.counts_in_background(&tab.spec)) {
            return Vec::new();
        }
        let waiting = Waiting::Count { table: view.table.clone() };
        let (_, effect) = self.request(Worker::Background, waiting, DbRequest::Count { view });
        vec![effect]
    }

    /// Other tabs showing a changed table read it afresh when next shown (sort and filters stay).
    fn forget_rows_of(&mut self, tables: &[String]) {
        let active = self.active;
        for (index, tab) in self.tabs.iter_mut().enumerate() {
            if index == active || !tables.contains(&tab.name) || tab.meta().is_none() {
                continue;
            }
            tab.meta = Load::Loading;
            self.pending.forget_tab(&tab.name);
            tab.total = None;
            tab.window = RowWindow::default();
        }
    }
}

#[cfg(test)]
#[path = "users_tests.rs"]
pub(crate) mod tests;
