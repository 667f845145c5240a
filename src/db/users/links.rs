//! A user's sessions and accounts for the TUI's row detail: a bounded read (the first few of
//! each, with how many more there are) and the tables and key columns to open each one in.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::detail::{AccountInfo, SessionInfo, read_accounts, read_sessions};
use super::tables::{AuthSchema, MappedTable, load_auth_schema};
use crate::db::backend::{Backend, Statement};
use crate::db::schema::{int_at, quote_ident};

/// Input of [`list_user_links`].
#[derive(Debug, Clone)]
pub struct ListUserLinks<'a> {
    /// The value of the user's id column.
    pub user_id: &'a Value,
    /// The clock sessions are judged active by.
    pub now: DateTime<Utc>,
    /// At most this many sessions and this many accounts.
    pub limit: usize,
}

/// The first sessions (newest first) and accounts (oldest first) of one user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserLinks {
    pub sessions: Vec<SessionInfo>,
    /// Sessions not listed.
    pub more_sessions: u64,
    pub accounts: Vec<AccountInfo>,
    pub more_accounts: u64,
    /// The session table and its id column, to open a session in.
    pub session_table: (String, String),
    pub account_table: (String, String),
}

/// Reads the user's first `limit` sessions and accounts and counts the rest (four statements).
pub fn list_user_links<B: Backend + ?Sized>(db: &B, input: &ListUserLinks) -> Result<UserLinks> {
    let schema = load_auth_schema(db)?;
    let limit = i64::try_from(input.limit).unwrap_or(i64::MAX);
    let sessions = read_sessions(db, &schema, input.user_id, input.now, limit)?;
    let accounts = read_accounts(db, &schema, input.user_id, limit)?;
    let (all_sessions, all_accounts) = count_links(db, &schema, input.user_id)?;
    let more_sessions = all_sessions.saturating_sub(sessions.len() as u64);
    let more_accounts = all_accounts.saturating_sub(accounts.len() as u64);
    let key = |table: &MappedTable| -> Result<(String, String)> {
        Ok((table.name().to_string(), table.require("id")?.to_string()))
    };
    Ok(UserLinks {
        sessions,
        more_sessions,
        accounts,
        more_accounts,
        session_table: key(&schema.session)?,
        account_table: key(&schema.account)?,
    })
}

/// The user's sessions and accounts, counted in one statement (through the index on each
/// table's `userId`).
fn count_links<B: Backend + ?Sized>(db: &B, schema: &AuthSchema, user_id: &Value) -> Result<(u64, u64)> {
    let count = |table: &MappedTable| -> Result<String> {
        Ok(format!("(SELECT count(*) FROM {} WHERE {} = ?1)", table.quoted(), quote_ident(table.require("userId")?)))
    };
    let sql = format!("SELECT {}, {}", count(&schema.session)?, count(&schema.account)?);
    let rows = db.query(&Statement::new(sql, vec![user_id.clone()]))?;
    let row = rows.rows.first().map(Vec::as_slice).unwrap_or_default();
    Ok((int_at(row, 0).max(0) as u64, int_at(row, 1).max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{every_fixture, now};
    use super::*;

    #[test]
    fn lists_a_bounded_number_of_sessions_and_accounts_with_the_rest_counted() {
        for fx in every_fixture() {
            let alice = Value::Text("u-alice".into());
            let all = list_user_links(&fx.conn, &ListUserLinks { user_id: &alice, now: now(), limit: 20 }).unwrap();
            let ids: Vec<&str> = all.sessions.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, ["s-alice-1", "s-alice-old"], "newest first ({:?})", fx.flavour);
            assert_eq!(all.sessions.iter().map(|s| s.active).collect::<Vec<_>>(), [true, false]);
            assert_eq!((all.more_sessions, all.more_accounts), (0, 0));
            assert_eq!(all.accounts.len(), 1);
            assert_eq!(all.accounts[0].provider_id, "credential");
            assert_eq!(all.session_table, ("session".to_string(), "id".to_string()));
            let one = list_user_links(&fx.conn, &ListUserLinks { user_id: &alice, now: now(), limit: 1 }).unwrap();
            assert_eq!((one.sessions.len(), one.more_sessions), (1, 1));
            let carol = Value::Text("u-carol".into());
            let carol = list_user_links(&fx.conn, &ListUserLinks { user_id: &carol, now: now(), limit: 20 }).unwrap();
            assert_eq!(carol.sessions[0].impersonator_email.as_deref(), Some("alice@example.com"));
            assert!(carol.accounts.is_empty());
        }
    }
}
