//! A user's sessions and accounts, impersonations, and the roles in use. Secrets never leave
//! here: session tokens, OAuth tokens and password hashes are reduced to "has a password".

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use serde::Serialize;

use super::read::{StoredRow, UserSummary, count_of_rows, query_rows, split_roles, text_of};
use super::tables::{AuthSchema, instant_ms_sql, normalise};
use crate::db::backend::{Backend, Statement};
use crate::db::change::value_to_json;
use crate::db::kinds::is_secret_name;
use crate::db::schema::quote_ident;
use crate::db::value::{raw_text, value_instant};
/// One session of a user (the token is never included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// The admin's user id, when this session is an impersonation.
    pub impersonated_by: Option<String>,
    pub impersonator_email: Option<String>,
}

/// One linked account (OAuth tokens and the password hash are never included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountInfo {
    pub id: String,
    pub provider_id: String,
    pub account_id: String,
    pub has_password: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A user column better-auth does not define (e.g. an app's `lastLoginAt`), secrets redacted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherColumn {
    pub name: String,
    pub value: serde_json::Value,
}

/// Everything `user show` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserDetail {
    pub user: UserSummary,
    pub sessions: Vec<SessionInfo>,
    pub accounts: Vec<AccountInfo>,
    pub other_columns: Vec<OtherColumn>,
}

/// A session in which an admin acts as another user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impersonation {
    pub session_id: String,
    pub user_id: String,
    pub user_email: Option<String>,
    pub admin_id: String,
    /// `None` when the admin's user row no longer exists (`impersonatedBy` has no foreign key).
    pub admin_email: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub active: bool,
}

impl Impersonation {
    /// `active`, or `expired`: the one word the TUI and the CLI use for a session past its end.
    pub fn state_word(&self) -> &'static str {
        if self.active { "active" } else { "expired" }
    }
}

/// The user's sessions, newest first, each with its impersonator's email; at most `limit`
/// (negative: all).
pub(super) fn read_sessions<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    user_id: &Value,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<SessionInfo>> {
    let session = &schema.session;
    let impersonator = match session.column("impersonatedBy") {
        Some(column) => format!(
            "(SELECT a.{} FROM {} a WHERE a.{} = s.{})",
            quote_ident(schema.user.require("email")?),
            schema.user.quoted(),
            quote_ident(schema.user.require("id")?),
            quote_ident(column)
        ),
        None => "NULL".to_string(),
    };
    let created = match session.column("createdAt") {
        Some(column) => instant_ms_sql(&format!("s.{}", quote_ident(column))),
        None => "s.rowid".to_string(),
    };
    let sql = format!(
        "SELECT s.*, {impersonator} AS {alias} FROM {} s WHERE s.{} = ?1 ORDER BY {created} DESC LIMIT ?2",
        session.quoted(),
        quote_ident(session.require("userId")?),
        alias = quote_ident(IMPERSONATOR_ALIAS),
    );
    let rows = query_rows(db, &sql, &[user_id.clone(), Value::Integer(limit)])?;
    Ok(rows
        .iter()
        .map(|row| {
            let expires_at = value_instant(row.field(session, "expiresAt"));
            SessionInfo {
                id: raw_text(row.field(session, "id")),
                created_at: value_instant(row.field(session, "createdAt")),
                active: expires_at.is_some_and(|at| at > now),
                expires_at,
                ip_address: text_of(row.field(session, "ipAddress")),
                user_agent: text_of(row.field(session, "userAgent")),
                impersonated_by: text_of(row.field(session, "impersonatedBy")).filter(|s| !s.is_empty()),
                impersonator_email: text_of(row.get(Some(IMPERSONATOR_ALIAS))),
            }
        })
        .collect())
}

const IMPERSONATOR_ALIAS: &str = "__squall_impersonator_email";

/// The user's linked accounts, oldest first; at most `limit` (negative: all).
pub(super) fn read_accounts<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    user_id: &Value,
    limit: i64,
) -> Result<Vec<AccountInfo>> {
    let account = &schema.account;
    let sql = format!(
        "SELECT * FROM {} WHERE {} = ?1 ORDER BY rowid LIMIT ?2",
        account.quoted(),
        quote_ident(account.require("userId")?)
    );
    let rows = query_rows(db, &sql, &[user_id.clone(), Value::Integer(limit)])?;
    Ok(rows
        .iter()
        .map(|row| AccountInfo {
            id: raw_text(row.field(account, "id")),
            provider_id: raw_text(row.field(account, "providerId")),
            account_id: raw_text(row.field(account, "accountId")),
            has_password: text_of(row.field(account, "password")).is_some_and(|p| !p.is_empty()),
            created_at: value_instant(row.field(account, "createdAt")),
            updated_at: value_instant(row.field(account, "updatedAt")),
        })
        .collect())
}

/// better-auth's own user columns; anything else is the app's and shown as "other".
const KNOWN_USER_COLUMNS: [&str; 11] = [
    "id",
    "name",
    "email",
    "emailVerified",
    "role",
    "banned",
    "banReason",
    "banExpires",
    "createdAt",
    "updatedAt",
    "image",
];

/// The app's own user columns, secrets redacted.
pub(super) fn other_columns(schema: &AuthSchema, row: &StoredRow) -> Vec<OtherColumn> {
    let known: Vec<String> = KNOWN_USER_COLUMNS.iter().map(|c| normalise(c)).collect();
    row.columns
        .iter()
        .filter(|(name, _)| !known.contains(&normalise(name)))
        .map(|(name, value)| OtherColumn {
            name: name.clone(),
            value: if is_secret_name(schema.user.name(), name) && !matches!(value, Value::Null) {
                serde_json::Value::String(crate::db::change::REDACTED.to_string())
            } else {
                value_to_json(value)
            },
        })
        .collect()
}

