//! The database worker: a thread that owns one connection and answers requests in order.
//! The UI never waits on it; replies come back as events carrying the request's id.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use crate::app::{
    AppEvent, DbReply, DbRequest, DbResult, ErView, MigrationsOverview, MigrationsSource, RequestId, TableMeta,
};
use crate::audit::{append_audit_to, entries_from_changes};
use crate::db::edit::{
    CascadeInput, CheckChange, CommitInput, InsertTemplate, cascade_preview, check_change, commit_changes,
    insert_template, preview_changes, row_changes,
};
use crate::db::error::DbError;
use crate::db::kinds::infer_kinds;
use crate::db::labels::{RowLabel, row_label};
use crate::db::page::{PageQuery, count_matching, fetch_page};
use crate::db::relations::{
    ListRelations, ReferencedRow, ReferencingRows, RowValues, list_relations, referenced_row, referencing_rows,
};
use crate::db::schema::{DescribeTable, ListTables, describe_table, list_tables};
use crate::er::{LayoutOptions, LoadErModel, layout_er, load_er_model};
use crate::migrate::{
    ApplyEvent, ApplyInput, LocateMigrations, LocatedMigrations, StatusInput, TrackerChoice, apply_migrations,
    locate_migrations, plan_migrations,
};

/// A running worker: where to send requests, and how to cancel the one it is running.
pub struct WorkerHandle {
    requests: Sender<(RequestId, DbRequest)>,
    interrupt: InterruptHandle,
}

impl WorkerHandle {
    /// Starts a worker owning `conn`; its replies go to `events`.
    pub fn spawn(conn: Connection, events: Sender<AppEvent>, name: &str) -> Result<WorkerHandle> {
        let (requests, inbox) = channel();
        let interrupt = conn.get_interrupt_handle();
        thread::Builder::new().name(format!("squall-db-{name}")).spawn(move || serve(conn, inbox, events))?;
        Ok(WorkerHandle { requests, interrupt })
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

fn serve(mut conn: Connection, inbox: Receiver<(RequestId, DbRequest)>, events: Sender<AppEvent>) {
    while let Ok((id, request)) = inbox.recv() {
        let mut partial = |result: DbResult| {
            let _ = events.send(AppEvent::Db(DbReply { id, result: Ok(result) }));
        };
        let result = answer(&mut conn, request, &mut partial).map_err(|err| crate::cli::error_chain(&err));
        if events.send(AppEvent::Db(DbReply { id, result })).is_err() {
            break;
        }
    }
}

/// Runs one request on `conn`. Public so tests can drive the app without threads.
/// Long requests report steps through `partial` before their final result.
pub fn answer(conn: &mut Connection, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult> {
    Ok(match request {
        DbRequest::ListTables { include_internal } => {
            DbResult::Tables(list_tables(conn, &ListTables { include_internal })?)
        }
        DbRequest::LoadTable { table } => {
            let info = describe_table(conn, &DescribeTable { name: &table })?;
            let kinds = infer_kinds(conn, &info)?;
            DbResult::Table(Box::new(TableMeta { info, kinds }))
        }
        DbRequest::FetchPage { view, anchor, limit } => {
            DbResult::Page(fetch_page(conn, &PageQuery { view: &view, anchor: &anchor, limit })?)
        }
        DbRequest::Count { view } => DbResult::Count(count_matching(conn, &view)?),
        DbRequest::Labels { lookups } => DbResult::Labels(
            lookups.iter().map(|lookup| row_label(conn, lookup)).collect::<Result<Vec<Option<RowLabel>>>>()?,
        ),
        DbRequest::Er { include_internal, detail } => {
            let model = load_er_model(conn, &LoadErModel { include_internal, count_rows: true })?;
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
        DbRequest::InsertTemplate { table } => {
            let info = describe_table(conn, &DescribeTable { name: &table })?;
            let kinds = infer_kinds(conn, &info)?;
            let input = InsertTemplate { info: &info, kinds: &kinds, now: chrono::Utc::now() };
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
            match commit_changes(conn, &CommitInput { changes: &changes, overwrite, now }) {
                Ok(report) => {
                    let entries = entries_from_changes(&audit.database, "edit", &row_changes(&report.applied), now);
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
        DbRequest::Migrations { source } => DbResult::Migrations(Box::new(read_migrations(conn, &source)?)),
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
            DbResult::Applied(apply_migrations(conn, input)?)
        }
        DbRequest::Users(request) => DbResult::Users(super::users::answer_users(conn, request)?),
        DbRequest::Console(_) => anyhow::bail!("console requests go to the console's worker"),
    })
}

fn locate(source: &MigrationsSource) -> Result<LocatedMigrations> {
    locate_migrations(&LocateMigrations {
        explicit: None,
        db_path: &source.db_path,
        cwd: &source.cwd,
        d1: source.d1.as_deref(),
    })
}

fn read_migrations(conn: &Connection, source: &MigrationsSource) -> Result<MigrationsOverview> {
    let located = locate(source)?;
    let input =
        StatusInput { folder: &located.folder, tracker: TrackerChoice::Auto, wrangler_table: &located.wrangler_table };
    let plan = plan_migrations(conn, &input)?;
    let statements = located.folder.migrations.iter().map(|m| m.statements()).collect();
    Ok(MigrationsOverview { reason: located.reason, plan, statements })
}
