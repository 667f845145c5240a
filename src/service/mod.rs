//! The service layer: the work behind each request, over the database the worker owns. A worker
//! thread (in `tui/`) takes a request off its channel, calls [`handle`], and sends the reply back;
//! nothing here knows about threads, terminals or the app's state.
//!
//! ```text
//! app ──DbRequest{id}──► worker thread ──► service::handle(&mut Db, request) ──► db/, migrate/
//!  ▲                                                                 │
//!  └────────── DbReply{id, Result<DbResult, ReplyError{kind, message}>} ◄──┘
//! ```

pub mod console;
mod db;
mod error;
pub mod export;
mod migrations;
pub mod protocol;
mod users;

use anyhow::Result;
use rusqlite::Connection;

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
use crate::er::{LayoutOptions, LoadErModel, layout_er, load_er_model};
use crate::migrate::NoMigrationsFolder;
use protocol::{DbRequest, DbResult, ErView, TableMeta};

pub use db::Db;
pub use error::{ErrorKind, ReplyError};

/// Answers one request: what the worker thread calls for each request it takes. Long requests
/// report steps through `partial` before their final result. Errors come back as a kind plus
/// the message (see [`ReplyError`]).
pub fn handle(db: &mut Db, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult, ReplyError> {
    answer(db, request, partial).map_err(|err| ReplyError::from_error(&err))
}

/// [`handle`] on a connection the caller keeps (tests drive the app this way, without threads).
pub fn handle_on(
    conn: &mut Connection,
    request: DbRequest,
    partial: &mut dyn FnMut(DbResult),
) -> Result<DbResult, ReplyError> {
    answer(conn, request, partial).map_err(|err| ReplyError::from_error(&err))
}

/// What [`answer`] needs of a worker's database: the seam, and the local file while db/ functions
/// still take a `Connection`.
trait Target {
    fn backend(&self) -> &dyn crate::db::backend::Backend;
    fn local_connection(&mut self) -> Result<&mut Connection>;
}

impl Target for Db {
    fn backend(&self) -> &dyn crate::db::backend::Backend {
        Db::backend(self)
    }
    fn local_connection(&mut self) -> Result<&mut Connection> {
        Db::local_connection(self)
    }
}

impl Target for Connection {
    fn backend(&self) -> &dyn crate::db::backend::Backend {
        self
    }
    fn local_connection(&mut self) -> Result<&mut Connection> {
        Ok(self)
    }
}

fn answer(db: &mut dyn Target, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult> {
    Ok(match request {
        // Through the seam: runs on any backend.
        DbRequest::ListTables { include_internal } => {
            DbResult::Tables(list_tables(db.backend(), &ListTables { include_internal })?)
        }
        DbRequest::Console(_) => anyhow::bail!("console requests go to the console's worker"),
        // Not yet over the seam: these db/ functions still take the local file's connection.
        request => answer_local(db.local_connection()?, request, partial)?,
    })
}

/// Requests whose db/ functions take a `Connection` (they move to the backend as db/ does).
fn answer_local(conn: &mut Connection, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult> {
    Ok(match request {
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
        DbRequest::Migrations { source } => match migrations::read_migrations(conn, &source) {
            Ok(overview) => DbResult::Migrations(Box::new(overview)),
            Err(err) => match err.downcast::<NoMigrationsFolder>() {
                Ok(none) => DbResult::NoMigrationsFolder(none.to_string()),
                Err(err) => return Err(err),
            },
        },
        DbRequest::ApplyMigrations { source } => DbResult::Applied(migrations::apply(conn, &source, partial)?),
        DbRequest::Users(request) => DbResult::Users(users::answer_users(conn, request)?),
        DbRequest::ListTables { .. } | DbRequest::Console(_) => anyhow::bail!("answered by `answer`"),
    })
}
