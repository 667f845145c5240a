//! The SQL console's requests: statements streamed in batches, writes, plans, the schema.

use rusqlite::types::Value;

use crate::db::kinds::ColumnKind;
use crate::db::query::{PlanNode, ResultColumn, WritePreview, WriteReport};

use super::{AuditTarget, RequestId};

/// Work for the console's worker.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleRequest {
    /// Prepare a statement: a reading one starts streaming (the first batch comes back); a
    /// writing one is not run, and the reply says what it would change.
    Run { sql: String, batch: usize },
    /// Rows `from .. from + rows` of the stream started by request `stream`.
    Fetch { stream: RequestId, from: u64, rows: usize },
    /// Step the stream to its end, keeping the last `keep` rows.
    ToEnd { stream: RequestId, keep: usize },
    /// Run a writing statement in one transaction, then record it in the audit log.
    Write { sql: String, audit: AuditTarget },
    /// The statement's `EXPLAIN QUERY PLAN`.
    Plan { sql: String },
    /// Every table's columns, for completion.
    Schema,
}

/// A batch of rows from a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct RowBatch {
    /// The result's columns and their kinds (with the first batch of a stream).
    pub columns: Option<(Vec<ResultColumn>, Vec<ColumnKind>)>,
    /// Index of the first row in the whole result.
    pub first: u64,
    pub rows: Vec<Vec<Value>>,
    /// The statement has no more rows.
    pub done: bool,
    /// Rows stepped through so far (the total once `done`).
    pub seen: u64,
    /// How long the worker took for this batch (or since the statement started, for the first).
    pub elapsed_ms: u64,
}

/// What the console's worker sends back.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleResult {
    Rows(RowBatch),
    /// The statement writes; nothing ran. `matching` counts the rows an UPDATE / DELETE touches.
    NeedsConfirm {
        preview: WritePreview,
    },
    /// The write committed; on a remote, `undo` is the command restoring the bookmark taken
    /// before it.
    Written {
        report: WriteReport,
        undo: Option<String>,
    },
    Plan(Vec<PlanNode>),
    Schema(Vec<(String, Vec<String>)>),
}
