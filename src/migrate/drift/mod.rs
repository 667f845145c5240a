//! Schema drift: does the live schema match what the applied migrations describe? The expected
//! schema is drizzle-kit's snapshot of the newest applied migration (`meta/NNNN_snapshot.json`),
//! or a scratch in-memory database built by applying the applied migrations; pending ones are
//! listed apart and are not drift.
//! Also reports applied migrations that were edited afterwards.

pub mod compare;
pub mod model;

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Serialize;

use super::folder::{FolderKind, MigrationFolder};
use super::status::{MigrationState, StatusInput, TrackerKind, migration_status, resolve_tracker};
use crate::db::backend::Backend;
pub use compare::{DiffKind, Difference, ObjectKind, compare_schemas};
use model::{SchemaModel, parse_snapshot, read_live};

/// What the live schema was compared with, and what differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftReport {
    /// `drizzle/meta/0001_snapshot.json`, or `a scratch database built from 2 migrations`.
    pub expected: String,
    pub tracker: TrackerKind,
    /// Whether anything differs or was edited (the exit code's 3).
    pub drift: bool,
    pub differences: Vec<Difference>,
    /// Applied migrations whose file changed afterwards.
    pub edited: Vec<EditedMigration>,
    /// Migrations not applied yet: said apart, not compared and not drift (the expected schema is
    /// what the applied ones build).
    pub pending: Vec<String>,
}

/// An applied migration that was edited after it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditedMigration {
    pub name: String,
    pub reason: String,
}

impl DriftReport {
    /// The differences of one table (case-insensitive name).
    pub fn for_table(&self, table: &str) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(move |d| d.table.eq_ignore_ascii_case(table))
    }
}

/// Compares the live schema of `conn` (a local file or a remote D1) with the migrations'
/// schema. Reads only: the tracker, then the whole live schema in one statement (the scratch
/// database is a separate in-memory one).
pub fn check_drift<B: Backend + ?Sized>(conn: &B, input: &StatusInput) -> Result<DriftReport> {
    let folder = input.folder;
    let tracker = resolve_tracker(conn, input)?.kind;
    let statuses = migration_status(conn, input)?;
    let order = match tracker {
        TrackerKind::Wrangler => folder.wrangler_order(),
        TrackerKind::Drizzle => folder.drizzle_order(),
    };
    let skip = [input.wrangler_table, super::drizzle::DEFAULT_TABLE];
    let live = read_live(conn, &skip)?;
    // The expected schema is what the APPLIED migrations build: a pending one is work to do,
    // not drift. With no file of the folder recorded as applied but tables there (a database
    // made by `drizzle-kit push`, a copy without its tracker, a tracker naming files the folder
    // no longer has) squall cannot tell which ran, and
    // compares with every migration; an empty database has simply applied none.
    let recorded = statuses.iter().any(|s| s.file_index.is_some() && !s.state.is_unapplied()) || live.tables.is_empty();
    let applied: Vec<usize> = if recorded {
        order
            .iter()
            .copied()
            .filter(|&i| statuses.iter().any(|s| s.file_index == Some(i) && !s.state.is_unapplied()))
            .collect()
    } else {
        order.clone()
    };
    let unlisted = applied.iter().any(|&i| !folder.in_journal(&folder.migrations[i]));
    // A snapshot describes the journal's migrations only; with files wrangler runs outside the
    // journal, the scratch build is the truth.
    let snapshot = if unlisted { None } else { snapshot_of(folder, &applied)? };
    let (expected, source) = match &snapshot {
        Some((path, model)) => (model.clone(), path.clone()),
        None => {
            let scratch = build_scratch(folder, &applied)?;
            let count = applied.len();
            let plural = if count == 1 { "" } else { "s" };
            let which = if recorded && count < order.len() { " applied" } else { "" };
            (read_live(&scratch, &skip)?, format!("a scratch database built from {count}{which} migration{plural}"))
        }
    };
    let differences = compare_schemas(&expected, &live);

    let mut edited: Vec<EditedMigration> = statuses
        .iter()
        .filter(|s| s.state == MigrationState::Modified)
        .map(|s| EditedMigration {
            name: s.name.clone(),
            reason: "its hash differs from the one drizzle's tracker recorded".into(),
        })
        .collect();
    // wrangler records only names: with a snapshot, the files must still build it, or one of
    // them was edited after drizzle-kit generated it.
    if tracker == TrackerKind::Wrangler
        && let Some((path, model)) = &snapshot
    {
        let built = read_live(&build_scratch(folder, &applied)?, &skip)?;
        let unedited: Vec<&str> =
            statuses.iter().filter(|s| s.state == MigrationState::Applied).map(|s| s.name.as_str()).collect();
        for difference in compare_schemas(model, &built) {
            // The newest file that touches the table; when it is not applied yet, the difference
            // is pending work, not an edit of something applied.
            let Some(name) = applied
                .iter()
                .map(|&i| &folder.migrations[i])
                .filter(|file| mentions(&file.sql, &difference.table))
                .map(|file| file.name.clone())
                .next_back()
                .filter(|name| unedited.contains(&name.as_str()))
            else {
                continue;
            };
            let reason = format!("the files no longer build {path}: {}", difference.describe());
            if !edited.iter().any(|e| e.name == name) {
                edited.push(EditedMigration { name, reason });
            }
        }
    }
    let pending = statuses.iter().filter(|s| s.state.is_unapplied()).map(|s| s.name.clone()).collect();
    let drift = !differences.is_empty() || !edited.is_empty();
    Ok(DriftReport { expected: source, tracker, drift, differences, edited, pending })
}

