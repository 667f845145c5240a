//! The user action menu (`A` on the user table or a user's detail): pick an action, fill in its
//! form, read the SQL it will run with what it affects, then confirm. Nothing is written before
//! the confirmation, and a read-only session is told why instead of offered writes.

use crate::db::users::{Impersonation, Password, UserAction, UserSummary, normalise_role};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

#[path = "user_forms.rs"]
mod forms;
pub use forms::*;

use super::confirm::{Answered, Confirmation, Confirmed, TypedAnswer};
use super::form::{Form, FormKey, Outcome};
use super::keymap::{Binding, Chord, hint, lookup};
use super::popup_keys::{VIEW_KEYS, ViewKey};
use super::{App, DbRequest, DbResult, Effect, Level, Load, Overlay, Waiting, Worker};
use super::{UsersRequest, UsersResult};

/// The user the menu acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRef {
    pub id: String,
    pub email: String,
    /// The user's status, when the grid had it.
    pub summary: Option<UserSummary>,
}

impl UserRef {
    /// What must be typed to remove this user: the email, or the id when the table has none.
    pub fn removal_word(&self) -> &str {
        if self.email.trim().is_empty() { &self.id } else { &self.email }
    }
}

/// The entries of the menu, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    Ban,
    Unban,
    SetRole,
    RevokeSessions,
    SetPassword,
    Remove,
    Impersonations,
}

/// What a key does in the user action menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuKey {
    /// Highlight the entry this many places down (negative: up), round the ends.
    Move(i8),
    /// Choose the highlighted entry.
    Choose,
    /// Choose this entry directly.
    Pick(MenuItem),
    Close,
}

const fn letter(c: char) -> Chord {
    Chord { code: KeyCode::Char(c), modifiers: ratatui::crossterm::event::KeyModifiers::NONE }
}

const fn plain(code: KeyCode) -> Chord {
    Chord { code, modifiers: ratatui::crossterm::event::KeyModifiers::NONE }
}

/// Keys of the user action menu; each entry's letter is drawn beside it from here.
#[rustfmt::skip]
pub static MENU_KEYS: &[Binding<MenuKey>] = &[
    Binding { keys: "↑ ↓ / k j", description: "highlight an action", chords: &[plain(KeyCode::Up), letter('k')], action: Some(MenuKey::Move(-1)), hints: &[hint(1, "↑↓", "choose")] },
    Binding { keys: "", description: "", chords: &[plain(KeyCode::Down), letter('j')], action: Some(MenuKey::Move(1)), hints: &[] },
    Binding { keys: "Enter", description: "choose it", chords: &[plain(KeyCode::Enter)], action: Some(MenuKey::Choose), hints: &[hint(2, "Enter", "select")] },
    Binding { keys: "b u r s p d i", description: "pick an action by its letter (shown beside it)", chords: &[letter('b')], action: Some(MenuKey::Pick(MenuItem::Ban)), hints: &[] },
    Binding { keys: "", description: "", chords: &[letter('u')], action: Some(MenuKey::Pick(MenuItem::Unban)), hints: &[] },
    Binding { keys: "", description: "", chords: &[letter('r')], action: Some(MenuKey::Pick(MenuItem::SetRole)), hints: &[] },
    Binding { keys: "", description: "", chords: &[letter('s')], action: Some(MenuKey::Pick(MenuItem::RevokeSessions)), hints: &[] },
    Binding { keys: "", description: "", chords: &[letter('p')], action: Some(MenuKey::Pick(MenuItem::SetPassword)), hints: &[] },
    Binding { keys: "", description: "", chords: &[letter('d')], action: Some(MenuKey::Pick(MenuItem::Remove)), hints: &[] },
    Binding { keys: "", description: "", chords: &[letter('i')], action: Some(MenuKey::Pick(MenuItem::Impersonations)), hints: &[] },
    Binding { keys: "Esc / q", description: "close", chords: &[plain(KeyCode::Esc), letter('q')], action: Some(MenuKey::Close), hints: &[hint(3, "Esc", "close")] },
];

