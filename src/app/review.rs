//! What the commit review (Ctrl-s) says before the user confirms: the rows already known to
//! have changed underneath (marked `!` in the grid by the live check) come first, with what was
//! loaded and what is there now, so `y` is not the first place a conflict shows.

use crate::db::edit::RowConflict;
use crate::db::literal::{describe_key, sql_literal};

use super::App;
use super::confirm::PreviewLine;

/// How a review line about a known conflict starts (the grid's mark for such a row).
const MARK: &str = "! ";

impl App {
    /// The review's lines about staged rows that changed underneath, then what `y` does with
    /// them; empty when none is known.
    pub(super) fn known_conflict_lines(&self) -> Vec<PreviewLine> {
        let rows: Vec<&RowConflict> = self.live.conflicts.iter().filter(|c| self.conflict_is_staged(c)).collect();
        if rows.is_empty() {
            return Vec::new();
        }
        let mut lines: Vec<PreviewLine> = rows.iter().map(|row| PreviewLine::Problem(conflict_line(row))).collect();
        let gone = rows.iter().any(|row| !row.row_exists);
        lines.push(PreviewLine::Problem(format!(
            "{MARK}{} changed since loaded: y writes nothing and offers {}.",
            crate::present::plural(rows.len() as u64, "staged row"),
            if gone { "to drop the changes to deleted rows, or reload" } else { "reload or overwrite" }
        )));
        lines.push(PreviewLine::Blank);
        lines
    }

    /// Puts the known conflicts at the head of an open commit review, in place of those it showed.
    pub(super) fn refresh_review_conflicts(&mut self) {
        let lines = self.known_conflict_lines();
        if let super::Overlay::Confirm(review) = &mut self.overlay
            && matches!(review.on_yes, super::Confirmed::Commit { .. })
        {
            let known = review
                .preview
                .iter()
                .take_while(|l| matches!(l, PreviewLine::Problem(t) if t.starts_with(MARK)))
                .count();
            // The blank line after them goes too.
            let known = if known > 0 { known + 1 } else { 0 };
            review.preview.splice(..known.min(review.preview.len()), lines);
        }
    }

    fn conflict_is_staged(&self, conflict: &RowConflict) -> bool {
        self.edits.staged.iter().any(|e| match &e.change {
            crate::db::edit::StagedChange::Update { table, key, .. }
            | crate::db::edit::StagedChange::Delete { table, key, .. } => {
                *table == conflict.table && *key == conflict.key
            }
            crate::db::edit::StagedChange::Insert { .. } => false,
        })
    }
}

/// `! user id = 'u4' changed underneath: name loaded 'Ada', now 'Ada King'`.
fn conflict_line(row: &RowConflict) -> String {
    let which = format!("{MARK}{} {}", row.table, describe_key(&row.key));
    if !row.row_exists && row.columns.is_empty() {
        return format!("{which}: deleted by someone else (nothing to delete)");
    }
    if !row.row_exists {
        return format!("{which}: deleted by someone else; the staged edit cannot be written");
    }
    let columns: Vec<String> = row
        .columns
        .iter()
        .map(|c| {
            let now = c.current.as_ref().map_or_else(|| "gone".to_string(), sql_literal);
            format!("{} loaded {}, now {now}", c.column, sql_literal(&c.expected))
        })
        .collect();
    format!("{which} changed underneath: {}", columns.join("; "))
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
