//! Applying pending migrations: plan, back up, then each migration with its tracker row written
//! exactly as wrangler or drizzle would, as ONE atomic batch of the write pipeline (`db::write`,
//! see [`super::batch`]), stopping at the first failure.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rusqlite::Connection;

use super::backup::{BackupInput, backup_database};
use super::batch::{BatchFailure, plan_batch, run_batch};
use super::drizzle;
use super::guard::{TransactionControl, transaction_control};
use super::status::{MigrationState, MigrationStatus, StatusInput, TrackerKind, TrackerResolution};
use super::status::{migration_status_for, resolve_tracker};
use crate::db::backend::Backend;
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
    /// Transaction-control statements in the migrations that would run: apply always refuses
    /// them, before running anything.
    pub refused: Vec<TransactionControl>,
}

/// One migration that would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMigration {
    pub name: String,
    /// Pending, or skipped (only run when forced).
    pub state: MigrationState,
    pub statements: Vec<String>,
    /// The tracker insert that runs with it, values written in, as a confirmation shows it.
    pub tracker_sql: String,
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
    /// On a remote D1: the time-travel bookmark taken before `name`'s request (what restores
    /// the database to before it).
    Bookmarked { name: String, bookmark: String },
}

/// What [`apply_migrations`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    pub tracker: TrackerKind,
    /// `None` when there was nothing to apply.
    pub backup: Option<PathBuf>,
    /// File names, in the order they were applied.
    pub applied: Vec<String>,
    /// On a remote D1: the command that restores the bookmark taken before the first migration,
    /// which undoes the whole run.
    pub undo: Option<String>,
}

/// A migration failed; it was rolled back (checked: see `restored`), and those before it stay applied.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{name} failed and {}{}: {message}\n  statement {statement_number}: {statement}",
    describe_rollback(*restored, backup.as_deref()),
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
    /// Whether the database and the tracker were checked to be as they were before this
    /// migration: its transaction stayed open until the rollback, and the schema and the tracker's
    /// rows read the same as before it.
    pub restored: bool,
}

fn describe_rollback(restored: bool, backup: Option<&Path>) -> String {
    if restored {
        return "was rolled back (the database and the tracker are as they were before it)".to_string();
    }
    let backup = backup.map_or_else(|| "a backup".to_string(), |path| format!("the backup at {}", path.display()));
    format!("could NOT be rolled back completely (the database differs from before it; restore {backup})")
}

fn describe_earlier(applied: &[String], backup: Option<&Path>) -> String {
    let backup = backup.map(|path| format!("; backup at {}", path.display())).unwrap_or_default();
    match applied.len() {
        0 => backup,
        1 => format!("; 1 earlier migration of this run stays applied: {}{backup}", applied.join(", ")),
        n => format!("; {n} earlier migrations of this run stay applied: {}{backup}", applied.join(", ")),
    }
}

/// The tracker insert [`apply_migrations`] runs after `file`, with its values written in: the
/// same [`Sql`](crate::db::write::Sql) value the batch binds (see [`super::batch::tracker_record`]).
fn tracker_sql(kind: TrackerKind, wrangler_table: &str, file: &super::folder::MigrationFile) -> String {
    super::batch::tracker_record(kind, wrangler_table, file).inline()
}

