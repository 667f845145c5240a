//! Applying pending migrations: plan, back up, then one transaction per migration with its tracker
//! row written exactly as wrangler or drizzle would, stopping at the first failure.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rusqlite::Connection;

use super::backup::{BackupInput, backup_database};
use super::drizzle::{self, DrizzleRow};
use super::status::{MigrationState, MigrationStatus, StatusInput, TrackerKind, TrackerResolution};
use super::status::{migration_status, resolve_tracker};
use super::wrangler;
use crate::db::error::DbError;

/// What applying would do, computed without changing anything (this is also the dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyPlan {
    pub tracker: TrackerResolution,
    /// The status every plan is computed from.
    pub statuses: Vec<MigrationStatus>,
    /// What would run, in order.
    pub to_apply: Vec<PlannedMigration>,
    /// Migrations that make the history inconsistent (modified, missing, skipped): apply refuses
    /// while there are any, unless forced. Skipped ones are applied when forced.
    pub problems: Vec<MigrationStatus>,
}

/// One migration that would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMigration {
    pub name: String,
    /// Pending, or skipped (only run when forced).
    pub state: MigrationState,
    pub statements: Vec<String>,
    /// Index in [`MigrationFolder::migrations`](super::folder::MigrationFolder::migrations).
    pub file_index: usize,
}

/// Input of [`apply_migrations`].
pub struct ApplyInput<'a> {
    pub status: StatusInput<'a>,
    /// Apply despite modified, missing or skipped migrations.
    pub force: bool,
    /// Where the backup goes (see [`default_backup_dir`](super::backup::default_backup_dir)).
    pub backup_dir: &'a Path,
    /// Start of the backup's file name, usually the database's name.
    pub backup_name: &'a str,
    /// Called as the work advances.
    pub progress: &'a mut dyn FnMut(&ApplyEvent),
}

/// Progress of [`apply_migrations`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyEvent {
    /// The backup is written.
    BackedUp { path: PathBuf },
    /// A migration is about to run (`position` counts from 1).
    Started { name: String, position: usize, total: usize, statements: usize },
    /// A migration and its tracker row are committed.
    Applied { name: String, position: usize, total: usize },
}

/// What [`apply_migrations`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    pub tracker: TrackerKind,
    /// `None` when there was nothing to apply.
    pub backup: Option<PathBuf>,
    /// File names, in the order they were applied.
    pub applied: Vec<String>,
}

/// A migration failed; it was rolled back, and those before it stay applied.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{name} failed and was rolled back (the database is as it was before it){}: {message}\n  statement {statement_number}: {statement}",
    describe_earlier(applied, backup.as_deref())
)]
pub struct MigrationFailed {
    pub name: String,
    /// The statement that failed, as written in the file.
    pub statement: String,
    /// 1-based position of the statement within the migration.
    pub statement_number: usize,
    /// SQLite's message.
    pub message: String,
    /// Migrations applied before this one in the same run.
    pub applied: Vec<String>,
    pub backup: Option<PathBuf>,
}

fn describe_earlier(applied: &[String], backup: Option<&Path>) -> String {
    let backup = backup.map(|path| format!("; backup at {}", path.display())).unwrap_or_default();
    match applied.len() {
        0 => backup,
        n => format!("; {n} earlier migration(s) of this run stay applied: {}{backup}", applied.join(", ")),
    }
}

/// Works out what [`apply_migrations`] would run. Reads only.
pub fn plan_migrations(conn: &Connection, input: &StatusInput) -> Result<ApplyPlan> {
    let tracker = resolve_tracker(conn, input)?;
    let statuses = migration_status(conn, input)?;
    let to_apply = statuses
        .iter()
        .filter(|status| status.state.is_unapplied())
        .filter_map(|status| {
            let index = status.file_index?;
            Some(PlannedMigration {
                name: status.name.clone(),
                state: status.state,
                statements: input.folder.migrations[index].statements(),
                file_index: index,
            })
        })
        .collect();
    let problems = statuses
        .iter()
        .filter(|status| {
            matches!(status.state, MigrationState::Modified | MigrationState::Missing | MigrationState::Skipped)
        })
        .cloned()
        .collect();
    Ok(ApplyPlan { tracker, statuses, to_apply, problems })
}

/// Explains why a plan with problems is refused.
pub fn describe_problems(problems: &[MigrationStatus]) -> String {
    let list: Vec<String> =
        problems.iter().map(|status| format!("{} is {}", status.name, status.state.label())).collect();
    format!("the migration history is inconsistent ({}); fix it, or pass --force to apply anyway", list.join(", "))
}