impl MenuItem {
    pub const ALL: [MenuItem; 7] = [
        MenuItem::Ban,
        MenuItem::Unban,
        MenuItem::SetRole,
        MenuItem::RevokeSessions,
        MenuItem::SetPassword,
        MenuItem::Remove,
        MenuItem::Impersonations,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MenuItem::Ban => "Ban…",
            MenuItem::Unban => "Unban",
            MenuItem::SetRole => "Set role…",
            MenuItem::RevokeSessions => "Revoke sessions",
            MenuItem::SetPassword => "Set password…",
            MenuItem::Remove => "Remove user",
            MenuItem::Impersonations => "Show impersonations",
        }
    }

    /// The letter that picks the entry directly (from [`MENU_KEYS`]).
    pub fn key(self) -> char {
        MENU_KEYS
            .iter()
            .filter(|binding| binding.action == Some(MenuKey::Pick(self)))
            .flat_map(|binding| binding.chords)
            .find_map(|chord| match chord.code {
                KeyCode::Char(c) => Some(c),
                _ => None,
            })
            .unwrap_or(' ')
    }

    pub fn description(self) -> &'static str {
        match self {
            MenuItem::Ban => "cannot sign in; all their sessions end",
            MenuItem::Unban => "can sign in again (sessions are not restored)",
            MenuItem::SetRole => "user, admin, or any role in use",
            MenuItem::RevokeSessions => "signs them out everywhere",
            MenuItem::SetPassword => "their credential account's password",
            MenuItem::Remove => "deletes the user, their sessions and accounts",
            MenuItem::Impersonations => "admins acting as users, and until when",
        }
    }

    /// Whether the entry changes the database.
    pub fn writes(self) -> bool {
        self != MenuItem::Impersonations
    }
}

/// Where the menu is.
#[derive(Debug, Clone)]
pub enum PanelStep {
    Menu,
    Ban(Form),
    Role(Box<RoleForm>),
    Password(Form),
    /// The action with what it will do, waiting for `y` (for a removal: the email typed, then
    /// Enter): the one [`Confirmation`], running [`Confirmed::UserAction`] on yes.
    Confirm(Box<Confirmation>),
    /// The action is running on the worker.
    Running {
        action: &'static str,
    },
    /// The action failed; nothing was changed.
    Failed {
        message: String,
    },
    Impersonations {
        list: Load<Vec<Impersonation>>,
        scroll: u16,
        /// On a remote without an index: listing reads every session (about this many rows),
        /// asked first; `y` reads them.
        asked: Option<u64>,
    },
}

