//! Migrations on the worker: find the folder, compute every migration's state and the drift,
//! and apply what is pending (backup first, then the audit record, failed runs included). On a
//! remote D1 the same screen reads over the REST API and applies the way `squall migrate apply
//! --remote` does: each file as ONE atomic request after a time-travel bookmark.

use anyhow::Result;
use rusqlite::Connection;

use crate::audit::append_audit_to;
use crate::db::backend::Backend;
use crate::migrate::drift::check_drift;
use crate::migrate::record::{AUDIT_ACTION, AppliedRun, audit_entries, remote_audit_entries};
use crate::migrate::remote::{AtomicApplyInput, AtomicEvent, AtomicMigrationFailed, apply_atomically};
use crate::migrate::{
    ApplyEvent, ApplyInput, ApplyReport, LocateMigrations, LocatedMigrations, MigrationFailed, NoMigrationsFolder,
    StatusInput, TrackerChoice, TrackerKind, apply_migrations, locate_migrations, plan_migrations, resolve_tracker,
};

use super::Remote;
use super::protocol::{AuditTarget, DbResult, MigrationsOverview, MigrationsSource};

/// Backs up, applies every pending migration (each step reported through `partial`), and
/// records the run in the audit log whether it succeeded or not.
pub(super) fn apply(
    conn: &mut Connection,
    source: &MigrationsSource,
    partial: &mut dyn FnMut(DbResult),
) -> Result<ApplyReport> {
    let located = locate(source, false)?;
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
    let tracker_table = tracker_table(tracker, &located);
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

/// Applies every pending migration on a remote D1, as `squall migrate apply --remote` does: each
/// file and its tracker row as ONE atomic request, after the backend's time-travel bookmark
/// (reported per file through `partial`). The run is audited with each file's bookmark and the
/// command that restores it, failed runs included. The schema read for the session is
/// forgotten, so the re-reads that follow see the new tables.
pub(super) fn apply_remote(
    remote: Option<&Remote>,
    source: &MigrationsSource,
    partial: &mut dyn FnMut(DbResult),
) -> Result<ApplyReport> {
    let Some(remote) = remote else { anyhow::bail!("applying over the REST API needs a remote database") };
    let located = locate(source, true)?;
    let status =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    let tracker = resolve_tracker(remote, &status)?.kind;
    let database = remote.database();
    let mut bookmarks: Vec<Option<String>> = Vec::new();
    // The file whose request is in flight: a timeout after it was sent leaves it of unknown outcome.
    let mut in_flight: Option<String> = None;
    let mut applied_seen: Vec<String> = Vec::new();
    let mut progress = |event: &AtomicEvent| match event {
        AtomicEvent::Started { name, position, total, statements } => {
            in_flight = Some(name.clone());
            let (name, position, total, statements) = (name.clone(), *position, *total, *statements);
            partial(DbResult::ApplyProgress(ApplyEvent::Started { name, position, total, statements }));
        }
        AtomicEvent::Applied { name, position, total } => {
            in_flight = None;
            applied_seen.push(name.clone());
            let bookmark = database.last_bookmark();
            if let Some(bookmark) = &bookmark {
                let event = ApplyEvent::Bookmarked { name: name.clone(), bookmark: bookmark.clone() };
                partial(DbResult::ApplyProgress(event));
            }
            bookmarks.push(bookmark);
            let (name, position, total) = (name.clone(), *position, *total);
            partial(DbResult::ApplyProgress(ApplyEvent::Applied { name, position, total }));
        }
    };
    let result = apply_atomically(remote, AtomicApplyInput { status, force: false, progress: &mut progress });
    remote.forget_schema();
    let applied = match &result {
        Ok(applied) => applied.clone(),
        Err(err) => err.downcast_ref::<AtomicMigrationFailed>().map_or(applied_seen, |f| f.applied.clone()),
    };
    let undo = bookmarks
        .first()
        .cloned()
        .flatten()
        .map(|first| crate::db::backend::d1::restore_command(&database.display_name(), &first));
    if !applied.is_empty() {
        let tracker_table = tracker_table(tracker, &located);
        let run = AppliedRun {
            database: &source.db_path,
            tracker,
            tracker_table: &tracker_table,
            applied: &applied,
            backup: None,
            time: chrono::Utc::now(),
        };
        let target = database.describe_target();
        let entries = remote_audit_entries(&run, &target, &database.display_name(), &bookmarks);
        append_audit_to(&source.audit_file, &entries)?;
    }
    let result = match (result, in_flight) {
        (Err(err), Some(name)) => {
            let audit = AuditTarget { file: source.audit_file.clone(), database: source.db_path.clone() };
            let planned = || {
                let mut key = serde_json::Map::new();
                key.insert("name".into(), name.clone().into());
                let table = tracker_table(tracker, &located);
                super::unknown::planned_statements(
                    &source.db_path,
                    AUDIT_ACTION,
                    &table,
                    key,
                    std::slice::from_ref(&name),
                )
            };
            Err(super::unknown::record_unknown_outcome(Some(remote), &audit, planned, err))
        }
        (result, _) => result,
    };
    match result {
        Ok(applied) => Ok(ApplyReport { tracker, backup: None, applied, undo }),
        Err(err) => match undo {
            Some(undo) => Err(err.context(crate::db::backend::d1::restore_point(&undo))),
            None => Err(err),
        },
    }
}

fn tracker_table(tracker: TrackerKind, located: &LocatedMigrations) -> String {
    match tracker {
        TrackerKind::Wrangler => located.wrangler_table.clone(),
        TrackerKind::Drizzle => crate::migrate::drizzle::DEFAULT_TABLE.to_string(),
    }
}

/// The tracker an apply will use (read before it runs, so a failure is audited with it too).
fn plan_tracker(conn: &Connection, located: &LocatedMigrations) -> Result<TrackerKind> {
    let input =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    Ok(resolve_tracker(conn, &input)?.kind)
}

/// The folder of the open database. A remote has no local file: a path that is no database
/// keeps the lookup to the project's folder (as `squall migrate … --remote` does).
fn locate(source: &MigrationsSource, remote: bool) -> Result<LocatedMigrations> {
    let no_file = source.cwd.join(".squall-remote");
    let demo = if remote { None } else { crate::demo::default_demo_path().ok() };
    locate_migrations(&LocateMigrations {
        explicit: source.migrations_dir.as_deref(),
        db_path: if remote { &no_file } else { &source.db_path },
        cwd: &source.cwd,
        d1: source.d1.as_deref(),
        demo_db: demo.as_deref(),
    })
}

/// The screen's overview, or the note that there is no migrations folder (not an error).
pub(super) fn overview<B: Backend + ?Sized>(db: &B, source: &MigrationsSource, remote: bool) -> Result<DbResult> {
    match read_migrations(db, source, remote) {
        Ok(overview) => Ok(DbResult::Migrations(Box::new(overview))),
        Err(err) => match err.downcast::<NoMigrationsFolder>() {
            Ok(none) => Ok(DbResult::NoMigrationsFolder(none.to_string())),
            Err(err) => Err(err),
        },
    }
}

fn read_migrations<B: Backend + ?Sized>(db: &B, source: &MigrationsSource, remote: bool) -> Result<MigrationsOverview> {
    let located = locate(source, remote)?;
    let input =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    let plan = plan_migrations(db, &input)?;
    let statements = located.folder.migrations.iter().map(|m| m.statements()).collect();
    // A folder that cannot be built (say, a broken migration) still shows its status.
    let drift = check_drift(db, &input).map_err(|err| super::ReplyError::from_error(&err).message);
    let notes = located.folder.disagreements();
    Ok(MigrationsOverview { reason: located.reason, plan, statements, drift, notes })
}