/// Applies every pending migration: refuses on a read-only database and (unless forced) on an
/// inconsistent history, backs the database up, then runs each migration in its own transaction
/// together with its tracker row. Stops at the first failure with [`MigrationFailed`].
pub fn apply_migrations(conn: &mut Connection, mut input: ApplyInput) -> Result<ApplyReport> {
    let plan = plan_migrations(conn, &input.status)?;
    let tracker = plan.tracker.kind;
    if plan.to_apply.is_empty() {
        return Ok(ApplyReport { tracker, backup: None, applied: Vec::new() });
    }
    if crate::db::open::refuses_writes(conn)? {
        return Err(
            DbError::ReadOnly("the database is read-only: applying migrations needs write access".into()).into()
        );
    }
    if !plan.problems.is_empty() && !input.force {
        return Err(DbError::Conflict(describe_problems(&plan.problems)).into());
    }
    let without_when = plan.to_apply.iter().find(|m| input.status.folder.migrations[m.file_index].created_at.is_none());
    if tracker == TrackerKind::Drizzle
        && let Some(plain) = without_when
    {
        bail!(
            "{}: drizzle's tracker needs the journal's `when` for each migration, and {} is not in a drizzle-kit journal; use --tracker wrangler",
            input.status.folder.dir.display(),
            plain.name
        );
    }
    let backup = backup_database(conn, &BackupInput { dir: input.backup_dir, name: input.backup_name })?;
    (input.progress)(&ApplyEvent::BackedUp { path: backup.clone() });

    // drizzle-kit writes `PRAGMA foreign_keys=OFF` around table rebuilds, but that pragma does
    // nothing inside a transaction, and with foreign keys on, `DROP TABLE` of a parent would
    // cascade-delete its children. So foreign keys are off for the run, and each migration is
    // checked with `foreign_key_check` before it commits instead (SQLite's documented recipe).
    let foreign_keys_were_on: bool = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    let check_foreign_keys = foreign_key_violation(conn)?.is_none();
    conn.pragma_update(None, "foreign_keys", false)?;
    let mut applied = Vec::new();
    let outcome = run_plan(conn, &mut input, &plan, check_foreign_keys, &mut applied);
    conn.pragma_update(None, "foreign_keys", foreign_keys_were_on)?;
    match outcome {
        Ok(()) => Ok(ApplyReport { tracker, backup: Some(backup), applied }),
        Err(RunError::Failed(mut failed)) => {
            failed.applied = applied;
            failed.backup = Some(backup);
            Err((*failed).into())
        }
        Err(RunError::Other(err)) => Err(err),
    }
}

enum RunError {
    Failed(Box<MigrationFailed>),
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for RunError {
    fn from(err: E) -> Self {
        RunError::Other(err.into())
    }
}

fn run_plan(
    conn: &mut Connection,
    input: &mut ApplyInput,
    plan: &ApplyPlan,
    check_foreign_keys: bool,
    applied: &mut Vec<String>,
) -> Result<(), RunError> {
    let total = plan.to_apply.len();
    for (offset, migration) in plan.to_apply.iter().enumerate() {
        let position = offset + 1;
        let statements = migration.statements.len();
        (input.progress)(&ApplyEvent::Started { name: migration.name.clone(), position, total, statements });
        let file = &input.status.folder.migrations[migration.file_index];
        // Dropping the transaction on any early return rolls the migration back.
        let tx = conn.transaction()?;
        for (number, statement) in migration.statements.iter().enumerate() {
            if let Err(err) = tx.execute_batch(statement) {
                return Err(RunError::Failed(Box::new(failure(
                    migration,
                    number + 1,
                    statement,
                    sqlite_message(&err),
                ))));
            }
        }
        match plan.tracker.kind {
            TrackerKind::Wrangler => {
                let tracker = wrangler::Tracker { table: input.status.wrangler_table };
                wrangler::ensure_tracker(&tx, &tracker)?;
                wrangler::record_applied(&tx, &tracker, &file.name)?;
            }
            TrackerKind::Drizzle => {
                drizzle::ensure_tracker(&tx)?;
                drizzle::record_applied(&tx, &DrizzleRow { hash: file.hash.clone(), created_at: file.created_at })?;
            }
        }
        if check_foreign_keys && let Some(violation) = foreign_key_violation(&tx)? {
            let message = format!("it leaves rows whose foreign key points nowhere ({violation})");
            return Err(RunError::Failed(Box::new(failure(
                migration,
                statements,
                "PRAGMA foreign_key_check",
                message,
            ))));
        }
        tx.commit()?;
        applied.push(migration.name.clone());
        (input.progress)(&ApplyEvent::Applied { name: migration.name.clone(), position, total });
    }
    Ok(())
}

fn failure(migration: &PlannedMigration, number: usize, statement: &str, message: String) -> MigrationFailed {
    MigrationFailed {
        name: migration.name.clone(),
        statement: statement.to_string(),
        statement_number: number,
        message,
        applied: Vec::new(),
        backup: None,
    }
}

/// The first row `PRAGMA foreign_key_check` reports, described; `None` when there is none.
fn foreign_key_violation(conn: &Connection) -> Result<Option<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let table: String = row.get(0)?;
    let rowid: Option<i64> = row.get(1)?;
    let parent: String = row.get(2)?;
    let rowid = rowid.map_or_else(|| "a row".to_string(), |id| format!("rowid {id}"));
    Ok(Some(format!("{table} {rowid} → {parent}")))
}

/// SQLite's own message, without rusqlite's wrapping.
fn sqlite_message(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        other => other.to_string(),
    }
}
