//! A committed change to one row, as the audit log records it. Produced by every write path
//! (user administration now, cell edits later) so one audit format serves them all.

use rusqlite::types::Value;

/// What happened to the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    Insert,
    Update,
    Delete,
}

impl ChangeOp {
    /// `insert`, `update` or `delete`.
    pub fn label(self) -> &'static str {
        match self {
            ChangeOp::Insert => "insert",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
        }
    }
}

/// One column's value before and after. Inserts have `old = NULL`, deletes `new = NULL`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChange {
    pub column: String,
    pub old: Value,
    pub new: Value,
}

/// One row changed by a committed transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct RowChange {
    pub table: String,
    pub op: ChangeOp,
    /// The row's identity: its primary key columns, or `rowid` when it has none.
    pub key: Vec<(String, Value)>,
    /// Changed columns for updates; every column for inserts and deletes.
    pub columns: Vec<ColumnChange>,
}

/// What secrets are replaced with in the audit log, previews and JSON output.
pub const REDACTED: &str = "[redacted]";

/// A stored value as JSON: numbers stay numbers, blobs become `{"blob_hex": "..."}`.
pub fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(n) => serde_json::Value::from(*n),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Text(text) => serde_json::Value::String(text.clone()),
        Value::Blob(bytes) => serde_json::json!({ "blob_hex": hex::encode(bytes) }),
    }
}
