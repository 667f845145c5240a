//! Applying migrations on a database without interactive transactions (a remote D1), the way
//! `wrangler d1 migrations apply --remote` does: each pending file as ONE atomic request, its
//! statements followed by its tracker row, so a migration is all there or not at all.
//!
//! Differences from the local [`apply_migrations`](super::apply_migrations): there is no backup
//! file (D1's time-travel bookmark, taken by the backend before every write, is the backup), and
//! `PRAGMA foreign_keys=OFF` means nothing on D1 (foreign keys are always on), so each request
//! starts with `PRAGMA defer_foreign_keys = ON`: a table rebuild may leave keys dangling until
//! the end of the request, where they are checked.

use anyhow::{Result, bail};
use rusqlite::types::Value;

use super::apply::{ApplyPlan, PlannedMigration, describe_problems, describe_refused, plan_migrations};
use super::status::{StatusInput, TrackerKind};
use super::{drizzle, wrangler};
use crate::db::backend::{Backend, Expect, Statement, Step};
use crate::db::error::DbError;

/// The first step of every migration request on D1 (see the module comment).
pub const DEFER_FOREIGN_KEYS: &str = "PRAGMA defer_foreign_keys = ON";

/// Input of [`apply_atomically`].
pub struct AtomicApplyInput<'a> {
    pub status: StatusInput<'a>,
    /// Apply despite modified, missing or skipped migrations.
    pub force: bool,
    /// Called before each migration's request (`position` counts from 1) and after it.
    pub progress: &'a mut dyn FnMut(&AtomicEvent),
}

/// Progress of [`apply_atomically`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtomicEvent {
    Started { name: String, position: usize, total: usize, statements: usize },
    Applied { name: String, position: usize, total: usize },
}

/// A migration's request failed: D1 kept none of it; those before it stay applied.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{name} failed and was not applied (it ran as one atomic request, so none of it was kept){}: {message}",
    earlier(applied)
)]
pub struct AtomicMigrationFailed {
    pub name: String,
    /// The database's message.
    pub message: String,
    /// Migrations applied before this one in the same run.
    pub applied: Vec<String>,
}

fn earlier(applied: &[String]) -> String {
    match applied.len() {
        0 => String::new(),
        1 => format!("; 1 earlier migration of this run stays applied: {}", applied.join(", ")),
        n => format!("; {n} earlier migrations of this run stay applied: {}", applied.join(", ")),
    }
}

/// The steps of one migration's request: defer foreign keys, create the tracker if missing (as
/// its tool would), the file's statements, then its tracker row (which must insert one row).
pub fn migration_steps(plan: &ApplyPlan, migration: &PlannedMigration, status: &StatusInput) -> Result<Vec<Step>> {
    let file = &status.folder.migrations[migration.file_index];
    let mut steps = vec![Step::any(Statement::plain(DEFER_FOREIGN_KEYS))];
    let record = match plan.tracker.kind {
        TrackerKind::Wrangler => {
            steps.push(Step::any(Statement::plain(wrangler::tracker_ddl(status.wrangler_table))));
            Statement::new(wrangler::record_sql(status.wrangler_table), vec![Value::Text(file.name.clone())])
        }
        TrackerKind::Drizzle => {
            let Some(created_at) = file.created_at else {
                bail!(
                    "{}: drizzle's tracker needs the journal's `when` for each migration, and {} is not in a drizzle-kit journal; use --tracker wrangler",
                    status.folder.dir.display(),
                    file.name
                );
            };
            steps.push(Step::any(Statement::plain(drizzle::tracker_ddl())));
            Statement::new(drizzle::record_sql(), vec![Value::Text(file.hash.clone()), Value::Integer(created_at)])
        }
    };
    steps.extend(migration.statements.iter().map(|sql| Step::any(Statement::plain(sql.clone()))));
    steps.push(Step::guarded(record, Expect::Changes(1)));
    Ok(steps)
}

/// Applies every pending migration, each as one atomic batch on `db` (one request on D1, after
/// the backend's time-travel bookmark). Refuses, before anything runs, transaction-control
/// statements, an inconsistent history (unless forced) and a read-only backend. Stops at the
/// first failure with [`AtomicMigrationFailed`]. Returns the applied file names, in order.
pub fn apply_atomically<B: Backend + ?Sized>(db: &B, input: AtomicApplyInput) -> Result<Vec<String>> {
    let plan = plan_migrations(db, &input.status)?;
    if plan.to_apply.is_empty() {
        return Ok(Vec::new());
    }
    if !plan.refused.is_empty() {
        bail!(describe_refused(&plan.refused));
    }
    db.check_writable()?;
    if !plan.problems.is_empty() && !input.force {
        return Err(DbError::Conflict(describe_problems(&plan.problems)).into());
    }
    // Every request is built before the first one is sent: a plan that cannot be built runs nothing.
    let requests: Vec<Vec<Step>> =
        plan.to_apply.iter().map(|m| migration_steps(&plan, m, &input.status)).collect::<Result<_>>()?;
    let total = plan.to_apply.len();
    let mut applied = Vec::new();
    for (offset, (migration, steps)) in plan.to_apply.iter().zip(&requests).enumerate() {
        let position = offset + 1;
        let name = migration.name.clone();
        let statements = migration.statements.len();
        (input.progress)(&AtomicEvent::Started { name: name.clone(), position, total, statements });
        if let Err(err) = db.atomic(steps) {
            // Sent and never answered: it may have been applied, and must not be said undone.
            if crate::db::backend::d1::outcome_unknown(&err) {
                return Err(err.context(format!("applying {name}")));
            }
            let message = crate::present::error_chain(&err);
            return Err(AtomicMigrationFailed { name, message, applied }.into());
        }
        applied.push(name.clone());
        (input.progress)(&AtomicEvent::Applied { name, position, total });
    }
    Ok(applied)
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
