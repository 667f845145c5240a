//! better-auth user administration: list and inspect users, and the admin plugin's actions (ban,
//! unban, set role, revoke sessions, set password, remove), written exactly as better-auth writes
//! them, in either column flavour (camelCase or snake_case) and in the date format each row uses.
//!
//! Actions are values ([`UserAction`]): [`preview_action`] plans one (its clock and generated ids
//! fixed) and shows what it will do (counts and the SQL with its bound values); [`run_planned`]
//! runs exactly that plan as one atomic batch (`db::write`), returning every row change. [`run_action`] plans
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
mod run;
mod tables;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_actions;
#[cfg(test)]
mod tests_filter;

use anyhow::Result;

// The tests reach these through `use super::*`.
#[cfg(test)]
use crate::db::{change::RowChange, error::DbError};

pub use action::{
    BanExpiry, CREDENTIAL_PROVIDER, DEFAULT_BAN_REASON, Password, UserAction, normalise_role, parse_ban_expiry,
    too_long,
};
pub use detail::{AccountInfo, Impersonation, ListImpersonations, OtherColumn, SessionInfo, UserDetail};
pub use engine::{Effect, Plan, PlannedStatement};
pub use filter::{UserCondition, user_condition_sql};
pub use glance::{UserStatuses, user_statuses};
pub use links::{ListUserLinks, UserLinks, list_user_links};
pub use phrases::{
    ban_text, bound_date, effects_text, impersonations_left_text, outcome, preview_effects_text, preview_text,
    sessions_text, when,
};
pub use read::{BanInfo, BanState, FindUser, ListUsers, UserSummary, ban_state, split_roles};
pub use run::{
    ActionOutcome, ActionPlan, ActionPreview, Impersonations, RunAction, ensure_writable, preview_action, run_action,
    run_planned,
};
pub use tables::{AuthSchema, AuthTables, MappedTable, auth_schema_of, auth_table, load_auth_schema};

use crate::db::backend::{Backend, Statement};

/// Finds one user by id or email (exact, then ignoring case). `DbError::NotFound` if none. Two
/// statements: the schema, and the user with their active sessions counted.
pub fn find_user<B: Backend + ?Sized>(db: &B, input: &FindUser) -> Result<UserSummary> {
    let schema = load_auth_schema(db)?;
    let (row, active) = read::load_user_row_with_sessions(db, &schema, input.query, input.now)?;
    Ok(read::summarize(&schema, &row, active, input.now))
}

/// Users matching the filters, by email, each with its ban state and active session count.
pub fn list_users<B: Backend + ?Sized>(db: &B, input: &ListUsers) -> Result<Vec<UserSummary>> {
    let schema = load_auth_schema(db)?;
    let (sql, params) = read::list_sql(&schema, input, db.capabilities().remote)?;
    let rows = read::query_rows(db, &sql, &params)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (row, active) = read::split_count(row);
            read::summarize(&schema, &row, active, input.now)
        })
        .collect())
}

/// One user with their sessions and accounts (no tokens, no password hashes).
pub fn show_user<B: Backend + ?Sized>(db: &B, input: &FindUser) -> Result<UserDetail> {
    let schema = load_auth_schema(db)?;
    let row = read::load_user_row(db, &schema, input.query)?;
    let id = row.field(&schema.user, "id").clone();
    let sessions = detail::read_sessions(db, &schema, &id, input.now, -1)?;
    let active = sessions.iter().filter(|s| s.active).count() as u64;
    Ok(UserDetail {
        user: read::summarize(&schema, &row, active, input.now),
        accounts: detail::read_accounts(db, &schema, &id, -1)?,
        other_columns: detail::other_columns(&schema, &row),
        sessions,
    })
}

/// Sessions where an admin impersonates a user, newest first, with both emails.
pub fn list_impersonations<B: Backend + ?Sized>(db: &B, input: &ListImpersonations) -> Result<Vec<Impersonation>> {
    let schema = load_auth_schema(db)?;
    detail::read_impersonations(db, &schema, input)
}

/// On a remote, the session table when listing one user's impersonations reads all of it (no
/// index serves it); `None` when indexes serve it or the database is local (a scan bills
/// nothing there).
pub fn impersonations_scan<B: Backend + ?Sized>(db: &B) -> Result<Option<String>> {
    let schema = load_auth_schema(db)?;
    let scans = db.capabilities().remote && detail::impersonations_scan(&schema);
    Ok(scans.then(|| schema.session.name().to_string()))
}

/// How many users `input`'s search and filters match, whatever its limit: a listing cut by
/// `--limit` says how many it left out.
pub fn count_users<B: Backend + ?Sized>(db: &B, input: &ListUsers) -> Result<u64> {
    let schema = load_auth_schema(db)?;
    let (sql, params) = read::list_sql(&schema, &ListUsers { limit: None, ..input.clone() }, false)?;
    let rows = db.query(&Statement::new(format!("SELECT count(*) FROM ({sql})"), params))?;
    Ok(read::count_of_rows(&rows))
}

/// The roles a role picker should offer: `admin`, `user` and every role stored in the table.
pub fn list_roles<B: Backend + ?Sized>(db: &B) -> Result<Vec<String>> {
    let schema = load_auth_schema(db)?;
    detail::read_roles(db, &schema)
}
