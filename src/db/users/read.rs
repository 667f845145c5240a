//! Reading users: finding one by id or email, listing with filters, and summarising a row
//! (ban state, roles, active sessions).

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use serde::Serialize;

use super::tables::{AuthSchema, MappedTable, instant_ms_sql};
use crate::db::backend::{Backend, Rows, Statement};
use crate::db::error::DbError;
use crate::db::schema::{int_at, quote_ident};
use crate::db::value::{raw_text, value_instant};

/// Whether a user is banned right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BanState {
    NotBanned,
    /// Banned, permanently or until a date still ahead.
    Banned,
    /// `banned` is still set but `banExpires` has passed: better-auth lifts the ban at the next
    /// sign-in, so the user can sign in.
    BanExpired,
}

/// A user's ban as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BanInfo {
    pub state: BanState,
    pub reason: Option<String>,
    /// `None` for a permanent ban (or no ban).
    pub expires_at: Option<DateTime<Utc>>,
}

/// One user, as the list and every action report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserSummary {
    pub id: String,
    pub name: Option<String>,
    pub email: String,
    pub email_verified: bool,
    /// The role column as stored (NULL means better-auth's default, `user`).
    pub role: Option<String>,
    /// The roles, split on commas; `["user"]` when the column is NULL.
    pub roles: Vec<String>,
    pub is_admin: bool,
    pub ban: BanInfo,
    /// Sessions whose `expiresAt` is still ahead.
    pub active_sessions: u64,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A row as stored, column names as in the table.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StoredRow {
    pub columns: Vec<(String, Value)>,
}

static NULL: Value = Value::Null;

impl StoredRow {
    /// The value of the column named `name` (`NULL` when the column is absent or `None`).
    pub fn get(&self, name: Option<&str>) -> &Value {
        name.and_then(|name| self.columns.iter().find(|(c, _)| c == name)).map_or(&NULL, |(_, v)| v)
    }

    /// The value of better-auth's `logical` column of `table`.
    pub fn field(&self, table: &MappedTable, logical: &str) -> &Value {
        self.get(table.column(logical))
    }
}

/// Runs `sql` and returns every row with its column names.
pub(super) fn query_rows<B: Backend + ?Sized>(db: &B, sql: &str, params: &[Value]) -> Result<Vec<StoredRow>> {
    Ok(stored_rows(db.query(&Statement::new(sql, params.to_vec()))?))
}

/// Rows as [`StoredRow`]s, each value with its column's name.
pub(super) fn stored_rows(rows: Rows) -> Vec<StoredRow> {
    let names = rows.columns;
    rows.rows.into_iter().map(|row| StoredRow { columns: names.iter().cloned().zip(row).collect() }).collect()
}

/// The first value of the first row as a count (0 when there is none).
pub(super) fn count_of_rows(rows: &Rows) -> u64 {
    rows.rows.first().map_or(0, |row| int_at(row, 0)).max(0) as u64
}

/// Text of a value (`None` for NULL).
pub(super) fn text_of(value: &Value) -> Option<String> {
    (!matches!(value, Value::Null)).then(|| raw_text(value))
}

/// better-auth booleans: 0/1, though some adapters wrote `'true'`.
pub(super) fn truthy(value: &Value) -> bool {
    match value {
        Value::Integer(n) => *n != 0,
        Value::Real(f) => *f != 0.0,
        Value::Text(t) => matches!(t.trim().to_ascii_lowercase().as_str(), "1" | "true"),
        _ => false,
    }
}

/// Splits a stored role into its roles; NULL is better-auth's default role `user`.
pub fn split_roles(role: Option<&str>) -> Vec<String> {
    match role {
        None => vec!["user".to_string()],
        Some(role) => role.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect(),
    }
}

/// Finds the user whose id is `query`, else whose email is `query` (exactly, then ignoring case):
/// one statement, each way of matching ranked, the best rank kept.
pub(super) fn load_user_row<B: Backend + ?Sized>(db: &B, schema: &AuthSchema, query: &str) -> Result<StoredRow> {
    Ok(load_user(db, schema, query, None)?.0)
}