/// The snapshot drizzle-kit wrote for the newest of `applied`, when `applied` is the journal's
/// first migrations in order (a snapshot describes a prefix of the journal) and the folder on
/// disk has it.
fn snapshot_of(folder: &MigrationFolder, applied: &[usize]) -> Result<Option<(String, SchemaModel)>> {
    if folder.kind != FolderKind::Journal {
        return Ok(None);
    }
    let listed = folder.drizzle_order();
    if applied.is_empty() || listed.get(..applied.len()) != Some(applied) {
        return Ok(None);
    }
    let newest = applied[applied.len() - 1];
    // Embedded migrations (the demo's, whose folder is the relative `migrations`) are not read
    // from disk: a folder of that name in the current directory may be another project's.
    let file = &folder.migrations[newest];
    let on_disk = folder.dir.is_absolute() && std::fs::read_to_string(&file.path).ok().as_deref() == Some(&file.sql);
    if !on_disk {
        return Ok(None);
    }
    let path = folder.dir.join("meta").join(format!("{:04}_snapshot.json", applied.len() - 1));
    if !path.is_file() {
        return Ok(None);
    }
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(&path).with_context(|| format!("{origin}: cannot read"))?;
    Ok(Some((origin.clone(), parse_snapshot(&text, &origin)?)))
}

/// An empty in-memory database with the migrations of `order` applied, for the schema they build.
pub fn build_scratch(folder: &MigrationFolder, order: &[usize]) -> Result<Connection> {
    let scratch = Connection::open_in_memory()?;
    scratch.pragma_update(None, "foreign_keys", false)?;
    for &index in order {
        let file = &folder.migrations[index];
        for (number, statement) in file.statements().iter().enumerate() {
            scratch.execute_batch(statement).with_context(|| {
                format!("{}: statement {} fails on an empty database: {statement}", file.name, number + 1)
            })?;
        }
    }
    Ok(scratch)
}

/// Whether `sql` names `table` (any quoting), for pointing at the migration an edit is in.
fn mentions(sql: &str, table: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    let table = table.to_ascii_lowercase();
    [format!("`{table}`"), format!("\"{table}\""), format!("[{table}]"), format!(" {table} "), format!(" {table}(")]
        .iter()
        .any(|spelling| lower.contains(spelling.as_str()))
}

#[cfg(test)]
mod tests;
