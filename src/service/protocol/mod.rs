//! The protocol between the app and the threads that own database connections: requests with
//! their ids, and the replies. It sits below `app` (which sends requests and matches replies) and
//! beside `service` (which answers them), so neither has to know the other.

mod console;
mod users;

use std::path::PathBuf;

use rusqlite::types::Value;

use crate::db::edit::{CascadePreview, ColumnValues, CommitReport, RowConflict, RowConflicts, StagedChange};
use crate::db::export::{ExportOptions, ExportSource, RequestCost};
use crate::db::kinds::ColumnKind;
use crate::db::labels::{FindByLabel, LabelLookup, LabelMatch, RowLabel};
use crate::db::page::{Anchor, Page, View};
use crate::db::relations::{KeyReference, ReferencingGroup, RowTarget};
use crate::db::schema::{TableInfo, TableSummary};
use crate::er::{Detail, ErDiagram, ErModel};
use crate::migrate::drift::DriftReport;
use crate::migrate::{ApplyEvent, ApplyPlan, ApplyReport};

pub use super::error::{ErrorKind, ReplyError};
pub use console::{ConsoleRequest, ConsoleResult, RowBatch};
pub use users::{ActionDone, LINKS_SHOWN, RunRequest, UsersRequest, UsersResult, WindowReload};

/// Identifies a request so its reply can be matched, or dropped when stale.
pub type RequestId = u64;

/// Work for a database worker.
#[derive(Debug, Clone, PartialEq)]
pub enum DbRequest {
    /// List tables and views.
    ListTables { include_internal: bool },
    /// Read one table's schema and decide its column kinds.
    LoadTable { table: String },
    /// Read a page of rows.
    FetchPage { view: View, anchor: Anchor, limit: usize },
    /// Read the rows of a window again from where it starts (live refresh, Ctrl-r, after a commit).
    ReloadWindow { reload: WindowReload },
    /// Which staged updates and deletes no longer match their rows (nothing is written).
    CheckStaged { changes: Vec<StagedChange> },
    /// Count the rows of a view (full scan: sent to the background worker).
    Count { view: View },
    /// Count the rows of a view exactly, whatever it costs (`#`; on a remote it reads them all).
    CountExact { view: View },
    /// Labels (emails, names) of rows that foreign keys point at.
    Labels { lookups: Vec<LabelLookup> },
    /// Rows of a referenced table matching typed text by label, to pick a foreign key's value.
    FindByLabel(FindByLabel),
    /// Find the migrations folder and compute every migration's state.
    Migrations { source: MigrationsSource },
    /// Back up, then apply every pending migration (progress comes as partial replies).
    ApplyMigrations { source: MigrationsSource },
    /// Read the schema's tables and relations and lay out the ER diagram.
    Er { include_internal: bool, detail: Detail },
    /// Lay out an already read model again (another detail level).
    ErLayout { model: Box<ErModel>, detail: Detail },
    /// The row that the `column` cell of this row points at (declared or inferred key).
    FollowReference { table: String, columns: Vec<String>, values: Vec<Value>, column: String },
    /// The groups of rows, per relation, that point at this row, with counts.
    ReferencingRows { table: String, columns: Vec<String>, values: Vec<Value>, scan: bool },
    /// Before key `column` of this row changes: the rows of each table pointing at it (on a
    /// remote, references no index covers are not counted).
    KeyReferences { table: String, columns: Vec<String>, values: Vec<Value>, column: String },
    /// Pre-filled fields for a new row of `table` (dates filled with the app's `now`).
    InsertTemplate { table: String, now: chrono::DateTime<chrono::Utc> },
    /// What deleting these rows would cascade to.
    CascadePreview { table: String, keys: Vec<ColumnValues> },
    /// What the database would refuse a new or changed row for (UNIQUE, foreign keys), looked
    /// up before it is staged.
    CheckRow { change: StagedChange },
    /// The SQL of staged changes, values shown as they will be bound.
    PreviewChanges { changes: Vec<StagedChange>, now: chrono::DateTime<chrono::Utc> },
    /// Commit staged changes in one transaction, then record them in the audit log. `now` is
    /// the preview's, so what runs is exactly what was shown.
    CommitChanges {
        changes: Vec<StagedChange>,
        overwrite: bool,
        now: chrono::DateTime<chrono::Utc>,
        audit: AuditTarget,
    },
    /// User administration: statuses, roles, previews, actions, impersonations.
    Users(UsersRequest),
    /// The SQL console's work (its own worker and connection).
    Console(ConsoleRequest),
}