/// [`load_user_row`] with the user's active sessions at `now` counted in the same statement.
pub(super) fn load_user_row_with_sessions<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    query: &str,
    now: DateTime<Utc>,
) -> Result<(StoredRow, u64)> {
    let (row, active) = load_user(db, schema, query, Some(now))?;
    Ok((row, active.unwrap_or(0)))
}

fn load_user<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    query: &str,
    now: Option<DateTime<Utc>>,
) -> Result<(StoredRow, Option<u64>)> {
    let rows = db.query(&user_row_statement(schema, query, now)?)?;
    let mut rows = stored_rows(rows);
    // Two rows per rank at most; only the best rank found counts.
    let rank = |row: &StoredRow| int_at(&[row.get(Some(MATCH_RANK_ALIAS)).clone()], 0);
    let best = rows.iter().map(rank).min();
    rows.retain(|row| Some(rank(row)) == best);
    match rows.len() {
        0 => Err(DbError::NotFound(format!("no user with id or email {query:?}")).into()),
        1 => {
            let mut row = rows.remove(0);
            let active = now.map(|_| int_at(&[row.get(Some(ACTIVE_COUNT_ALIAS)).clone()], 0).max(0) as u64);
            row.columns.retain(|(name, _)| name != MATCH_RANK_ALIAS && name != ACTIVE_COUNT_ALIAS);
            Ok((row, active))
        }
        _ => Err(DbError::Invalid(format!(
            "{query:?} matches several users' emails when case is ignored: give the exact email or the id"
        ))
        .into()),
    }
}

/// Name of the computed rank column in [`user_row_statement`]; unlikely to clash with a real one.
const MATCH_RANK_ALIAS: &str = "__squall_match_rank";

/// The three ways [`load_user_row`] matches, each bounded as before, in one statement: by id, by
/// exact email, and (only when neither found a row, so the unindexed case-insensitive scan is
/// skipped whenever it is not needed) by email ignoring case. The gate is the outer table of a
/// CROSS JOIN, which SQLite never reorders: when it yields no row, the user table is not read.
/// With `now`, each row also counts its active sessions (`?2` is now in ms).
fn user_row_statement(schema: &AuthSchema, query: &str, now: Option<DateTime<Utc>>) -> Result<Statement> {
    let id = quote_ident(schema.user.require("id")?);
    let email = quote_ident(schema.user.require("email")?);
    let table = schema.user.quoted();
    let rank = quote_ident(MATCH_RANK_ALIAS);
    let mut params = vec![Value::Text(query.to_string())];
    let active = |outer: &str| -> Result<String> {
        if now.is_none() {
            return Ok(String::new());
        }
        let session = &schema.session;
        Ok(format!(
            ", (SELECT count(*) FROM {} s WHERE s.{} = {outer}.{id} AND {} > ?2) AS {}",
            session.quoted(),
            quote_ident(session.require("userId")?),
            instant_ms_sql(&format!("s.{}", quote_ident(session.require("expiresAt")?))),
            quote_ident(ACTIVE_COUNT_ALIAS)
        ))
    };
    if let Some(now) = now {
        params.push(Value::Integer(now.timestamp_millis()));
    }
    let (plain, aliased) = (active(&table)?, active("u")?);
    let sql = format!(
        "SELECT * FROM (SELECT *, 0 AS {rank}{plain} FROM {table} WHERE {id} = ?1 LIMIT 2) \
         UNION ALL SELECT * FROM (SELECT *, 1 AS {rank}{plain} FROM {table} WHERE {email} = ?1 LIMIT 2) \
         UNION ALL SELECT * FROM (SELECT u.*, 2 AS {rank}{aliased} \
           FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {id} = ?1) \
                  AND NOT EXISTS (SELECT 1 FROM {table} WHERE {email} = ?1)) AS g \
           CROSS JOIN {table} AS u WHERE u.{email} = ?1 COLLATE NOCASE LIMIT 2)"
    );
    Ok(Statement::new(sql, params))
}

