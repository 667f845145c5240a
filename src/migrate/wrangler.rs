//! Wrangler's tracker, `d1_migrations`: one row per applied file, matched by file name.

use anyhow::Result;
use rusqlite::{Connection, params};

use crate::db::schema::quote_ident;

/// The table wrangler uses unless `migrations_table` says otherwise.
pub const DEFAULT_TABLE: &str = "d1_migrations";

/// Input of [`ensure_tracker`] and [`record_applied`].
pub struct Tracker<'a> {
    pub table: &'a str,
}

/// Creates the tracker table exactly as `wrangler d1 migrations apply` does.
pub fn ensure_tracker(conn: &Connection, tracker: &Tracker) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {}(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);",
        quote_ident(tracker.table)
    ))?;
    Ok(())
}

/// Records one applied file, as wrangler does after running it (`applied_at` from SQLite's clock).
pub fn record_applied(conn: &Connection, tracker: &Tracker, file_name: &str) -> Result<()> {
    conn.execute(&format!("INSERT INTO {} (name) values (?1)", quote_ident(tracker.table)), params![file_name])?;
    Ok(())
}