/// A table's schema with the kind of each column (same order as `info.columns`).
#[derive(Debug, Clone, PartialEq)]
pub struct TableMeta {
    pub info: TableInfo,
    pub kinds: Vec<ColumnKind>,
}

/// What a worker sends back.
#[derive(Debug, Clone, PartialEq)]
pub enum DbResult {
    Tables(Vec<TableSummary>),
    Table(Box<TableMeta>),
    Page(Page),
    Count(u64),
    /// An exact count, and the rows the remote read for it (D1's `rows_read`; `None` locally).
    ExactCount {
        total: u64,
        rows_read: Option<u64>,
    },
    Labels(Vec<Option<RowLabel>>),
    Found(Vec<LabelMatch>),
    Migrations(Box<MigrationsOverview>),
    /// There is no migrations folder; says where squall looked (a note, not an error).
    NoMigrationsFolder(String),
    /// A step of an apply in progress (the request is still running).
    ApplyProgress(ApplyEvent),
    Applied(ApplyReport),
    Er(Box<ErView>),
    Reference(Option<RowTarget>),
    Referencing(Vec<ReferencingGroup>),
    /// The rows pointing at a row whose key is about to change.
    KeyReferences(Vec<KeyReference>),
    Template(Vec<(String, Option<Value>)>),
    Cascade(CascadePreview),
    /// The SQL of staged changes, and what the database would refuse them for.
    Preview {
        statements: Vec<String>,
        problems: Vec<String>,
    },
    /// What the database would refuse a row for (empty when nothing), one sentence each.
    RowProblems(Vec<String>),
    /// Staged changes committed; on a remote, the command that restores the bookmark taken first.
    Committed {
        report: CommitReport,
        undo: Option<String>,
    },
    /// Nothing was written: these rows changed since they were loaded.
    Conflict(RowConflicts),
    /// Staged rows that changed underneath, found before any commit.
    StagedConflicts(Vec<RowConflict>),
    Users(UsersResult),
    /// The request is waiting for another process's write lock (the request is still running:
    /// it goes on when the lock is let go, or fails as busy when the wait runs out).
    LockWait,
    /// An export in progress has written this many rows (the request is still running).
    ExportProgress {
        rows: u64,
    },
    /// An export finished: where it wrote (absolute), how many rows, which columns were redacted,
    /// and on a remote what it cost.
    Exported {
        path: String,
        rows: u64,
        redacted: Vec<String>,
        cost: Option<RequestCost>,
    },
    Console(ConsoleResult),
}

/// A worker's answer to request `id`: what it found, or why not (a kind the app can branch on).
#[derive(Debug, Clone, PartialEq)]
pub struct DbReply {
    pub id: RequestId,
    pub result: Result<DbResult, ReplyError>,
}

/// Where committed changes are recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTarget {
    /// The audit log file (JSON lines).
    pub file: std::path::PathBuf,
    /// The database the changes are made to, as the log names it.
    pub database: std::path::PathBuf,
}

/// Where to look for the migrations of the open database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationsSource {
    pub db_path: PathBuf,
    /// The directory squall was started in (wrangler config, `drizzle/`, `migrations/`).
    pub cwd: PathBuf,
    /// `--d1 NAME`.
    pub d1: Option<String>,
    /// Where apply writes its backup.
    pub backup_dir: PathBuf,
    /// `--migrations DIR`, as given (relative to `cwd`).
    pub migrations_dir: Option<PathBuf>,
    /// The audit log that records applied migrations.
    pub audit_file: PathBuf,
}

/// Everything the screen shows, read in one go by the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationsOverview {
    /// Which folder and why.
    pub reason: String,
    pub plan: ApplyPlan,
    /// Statements of each file of the folder, by file index.
    pub statements: Vec<Vec<String>>,
    /// The live schema against the migrations', or why it could not be checked.
    pub drift: Result<DriftReport, String>,
    /// Where the journal and the folder's files disagree, one sentence each.
    pub notes: Vec<String>,
}

/// A model with its drawing, made together on a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErView {
    pub model: ErModel,
    pub diagram: ErDiagram,
}

/// What an export writes, as the terminal layer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    pub source: ExportSource,
    pub options: ExportOptions,
    /// As typed: relative paths are relative to squall's current directory.
    pub path: String,
}