/// The statement counting the user's sessions that have not expired at `now` (also run inside
/// an action's batch, before and after its writes).
pub(super) fn active_sessions(schema: &AuthSchema, user_id: &Value, now: DateTime<Utc>) -> Result<Statement> {
    let session = &schema.session;
    let sql = format!(
        "SELECT count(*) FROM {} WHERE {} = ?1 AND {} > ?2",
        session.quoted(),
        quote_ident(session.require("userId")?),
        instant_ms_sql(&quote_ident(session.require("expiresAt")?))
    );
    Ok(Statement::new(sql, vec![user_id.clone(), Value::Integer(now.timestamp_millis())]))
}

/// The statement reading the user row by id, every column.
pub(super) fn user_by_id(schema: &AuthSchema, id: &Value) -> Result<Statement> {
    let sql = format!("SELECT * FROM {} WHERE {} = ?1", schema.user.quoted(), quote_ident(schema.user.require("id")?));
    Ok(Statement::new(sql, vec![id.clone()]))
}

/// The ban state of a user from its stored `banned` and `banExpires` values (`banned` may be
/// 1, `'true'` or `'1'` depending on the adapter). The one rule for the CLI, the status column and
/// the grid's gutter.
pub fn ban_state(banned: &Value, expires: &Value, now: DateTime<Utc>) -> BanState {
    if !truthy(banned) {
        BanState::NotBanned
    } else if value_instant(expires).is_some_and(|at| at <= now) {
        BanState::BanExpired
    } else {
        BanState::Banned
    }
}

/// [`ban_state`] in SQL, for filters: the same truthiness of `banned` and the same reading of
/// `banExpires` (ms, seconds or ISO text, through [`instant_ms_sql`]). A test holds the two to
/// the same answers.
pub(super) struct BanSql {
    banned: String,
    expired: String,
}

impl BanSql {
    /// `banned` and `expires` are SQL expressions (`expires` absent when the table has no such
    /// column); `now_ms` is the placeholder of the clock in milliseconds.
    pub fn new(banned: &str, expires: Option<&str>, now_ms: &str) -> Self {
        let expired = match expires {
            Some(expires) => format!("coalesce({} <= {now_ms}, 0)", instant_ms_sql(expires)),
            None => "0".to_string(),
        };
        BanSql { banned: truthy_sql(banned), expired }
    }

    /// [`BanState::Banned`].
    pub fn banned_now(&self) -> String {
        format!("({} AND NOT {})", self.banned, self.expired)
    }

    /// [`BanState::BanExpired`].
    pub fn expired(&self) -> String {
        format!("({} AND {})", self.banned, self.expired)
    }
}

/// [`truthy`] in SQL: true for non-zero numbers and the texts `1` and `true` (any case, trimmed).
pub(super) fn truthy_sql(c: &str) -> String {
    format!(
        "(CASE typeof({c}) WHEN 'integer' THEN {c} <> 0 WHEN 'real' THEN {c} <> 0 \
         WHEN 'text' THEN lower(trim({c})) IN ('1', 'true') ELSE 0 END)"
    )
}

/// Builds the summary of a stored user row.
pub(super) fn summarize(schema: &AuthSchema, row: &StoredRow, active_sessions: u64, now: DateTime<Utc>) -> UserSummary {
    let user = &schema.user;
    let role = text_of(row.field(user, "role"));
    let roles = split_roles(role.as_deref());
    let expires_at = value_instant(row.field(user, "banExpires"));
    let state = ban_state(row.field(user, "banned"), row.field(user, "banExpires"), now);
    let banned_at_all = state != BanState::NotBanned;
    UserSummary {
        id: raw_text(row.field(user, "id")),
        name: text_of(row.field(user, "name")),
        email: raw_text(row.field(user, "email")),
        email_verified: truthy(row.field(user, "emailVerified")),
        is_admin: roles.iter().any(|r| r == "admin"),
        role,
        roles,
        ban: BanInfo {
            state,
            reason: if banned_at_all { text_of(row.field(user, "banReason")) } else { None },
            expires_at: if banned_at_all { expires_at } else { None },
        },
        active_sessions,
        created_at: value_instant(row.field(user, "createdAt")),
        updated_at: value_instant(row.field(user, "updatedAt")),
    }
}