/// Works out what [`apply_migrations`] would run. Reads only.
pub fn plan_migrations<B: Backend + ?Sized>(conn: &B, input: &StatusInput) -> Result<ApplyPlan> {
    let tracker = resolve_tracker(conn, input)?;
    let statuses = migration_status_for(conn, input, tracker.kind)?;
    let to_apply: Vec<PlannedMigration> = statuses
        .iter()
        .filter(|status| status.state.is_unapplied())
        .filter_map(|status| {
            let index = status.file_index?;
            let file = &input.folder.migrations[index];
            Some(PlannedMigration {
                name: status.name.clone(),
                state: status.state,
                statements: file.statements(),
                tracker_sql: tracker_sql(tracker.kind, input.wrangler_table, file),
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
    let refused =
        to_apply.iter().flat_map(|planned| transaction_control(&input.folder.migrations[planned.file_index])).collect();
    Ok(ApplyPlan { tracker, statuses, to_apply, problems, refused })
}

/// Explains why a plan with transaction-control statements is refused, one line each.
pub fn describe_refused(refused: &[TransactionControl]) -> String {
    let lines: Vec<String> = refused.iter().map(ToString::to_string).collect();
    format!("refusing to apply; nothing was run:\n  {}", lines.join("\n  "))
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
        return Ok(ApplyReport { tracker, backup: None, applied: Vec::new(), undo: None });
    }
    if !plan.refused.is_empty() {
        bail!(describe_refused(&plan.refused));
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
        Ok(()) => Ok(ApplyReport { tracker, backup: Some(backup), applied, undo: None }),
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
    let tracker_table = match plan.tracker.kind {
        TrackerKind::Wrangler => input.status.wrangler_table,
        TrackerKind::Drizzle => drizzle::DEFAULT_TABLE,
    };
    for (offset, migration) in plan.to_apply.iter().enumerate() {
        let position = offset + 1;
        let statements = migration.statements.len();
        (input.progress)(&ApplyEvent::Started { name: migration.name.clone(), position, total, statements });
        let before = fingerprint(conn, tracker_table)?;
        match run_migration(conn, input, plan, migration, check_foreign_keys) {
            Ok(()) => {}
            Err(RunError::Failed(mut failed)) => {
                // The transaction was dropped, which rolls it back; say so only once checked.
                // A statement may have opened a transaction of its own that the drop left open.
                if !conn.is_autocommit() {
                    conn.execute_batch("ROLLBACK")?;
                }
                failed.restored = !failed.ended_transaction() && fingerprint(conn, tracker_table)? == before;
                return Err(RunError::Failed(failed));
            }
            Err(other) => return Err(other),
        }
        applied.push(migration.name.clone());
        (input.progress)(&ApplyEvent::Applied { name: migration.name.clone(), position, total });
    }
    Ok(())
}

/// Runs one migration and its tracker row as ONE atomic batch of the write pipeline (see
/// [`super::batch`]); on any failure nothing of it stays.
fn run_migration(
    conn: &mut Connection,
    input: &ApplyInput,
    plan: &ApplyPlan,
    migration: &PlannedMigration,
    check_foreign_keys: bool,
) -> Result<(), RunError> {
    let file = &input.status.folder.migrations[migration.file_index];
    let batch =
        plan_batch(&migration.statements, file, plan.tracker.kind, input.status.wrangler_table, check_foreign_keys);
    let statement = |number: usize| migration.statements.get(number.saturating_sub(1)).cloned().unwrap_or_default();
    match run_batch(&*conn, &batch) {
        Ok(()) => Ok(()),
        Err(BatchFailure::Statement { number, message }) => {
            Err(RunError::Failed(Box::new(failure(migration, number, &statement(number), message))))
        }
        // A statement that ended the transaction (the guard refuses those, but a statement it
        // cannot read might still) means what ran before it was committed.
        Err(BatchFailure::EndedTransaction { number }) => {
            let message = ENDED_TRANSACTION.to_string();
            Err(RunError::Failed(Box::new(failure(migration, number, &statement(number), message))))
        }
        Err(BatchFailure::ForeignKeys { violation }) => {
            let message = format!("it leaves rows whose foreign key points nowhere ({violation})");
            let statements = migration.statements.len();
            Err(RunError::Failed(Box::new(failure(migration, statements, "PRAGMA foreign_key_check", message))))
        }
        Err(BatchFailure::Other(err)) => Err(RunError::Other(err)),
    }
}

/// SQLite's message for a statement that ended squall's transaction.
const ENDED_TRANSACTION: &str = "this statement ended the migration's transaction, so what ran before it was committed";

impl MigrationFailed {
    fn ended_transaction(&self) -> bool {
        self.message == ENDED_TRANSACTION
    }
}

/// What must read the same after a rolled-back migration: the whole schema and the tracker's rows.
fn fingerprint(conn: &Connection, tracker_table: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY 1, 2")?;
    let rows = stmt.query_map([], |row| {
        Ok(format!(
            "{}|{}|{}|{}",
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?
        ))
    })?;
    for row in rows {
        out.push(row?);
    }
    if super::table_exists(conn, tracker_table)? {
        let sql = format!("SELECT * FROM {} ORDER BY rowid", crate::db::schema::quote_ident(tracker_table));
        let mut stmt = conn.prepare(&sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let cells: Vec<String> =
                (0..width).map(|i| row.get_ref(i).map(super::value_text)).collect::<rusqlite::Result<_>>()?;
            out.push(cells.join("|"));
        }
    }
    Ok(out)
}

fn failure(migration: &PlannedMigration, number: usize, statement: &str, message: String) -> MigrationFailed {
    MigrationFailed {
        name: migration.name.clone(),
        statement: statement.to_string(),
        statement_number: number,
        message,
        applied: Vec::new(),
        backup: None,
        restored: false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::folder::{LoadFolder, load_folder};
    use crate::migrate::status::TrackerChoice;

    /// Runs a one-file plain folder without the guard, as if a statement it cannot read had
    /// ended the transaction, and returns the failure.
    fn run_unguarded(sql: &str) -> (MigrationFailed, Connection) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0000_x.sql"), sql).unwrap();
        let folder = load_folder(&LoadFolder { dir: dir.path() }).unwrap();
        let mut conn = Connection::open_in_memory().unwrap();
        let status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
        let mut plan = plan_migrations(&conn, &status).unwrap();
        plan.refused.clear();
        let mut progress = |_: &ApplyEvent| {};
        let mut input =
            ApplyInput { status, force: false, backup_dir: dir.path(), backup_name: "x", progress: &mut progress };
        let mut applied = Vec::new();
        let Err(RunError::Failed(failed)) = run_plan(&mut conn, &mut input, &plan, false, &mut applied) else {
            panic!("the migration should fail")
        };
        (*failed, conn)
    }

    /// Issue 18: "as it was before" is only said when checked.
    #[test]
    fn the_rollback_is_checked_before_it_is_claimed() {
        let (failed, conn) = run_unguarded("CREATE TABLE t1 (x);\nCOMMIT;\nCREATE TABLE t2 (x);");
        assert!(!failed.restored);
        assert_eq!(failed.statement, "COMMIT;");
        let message = failed.to_string();
        assert!(message.contains("could NOT be rolled back completely"), "{message}");
        assert!(!message.contains("as they were before"), "{message}");
        let t1: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 't1'", [], |r| r.get(0)).unwrap();
        assert_eq!(t1, 1, "t1 was committed by the migration's own COMMIT");

        let (failed, conn) = run_unguarded("CREATE TABLE t1 (x);\nALTER TABLE nope ADD y;");
        assert!(failed.restored);
        assert!(failed.to_string().contains("the database and the tracker are as they were before it"));
        let left: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0);
    }
}
