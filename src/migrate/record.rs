//! Migrations squall applied go into the audit log beside row edits: one entry per applied file,
//! as the tracker row it inserted, with the backup taken before the run.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::status::TrackerKind;
use crate::audit::{AuditColumn, AuditEntry, database_label};
use crate::db::change::ChangeOp;

/// The audit log's `action` for an applied migration.
pub const AUDIT_ACTION: &str = "migrate.apply";

/// Input of [`audit_entries`].
pub struct AppliedRun<'a> {
    pub database: &'a Path,
    pub tracker: TrackerKind,
    /// The tracker's table (`d1_migrations`, `__drizzle_migrations`, or the configured one).
    pub tracker_table: &'a str,
    /// File names, in the order they were applied.
    pub applied: &'a [String],
    pub backup: Option<&'a Path>,
    pub time: DateTime<Utc>,
}

/// One entry per applied migration, naming its file, the tracker and the backup.
pub fn audit_entries(run: &AppliedRun) -> Vec<AuditEntry> {
    let database = database_label(run.database);
    let time = run.time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let backup = run.backup.map_or(Value::Null, |path| Value::String(path.display().to_string()));
    run.applied
        .iter()
        .map(|name| {
            let mut key = Map::new();
            key.insert("name".into(), Value::String(name.clone()));
            let column = |column: &str, new: Value| AuditColumn { column: column.into(), old: Value::Null, new };
            AuditEntry {
                time: time.clone(),
                database: database.clone(),
                action: AUDIT_ACTION.into(),
                table: run.tracker_table.to_string(),
                op: ChangeOp::Insert,
                key,
                changes: vec![
                    column("name", Value::String(name.clone())),
                    column("tracker", Value::String(run.tracker.label().into())),
                    column("backup", backup.clone()),
                ],
                bookmark: None,
                restore: None,
                outcome: None,
            }
        })
        .collect()
}

/// The entries of a run on a remote D1: named by the database (`D1 name (id)`), each with the
/// time-travel bookmark taken before its request and the command that restores it, and the
/// backup column saying what stands in for a backup file. `bookmarks` is per applied file, in
/// order (the CLI and the TUI build their entries here, so `squall log` reads them alike).
pub fn remote_audit_entries(
    run: &AppliedRun,
    target: &str,
    display_name: &str,
    bookmarks: &[Option<String>],
) -> Vec<AuditEntry> {
    let mut entries = audit_entries(run);
    for (at, entry) in entries.iter_mut().enumerate() {
        let bookmark = bookmarks.get(at).cloned().flatten();
        entry.database = target.to_string();
        entry.restore = bookmark.as_deref().map(|b| crate::db::backend::d1::restore_command(display_name, b));
        entry.bookmark = bookmark;
        for change in entry.changes.iter_mut().filter(|c| c.column == "backup") {
            change.new = Value::String("time-travel bookmark".into());
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_file_with_the_backup() {
        let applied = vec!["0001_a.sql".to_string(), "0002_b.sql".to_string()];
        let run = AppliedRun {
            database: Path::new("/tmp/x.db"),
            tracker: TrackerKind::Wrangler,
            tracker_table: "d1_migrations",
            applied: &applied,
            backup: Some(Path::new("/data/backups/x-1.sqlite")),
            time: DateTime::from_timestamp_millis(0).unwrap(),
        };
        let entries = audit_entries(&run);
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[1].action.as_str(), entries[1].table.as_str()), ("migrate.apply", "d1_migrations"));
        assert_eq!(entries[1].key["name"], "0002_b.sql");
        assert_eq!(entries[0].changes[2].new, "/data/backups/x-1.sqlite");
    }
}
