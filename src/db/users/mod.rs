//! better-auth user administration: list and inspect users, and the admin plugin's actions (ban,
//! unban, set role, revoke sessions, set password, remove), written exactly as better-auth writes
//! them, in either column flavour (camelCase or snake_case) and in the date format each row uses.
//!
//! Actions are values ([`UserAction`]): [`preview_action`] plans one (its clock and generated ids
//! fixed) and shows what it will do (counts and the SQL with its bound values); [`run_planned`]
//! runs exactly that plan in one transaction, returning every row change. [`run_action`] plans
//! and runs at once (the CLI). A caller that commits must then record the changes:
//!
//! ```text
//! let preview = preview_action(conn, &RunAction { user, action: &action, now })?;  // confirm popup
//! let outcome = run_planned(conn, &preview.plan)?;                                // on "yes"
//! crate::audit::record_changes(&db.path, outcome.action, &outcome.changes)?;
//! ```
//!
//! The SQL transaction functions leave the audit file alone so they stay testable on their own.

mod action;
mod detail;
mod engine;
mod filter;
mod glance;
mod links;
mod phrases;
mod read;
mod tables;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_actions;
#[cfg(test)]
mod tests_filter;

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;

pub use action::{
    BanExpiry, CREDENTIAL_PROVIDER, DEFAULT_BAN_REASON, Password, UserAction, normalise_role, parse_ban_expiry,
    too_long,
};
pub use detail::{AccountInfo, Impersonation, ListImpersonations, OtherColumn, SessionInfo, UserDetail};
pub use engine::{Effect, Plan, PlannedStatement};
pub use filter::{UserCondition, user_condition_sql};
pub use glance::{UserStatuses, user_statuses};
pub use links::{ListUserLinks, UserLinks, list_user_links};
pub use phrases::{ban_text, effects_text, impersonations_left_text, outcome, preview_text, when};
pub use read::{BanInfo, BanState, FindUser, ListUsers, UserSummary, ban_state, split_roles};
pub use tables::{AuthSchema, AuthTables, MappedTable, auth_table, load_auth_schema};

use crate::db::change::{ChangeOp, RowChange};
use crate::db::error::{DbError, classify};

/// Finds one user by id or email (exact, then ignoring case). `DbError::NotFound` if none.
pub fn find_user(conn: &Connection, input: &FindUser) -> Result<UserSummary> {
    let schema = load_auth_schema(conn)?;
    let row = read::load_user_row(conn, &schema, input.query)?;
    let id = row.field(&schema.user, "id").clone();
    let active = read::count_active_sessions(conn, &schema, &id, input.now)?;
    Ok(read::summarize(&schema, &row, active, input.now))
}

/// Users matching the filters, by email, each with its ban state and active session count.
pub fn list_users(conn: &Connection, input: &ListUsers) -> Result<Vec<UserSummary>> {
    let schema = load_auth_schema(conn)?;
    let (sql, params) = read::list_sql(&schema, input)?;
    let rows = read::query_rows(conn, &sql, &params)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (row, active) = read::split_count(row);
            read::summarize(&schema, &row, active, input.now)
        })
        .collect())
}

/// One user with their sessions and accounts (no tokens, no password hashes).
pub fn show_user(conn: &Connection, input: &FindUser) -> Result<UserDetail> {
    let schema = load_auth_schema(conn)?;
    let row = read::load_user_row(conn, &schema, input.query)?;
    let id = row.field(&schema.user, "id").clone();
    let sessions = detail::read_sessions(conn, &schema, &id, input.now, -1)?;
    let active = sessions.iter().filter(|s| s.active).count() as u64;
    Ok(UserDetail {
        user: read::summarize(&schema, &row, active, input.now),
        accounts: detail::read_accounts(conn, &schema, &id, -1)?,
        other_columns: detail::other_columns(&schema, &row),
        sessions,
    })
}

/// Sessions where an admin impersonates a user, newest first, with both emails.
pub fn list_impersonations(conn: &Connection, input: &ListImpersonations) -> Result<Vec<Impersonation>> {
    let schema = load_auth_schema(conn)?;
    detail::read_impersonations(conn, &schema, input)
}

/// How many users `input`'s search and filters match, whatever its limit: a listing cut by
/// `--limit` says how many it left out.
pub fn count_users(conn: &Connection, input: &ListUsers) -> Result<u64> {
    let schema = load_auth_schema(conn)?;
    let (sql, params) = read::list_sql(&schema, &ListUsers { limit: None, ..input.clone() })?;
    let count: i64 =
        conn.query_row(&format!("SELECT count(*) FROM ({sql})"), rusqlite::params_from_iter(params.iter()), |row| {
            row.get(0)
        })?;
    Ok(count.max(0) as u64)
}

/// The roles a role picker should offer: `admin`, `user` and every role stored in the table.
pub fn list_roles(conn: &Connection) -> Result<Vec<String>> {
    let schema = load_auth_schema(conn)?;
    detail::read_roles(conn, &schema)
}

/// Input of [`preview_action`] and [`run_action`].
#[derive(Debug, Clone)]
pub struct RunAction<'a> {
    /// The user's id or email.
    pub user: &'a str,
    pub action: &'a UserAction,
    /// The clock for `updatedAt`, ban expiry and session activity.
    pub now: DateTime<Utc>,
}

/// An action planned for one user: the statements with their clock and generated ids (a new
/// account's id, a password's salt) fixed, so what was previewed is what runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionPlan {
    pub action: UserAction,
    /// The user's id.
    pub user: String,
    pub now: DateTime<Utc>,
    pub plan: Plan,
}

