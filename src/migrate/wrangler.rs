//! Wrangler's tracker, `d1_migrations`: one row per applied file, matched by file name.

use anyhow::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, params};

use crate::db::backend::{Backend, Statement};
use crate::db::schema::quote_ident;

/// The table wrangler uses unless `migrations_table` says otherwise (defined beside the wrangler
/// config reader, which fills in the default).
pub use crate::project::DEFAULT_MIGRATIONS_TABLE as DEFAULT_TABLE;

/// Input of [`ensure_tracker`], [`record_applied`] and [`read_applied`].
pub struct Tracker<'a> {
    pub table: &'a str,
}

/// One row of wrangler's tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WranglerRow {
    pub id: i64,
    /// The file name, `0000_init.sql`.
    pub name: String,
    /// UTC `YYYY-MM-DD HH:MM:SS`, from SQLite's clock.
    pub applied_at: String,
}

/// Creates the tracker table exactly as `wrangler d1 migrations apply` does, so the schema text
/// squall leaves behind is the one wrangler would have.
pub fn ensure_tracker(conn: &Connection, tracker: &Tracker) -> Result<()> {
    conn.execute_batch(&tracker_ddl(tracker.table))?;
    Ok(())
}

/// wrangler's `CREATE TABLE IF NOT EXISTS` for its tracker, byte for byte.
pub fn tracker_ddl(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {}(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);",
        table_ident(table)
    )
}

/// The tracker row's INSERT, the file name bound as `?1`.
pub fn record_sql(table: &str) -> String {
    format!("INSERT INTO {} (name) values (?1)", table_ident(table))
}

/// Records one applied file, as wrangler does after running it (`applied_at` from SQLite's clock).
pub fn record_applied(conn: &Connection, tracker: &Tracker, file_name: &str) -> Result<()> {
    conn.execute(&record_sql(tracker.table), params![file_name])?;
    Ok(())
}

/// The recorded rows in the order wrangler lists them (by id). Empty when the table does not exist.
pub fn read_applied<B: Backend + ?Sized>(db: &B, tracker: &Tracker) -> Result<Vec<WranglerRow>> {
    if !super::table_exists(db, tracker.table)? {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT id, name, applied_at FROM {} ORDER BY id", quote_ident(tracker.table));
    let rows = db.query(&Statement::plain(sql)).with_context(|| format!("reading {}", tracker.table))?;
    Ok(rows
        .rows
        .iter()
        .map(|row| {
            let cell = |i: usize| row.get(i).cloned().unwrap_or(Value::Null);
            WranglerRow {
                id: match cell(0) {
                    Value::Integer(n) => n,
                    Value::Real(f) => f as i64,
                    _ => 0,
                },
                name: super::plain_text(&cell(1)),
                applied_at: super::plain_text(&cell(2)),
            }
        })
        .collect())
}

/// Wrangler writes the table name into its SQL as is; plain names are kept bare so the stored
/// schema matches wrangler's byte for byte, anything else is quoted.
pub(super) fn table_ident(table: &str) -> String {
    let plain = table.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { table.to_string() } else { quote_ident(table) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_schema_matches_wranglers() {
        let conn = Connection::open_in_memory().unwrap();
        let tracker = Tracker { table: DEFAULT_TABLE };
        assert!(read_applied(&conn, &tracker).unwrap().is_empty());
        ensure_tracker(&conn, &tracker).unwrap();
        record_applied(&conn, &tracker, "0000_init.sql").unwrap();
        let sql: String =
            conn.query_row("SELECT sql FROM sqlite_schema WHERE name = 'd1_migrations'", [], |r| r.get(0)).unwrap();
        // The text wrangler 4 leaves in tests/fixtures/wrangler-d1-partial.sqlite.
        assert_eq!(
            sql,
            "CREATE TABLE d1_migrations(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n)"
        );
        let rows = read_applied(&conn, &tracker).unwrap();
        assert_eq!((rows[0].id, rows[0].name.as_str(), rows[0].applied_at.len()), (1, "0000_init.sql", 19));
        assert_eq!(table_ident("my table"), "\"my table\"");
    }
}