impl PanelStep {
    /// The action's preview, once read (the confirmation's).
    pub fn loaded_preview(&self) -> Option<&crate::db::users::ActionPreview> {
        match self {
            PanelStep::Confirm(confirmation) => match &confirmation.on_yes {
                Confirmed::UserAction { preview: Load::Loaded(preview), .. } => Some(preview),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The menu popup.
#[derive(Debug, Clone)]
pub struct UserPanel {
    pub user: UserRef,
    pub step: PanelStep,
    /// The highlighted entry (kept while a form is open).
    pub selected: usize,
    /// Why the last entry was refused.
    pub note: Option<String>,
}

impl App {
    /// `A`: the action menu for the selected user, when the tab is better-auth's user table.
    pub(super) fn open_user_menu(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(table) = self.user_table_of(tab) else {
            let message = format!("A opens user actions on better-auth's user table; this is {:?}", tab.name);
            self.say(Level::Info, message);
            return Vec::new();
        };
        let Some(row) = tab.window.selected_row() else {
            self.say(Level::Info, "no user is selected");
            return Vec::new();
        };
        let text = |column: usize| row.values.get(column).map(crate::db::value::raw_text);
        let id = text(table.id_column).unwrap_or_default();
        let email = table.email_column.and_then(text).unwrap_or_else(|| id.clone());
        let summary = self.users.statuses.get(&id).cloned().flatten();
        let user = UserRef { id, email, summary };
        self.overlay = Overlay::User(Box::new(UserPanel { user, step: PanelStep::Menu, selected: 0, note: None }));
        Vec::new()
    }

    fn panel(&mut self) -> Option<&mut UserPanel> {
        match &mut self.overlay {
            Overlay::User(panel) => Some(panel),
            _ => None,
        }
    }

    fn set_step(&mut self, step: PanelStep) {
        if let Some(panel) = self.panel() {
            panel.step = step;
        }
    }

    /// An action that failed on the worker: the open panel says why (nothing was changed).
    pub(super) fn show_panel_failure(&mut self, message: String) {
        self.set_step(PanelStep::Failed { message });
    }

    fn send_panel_request(&mut self, request: UsersRequest) -> Vec<Effect> {
        let (_, effect) = self.request(Worker::Foreground, Waiting::UserPanel, DbRequest::Users(request));
        vec![effect]
    }

    /// Asks the worker what `action` would do, and shows it for confirmation.
    fn preview_user_action(&mut self, action: UserAction) -> Vec<Effect> {
        let Some(user) = self.panel().map(|p| p.user.clone()) else { return Vec::new() };
        let now = self.ctx.now;
        // A removal is not one key away: the email is typed (emails hold `y`, `n` and `q`).
        let answer = matches!(action, UserAction::Remove)
            .then(|| TypedAnswer::name(user.removal_word().to_string(), "remove them", "remove this user"));
        self.set_step(PanelStep::Confirm(Box::new(Confirmation {
            title: format!("confirm · {}", action.name()),
            // The panel draws the preview from the action's own (its SQL, bound values, dates).
            preview: Vec::new(),
            scroll: 0,
            on_yes: Confirmed::UserAction { action: action.clone(), preview: Load::Loading },
            waiting: true,
            answer,
        })));
        self.send_panel_request(UsersRequest::Preview { user: user.id, action, now })
    }

    /// Yes to a user action: the plan its preview showed runs, with its clock and ids (nothing
    /// is recomputed), while the panel says it is running.
    pub(super) fn run_user_action(&mut self, name: &'static str, plan: crate::db::users::ActionPlan) -> Vec<Effect> {
        self.set_step(PanelStep::Running { action: name });
        self.run_user_plan(plan)
    }

    /// Keys of the menu popup, whatever step it is at.
    pub(super) fn user_panel_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(panel) = self.panel() else { return Vec::new() };
        match panel.step {
            PanelStep::Menu => self.menu_key(key),
            PanelStep::Ban(_) => self.ban_key(key),
            PanelStep::Role(_) => self.role_key(key),
            PanelStep::Password(_) => self.password_key(key),
            PanelStep::Confirm { .. } => self.confirm_key(key),
            PanelStep::Running { .. } => self.key_while_user_action_runs(key),
            PanelStep::Failed { .. } | PanelStep::Impersonations { .. } => self.view_key(key),
        }
    }

    fn back_to_menu(&mut self) -> Vec<Effect> {
        self.pending.forget(&Waiting::UserPanel);
        self.set_step(PanelStep::Menu);
        Vec::new()
    }

    fn menu_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(panel) = self.panel() else { return Vec::new() };
        let count = MenuItem::ALL.len();
        let chosen = match lookup(MENU_KEYS, &key) {
            Some(MenuKey::Close) => {
                self.overlay = Overlay::None;
                return Vec::new();
            }
            Some(MenuKey::Move(step)) => {
                let step = if step < 0 { count - 1 } else { 1 };
                panel.selected = (panel.selected + step) % count;
                None
            }
            Some(MenuKey::Choose) => MenuItem::ALL.get(panel.selected).copied(),
            Some(MenuKey::Pick(item)) => {
                panel.selected = MenuItem::ALL.iter().position(|i| *i == item).unwrap_or(panel.selected);
                Some(item)
            }
            None => None,
        };
        match chosen {
            Some(item) => self.choose_menu_item(item),
            None => Vec::new(),
        }
    }

    fn choose_menu_item(&mut self, item: MenuItem) -> Vec<Effect> {
        if item.writes()
            && let Some(reason) = self.source.read_only
        {
            let message = format!(
                "the database is read-only ({}): {} is not possible",
                reason.describe(),
                item.label().trim_end_matches('…')
            );
            self.say(Level::Error, message.clone());
            if let Some(panel) = self.panel() {
                panel.note = Some(message);
            }
            return Vec::new();
        }
        if let Some(panel) = self.panel() {
            panel.note = None;
        }
        match item {
            MenuItem::Ban => {
                self.set_step(PanelStep::Ban(ban_form()));
                Vec::new()
            }
            MenuItem::Unban => self.preview_user_action(UserAction::Unban),
            MenuItem::SetRole => {
                let current = self.panel().and_then(|p| p.user.summary.as_ref()).and_then(|u| u.role.clone());
                // The placeholder must not look like a role: an empty field drawn as `user` while
                // no box is ticked reads as two answers to one question.
                let input = field(current.as_deref().unwrap_or(""), ROLE_PLACEHOLDER);
                let mut form = RoleForm::new(input);
                if self.remote.is_some() {
                    // `SELECT DISTINCT role` reads every user (5,000 billed rows on the stand-in).
                    form.set_roles(self.roles_in_sight(), current.as_deref().unwrap_or(""));
                    form.note = Some(forms::PARTIAL_ROLES_NOTE.to_string());
                    self.set_step(PanelStep::Role(Box::new(form)));
                    return Vec::new();
                }
                self.set_step(PanelStep::Role(Box::new(form)));
                self.send_panel_request(UsersRequest::Roles)
            }
            MenuItem::RevokeSessions => {
                self.preview_user_action(UserAction::RevokeSessions { session_ids: Vec::new() })
            }
            MenuItem::SetPassword => {
                self.set_step(PanelStep::Password(password_form()));
                Vec::new()
            }
            MenuItem::Remove => self.preview_user_action(UserAction::Remove),
            MenuItem::Impersonations => {
                self.set_step(PanelStep::Impersonations { list: Load::Loading, scroll: 0, asked: None });
                let now = self.ctx.now;
                let user = self.panel().map(|p| p.user.id.clone()).unwrap_or_default();
                self.send_panel_request(UsersRequest::Impersonations { user, now, scan: false })
            }
        }
    }

    fn ban_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctx = self.ctx;
        let now = self.ctx.now;
        let Some(PanelStep::Ban(form)) = self.panel().map(|p| &mut p.step) else { return Vec::new() };
        match form.key(key) {
            Some(FormKey::Cancel) => return self.back_to_menu(),
            Some(FormKey::Submit) => {
                let reason = form.text(BanField::Reason as usize).trim().to_string();
                match read_ban_expiry(&form.text(BanField::Expiry as usize), &ctx, now) {
                    Ok(expiry) => {
                        let reason = (!reason.is_empty()).then_some(reason);
                        return self.preview_user_action(UserAction::Ban { reason, expiry });
                    }
                    Err(error) => {
                        form.error = Some(error);
                        form.focus_on(BanField::Expiry as usize);
                    }
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn role_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(PanelStep::Role(form)) = self.panel().map(|p| &mut p.step) else { return Vec::new() };
        let roles: &[String] = match &form.roles {
            Load::Loaded(roles) => roles,
            _ => &[],
        };
        // The one form key path, with the role form's keys (`ROLE_KEYS`) as the owner's table.
        let command = match form.form.key_with(ROLE_KEYS, key) {
            Outcome::Owner(command) => Some(command),
            Outcome::Typed => {
                form.form.focus = ROLE_FIELD;
                None
            }
            // Typing on the list types into the field.
            Outcome::Unbound => {
                form.form.focus = ROLE_FIELD;
                form.form.type_key(key);
                None
            }
            Outcome::Moved | Outcome::Chose => None,
        };
        match command {
            Some(RoleKey::Cancel) => return self.back_to_menu(),
            Some(RoleKey::Move(step)) if !roles.is_empty() => {
                let count = roles.len();
                // Coming from the text field, nothing is highlighted on screen. The highlight
                // stays on the user's role only when the field holds exactly that one role;
                // otherwise (two roles, none, typed text) the list is entered at its first item
                // with ↓ and its last with ↑, not one past an invisible highlight.
                let on_list = form.form.focus == ROLE_LIST;
                let selected = form.form.chosen(ROLE_LIST);
                let entering =
                    !on_list && roles.get(selected).is_none_or(|role| *role != form.form.text(ROLE_FIELD).trim());
                let next = match (entering, step < 0) {
                    (true, true) => count - 1,
                    (true, false) => 0,
                    (false, true) => (selected + count - 1) % count,
                    (false, false) => (selected + 1) % count,
                };
                form.form.choose(ROLE_LIST, next);
                form.form.focus = ROLE_LIST;
            }
            Some(RoleKey::Switch) => {
                let to_list = form.form.focus != ROLE_LIST && !roles.is_empty();
                form.form.focus = if to_list { ROLE_LIST } else { ROLE_FIELD };
            }
            Some(RoleKey::Tick) if form.form.focus == ROLE_LIST => {
                if let Some(role) = roles.get(form.form.chosen(ROLE_LIST)).cloned() {
                    let text = toggle_role(&form.text(), &role);
                    form.set_input(&text);
                    form.form.error = None;
                }
            }
            Some(RoleKey::Submit) if form.text().trim().is_empty() => {
                form.form.error = Some("no role: tick one in the list (Space) or type one".into());
            }
            Some(RoleKey::Submit)
                if form.form.error.is_none()
                    && let Some(warning) = unknown_role_warning(roles, &form.text()) =>
            {
                // As the cell editor does: a role nobody has may be a typo; Enter again goes on.
                form.form.error = Some(warning);
            }
            Some(RoleKey::Submit) => match normalise_role(&form.text()) {
                Ok(role) => return self.preview_user_action(UserAction::SetRole { role }),
                Err(error) => form.form.error = Some(error.to_string()),
            },
            // Space in the field, or ↑↓ with no list yet: typed.
            Some(_) => {
                form.form.focus = ROLE_FIELD;
                form.form.type_key(key);
            }
            None => {}
        }
        Vec::new()
    }

    fn password_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(PanelStep::Password(form)) = self.panel().map(|p| &mut p.step) else { return Vec::new() };
        let (first_at, second_at) = (PasswordField::First as usize, PasswordField::Second as usize);
        match form.key(key) {
            Some(FormKey::Cancel) => return self.back_to_menu(),
            Some(FormKey::Submit) => {
                let (first, second) = (form.text(first_at), form.text(second_at));
                if first.is_empty() {
                    form.error = Some("type the new password".into());
                    form.focus_on(first_at);
                } else if form.focus == first_at {
                    form.focus_on(second_at);
                } else if first != second {
                    form.error = Some("the two passwords differ: type it again".into());
                    if let Some(repeat) = form.input_mut(second_at) {
                        *repeat = masked();
                    }
                } else {
                    let action = UserAction::SetPassword { password: Password::new(first) };
                    return self.preview_user_action(action);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn confirm_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(PanelStep::Confirm(confirmation)) = self.panel().map(|p| &mut p.step) else { return Vec::new() };
        // The screen stops the scroll at the preview's end (only it knows the wrapped height).
        match confirmation.key(key, u16::MAX) {
            Answered::Yes(on_yes) => self.run_confirmed(on_yes),
            Answered::No => {
                self.say(Level::Info, "nothing was changed");
                self.back_to_menu()
            }
            Answered::Refused(message) => {
                // Said in the popup too: the status line's far end is easy to miss. What was
                // typed stays, to be corrected.
                self.say(Level::Warning, message);
                Vec::new()
            }
            // Only the console's question skips.
            Answered::Skip | Answered::Open => Vec::new(),
        }
    }

    /// Keys of the read-only steps: the impersonation list and a failure.
    fn view_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(panel) = self.panel() else { return Vec::new() };
        if let PanelStep::Impersonations { list, asked: asked @ Some(_), .. } = &mut panel.step
            && matches!(key.code, KeyCode::Char('y' | 'Y'))
        {
            // Confirmed: every session is read.
            (*asked, *list) = (None, Load::Loading);
            let (user, now) = (panel.user.id.clone(), self.ctx.now);
            return self.send_panel_request(UsersRequest::Impersonations { user, now, scan: true });
        }
        let scroll = match &mut panel.step {
            PanelStep::Impersonations { scroll, .. } => Some(scroll),
            _ => None,
        };
        match (lookup(VIEW_KEYS, &key), scroll) {
            (Some(ViewKey::Back), _) => return self.back_to_menu(),
            (Some(ViewKey::Scroll(lines)), Some(scroll)) if lines < 0 => {
                *scroll = scroll.saturating_sub(lines.unsigned_abs())
            }
            (Some(ViewKey::Scroll(lines)), Some(scroll)) => *scroll = scroll.saturating_add(lines.unsigned_abs()),
            _ => {}
        }
        Vec::new()
    }

    /// A reply for the step the menu is at (stale ones were dropped before).
    pub(super) fn on_panel_reply(&mut self, result: Result<DbResult, String>) {
        let Some(panel) = self.panel() else { return };
        let mut listed = None;
        match (&mut panel.step, result) {
            (PanelStep::Role(form), Ok(DbResult::Users(UsersResult::Roles(roles)))) => {
                let current = form.text();
                form.set_roles(roles, &current);
            }
            (PanelStep::Confirm(confirmation), Ok(DbResult::Users(UsersResult::Preview(loaded)))) => {
                if let Confirmed::UserAction { preview, .. } = &mut confirmation.on_yes {
                    *preview = Load::Loaded(loaded);
                    confirmation.waiting = false;
                }
            }
            (PanelStep::Impersonations { list, .. }, Ok(DbResult::Users(UsersResult::Impersonations(loaded)))) => {
                listed = Some(loaded.len() as u64);
                *list = Load::Loaded(loaded);
            }
            (
                PanelStep::Impersonations { asked, .. },
                Ok(DbResult::Users(UsersResult::ImpersonationsScan { rows })),
            ) => {
                *asked = Some(rows);
            }
            (PanelStep::Role(form), Err(message)) => form.roles = Load::Failed(message),
            (PanelStep::Confirm(confirmation), Err(message)) => {
                if let Confirmed::UserAction { preview, .. } = &mut confirmation.on_yes {
                    *preview = Load::Failed(message);
                }
            }
            (PanelStep::Impersonations { list, .. }, Err(message)) => *list = Load::Failed(message),
            _ => {}
        }
        // The list replaces what the status line said before (an older action's message).
        if let Some(n) = listed {
            let what = format!("{} listed", crate::present::plural(n, "impersonation"));
            let said = match self.remote.as_ref().map(|remote| remote.action_cost().0) {
                Some(read) => format!("{what} ({} read)", crate::present::plural(read, "row")),
                None => what,
            };
            self.say(Level::Info, said);
        }
    }
}

/// The cell editor's warning for roles neither better-auth nor any user has, worded for a form.
fn unknown_role_warning(roles: &[String], typed: &str) -> Option<String> {
    super::edit_values::unknown_enum_warning("role", roles, typed)
        .map(|warning| warning.replace("Enter again stages it anyway", "Enter again goes on anyway"))
}