impl ActionPlan {
    /// The statements, in order, with their bound values (secrets redacted).
    pub fn statements(&self) -> Vec<PlannedStatement> {
        engine::planned_statements(&self.plan)
    }
}

/// What an action will do, for a confirm prompt: nothing is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionPreview {
    pub action: &'static str,
    pub user: UserSummary,
    /// Rows each statement (and each foreign key) will change, counted now.
    pub effects: Vec<Effect>,
    /// The statements, in order, with their bound values (secrets redacted).
    pub statements: Vec<PlannedStatement>,
    /// What runs on "yes": exactly the statements above.
    #[serde(skip)]
    pub plan: ActionPlan,
    /// For a removal: sessions of other users whose `impersonatedBy` names this user. They are
    /// kept (as better-auth keeps them) and will name a user that no longer exists.
    pub impersonations_left: u64,
}

impl ActionPreview {
    /// Rows the action deletes from `table` (e.g. how many sessions a ban ends).
    pub fn deleted_from(&self, table: &str) -> u64 {
        self.effects.iter().filter(|e| e.table == table && e.op == ChangeOp::Delete).map(|e| e.rows).sum()
    }
}

/// What an action did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionOutcome {
    pub action: &'static str,
    pub before: UserSummary,
    /// The user after the change; `None` once removed.
    pub after: Option<UserSummary>,
    /// Sessions deleted (a ban ends them all).
    pub sessions_ended: u64,
    /// Rows changed per table and kind, as read back from the database.
    pub effects: Vec<Effect>,
    pub statements: Vec<PlannedStatement>,
    /// Every changed row, old and new values included (unredacted: redact before showing).
    #[serde(skip)]
    pub changes: Vec<RowChange>,
    /// The clock the action ran at: relative times in its report are measured from it.
    #[serde(skip)]
    pub now: DateTime<Utc>,
}

/// Plans `input.action` and counts what it would change, without writing anything.
pub fn preview_action(conn: &Connection, input: &RunAction) -> Result<ActionPreview> {
    let schema = load_auth_schema(conn)?;
    let row = read::load_user_row(conn, &schema, input.user)?;
    let id = row.field(&schema.user, "id").clone();
    let active = read::count_active_sessions(conn, &schema, &id, input.now)?;
    let ctx = action::PlanContext { conn, schema: &schema, user: &row, now: input.now };
    let plan = action::build_plan(&ctx, input.action)?;
    let user = read::summarize(&schema, &row, active, input.now);
    let plan = ActionPlan { action: input.action.clone(), user: user.id.clone(), now: input.now, plan };
    let impersonations_left = match input.action {
        UserAction::Remove => detail::count_impersonated_by(conn, &schema, &id)?,
        _ => 0,
    };
    Ok(ActionPreview {
        impersonations_left,
        action: input.action.name(),
        effects: engine::preview_effects(conn, &plan.plan)?,
        statements: plan.statements(),
        user,
        plan,
    })
}

/// Plans and runs `input.action` in one IMMEDIATE transaction: everything is written or nothing
/// is. Read-only databases give `DbError::ReadOnly`, unknown users `DbError::NotFound`.
pub fn run_action(conn: &Connection, input: &RunAction) -> Result<ActionOutcome> {
    ensure_writable(conn)?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(classify)?;
    let schema = load_auth_schema(&tx)?;
    let row = read::load_user_row(&tx, &schema, input.user)?;
    let ctx = action::PlanContext { conn: &tx, schema: &schema, user: &row, now: input.now };
    let plan = action::build_plan(&ctx, input.action)?;
    let id = read::summarize(&schema, &row, 0, input.now).id;
    let planned = ActionPlan { action: input.action.clone(), user: id, now: input.now, plan };
    let outcome = execute_planned(&tx, &schema, &planned)?;
    tx.commit().map_err(classify)?;
    Ok(outcome)
}

/// Runs a plan made by [`preview_action`], exactly as previewed, in one IMMEDIATE transaction.
/// A guarded statement that finds its row gone refuses the whole plan (`DbError::Conflict`).
pub fn run_planned(conn: &Connection, planned: &ActionPlan) -> Result<ActionOutcome> {
    ensure_writable(conn)?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(classify)?;
    let schema = load_auth_schema(&tx)?;
    let outcome = execute_planned(&tx, &schema, planned)?;
    tx.commit().map_err(classify)?;
    Ok(outcome)
}

fn execute_planned(tx: &Connection, schema: &AuthSchema, planned: &ActionPlan) -> Result<ActionOutcome> {
    let now = planned.now;
    let row = read::load_user_row(tx, schema, &planned.user)?;
    let id = row.field(&schema.user, "id").clone();
    let before = read::summarize(schema, &row, read::count_active_sessions(tx, schema, &id, now)?, now);
    let changes = engine::execute_plan(tx, &planned.plan)?;
    let after = match planned.action {
        UserAction::Remove => None,
        _ => Some(find_user(tx, &FindUser { query: &before.id, now })?),
    };
    let sessions_ended =
        changes.iter().filter(|c| c.table == schema.session.name() && c.op == ChangeOp::Delete).count() as u64;
    Ok(ActionOutcome {
        action: planned.action.name(),
        before,
        after,
        sessions_ended,
        effects: engine::effects_of(&changes),
        statements: planned.statements(),
        changes,
        now,
    })
}

/// `DbError::ReadOnly` when the connection cannot write.
pub fn ensure_writable(conn: &Connection) -> Result<()> {
    if crate::db::open::refuses_writes(conn)? {
        return Err(DbError::ReadOnly("the database is open read-only: nothing was changed".into()).into());
    }
    Ok(())
}