/// Input of [`super::find_user`].
pub struct FindUser<'a> {
    /// An id or an email.
    pub query: &'a str,
    pub now: DateTime<Utc>,
}

/// Input of [`super::list_users`].
#[derive(Debug, Clone, Default)]
pub struct ListUsers {
    /// Part of a name or email (case-insensitive), or an exact id.
    pub search: Option<String>,
    /// Only users with `banned` set (their state tells active bans from expired ones).
    pub banned_only: bool,
    /// Only users holding this role (one of their comma-joined roles).
    pub role: Option<String>,
    pub limit: Option<u32>,
    pub now: DateTime<Utc>,
}

/// Builds the list query. Kept apart so its SQL can be read in one place.
///
/// `by_index`: order by the email as stored (BINARY), which the unique index on it serves, so a
/// `--limit` reads that many rows; else ignoring case, which sorts every match first. A remote
/// bills each row sorted (better-auth stores emails lower-cased, so both orders agree there).
pub(super) fn list_sql(schema: &AuthSchema, input: &ListUsers, by_index: bool) -> Result<(String, Vec<Value>)> {
    let user = &schema.user;
    let session = &schema.session;
    let col = |logical: &str| -> Result<String> { Ok(format!("u.{}", quote_ident(user.require(logical)?))) };
    let mut params: Vec<Value> = vec![Value::Integer(input.now.timestamp_millis())];
    let mut conditions: Vec<String> = Vec::new();
    if let Some(search) = input.search.as_deref().filter(|s| !s.is_empty()) {
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        params.push(Value::Text(format!("%{escaped}%")));
        let like = params.len();
        params.push(Value::Text(search.to_string()));
        let exact = params.len();
        let name = match user.column("name") {
            Some(name) => format!("u.{} LIKE ?{like} ESCAPE '\\' OR ", quote_ident(name)),
            None => String::new(),
        };
        conditions.push(format!("({name}{} LIKE ?{like} ESCAPE '\\' OR {} = ?{exact})", col("email")?, col("id")?));
    }
    if input.banned_only {
        conditions.push(format!("{} IN (1, 'true')", col("banned")?));
    }
    if let Some(role) = input.role.as_deref() {
        params.push(Value::Text(role.trim().to_string()));
        conditions.push(format!(
            "instr(',' || replace(coalesce({}, 'user'), ' ', '') || ',', ',' || ?{} || ',') > 0",
            col("role")?,
            params.len()
        ));
    }
    params.push(Value::Integer(input.limit.map_or(-1, i64::from)));
    let limit = params.len();
    let sql = format!(
        "SELECT u.*, (SELECT count(*) FROM {session_table} s WHERE s.{session_user} = {user_id} AND {expires} > ?1) \
         AS {count_alias} FROM {user_table} u{where_clause} ORDER BY {email}{collate} LIMIT ?{limit}",
        session_table = session.quoted(),
        session_user = quote_ident(session.require("userId")?),
        user_id = col("id")?,
        expires = instant_ms_sql(&format!("s.{}", quote_ident(session.require("expiresAt")?))),
        count_alias = quote_ident(ACTIVE_COUNT_ALIAS),
        user_table = user.quoted(),
        where_clause =
            if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) },
        email = col("email")?,
        collate = if by_index { "" } else { " COLLATE NOCASE" },
    );
    Ok((sql, params))
}

/// Name of the computed session-count column in list queries; unlikely to clash with a real one.
pub(super) const ACTIVE_COUNT_ALIAS: &str = "__squall_active_sessions";

/// Splits the computed count off a list row.
pub(super) fn split_count(mut row: StoredRow) -> (StoredRow, u64) {
    let count = match row.columns.pop() {
        Some((name, Value::Integer(n))) if name == ACTIVE_COUNT_ALIAS => n as u64,
        Some(other) => {
            row.columns.push(other);
            0
        }
        None => 0,
    };
    (row, count)
}
