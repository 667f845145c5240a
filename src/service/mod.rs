//! The service layer: the work behind each request, over the database the worker owns. A worker
//! thread (in `tui/`) takes a request off its channel, calls [`handle`], and sends the reply back;
//! nothing here knows about threads, terminals or the app's state.
//!
//! ```text
//! app ──DbRequest{id}──► worker thread ──► service::handle(&mut Db, request) ──► db/, migrate/
//!  ▲                                                                 │
//!  └────────── DbReply{id, Result<DbResult, ReplyError{kind, message}>} ◄──┘
//! ```

mod ahead;
pub mod console;
pub mod console_remote;
mod db;
mod error;
pub mod export;
#[cfg(test)]
pub(crate) mod fake_d1;
mod migrations;
pub mod protocol;
mod remote;
#[cfg(test)]
mod tests;
mod unknown;
mod users;

use anyhow::Result;
use rusqlite::Connection;

use crate::audit::{append_audit_to, entries_from_changes, with_bookmark};
use crate::db::backend::Backend;
use crate::db::edit::{
    CascadeInput, CheckChange, CheckRow, CommitInput, InsertTemplate, cascade_preview, check_change, check_row,
    commit_changes, find_staged_conflicts, insert_template, preview_changes,
};
use crate::db::error::DbError;
use crate::db::kinds::{ColumnKind, classify_column, infer_kinds};
use crate::db::labels::row_labels;
use crate::db::page::{PageQuery, WindowQuery, count_matching, fetch_page, fetch_window};
use crate::db::relations::{
    KeyReferences, ListRelations, ReferencedRow, ReferencingRows, RowValues, key_references, list_relations,
    referenced_row, referencing_rows, referencing_rows_by_index,
};
use crate::db::schema::{
    DescribeTable, ListTables, TableInfo, TableSummary, describe_schema, describe_table, list_tables,
};
use crate::er::{LayoutOptions, LoadErModel, layout_er, load_er_model};
use protocol::{DbRequest, DbResult, ErView, TableMeta};

pub use db::Db;
pub use error::{ErrorKind, ReplyError};
pub use remote::{Remote, RemoteDatabase, RemoteStats};

