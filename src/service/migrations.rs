//! Migrations on the worker: find the folder, compute every migration's state and the drift,
//! and apply what is pending (backup first, then the audit record, failed runs included).

use anyhow::Result;
use rusqlite::Connection;

use crate::audit::append_audit_to;
use crate::migrate::drift::check_drift;
use crate::migrate::record::{AppliedRun, audit_entries};
use crate::migrate::{
    ApplyEvent, ApplyInput, ApplyReport, LocateMigrations, LocatedMigrations, MigrationFailed, StatusInput,
    TrackerChoice, TrackerKind, apply_migrations, locate_migrations, plan_migrations, resolve_tracker,
};

use super::protocol::{DbResult, MigrationsOverview, MigrationsSource};

/// Backs up, applies every pending migration (each step reported through `partial`), and
/// records the run in the audit log whether it succeeded or not.
pub(super) fn apply(
    conn: &mut Connection,
    source: &MigrationsSource,
    partial: &mut dyn FnMut(DbResult),
) -> Result<ApplyReport> {
    let located = locate(source)?;
    let status =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    let mut progress = |event: &ApplyEvent| partial(DbResult::ApplyProgress(event.clone()));
    let input = ApplyInput {
        status,
        force: false,
        backup_dir: &source.backup_dir,
        backup_name: &located.database_name,
        progress: &mut progress,
    };
    let tracker = plan_tracker(conn, &located)?;
    let tracker_table = match tracker {
        TrackerKind::Wrangler => located.wrangler_table.clone(),
        TrackerKind::Drizzle => crate::migrate::drizzle::DEFAULT_TABLE.to_string(),
    };
    let result = apply_migrations(conn, input);
    let (applied, backup) = match &result {
        Ok(report) => (report.applied.clone(), report.backup.clone()),
        Err(err) => match err.downcast_ref::<MigrationFailed>() {
            Some(failed) => (failed.applied.clone(), failed.backup.clone()),
            None => (Vec::new(), None),
        },
    };
    let run = AppliedRun {
        database: &source.db_path,
        tracker,
        tracker_table: &tracker_table,
        applied: &applied,
        backup: backup.as_deref(),
        time: chrono::Utc::now(),
    };
    append_audit_to(&source.audit_file, &audit_entries(&run))?;
    result
}

/// The tracker an apply will use (read before it runs, so a failure is audited with it too).
fn plan_tracker(conn: &Connection, located: &LocatedMigrations) -> Result<TrackerKind> {
    let input =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    Ok(resolve_tracker(conn, &input)?.kind)
}

fn locate(source: &MigrationsSource) -> Result<LocatedMigrations> {
    let demo = crate::demo::default_demo_path().ok();
    locate_migrations(&LocateMigrations {
        explicit: source.migrations_dir.as_deref(),
        db_path: &source.db_path,
        cwd: &source.cwd,
        d1: source.d1.as_deref(),
        demo_db: demo.as_deref(),
    })
}

pub(super) fn read_migrations(conn: &Connection, source: &MigrationsSource) -> Result<MigrationsOverview> {
    let located = locate(source)?;
    let input =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    let plan = plan_migrations(conn, &input)?;
    let statements = located.folder.migrations.iter().map(|m| m.statements()).collect();
    // A folder that cannot be built (say, a broken migration) still shows its status.
    let drift = check_drift(conn, &input).map_err(|err| super::ReplyError::from_error(&err).message);
    let notes = located.folder.disagreements();
    Ok(MigrationsOverview { reason: located.reason, plan, statements, drift, notes })
}
