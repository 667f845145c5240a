//! The database worker: a thread that owns one connection and answers requests in order.
//! The UI never waits on it; replies come back as events carrying the request's id.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use crate::app::{
    AppEvent, DbReply, DbRequest, DbResult, ErView, MigrationsOverview, MigrationsSource, RequestId, TableMeta,
};
use crate::audit::{append_audit_to, entries_from_changes};
use crate::db::edit::{
    CascadeInput, CheckChange, CommitInput, InsertTemplate, cascade_preview, check_change, commit_changes,
    find_staged_conflicts, insert_template, preview_changes,
};
use crate::db::error::DbError;
use crate::db::kinds::infer_kinds;
use crate::db::labels::row_labels;
use crate::db::page::{PageQuery, WindowQuery, count_matching, fetch_page, fetch_window};
use crate::db::relations::{
    ListRelations, ReferencedRow, ReferencingRows, RowValues, list_relations, referenced_row, referencing_rows,
};
use crate::db::schema::{DescribeTable, ListTables, describe_table, list_tables};
use crate::db::watch::ChangeWatch;
use crate::er::{LayoutOptions, LoadErModel, layout_er, load_er_model};
use crate::migrate::drift::check_drift;
use crate::migrate::record::{AppliedRun, audit_entries};
use crate::migrate::{
    ApplyEvent, ApplyInput, LocateMigrations, LocatedMigrations, MigrationFailed, NoMigrationsFolder, StatusInput,
    TrackerChoice, TrackerKind, apply_migrations, locate_migrations, plan_migrations, resolve_tracker,
};

/// A running worker: where to send requests, and how to cancel the one it is running.
pub struct WorkerHandle {
    requests: Sender<(RequestId, DbRequest)>,
    interrupt: InterruptHandle,
    /// Says when the worker has closed its connection.
    closed: Receiver<()>,
}

/// How long quitting waits for a worker to finish its request and close its connection (a
/// commit may wait this long on another process's lock).
const CLOSE_WAIT: Duration = crate::db::open::BUSY_TIMEOUT;

impl WorkerHandle {
    /// Starts a worker owning `conn`; its replies go to `events`. With `watch`, it also polls
    /// for other processes' commits that often and reports them as [`AppEvent::Changed`].
    pub fn spawn(
        conn: Connection,
        events: Sender<AppEvent>,
        name: &str,
        watch: Option<Duration>,
    ) -> Result<WorkerHandle> {
        let (requests, inbox) = channel();
        let (done, closed) = channel();
        let interrupt = conn.get_interrupt_handle();
        thread::Builder::new().name(format!("squall-db-{name}")).spawn(move || {
            let conn = serve(conn, inbox, events, watch);
            // Nothing to tell the user by now: the UI has gone.
            let _ = crate::db::open::close_connection(conn);
            let _ = done.send(());
        })?;
        Ok(WorkerHandle { requests, interrupt, closed })
    }

    /// Lets the worker finish the request it is on (`interrupt` first to cut it short), then
    /// waits, at most [`CLOSE_WAIT`], for it to close its connection. The process must not exit
    /// before that: closing is when SQLite removes the `-wal` and `-shm` files it made.
    /// The interrupt comes before the channel closes, so it is over before the worker clears it
    /// and closes (see [`crate::db::open::close_connection`]).
    pub fn close(self, interrupt: bool) {
        let WorkerHandle { requests, interrupt: handle, closed } = self;
        if interrupt {
            handle.interrupt();
        }
        drop(requests);
        let _ = closed.recv_timeout(CLOSE_WAIT);
    }

    /// Queues a request. A worker that has gone away (it only does on shutdown) is ignored.
    pub fn send(&self, id: RequestId, request: DbRequest) {
        let _ = self.requests.send((id, request));
    }

    /// Stops the statement running now (SQLite returns SQLITE_INTERRUPT to it).
    pub fn interrupt(&self) {
        self.interrupt.interrupt();
    }
}

