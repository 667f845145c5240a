//! The user table's computed columns as filter conditions (`status` banned / not banned / ban
//! expired / unverified, `sessions` has / has no active sessions), in SQL for the grid's page queries. The ban rule
//! is [`super::ban_state`]'s, written in SQL by [`super::read::ban_sql`]; dates go through
//! [`instant_ms_sql`] like everywhere else, so `banExpires` may be ms, seconds or ISO text.

use anyhow::Result;
use rusqlite::types::Value;
use serde::Serialize;

use super::read::{BanSql, truthy_sql};
use super::tables::{AuthSchema, instant_ms_sql};
use crate::db::schema::quote_ident;

/// A condition on a user's computed status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserCondition {
    /// A ban in force now (permanent, or until a date still ahead).
    Banned,
    /// `banned` still set but `banExpires` has passed.
    BanExpired,
    /// `emailVerified` not set.
    Unverified,
    /// At least one session whose `expiresAt` is after now.
    ActiveSessions,
    /// No ban in force now (never banned, or the ban has expired).
    NotBanned,
    /// No session whose `expiresAt` is after now.
    NoActiveSessions,
}

impl UserCondition {
    /// The computed column each condition filters, and the conditions it offers, in order.
    pub const COLUMNS: [(&'static str, &'static [UserCondition]); 2] = [
        (
            "status",
            &[UserCondition::Banned, UserCondition::NotBanned, UserCondition::BanExpired, UserCondition::Unverified],
        ),
        ("sessions", &[UserCondition::ActiveSessions, UserCondition::NoActiveSessions]),
    ];

    pub fn label(self) -> &'static str {
        match self {
            UserCondition::Banned => "banned",
            UserCondition::BanExpired => "ban expired",
            UserCondition::Unverified => "unverified",
            UserCondition::ActiveSessions => "has active sessions",
            UserCondition::NotBanned => "not banned",
            UserCondition::NoActiveSessions => "no active sessions",
        }
    }
}

/// The WHERE term for `condition` on the user table (read unaliased, as the page queries do),
/// judged at `now_ms` (bound, pushed onto `params` when the term needs it).
pub fn user_condition_sql(
    schema: &AuthSchema,
    condition: UserCondition,
    now_ms: i64,
    params: &mut Vec<Value>,
) -> Result<String> {
    let user = &schema.user;
    let col =
        |logical: &str| -> Result<String> { Ok(format!("{}.{}", user.quoted(), quote_ident(user.require(logical)?))) };
    Ok(match condition {
        // A NULL-safe negation: a user the positive term says nothing about is not in it.
        UserCondition::NotBanned => {
            format!("NOT COALESCE({}, 0)", user_condition_sql(schema, UserCondition::Banned, now_ms, params)?)
        }
        UserCondition::NoActiveSessions => {
            format!("NOT {}", user_condition_sql(schema, UserCondition::ActiveSessions, now_ms, params)?)
        }
        UserCondition::Banned | UserCondition::BanExpired => {
            let expires = user.column("banExpires").map(|c| format!("{}.{}", user.quoted(), quote_ident(c)));
            params.push(Value::Integer(now_ms));
            let ban = BanSql::new(&col("banned")?, expires.as_deref(), &format!("?{}", params.len()));
            if condition == UserCondition::Banned { ban.banned_now() } else { ban.expired() }
        }
        UserCondition::Unverified => format!("NOT {}", truthy_sql(&col("emailVerified")?)),
        UserCondition::ActiveSessions => {
            let session = &schema.session;
            params.push(Value::Integer(now_ms));
            format!(
                "EXISTS (SELECT 1 FROM {} s WHERE s.{} = {} AND {} > ?{})",
                session.quoted(),
                quote_ident(session.require("userId")?),
                col("id")?,
                instant_ms_sql(&format!("s.{}", quote_ident(session.require("expiresAt")?))),
                params.len()
            )
        }
    })
}
