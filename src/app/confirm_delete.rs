//! A delete's confirmation is the one [`Confirmation`]: the rows by name, what cascades, and
//! for many rows the count typed as its answer. Its preview is rebuilt as the cascade and the
//! owners' labels arrive; yes waits for the cascade (what is not shown does not run).

use crate::db::edit::{CascadePreview, StagedChange};
use crate::db::labels::loaded_row_label;
use crate::present::plural;

use super::confirm::{Confirmation, Confirmed, PreviewLine, TypedAnswer};
use super::edit::{StagedEdit, TYPE_COUNT_ABOVE};
use super::{App, Overlay};

/// Rows named in a delete confirmation before "and N more".
const NAMED_ROWS: usize = 5;

/// `Delete user alice@example.com?`, or `Delete 3 rows of user: a, b, c?`: the rows by name, so
/// the confirmation is about these rows and not only "1 user, 2 accounts".
pub fn delete_question(changes: &[StagedEdit], owners: &[Option<String>]) -> String {
    let rows: Vec<(&str, String)> = changes
        .iter()
        .enumerate()
        .filter_map(|(at, edit)| match &edit.change {
            // A row without a label of its own (a session) is named by its owner (the user's email).
            StagedChange::Delete { table, key, expected } => match owners.get(at).cloned().flatten() {
                Some(owner) => Some((table.as_str(), format!("of {owner}"))),
                None => Some((table.as_str(), loaded_row_label(expected, key))),
            },
            _ => None,
        })
        .collect();
    let table = rows.first().map_or("", |(table, _)| *table);
    let names: Vec<&str> = rows.iter().take(NAMED_ROWS).map(|(_, label)| label.as_str()).collect();
    let more = rows.len().saturating_sub(NAMED_ROWS);
    match rows.len() {
        1 => format!("Delete {table} {}?", names.join("")),
        n if more > 0 => format!("Delete {n} rows of {table}: {} and {more} more?", names.join(", ")),
        n => format!("Delete {n} rows of {table}: {}?", names.join(", ")),
    }
}

/// The preview of deleting `changes`: the question, what cascades (once known), what will fail.
fn delete_preview(
    changes: &[StagedEdit],
    cascade: Option<&CascadePreview>,
    owners: &[Option<String>],
) -> Vec<PreviewLine> {
    let mut lines = vec![PreviewLine::Heading(delete_question(changes, owners))];
    match cascade {
        None => lines.push(PreviewLine::Note("Working out what cascades…".into())),
        Some(preview) => {
            lines.push(PreviewLine::Item(format!("This {}.", preview.summary())));
            for blocked in &preview.blocked {
                lines.push(PreviewLine::Problem(format!(
                    "{} of {} still reference them ({}): the commit will fail",
                    plural(blocked.rows, "row"),
                    blocked.table,
                    blocked.action
                )));
            }
            if !preview.foreign_keys_enforced {
                lines.push(PreviewLine::Note("foreign keys are off on this connection: nothing cascades".into()));
            }
        }
    }
    lines.push(PreviewLine::Note("The delete is staged; Ctrl-s reviews and commits it.".into()));
    lines
}

/// The confirmation of deleting `changes`, waiting for its cascade.
fn delete_confirmation(changes: Vec<StagedEdit>) -> Confirmation {
    let count = changes.len();
    // Many rows: the count is typed, so a delete of 40 rows is not one `y` away.
    let answer = (count > TYPE_COUNT_ABOVE).then(|| TypedAnswer::new(count.to_string(), "deleting that many rows"));
    Confirmation {
        title: format!("delete {}", plural(count as u64, "row")),
        preview: delete_preview(&changes, None, &[]),
        scroll: 0,
        on_yes: Confirmed::StageDelete { changes, cascade: None, owners: Vec::new() },
        waiting: true,
        answer,
    }
}

impl App {
    /// Asks to delete `changes` (their cascade and owners are on their way).
    pub(super) fn ask_delete(&mut self, changes: Vec<StagedEdit>) {
        self.ask(delete_confirmation(changes));
    }

    /// The open delete confirmation's cascade or owners arrived: its preview says them.
    pub(super) fn update_delete_confirmation(
        &mut self,
        found_cascade: Option<CascadePreview>,
        found_owners: Option<Vec<Option<String>>>,
    ) {
        let Overlay::Confirm(confirmation) = &mut self.overlay else { return };
        let Confirmed::StageDelete { changes, cascade, owners } = &mut confirmation.on_yes else { return };
        if let Some(found) = found_cascade {
            *cascade = Some(found);
            confirmation.waiting = false;
        }
        if let Some(found) = found_owners {
            *owners = found;
        }
        confirmation.preview = delete_preview(changes, cascade.as_ref(), owners);
    }

    /// Yes: the deletes the confirmation showed are staged.
    pub(super) fn stage_confirmed_deletes(&mut self, changes: Vec<StagedEdit>) {
        let count = changes.len();
        self.edits.staged.extend(changes);
        self.edits.marked.clear();
        self.say(super::Level::Info, format!("{} staged · Ctrl-S reviews and commits", plural(count as u64, "delete")));
    }
}
