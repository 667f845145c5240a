//! Drizzle's tracker, `__drizzle_migrations`: one row per applied migration with the file's hash
//! and the journal entry's `when` (stack-facts §3).

use anyhow::{Context, Result};
use rusqlite::{Connection, params};

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
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {} (\n\t\t\t\tid SERIAL PRIMARY KEY,\n\t\t\t\thash text NOT NULL,\n\t\t\t\tcreated_at numeric\n\t\t\t)",
        quote_ident(DEFAULT_TABLE)
    ))?;
    Ok(())
}

/// Records one applied migration as drizzle's migrator does: hash and created_at, id left NULL.
pub fn record_applied(conn: &Connection, row: &DrizzleRow) -> Result<()> {
    conn.execute(
        &format!("INSERT INTO {} (\"hash\", \"created_at\") VALUES(?1, ?2)", quote_ident(DEFAULT_TABLE)),
        params![row.hash, row.created_at],
    )?;
    Ok(())
}

/// The recorded rows, oldest first. Empty when the table does not exist.
pub fn read_applied(conn: &Connection) -> Result<Vec<DrizzleRow>> {
    if !super::table_exists(conn, DEFAULT_TABLE)? {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT hash, created_at FROM {} ORDER BY created_at, rowid", quote_ident(DEFAULT_TABLE));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |row| {
        Ok(DrizzleRow { hash: super::value_text(row.get_ref(0)?), created_at: millis(row.get_ref(1)?) })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().with_context(|| format!("reading {DEFAULT_TABLE}"))
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