/// Answers one request: what the worker thread calls for each request it takes. Long requests
/// report steps through `partial` before their final result. Errors come back as a kind plus
/// the message (see [`ReplyError`]). On a remote, a page read ahead answers at once, and what
/// the request cost is kept for the status line.
pub fn handle(db: &mut Db, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult, ReplyError> {
    let measure = db.remote().map(Remote::measure);
    let asked = db.remote().and_then(|_| ahead::page_request(&request));
    let result = match ahead::before(db, &request) {
        Some(page) => Ok(DbResult::Page(page)),
        None => answer(db, request, partial),
    };
    // A page answered from the one read ahead notes the page after it too: else every other
    // PageDown would wait on a round trip.
    if let (Some(asked), Ok(DbResult::Page(page))) = (asked, &result) {
        ahead::after(db, asked, page);
    }
    if let (Some(measure), Some(remote)) = (measure, db.remote()) {
        measure.finish(remote);
    }
    result.map_err(|err| ReplyError::from_error(&err))
}

/// Reads the page after the last one answered, when there is one to read (remote only): the
/// worker calls it once the reply is sent, so the next PageDown is answered without waiting.
pub fn read_ahead(db: &mut Db) {
    ahead::read(db);
}

/// [`handle`] on a connection the caller keeps (tests drive the app this way, without threads).
pub fn handle_on(
    conn: &mut Connection,
    request: DbRequest,
    partial: &mut dyn FnMut(DbResult),
) -> Result<DbResult, ReplyError> {
    answer(conn, request, partial).map_err(|err| ReplyError::from_error(&err))
}

/// What [`answer`] needs of a worker's database: the seam, the remote when it is one, and the
/// local file for the few powers only it has.
trait Target {
    fn backend(&self) -> &dyn Backend;
    fn remote(&self) -> Option<&Remote>;
    fn local_connection(&mut self) -> Result<&mut Connection>;
}

impl Target for Db {
    fn backend(&self) -> &dyn Backend {
        Db::backend(self)
    }
    fn remote(&self) -> Option<&Remote> {
        Db::remote(self)
    }
    fn local_connection(&mut self) -> Result<&mut Connection> {
        Db::local_connection(self)
    }
}

impl Target for Connection {
    fn backend(&self) -> &dyn Backend {
        self
    }
    fn remote(&self) -> Option<&Remote> {
        None
    }
    fn local_connection(&mut self) -> Result<&mut Connection> {
        Ok(self)
    }
}

fn answer(db: &mut dyn Target, request: DbRequest, partial: &mut dyn FnMut(DbResult)) -> Result<DbResult> {
    let remote = db.remote().cloned();
    let backend = db.backend();
    Ok(match request {
        DbRequest::ListTables { include_internal } => match &remote {
            // Refreshes the schema read once for the session (one request).
            Some(remote) if !include_internal => {
                remote.forget_schema();
                DbResult::Tables(describe_schema(remote)?.iter().map(summary_of).collect())
            }
            _ => DbResult::Tables(list_tables(backend, &ListTables { include_internal })?),
        },
        DbRequest::Console(_) => anyhow::bail!("console requests go to the console's worker"),
        DbRequest::LoadTable { table } => {
            if remote.is_some() {
                // From the schema read at start, kinds from names and declared types: sampling
                // values would read (and bill) thousands of rows.
                let info = describe_table(backend, &DescribeTable { name: &table })?;
                let kinds = kinds_unsampled(&info);
                DbResult::Table(Box::new(TableMeta { info, kinds }))
            } else {
                return answer_local(db.local_connection()?, DbRequest::LoadTable { table }, partial);
            }
        }
        DbRequest::FetchPage { view, anchor, limit } => {
            DbResult::Page(fetch_page(backend, &PageQuery { view: &view, anchor: &anchor, limit })?)
        }
        DbRequest::ReloadWindow { reload } => {
            let query = WindowQuery { view: &reload.view, first: reload.first.as_ref(), limit: reload.limit };
            DbResult::Page(fetch_window(backend, &query)?)
        }
        DbRequest::CheckStaged { changes } => DbResult::StagedConflicts(find_staged_conflicts(backend, &changes)?),
        DbRequest::Count { view } => match &remote {
            Some(remote) => DbResult::Count(ahead::count_cheaply(remote, &view)?),
            None => DbResult::Count(count_matching(backend, &view)?),
        },
        DbRequest::CountExact { view } => ahead::count_exactly(backend, remote.as_ref(), &view)?,
        DbRequest::Labels { lookups } => DbResult::Labels(row_labels(backend, &lookups)?),
        DbRequest::FindByLabel(find) => DbResult::Found(crate::db::labels::find_by_label(backend, &find)?),
        DbRequest::ErLayout { model, detail } => {
            let diagram = layout_er(&model, &LayoutOptions { detail });
            DbResult::Er(Box::new(ErView { model: *model, diagram }))
        }
        DbRequest::FollowReference { table, columns, values, column } => {
            let relations = list_relations(backend, &ListRelations::default())?;
            let row = RowValues { table: &table, columns: &columns, values: &values };
            DbResult::Reference(referenced_row(
                backend,
                &ReferencedRow { relations: &relations, row, column: &column },
            )?)
        }
        DbRequest::ReferencingRows { table, columns, values, scan } => {
            let relations = list_relations(backend, &ListRelations::default())?;
            let row = RowValues { table: &table, columns: &columns, values: &values };
            let input = ReferencingRows { relations: &relations, row };
            // On a remote, a count through an unindexed reference reads (and bills) the whole
            // child table: those are listed uncounted, with what counting them would read
            // (max(rowid) of the table, a row), and counted when asked again with `scan`.
            if remote.is_some() && !scan {
                let mut groups = referencing_rows_by_index(backend, &input)?;
                let mut estimates: Vec<(String, Option<u64>)> = Vec::new();
                for group in groups.iter_mut().filter(|group| !group.counted) {
                    let table = group.target.table.clone();
                    let known = estimates.iter().find(|(t, _)| *t == table).map(|(_, rows)| *rows);
                    let rows = match known {
                        Some(rows) => rows,
                        None => crate::db::scan::estimate_rows(backend, &[table.as_str()]).ok(),
                    };
                    estimates.push((table, rows));
                    group.table_rows = rows;
                }
                DbResult::Referencing(groups)
            } else {
                DbResult::Referencing(referencing_rows(backend, &input)?)
            }
        }
        DbRequest::KeyReferences { table, columns, values, column } => {
            let relations = list_relations(backend, &ListRelations::default())?;
            let row = RowValues { table: &table, columns: &columns, values: &values };
            let input =
                KeyReferences { relations: &relations, row, column: &column, count_unindexed: remote.is_none() };
            DbResult::KeyReferences(key_references(backend, &input)?)
        }
        DbRequest::InsertTemplate { table, now } => {
            let info = describe_table(backend, &DescribeTable { name: &table })?;
            let kinds = if remote.is_some() {
                kinds_unsampled(&info)
            } else {
                let kinds = infer_kinds(backend, &info)?;
                crate::db::relations::kinds_with_inferred_references(backend, &info, kinds)?
            };
            let input = InsertTemplate { info: &info, kinds: &kinds, now };
            DbResult::Template(insert_template(backend, &input)?)
        }
        DbRequest::CascadePreview { table, keys } => {
            DbResult::Cascade(cascade_preview(backend, &CascadeInput { table: &table, keys: &keys })?)
        }
        DbRequest::CheckRow { change } => {
            DbResult::RowProblems(check_row(backend, &CheckRow { change: &change, remote: remote.is_some() })?)
        }
        DbRequest::PreviewChanges { changes, now } => {
            let input = CommitInput { changes: &changes, overwrite: false, now };
            let statements = preview_changes(backend, &input)?;
            let mut problems = Vec::new();
            // The delete check walks the local file's foreign keys; on a remote only the lookups
            // an index answers are made (a new or changed row's UNIQUE values and keys), and the
            // batch itself refuses what breaks a constraint, nothing written.
            if remote.is_none() {
                let conn = db.local_connection()?;
                for change in &changes {
                    problems.extend(check_change(conn, &CheckChange { change })?);
                }
            } else {
                for change in changes.iter().filter(|c| !matches!(c, crate::db::edit::StagedChange::Delete { .. })) {
                    problems.extend(check_row(backend, &CheckRow { change, remote: true })?);
                }
            }
            DbResult::Preview { statements, problems }
        }
        DbRequest::CommitChanges { changes, overwrite, now, audit } => {
            crate::db::busy::reset_lock_wait();
            match commit_changes(backend, &CommitInput { changes: &changes, overwrite, now }) {
                Ok(report) => {
                    // The audit entry says when the batch committed, not when its plan was built
                    // (`now`, which only fills the values the preview showed): a confirmation
                    // may have waited minutes in between.
                    let committed_at = chrono::Utc::now();
                    let entries = entries_from_changes(&audit.database, "edit", &report.row_changes(), committed_at);
                    append_audit_to(&audit.file, &remote_marks(remote.as_ref(), entries))?;
                    let undo = remote.as_ref().and_then(|remote| remote.database().restore_command());
                    DbResult::Committed { report, undo }
                }
                Err(err) => match err.downcast::<DbError>() {
                    Ok(DbError::RowConflict(conflicts)) => DbResult::Conflict(conflicts),
                    Err(other) if crate::db::backend::d1::outcome_unknown(&other) => {
                        let planned = || unknown::planned_edits(&audit.database, &changes);
                        return Err(unknown::record_unknown_outcome(remote.as_ref(), &audit, planned, other));
                    }
                    Ok(other) => return Err(other.into()),
                    Err(other) => return Err(other),
                },
            }
        }
        DbRequest::Users(request) => DbResult::Users(users::answer_users(backend, remote.as_ref(), request)?),
        // On a remote: the project's folder against the remote's tracker and schema (the schema
        // read for the session), and applies as `migrate apply --remote` makes them.
        DbRequest::Migrations { source } if remote.is_some() => migrations::overview(backend, &source, true)?,
        DbRequest::ApplyMigrations { source } if remote.is_some() => {
            DbResult::Applied(migrations::apply_remote(remote.as_ref(), &source, partial)?)
        }
        // On a remote: counts are `max(rowid)` estimates and kinds come from names and types, so
        // the diagram costs three requests and a bounded read, never a scan per table.
        DbRequest::Er { include_internal, detail } if remote.is_some() => {
            let model =
                load_er_model(backend, &LoadErModel { include_internal, include_trackers: true, count_rows: true })?;
            let diagram = layout_er(&model, &LayoutOptions { detail });
            DbResult::Er(Box::new(ErView { model, diagram }))
        }
        request => answer_local(db.local_connection()?, request, partial)?,
    })
}

/// The audit entries of a write, with the remote's bookmark and restore command when it is one.
pub(super) fn remote_marks(
    remote: Option<&Remote>,
    entries: Vec<crate::audit::AuditEntry>,
) -> Vec<crate::audit::AuditEntry> {
    match remote {
        Some(remote) => {
            let db = remote.database();
            with_bookmark(entries, db.last_bookmark().as_deref(), db.restore_command().as_deref())
        }
        None => entries,
    }
}

fn summary_of(info: &TableInfo) -> TableSummary {
    TableSummary {
        name: info.name.clone(),
        relation: info.relation,
        internal: false,
        without_rowid: info.without_rowid,
    }
}

/// Column kinds from names, declared types and keys only (no values read).
fn kinds_unsampled(info: &TableInfo) -> Vec<ColumnKind> {
    info.columns.iter().map(|c| classify_column(info, &c.name, &c.decl_type, &[])).collect()
}

/// Requests that need the local file itself: a read transaction, the backup API, the
/// constraint check over the local file's foreign keys.
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
        DbRequest::Er { include_internal, detail } => {
            let model =
                load_er_model(conn, &LoadErModel { include_internal, include_trackers: true, count_rows: true })?;
            let diagram = layout_er(&model, &LayoutOptions { detail });
            DbResult::Er(Box::new(ErView { model, diagram }))
        }
        DbRequest::Migrations { source } => migrations::overview(&*conn, &source, false)?,
        DbRequest::ApplyMigrations { source } => DbResult::Applied(migrations::apply(conn, &source, partial)?),
        _ => anyhow::bail!("answered over the backend by `answer`"),
    })
}