/// Live refresh polls on the connection that writes, between requests: SQLite's data_version
/// never changes for a connection's own commits, and every squall write goes through this one
/// worker (the counting connection is read-only), so whatever it sees is someone else's commit.
/// A long request only delays the next poll; no change is lost, as the version is compared with
/// the last one seen (see `db::watch`). Hands the connection back for closing.
fn serve(
    mut conn: Connection,
    inbox: Receiver<(RequestId, DbRequest)>,
    events: Sender<AppEvent>,
    watch: Option<Duration>,
) -> Connection {
    let mut live = watch.and_then(|every| ChangeWatch::start(&conn).ok().map(|seen| (every, seen, Instant::now())));
    loop {
        let next = match live.as_mut() {
            None => inbox.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some((every, seen, last)) => {
                let wait = every.saturating_sub(last.elapsed());
                let next = if wait.is_zero() { Err(RecvTimeoutError::Timeout) } else { inbox.recv_timeout(wait) };
                if last.elapsed() >= *every {
                    *last = Instant::now();
                    // A poll that fails (the file is locked for a moment) is tried again next time.
                    if let Ok(Some(change)) = seen.poll(&conn)
                        && events.send(AppEvent::Changed { schema: change.schema }).is_err()
                    {
                        break;
                    }
                }
                next
            }
        };
        let (id, request) = match next {
            Ok(next) => next,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut partial = |result: DbResult| {
            let _ = events.send(AppEvent::Db(DbReply { id, result: Ok(result) }));
        };
        let result = answer(&mut conn, request, &mut partial).map_err(|err| crate::present::error_chain(&err));
        if events.send(AppEvent::Db(DbReply { id, result })).is_err() {
            break;
        }
    }
    conn
}

/// Runs one request on `conn`. Public so tests can drive the app without threads.
/// Long requests report steps through `partial` before their final result.
pub fn answer(conn: &mut Connection, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult> {
    Ok(match request {
        DbRequest::ListTables { include_internal } => {
            DbResult::Tables(list_tables(conn, &ListTables { include_internal })?)
        }
        DbRequest::LoadTable { table } => {
            // One read transaction for the schema pragmas and the samples: one snapshot, and the
            // file is not re-checked before every statement (start-up waits on this).
            let read = conn.transaction()?;
            let info = describe_table(&*read, &DescribeTable { name: &table })?;
            let kinds = infer_kinds(&*read, &info)?;
            let kinds = crate::db::relations::kinds_with_inferred_references(&*read, &info, kinds)?;
            drop(read);
            DbResult::Table(Box::new(TableMeta { info, kinds }))
        }
        DbRequest::FetchPage { view, anchor, limit } => {
            DbResult::Page(fetch_page(conn, &PageQuery { view: &view, anchor: &anchor, limit })?)
        }
        DbRequest::ReloadWindow { reload } => {
            let query = WindowQuery { view: &reload.view, first: reload.first.as_ref(), limit: reload.limit };
            DbResult::Page(fetch_window(conn, &query)?)
        }
        DbRequest::CheckStaged { changes } => DbResult::StagedConflicts(find_staged_conflicts(conn, &changes)?),
        DbRequest::Count { view } => DbResult::Count(count_matching(conn, &view)?),
        DbRequest::Labels { lookups } => DbResult::Labels(row_labels(conn, &lookups)?),
        DbRequest::FindByLabel(find) => DbResult::Found(crate::db::labels::find_by_label(conn, &find)?),
        DbRequest::Er { include_internal, detail } => {
            let model =
                load_er_model(conn, &LoadErModel { include_internal, include_trackers: true, count_rows: true })?;
            let diagram = layout_er(&model, &LayoutOptions { detail });
            DbResult::Er(Box::new(ErView { model, diagram }))
        }
        DbRequest::ErLayout { model, detail } => {
            let diagram = layout_er(&model, &LayoutOptions { detail });
            DbResult::Er(Box::new(ErView { model: *model, diagram }))
        }
        DbRequest::FollowReference { table, columns, values, column } => {
            let relations = list_relations(conn, &ListRelations::default())?;
            let row = RowValues { table: &table, columns: &columns, values: &values };
            DbResult::Reference(referenced_row(conn, &ReferencedRow { relations: &relations, row, column: &column })?)
        }
        DbRequest::ReferencingRows { table, columns, values } => {
            let relations = list_relations(conn, &ListRelations::default())?;
            let row = RowValues { table: &table, columns: &columns, values: &values };
            DbResult::Referencing(referencing_rows(conn, &ReferencingRows { relations: &relations, row })?)
        }
        DbRequest::InsertTemplate { table, now } => {
            let info = describe_table(conn, &DescribeTable { name: &table })?;
            let kinds = infer_kinds(conn, &info)?;
            let kinds = crate::db::relations::kinds_with_inferred_references(conn, &info, kinds)?;
            let input = InsertTemplate { info: &info, kinds: &kinds, now };
            DbResult::Template(insert_template(conn, &input)?)
        }
        DbRequest::CascadePreview { table, keys } => {
            DbResult::Cascade(cascade_preview(conn, &CascadeInput { table: &table, keys: &keys })?)
        }
        DbRequest::PreviewChanges { changes, now } => {
            let input = CommitInput { changes: &changes, overwrite: false, now };
            let statements = preview_changes(conn, &input)?;
            let mut problems = Vec::new();
            for change in &changes {
                problems.extend(check_change(conn, &CheckChange { change })?);
            }
            DbResult::Preview { statements, problems }
        }
        DbRequest::CommitChanges { changes, overwrite, now, audit } => {
            crate::db::busy::reset_lock_wait();
            match commit_changes(conn, &CommitInput { changes: &changes, overwrite, now }) {
                Ok(report) => {
                    let entries = entries_from_changes(&audit.database, "edit", &report.row_changes(), now);
                    append_audit_to(&audit.file, &entries)?;
                    DbResult::Committed(report)
                }
                Err(err) => match err.downcast::<DbError>() {
                    Ok(DbError::RowConflict(conflicts)) => DbResult::Conflict(conflicts),
                    Ok(other) => return Err(other.into()),
                    Err(other) => return Err(other),
                },
            }
        }
        DbRequest::Migrations { source } => match read_migrations(conn, &source) {
            Ok(overview) => DbResult::Migrations(Box::new(overview)),
            Err(err) => match err.downcast::<NoMigrationsFolder>() {
                Ok(none) => DbResult::NoMigrationsFolder(none.to_string()),
                Err(err) => return Err(err),
            },
        },
        DbRequest::ApplyMigrations { source } => {
            let located = locate(&source)?;
            let status = StatusInput {
                folder: &located.folder,
                tracker: TrackerChoice::Auto,
                wrangler_table: &located.wrangler_table,
            };
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
            DbResult::Applied(result?)
        }
        DbRequest::Users(request) => DbResult::Users(super::users::answer_users(conn, request)?),
        DbRequest::Console(_) => anyhow::bail!("console requests go to the console's worker"),
    })
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

fn read_migrations(conn: &Connection, source: &MigrationsSource) -> Result<MigrationsOverview> {
    let located = locate(source)?;
    let input =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    let plan = plan_migrations(conn, &input)?;
    let statements = located.folder.migrations.iter().map(|m| m.statements()).collect();
    // A folder that cannot be built (say, a broken migration) still shows its status.
    let drift = check_drift(conn, &input).map_err(|err| crate::present::error_chain(&err));
    let notes = located.folder.disagreements();
    Ok(MigrationsOverview { reason: located.reason, plan, statements, drift, notes })
}
