//! The users of one page of the user table at a glance (ban state, admin, verified email, active
//! sessions), read in one bounded query per page: the page's ids are bound as parameters and
//! sessions are counted through the index on `session.userId`, never by scanning the table.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::read::{ACTIVE_COUNT_ALIAS, UserSummary, query_rows, split_count, summarize};
use super::tables::{AuthSchema, instant_ms_sql, load_auth_schema};
use crate::db::backend::Backend;
use crate::db::schema::quote_ident;

/// Ids bound per statement, with the clock: D1 binds at most 100 parameters per statement (a
/// screen of rows fits in one).
const IDS_PER_QUERY: usize = 99;

/// Input of [`user_statuses`].
#[derive(Debug, Clone, Copy)]
pub struct UserStatuses<'a> {
    /// Values of the user table's id column (as read from its rows).
    pub ids: &'a [Value],
    /// The clock sessions are judged active and bans expired by.
    pub now: DateTime<Utc>,
}

/// Summaries of the users with these ids, in no particular order; unknown ids are left out.
pub fn user_statuses<B: Backend + ?Sized>(db: &B, input: &UserStatuses) -> Result<Vec<UserSummary>> {
    if input.ids.is_empty() {
        return Ok(Vec::new());
    }
    let schema = load_auth_schema(db)?;
    let mut users = Vec::with_capacity(input.ids.len());
    for chunk in input.ids.chunks(IDS_PER_QUERY) {
        let sql = statuses_sql(&schema, chunk.len())?;
        let mut params = vec![Value::Integer(input.now.timestamp_millis())];
        params.extend(chunk.iter().cloned());
        for row in query_rows(db, &sql, &params)? {
            let (row, active) = split_count(row);
            users.push(summarize(&schema, &row, active, input.now));
        }
    }
    Ok(users)
}

/// `SELECT u.*, <active sessions> FROM user u WHERE u.id IN (?2, ...)`: `?1` is now in ms.
fn statuses_sql(schema: &AuthSchema, ids: usize) -> Result<String> {
    let (user, session) = (&schema.user, &schema.session);
    let user_id = format!("u.{}", quote_ident(user.require("id")?));
    let marks: Vec<String> = (2..ids + 2).map(|i| format!("?{i}")).collect();
    Ok(format!(
        "SELECT u.*, (SELECT count(*) FROM {session_table} s WHERE s.{session_user} = {user_id} AND {expires} > ?1) \
         AS {count_alias} FROM {user_table} u WHERE {user_id} IN ({marks})",
        session_table = session.quoted(),
        session_user = quote_ident(session.require("userId")?),
        expires = instant_ms_sql(&format!("s.{}", quote_ident(session.require("expiresAt")?))),
        count_alias = quote_ident(ACTIVE_COUNT_ALIAS),
        user_table = user.quoted(),
        marks = marks.join(", "),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::super::BanState;
    use super::super::tests::{every_fixture, now};
    use super::*;

    fn text(id: &str) -> Value {
        Value::Text(id.into())
    }

    #[test]
    fn summarises_the_given_users_only() {
        for fx in every_fixture() {
            let ids = [text("u-bob"), text("u-alice"), text("u-nobody"), text("u-dave"), text("u-carol")];
            let mut users = user_statuses(&fx.conn, &UserStatuses { ids: &ids, now: now() }).unwrap();
            users.sort_by(|a, b| a.id.cmp(&b.id));
            let found: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
            assert_eq!(found, ["u-alice", "u-bob", "u-carol", "u-dave"], "{:?}", fx.flavour);
            let [alice, bob, carol, dave] = users.as_slice() else { unreachable!() };
            assert!(alice.is_admin && alice.email_verified);
            assert_eq!(alice.active_sessions, 1, "the expired session does not count ({:?})", fx.dates);
            assert_eq!(bob.ban.state, BanState::BanExpired);
            assert_eq!(bob.ban.expires_at, Some(now() - TimeDelta::days(1)));
            assert!(!carol.email_verified);
            assert_eq!(dave.ban.state, BanState::Banned);
            assert_eq!(dave.ban.reason.as_deref(), Some("abuse"));
            let one = user_statuses(&fx.conn, &UserStatuses { ids: &[text("u-carol")], now: now() }).unwrap();
            assert_eq!(one.len(), 1);
            assert!(user_statuses(&fx.conn, &UserStatuses { ids: &[], now: now() }).unwrap().is_empty());
        }
    }

    #[test]
    fn more_ids_than_one_statement_binds_are_read_in_chunks() {
        let fx = &every_fixture()[0];
        let mut ids: Vec<Value> = (0..IDS_PER_QUERY + 3).map(|i| text(&format!("missing-{i}"))).collect();
        ids.push(text("u-alice"));
        let users = user_statuses(&fx.conn, &UserStatuses { ids: &ids, now: now() }).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].active_sessions, 1);
    }

    #[test]
    fn sessions_are_counted_through_the_user_id_index() {
        for fx in every_fixture() {
            let schema = load_auth_schema(&fx.conn).unwrap();
            let sql = statuses_sql(&schema, 3).unwrap();
            let mut stmt = fx.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map([0i64, 1, 2, 3], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let session = schema.session.name().to_string();
            assert!(
                plan.iter().any(|step| step.contains("SEARCH s USING") && step.contains("INDEX")),
                "{session} is searched by index: {plan:?}"
            );
            assert!(!plan.iter().any(|step| step.starts_with("SCAN")), "no table scan: {plan:?}");
        }
    }
}
