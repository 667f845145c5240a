//! Migration folders (drizzle-kit journals and plain `.sql` folders), the trackers that record
//! what was applied, the status of each migration, and applying what is pending.
//!
//! The migrations screen calls, in this order: [`locate::locate_migrations`] (which folder, which
//! tracker table), [`status::migration_status`] (one row per migration), [`apply::plan_migrations`]
//! (what `A` would run, and why it may refuse), then [`apply::apply_migrations`].

pub mod apply;
pub mod backup;
mod batch;
pub mod drift;
pub mod drizzle;
pub mod embedded;
pub mod folder;
pub mod guard;
pub mod hint;
pub mod locate;
pub mod record;
pub mod statements;
pub mod status;
pub mod wrangler;

pub mod remote;

use anyhow::Result;
use rusqlite::types::{Value, ValueRef};

use crate::db::backend::{Backend, Statement};

pub use apply::{ApplyEvent, ApplyInput, ApplyPlan, ApplyReport, MigrationFailed, apply_migrations, plan_migrations};
pub use folder::{FolderKind, LoadFolder, MigrationFile, MigrationFolder, load_folder};
pub use locate::{LocateMigrations, LocatedMigrations, NoMigrationsFolder, locate_migrations};
pub use status::{
    MigrationState, MigrationStatus, StatusInput, TrackerChoice, TrackerKind, TrackerResolution, migration_status,
    resolve_tracker,
};

/// Whether the main schema has a table of this name (SQLite compares names case-insensitively).
/// One statement, on any backend (`sqlite_master`: D1 lists it as SQLite does).
fn table_exists<B: Backend + ?Sized>(db: &B, table: &str) -> Result<bool> {
    let rows = db.query(&Statement::new(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        vec![Value::Text(table.to_string())],
    ))?;
    Ok(matches!(rows.scalar(), Some(Value::Integer(n)) if *n > 0)
        || matches!(rows.scalar(), Some(Value::Real(f)) if *f > 0.0))
}

/// A tracker cell (a plain value from any backend) as text, whatever its storage class.
fn plain_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(text) => text.clone(),
        Value::Blob(bytes) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A tracker cell as text, whatever its storage class.
fn value_text(value: ValueRef) -> String {
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(text) | ValueRef::Blob(text) => String::from_utf8_lossy(text).into_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
