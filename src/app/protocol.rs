//! The protocol between the app and the threads that own database connections: requests with
//! their ids, the replies, and the effects `update` asks the event loop to carry out.

use super::*;

/// Identifies a request so its reply can be matched, or dropped when stale.
pub type RequestId = u64;

/// Everything the event loop feeds the app.
#[derive(Debug)]
pub enum AppEvent {
    /// A key, mouse or resize event from the terminal.
    Input(ratatui::crossterm::event::Event),
    /// A worker answered.
    Db(DbReply),
    /// Time passed (spinner, relative ages); sent while idle too, so the clock never stops.
    Tick,
    /// SIGTERM, SIGHUP or SIGINT arrived: restore the terminal and end, discarding staged changes.
    Signal { signal: i32 },
    /// Another process committed to the database (the live watch saw it).
    Changed { schema: bool },
}

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
    ReferencingRows { table: String, columns: Vec<String>, values: Vec<Value> },
    /// Pre-filled fields for a new row of `table` (dates filled with the app's `now`).
    InsertTemplate { table: String, now: chrono::DateTime<chrono::Utc> },
    /// What deleting these rows would cascade to.
    CascadePreview { table: String, keys: Vec<ColumnValues> },
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
    Template(Vec<(String, Option<Value>)>),
    Cascade(CascadePreview),
    /// The SQL of staged changes, and what the database would refuse them for.
    Preview {
        statements: Vec<String>,
        problems: Vec<String>,
    },
    Committed(CommitReport),
    /// Nothing was written: these rows changed since they were loaded.
    Conflict(RowConflicts),
    /// Staged rows that changed underneath, found before any commit.
    StagedConflicts(Vec<RowConflict>),
    Users(UsersResult),
    /// An export in progress has written this many rows (the request is still running).
    ExportProgress {
        rows: u64,
    },
    /// An export finished: where it wrote (absolute), how many rows, which columns were redacted.
    Exported {
        path: String,
        rows: u64,
        redacted: Vec<String>,
    },
    Console(ConsoleResult),
}

/// A worker's answer to request `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct DbReply {
    pub id: RequestId,
    pub result: Result<DbResult, String>,
}

/// Which worker runs a request: pages must never queue behind a slow count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// Schema and pages: what the screen is waiting for.
    Foreground,
    /// Row counts: slow on big tables, nobody waits for them.
    Background,
    /// The SQL console: statements that may run long, streaming their rows.
    Console,
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request to a worker.
    Request { worker: Worker, id: RequestId, request: Box<DbRequest> },
    /// Interrupt what a worker is running now.
    Interrupt { worker: Worker },
    /// Write rows to a file on an export thread; progress and the result come back as replies to `id`.
    Export { id: RequestId, job: Box<ExportJob> },
    /// Stop export `id` and remove its partial file.
    CancelExport { id: RequestId },
    /// Put this text on the clipboard (OSC 52).
    Clipboard { text: String },
    /// Remember a table's column choices (order, hidden, widths) for this database.
    SaveColumns { table: String, prefs: ColumnPrefs },
}
