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

/// `Delete user alice@example.com?`, or `Delete 3 users: a, b, c?`: the rows by name, so the
/// confirmation is about these rows and not only "1 user, 2 accounts". Rows named by their owner
/// (sessions) are counted per owner: `Delete 12 sessions: 2 of nadia@…, 1 of quinn@…`.
pub fn delete_question(changes: &[StagedEdit], owners: &[Option<String>]) -> String {
    let rows: Vec<(&str, Label)> = changes
        .iter()
        .enumerate()
        .filter_map(|(at, edit)| match &edit.change {
            // A row without a label of its own (a session) is named by its owner (the user's email).
            StagedChange::Delete { table, key, expected } => match owners.get(at).cloned().flatten() {
                Some(owner) => Some((table.as_str(), Label::Owner(owner))),
                None => Some((table.as_str(), Label::Own(loaded_row_label(expected, key)))),
            },
            _ => None,
        })
        .collect();
    let table = rows.first().map_or("", |(table, _)| *table);
    if let [(_, label)] = rows.as_slice() {
        let name = match label {
            Label::Owner(owner) => format!("of {owner}"),
            Label::Own(label) => label.clone(),
        };
        return format!("Delete {table} {name}?");
    }
    // Equal labels once, with their count, in the order first seen.
    let mut groups: Vec<(&Label, usize)> = Vec::new();
    for (_, label) in &rows {
        match groups.iter_mut().find(|(seen, _)| *seen == label) {
            Some((_, count)) => *count += 1,
            None => groups.push((label, 1)),
        }
    }
    let names: Vec<String> = groups.iter().take(NAMED_ROWS).map(|(label, count)| label.counted(*count)).collect();
    let more: usize = groups.iter().skip(NAMED_ROWS).map(|(_, count)| count).sum();
    let what = table_rows(rows.len(), table);
    if more > 0 {
        format!("Delete {what}: {} and {more} more?", names.join(", "))
    } else {
        format!("Delete {what}: {}?", names.join(", "))
    }
}

/// How a row is named in a delete question.
#[derive(Debug, PartialEq)]
enum Label {
    /// The owner's label (a session's user).
    Owner(String),
    /// The row's own label.
    Own(String),
}

impl Label {
    /// `2 of alice@…`, `alice@…`, `alice@… (×2)`.
    fn counted(&self, count: usize) -> String {
        match (self, count) {
            (Label::Owner(owner), n) => format!("{n} of {owner}"),
            (Label::Own(label), 1) => label.clone(),
            (Label::Own(label), n) => format!("{label} (×{n})"),
        }
    }
}

/// `12 sessions`; a table named in the plural already (`accounts`) is `12 rows of accounts`.
fn table_rows(count: usize, table: &str) -> String {
    if table.ends_with('s') { format!("{count} rows of {table}") } else { plural(count as u64, table) }
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
        let gesture = self.edits.next_gesture();
        self.edits.staged.extend(changes.into_iter().map(|edit| StagedEdit { gesture, ..edit }));
        self.edits.marked.clear();
        self.say(super::Level::Info, format!("{} staged · Ctrl-S reviews and commits", plural(count as u64, "delete")));
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value;

    use super::*;

    fn session(id: &str) -> StagedEdit {
        let key = vec![("id".to_string(), Value::Text(id.into()))];
        StagedEdit {
            change: StagedChange::Delete { table: "session".into(), key: key.clone(), expected: key },
            cursor_key: vec![],
            gesture: 0,
        }
    }

    /// Defect: "Delete 12 rows of session: of nadia@…, of nadia@…, of quinn@…": "of" repeated
    /// and the same owner named once per row.
    #[test]
    fn rows_of_one_owner_are_counted_once() {
        let changes: Vec<StagedEdit> = (0..12).map(|i| session(&format!("s{i}"))).collect();
        let mut owners = vec![Some("nadia@x.com".to_string()); 2];
        owners.push(Some("quinn@x.com".into()));
        owners.extend((0..9).map(|i| Some(format!("u{i}@x.com"))));
        let question = delete_question(&changes, &owners);
        assert_eq!(
            question,
            "Delete 12 sessions: 2 of nadia@x.com, 1 of quinn@x.com, 1 of u0@x.com, 1 of u1@x.com, 1 of u2@x.com and 6 more?"
        );
    }
}