/// Input of [`super::list_impersonations`].
#[derive(Debug, Clone, Copy)]
pub struct ListImpersonations<'a> {
    /// Only sessions that have not expired.
    pub active_only: bool,
    /// Only this user's (by id): impersonated by someone, or impersonating someone.
    pub user: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Impersonation sessions, newest first.
/// Sessions of other users whose `impersonatedBy` names `user_id`: removing that admin leaves
/// them (better-auth does too), pointing at a row that is gone. 0 without the column.
pub(super) fn count_impersonated_by<B: Backend + ?Sized>(db: &B, schema: &AuthSchema, user_id: &Value) -> Result<u64> {
    let session = &schema.session;
    let Some(by) = session.column("impersonatedBy") else { return Ok(0) };
    let sql = format!(
        "SELECT count(*) FROM {} WHERE {} = ?1 AND {} IS NOT ?1",
        session.quoted(),
        quote_ident(by),
        quote_ident(session.require("userId")?)
    );
    Ok(count_of_rows(&db.query(&Statement::new(sql, vec![user_id.clone()]))?))
}

pub(super) fn read_impersonations<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    input: &ListImpersonations<'_>,
) -> Result<Vec<Impersonation>> {
    let (session, user) = (&schema.session, &schema.user);
    let s = |logical: &str| -> Result<String> { Ok(format!("s.{}", quote_ident(session.require(logical)?))) };
    let user_id = quote_ident(user.require("id")?);
    let email = quote_ident(user.require("email")?);
    let by = s("impersonatedBy")?;
    let expires = instant_ms_sql(&s("expiresAt")?);
    let created = match session.column("createdAt") {
        Some(column) => format!("s.{}", quote_ident(column)),
        None => "NULL".to_string(),
    };
    let active_filter = if input.active_only { format!(" AND {expires} > ?1") } else { String::new() };
    // One user's: the sessions by either column, each found by its own index where it has one
    // (an OR of the two reads every session whatever the indexes).
    let whose = match input.user {
        Some(_) => format!(
            "{id} IN (SELECT {key} FROM {sessions} WHERE {target_column} = ?2 \
             UNION ALL SELECT {key} FROM {sessions} WHERE {by_column} = ?2)",
            id = s("id")?,
            key = quote_ident(session.require("id")?),
            sessions = session.quoted(),
            target_column = quote_ident(session.require("userId")?),
            by_column = quote_ident(session.require("impersonatedBy")?),
        ),
        None => "?2 IS NULL".to_string(),
    };
    let sql = format!(
        "SELECT {id}, {target}, t.{email}, {by}, a.{email}, {created}, {expires_raw}, {expires} > ?1 \
         FROM {sessions} s LEFT JOIN {users} t ON t.{user_id} = {target} LEFT JOIN {users} a ON a.{user_id} = {by} \
         WHERE {by} IS NOT NULL AND {by} <> ''{active_filter} AND {whose} \
         ORDER BY {created_ms} DESC",
        id = s("id")?,
        target = s("userId")?,
        expires_raw = s("expiresAt")?,
        sessions = session.quoted(),
        users = user.quoted(),
        created_ms = instant_ms_sql(&created),
    );
    let params = vec![
        Value::Integer(input.now.timestamp_millis()),
        input.user.map_or(Value::Null, |user| Value::Text(user.to_string())),
    ];
    let rows = db.query(&Statement::new(sql, params))?;
    let at = |row: &[Value], i: usize| row.get(i).cloned().unwrap_or(Value::Null);
    Ok(rows
        .rows
        .iter()
        .map(|row| Impersonation {
            session_id: raw_text(&at(row, 0)),
            user_id: raw_text(&at(row, 1)),
            user_email: text_of(&at(row, 2)),
            admin_id: raw_text(&at(row, 3)),
            admin_email: text_of(&at(row, 4)),
            created_at: value_instant(&at(row, 5)),
            expires_at: value_instant(&at(row, 6)),
            active: crate::db::schema::int_at(row, 7) != 0,
        })
        .collect())
}

/// Whether listing one user's impersonations reads every session: `impersonatedBy` (or
/// `userId`) has no index (better-auth's schema indexes `userId` only).
pub(super) fn impersonations_scan(schema: &AuthSchema) -> bool {
    let session = &schema.session;
    ["userId", "impersonatedBy"]
        .iter()
        .any(|logical| session.column(logical).is_some_and(|c| !session.info.is_indexed(c)))
}

/// Roles in use, plus better-auth's `admin` and `user`, sorted: what a role picker offers.
pub(super) fn read_roles<B: Backend + ?Sized>(db: &B, schema: &AuthSchema) -> Result<Vec<String>> {
    let mut roles = vec!["admin".to_string(), "user".to_string()];
    if let Some(column) = schema.user.column("role") {
        let column = quote_ident(column);
        let sql = format!("SELECT DISTINCT {column} FROM {} WHERE {column} IS NOT NULL", schema.user.quoted());
        let stored = db.query(&Statement::plain(sql))?;
        for value in stored.rows.iter().filter_map(|row| row.first()) {
            for role in split_roles(Some(&raw_text(value))) {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
        }
    }
    roles.sort();
    Ok(roles)
}
