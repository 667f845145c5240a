//! Drizzle's tracker, `__drizzle_migrations`: one row per applied migration with the file's hash
//! and the journal entry's `when` (stack-facts §3).

use anyhow::{Context, Result};
use rusqlite::{Connection, params};

use crate::db::backend::{Backend, Statement};
use crate::db::schema::quote_ident;

/// The table drizzle-orm's migrator and `drizzle-kit migrate` use by default.
pub const DEFAULT_TABLE: &str = "__drizzle_migrations";

/// One row of drizzle's tracker (`id` is always NULL in SQLite, so it is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrizzleRow {
    /// Hex SHA-256 of the migration file when it was applied.
    pub hash: String,
    /// The journal entry's `when`, epoch milliseconds.
    pub created_at: Option<i64>,
}

/// Creates the tracker table with the exact text drizzle-orm's SQLite migrator runs.
pub fn ensure_tracker(conn: &Connection) -> Result<()> {
    conn.execute_batch(&tracker_ddl())?;
    Ok(())
}

/// drizzle-orm's `CREATE TABLE IF NOT EXISTS` for its tracker.
pub fn tracker_ddl() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (\n\t\t\t\tid SERIAL PRIMARY KEY,\n\t\t\t\thash text NOT NULL,\n\t\t\t\tcreated_at numeric\n\t\t\t)",
        quote_ident(DEFAULT_TABLE)
    )
}

/// The tracker row's INSERT: hash `?1`, created_at `?2`.
pub fn record_sql() -> String {
    format!("INSERT INTO {} (\"hash\", \"created_at\") VALUES(?1, ?2)", quote_ident(DEFAULT_TABLE))
}

/// Records one applied migration as drizzle's migrator does: hash and created_at, id left NULL.
pub fn record_applied(conn: &Connection, row: &DrizzleRow) -> Result<()> {
    conn.execute(&record_sql(), params![row.hash, row.created_at])?;
    Ok(())
}

/// The recorded rows, oldest first. Empty when the table does not exist.
pub fn read_applied<B: Backend + ?Sized>(db: &B) -> Result<Vec<DrizzleRow>> {
    if !super::table_exists(db, DEFAULT_TABLE)? {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT hash, created_at FROM {} ORDER BY created_at, rowid", quote_ident(DEFAULT_TABLE));
    let rows = db.query(&Statement::plain(sql)).with_context(|| format!("reading {DEFAULT_TABLE}"))?;
    Ok(rows
        .rows
        .iter()
        .map(|row| {
            let cell = |i: usize| row.get(i).cloned().unwrap_or(rusqlite::types::Value::Null);
            DrizzleRow { hash: super::plain_text(&cell(0)), created_at: millis((&cell(1)).into()) }
        })
        .collect())
}

/// `created_at` is declared `numeric`, so it may come back as an integer, a real or text;
/// drizzle compares it with `Number(...)`.
fn millis(value: rusqlite::types::ValueRef) -> Option<i64> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Integer(n) => Some(n),
        ValueRef::Real(f) if f.is_finite() => Some(f as i64),
        ValueRef::Text(text) => std::str::from_utf8(text).ok()?.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_rows_look_like_drizzles() {
        let conn = Connection::open_in_memory().unwrap();
        assert!(read_applied(&conn).unwrap().is_empty());
        ensure_tracker(&conn).unwrap();
        let row = DrizzleRow { hash: "ab".into(), created_at: Some(1795846739167) };
        record_applied(&conn, &row).unwrap();
        assert_eq!(read_applied(&conn).unwrap(), [row]);
        let (id, created_type): (Option<i64>, String) = conn
            .query_row("SELECT id, typeof(created_at) FROM __drizzle_migrations", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((id, created_type.as_str()), (None, "integer"));
        let sql: String = conn
            .query_row("SELECT sql FROM sqlite_schema WHERE name = '__drizzle_migrations'", [], |r| r.get(0))
            .unwrap();
        assert!(sql.starts_with("CREATE TABLE \"__drizzle_migrations\" (\n\t\t\t\tid SERIAL PRIMARY KEY"), "{sql}");
    }

    #[test]
    fn created_at_is_read_whatever_its_storage_class() {
        let conn = Connection::open_in_memory().unwrap();
        ensure_tracker(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('a', '17'), ('b', 18.0), ('c', NULL)",
        )
        .unwrap();
        let got: Vec<Option<i64>> = read_applied(&conn).unwrap().into_iter().map(|r| r.created_at).collect();
        assert_eq!(got, [None, Some(17), Some(18)]);
    }
}
