//! A remote write that was sent and never answered (D1 did not reply within the request
//! timeout): it may have landed. Its bookmark was taken before it was sent, so its one restore
//! point exists; it is recorded in squall's log (squall log) as what was planned, marked of unknown outcome,
//! and the error names the restore point, so neither is lost with the reply.

use std::path::Path;

use crate::audit::{AuditColumn, AuditEntry, append_audit_to, entries_from_changes, with_unknown_outcome};
use crate::db::backend::d1::{Unanswered, outcome_unknown, restore_point};
use crate::db::change::ChangeOp;
use crate::db::edit::{StagedChange, staged_row_changes};

use super::protocol::AuditTarget;
use super::remote::Remote;

/// When `err` is a write sent and not answered on `remote`: records `planned` (the entries of
/// what the write was to change) with the bookmark taken before it, and returns the error worded
/// with the bookmark and its restore command. Any other error comes back as it was.
pub(super) fn record_unknown_outcome(
    remote: Option<&Remote>,
    audit: &AuditTarget,
    planned: impl FnOnce() -> Vec<AuditEntry>,
    err: anyhow::Error,
) -> anyhow::Error {
    let Some(remote) = remote.filter(|_| outcome_unknown(&err)) else { return err };
    let entries = with_unknown_outcome(super::remote_marks(Some(remote), planned()));
    let logged = match append_audit_to(&audit.file, &entries) {
        Ok(()) => "recorded in squall's log (squall log) as of unknown outcome".to_string(),
        Err(log_err) => format!("squall's log could not be written ({log_err:#})"),
    };
    let database = remote.database();
    let restore = match (database.last_bookmark(), database.restore_command()) {
        (Some(bookmark), Some(restore)) => {
            format!(" · time-travel bookmark before it: {bookmark} · {}", restore_point(&restore))
        }
        _ => String::new(),
    };
    Unanswered { text: format!("{err:#}; {logged}{restore}"), sent: true }.into()
}

/// What staged edits were to change, in the audit log's shape (values as loaded and as staged;
/// the same rows a discarded edit records).
pub(super) fn planned_edits(database: &Path, changes: &[StagedChange]) -> Vec<AuditEntry> {
    entries_from_changes(database, "edit", &staged_row_changes(changes), chrono::Utc::now())
}

/// One entry for a planned write given as statements (a user action, a console statement, a
/// migration): the action, the table and key it is about, and the statements it sent.
pub(super) fn planned_statements(
    database: &Path,
    action: &str,
    table: &str,
    key: serde_json::Map<String, serde_json::Value>,
    statements: &[String],
) -> Vec<AuditEntry> {
    vec![AuditEntry {
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        database: crate::audit::database_label(database),
        action: action.to_string(),
        table: table.to_string(),
        op: ChangeOp::Update,
        key,
        changes: vec![AuditColumn {
            column: "planned".into(),
            old: serde_json::Value::Null,
            new: statements.join("; ").into(),
        }],
        bookmark: None,
        restore: None,
        outcome: None,
    }]
}
