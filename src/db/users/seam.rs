//! The user reads an action plans and runs with, over any backend. On this branch the readers
//! in `read.rs`, `tables.rs` and `detail.rs` still take a `Connection` (another change makes
//! them generic): these are the same statements through the seam, kept to what actions need,
//! until that lands.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::read::StoredRow;
use super::tables::{AuthSchema, MappedTable, instant_ms_sql, normalise};
use crate::db::backend::{Backend, Rows, Statement};
use crate::db::error::DbError;
use crate::db::kinds::{ColumnKind, TimeFormat, classify_column};
use crate::db::schema::quote_ident;
use crate::db::write::read::count_on;

/// better-auth's three tables, from one [`Backend::describe`] (one round trip on a remote).
pub(super) fn auth_schema_on<B: Backend + ?Sized>(db: &B) -> Result<AuthSchema> {
    let tables = db.describe()?;
    let find = |singular: &str| -> Result<MappedTable> {
        let plural = format!("{singular}s");
        let info = tables
            .iter()
            .find(|t| normalise(&t.name) == singular)
            .or_else(|| tables.iter().find(|t| normalise(&t.name) == plural))
            .ok_or_else(|| {
                DbError::NotFound(format!(
                    "this database has no better-auth {singular:?} table (looked for {singular} and {plural})"
                ))
            })?;
        Ok(MappedTable::new(info.clone()))
    };
    Ok(AuthSchema { user: find("user")?, session: find("session")?, account: find("account")? })
}

/// The rows of a result with their column names.
pub(super) fn stored_rows(rows: &Rows) -> Vec<StoredRow> {
    rows.rows
        .iter()
        .map(|row| StoredRow { columns: rows.columns.iter().cloned().zip(row.iter().cloned()).collect() })
        .collect()
}

/// Finds the user whose id is `query`, else whose email is `query` (exactly, then ignoring case).
pub(super) fn user_row_on<B: Backend + ?Sized>(db: &B, schema: &AuthSchema, query: &str) -> Result<StoredRow> {
    let id = quote_ident(schema.user.require("id")?);
    let email = quote_ident(schema.user.require("email")?);
    let table = schema.user.quoted();
    for condition in [format!("{id} = ?1"), format!("{email} = ?1"), format!("{email} = ?1 COLLATE NOCASE")] {
        let sql = format!("SELECT * FROM {table} WHERE {condition} LIMIT 2");
        let mut rows = stored_rows(&db.query(&Statement::new(sql, vec![Value::Text(query.to_string())]))?);
        match rows.len() {
            0 => continue,
            1 => return Ok(rows.remove(0)),
            _ => {
                return Err(DbError::Invalid(format!(
                    "{query:?} matches several users' emails when case is ignored: give the exact email or the id"
                ))
                .into());
            }
        }
    }
    Err(DbError::NotFound(format!("no user with id or email {query:?}")).into())
}

/// The user row by id, every column.
pub(super) fn user_by_id(schema: &AuthSchema, id: &Value) -> Result<Statement> {
    let sql = format!("SELECT * FROM {} WHERE {} = ?1", schema.user.quoted(), quote_ident(schema.user.require("id")?));
    Ok(Statement::new(sql, vec![id.clone()]))
}

/// Counts the user's sessions that have not expired at `now`.
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

/// Sessions of other users that name this user in `impersonatedBy`.
pub(super) fn impersonated_by_on<B: Backend + ?Sized>(db: &B, schema: &AuthSchema, user_id: &Value) -> Result<u64> {
    let session = &schema.session;
    let Some(by) = session.column("impersonatedBy") else { return Ok(0) };
    let sql = format!(
        "SELECT count(*) FROM {} WHERE {} = ?1 AND {} IS NOT ?1",
        session.quoted(),
        quote_ident(by),
        quote_ident(session.require("userId")?)
    );
    count_on(db, &Statement::new(sql, vec![user_id.clone()]))
}

/// Rows scanned and values kept for a column's sample, as `db::kinds::sample_column` does.
const SAMPLE_SQL_LIMITS: (u32, u32) = (5000, 64);

/// The format dates in `column` are stored in, judged from a sample; `None` when it holds no
/// dates yet (the same rule as `MappedTable::time_format`).
pub(super) fn time_format_on<B: Backend + ?Sized>(
    db: &B,
    table: &MappedTable,
    column: &str,
) -> Result<Option<TimeFormat>> {
    let col = quote_ident(column);
    let (scan, keep) = SAMPLE_SQL_LIMITS;
    let sql = format!(
        "SELECT {col} FROM (SELECT {col} FROM {} LIMIT {scan}) WHERE {col} IS NOT NULL LIMIT {keep}",
        table.quoted()
    );
    let samples: Vec<Value> =
        db.query(&Statement::plain(sql))?.rows.into_iter().filter_map(|row| row.into_iter().next()).collect();
    if samples.is_empty() {
        return Ok(None);
    }
    let decl = table.info.column(column).map(|c| c.decl_type.as_str()).unwrap_or_default();
    Ok(match classify_column(&table.info, column, decl, &samples) {
        ColumnKind::Timestamp { format } => Some(format),
        _ => None,
    })
}
