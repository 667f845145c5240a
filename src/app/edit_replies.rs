//! What the worker answers to editing: insert templates, cascade previews, the review's SQL,
//! commits and conflicts, and the owners a delete names.

use crate::db::edit::{ColumnValues, StagedChange};

use super::confirm::{Confirmed, PreviewLine};
use super::{ErrorKind, Waiting};

/// What the status line says while a request waits for another process's write lock.
pub const LOCK_WAIT: &str = "waiting for the database lock (another writer)… Esc cancels";
use super::edit::{EditPopup, StagedEdit};
use super::{App, DbReply, DbResult, Effect, Level, Overlay};

impl App {
    /// A request is waiting for another process's write lock: said at once, with how to stop
    /// it; the review, when it is the one waiting, says so in place of "Preparing the SQL…".
    pub(super) fn on_lock_wait(&mut self, waiting: &Waiting) -> Vec<Effect> {
        if *waiting == Waiting::Edit
            && let Overlay::Confirm(review) = &mut self.overlay
            && review.waiting
            && matches!(review.on_yes, Confirmed::Commit { .. })
        {
            for line in &mut review.preview {
                if let PreviewLine::Note(text) = line {
                    *text = "Waiting for the database lock (another writer)… Esc cancels".into();
                }
            }
        }
        self.say(Level::Warning, LOCK_WAIT);
        Vec::new()
    }

    pub(super) fn on_edit_reply(&mut self, reply: DbReply) -> Vec<Effect> {
        let committing = std::mem::take(&mut self.edits.committing);
        let cancelled = std::mem::take(&mut self.edits.cancel_asked);
        match reply.result {
            Ok(DbResult::Template(template)) => {
                self.open_insert_form(template);
                return self.read_insert_form_roles();
            }
            Ok(DbResult::Cascade(found)) => {
                self.update_delete_confirmation(Some(found), None);
            }
            Ok(DbResult::Preview { statements, problems }) => {
                if let Overlay::Confirm(review) = &mut self.overlay
                    && matches!(review.on_yes, Confirmed::Commit { .. })
                {
                    review.preview = review_lines(&statements, &problems);
                    // On a remote: which database, and the restore point the write will have.
                    if self.remote.is_some() {
                        review.preview.extend(remote_commit_lines(&self.source.path));
                    }
                    review.waiting = false;
                }
                self.refresh_review_conflicts();
            }
            Ok(DbResult::Committed { report, undo }) => {
                let cascaded: u64 = report.cascaded.iter().map(|c| c.rows).sum();
                let tables: Vec<String> = self.edits.staged.iter().map(|e| e.change.table().to_string()).collect();
                let done = describe_commit(&self.edits.staged, cascaded);
                self.edits.staged.clear();
                let undo =
                    undo.map_or(String::new(), |undo| format!(" · {}", crate::db::backend::d1::restore_point(&undo)));
                self.say(Level::Info, format!("committed: {done}; recorded in squall's log (squall log){undo}"));
                return self.reload_after_commit(&tables);
            }
            Ok(DbResult::Conflict(conflicts)) => {
                // What the commit found is what the grid marks `!` from now on.
                self.live.conflicts = conflicts.rows.clone();
                self.overlay = Overlay::Edit(EditPopup::Conflict { conflicts });
                self.say(Level::Warning, "nothing was written: rows changed since they were loaded");
            }
            Ok(_) => {}
            // Whatever stopped it (the interrupt, or the lock wait it cut short), the user asked.
            Err(message) if cancelled => self.say(
                Level::Warning,
                format!("commit cancelled: nothing was written, the changes stay staged ({message})"),
            ),
            // The lock was held past the wait: said in one line that fits, and what to do.
            Err(error) if error.kind == ErrorKind::Busy => {
                if matches!(&self.overlay, Overlay::Confirm(review) if matches!(review.on_yes, Confirmed::Commit { .. }))
                {
                    self.overlay = Overlay::None;
                }
                let what = if committing { "nothing written" } else { "no review" };
                let waited = crate::db::open::BUSY_TIMEOUT.as_secs();
                self.say(
                    Level::Error,
                    format!(
                        "another writer held the lock for {waited} s: {what}, changes still staged · Ctrl-s retries"
                    ),
                );
            }
            Err(message) => self.show_error(format!("{message} (staged changes kept)")),
        }
        Vec::new()
    }
}

impl App {
    /// The owners' labels arrived: the delete names them instead of the rows' keys.
    pub(super) fn on_delete_owners(&mut self, reply: DbReply) -> Vec<Effect> {
        if let Ok(DbResult::Labels(found)) = reply.result {
            self.update_delete_confirmation(None, Some(found.into_iter().map(|label| label.map(|l| l.text)).collect()));
        }
        Vec::new()
    }
}

/// The review's lines on a remote: the database written to, and its restore point.
fn remote_commit_lines(target: &str) -> [PreviewLine; 2] {
    [
        PreviewLine::Item(format!("On the REMOTE database {target}:")),
        PreviewLine::Note(
            "A time-travel bookmark is taken first, then this runs as one atomic request, recorded in \
             squall's log (squall log) with its restore point (restoring it rolls the whole database back, losing later writes)."
                .into(),
        ),
    ]
}

/// The review's preview: what SQLite will refuse, then every statement exactly as it runs.
pub(super) fn review_lines(statements: &[String], problems: &[String]) -> Vec<PreviewLine> {
    let mut lines: Vec<PreviewLine> = problems.iter().map(|p| PreviewLine::Problem(format!("⚠ {p}"))).collect();
    if !problems.is_empty() {
        lines.push(PreviewLine::Problem("SQLite will refuse this commit as it stands.".into()));
    }
    for statement in statements {
        lines.push(PreviewLine::Sql(statement.clone()));
        lines.push(PreviewLine::Blank);
    }
    lines
}

/// `1 row updated, 2 rows deleted (+3 in cascade)`: what a commit did, counted in rows.
pub(super) fn describe_commit(staged: &[StagedEdit], cascaded: u64) -> String {
    let mut updated: Vec<(&str, &ColumnValues)> = Vec::new();
    let (mut added, mut deleted) = (0, 0);
    for edit in staged {
        match &edit.change {
            StagedChange::Update { table, key, .. } => {
                if !updated.contains(&(table.as_str(), key)) {
                    updated.push((table, key));
                }
            }
            StagedChange::Insert { .. } => added += 1,
            StagedChange::Delete { .. } => deleted += 1,
        }
    }
    let rows = |n: usize| if n == 1 { "1 row".to_string() } else { format!("{n} rows") };
    let mut parts = Vec::new();
    if !updated.is_empty() {
        parts.push(format!("{} updated", rows(updated.len())));
    }
    if added > 0 {
        parts.push(format!("{} added", rows(added)));
    }
    if deleted > 0 {
        let cascade = if cascaded > 0 { format!(" (+{cascaded} in cascade)") } else { String::new() };
        parts.push(format!("{} deleted{cascade}", rows(deleted)));
    }
    parts.join(", ")
}
