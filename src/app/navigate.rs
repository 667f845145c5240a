//! Walking relations from the grid: `gd` follows a foreign key (declared or inferred) to the
//! row it points at, `gr` lists the rows that point at the selected one, Backspace goes back.

use ratatui::crossterm::event::KeyEvent;
use rusqlite::types::Value;

use crate::db::kinds::ColumnKind;
use crate::db::page::{Filter, FilterOp};
use crate::db::relations::{ReferencingGroup, RowTarget};
use crate::db::value::raw_text;

use super::keymap::ListKey;
use super::tab::{RowWindow, ViewSpec};
use super::{App, DbReply, DbRequest, DbResult, Effect, Level, Overlay, Screen, Waiting, Worker};

/// A tab's view, saved before a jump changes it, so Backspace can put it back.
#[derive(Debug, Clone)]
pub struct SavedView {
    pub spec: ViewSpec,
    pub window: RowWindow,
    pub total: Option<u64>,
    pub selected_col: usize,
}

/// One step of the path walked with `gd` / `gr`.
#[derive(Debug, Clone)]
pub struct Breadcrumb {
    pub from_tab: usize,
    pub to_tab: usize,
    /// The target tab as it was before the jump.
    pub saved: SavedView,
    /// `session.userId = 80cd…`.
    pub label: String,
    /// The jump was made from a user's row detail (entry `n` of its list): going back reopens
    /// the detail there, where the user was, rather than leaving them on the grid.
    pub from_detail: Option<usize>,
}

/// The row under the cursor as the relation functions want it.
pub(super) struct SelectedRow {
    pub(super) table: String,
    pub(super) columns: Vec<String>,
    pub(super) values: Vec<Value>,
    pub(super) column: String,
}

/// What `gd` says on a cell of a column that no foreign key (declared or inferred) starts from.
const NOT_A_REFERENCE: &str = "this cell is not a reference (no foreign key, declared or inferred)";

impl App {
    pub(super) fn selected_row_for_navigation(&self) -> Option<SelectedRow> {
        let tab = self.active_tab()?;
        let meta = tab.meta()?;
        let row = tab.window.selected_row()?;
        Some(SelectedRow {
            table: tab.name.clone(),
            columns: meta.info.columns.iter().map(|c| c.name.clone()).collect(),
            values: row.values.clone(),
            column: meta.info.columns.get(tab.selected_col)?.name.clone(),
        })
    }

    pub(super) fn follow_reference(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row_for_navigation() else { return Vec::new() };
        let column = row.columns.iter().position(|c| *c == row.column);
        if column.and_then(|i| row.values.get(i)).is_some_and(|v| matches!(v, Value::Null)) {
            // Say why `gd` goes nowhere: a NULL reference points at no row, but a NULL in a
            // column that is no reference at all must not read as one.
            let is_reference = self.active_tab().and_then(|t| t.meta()).is_some_and(|meta| {
                column.and_then(|i| meta.kinds.get(i)).is_some_and(|k| matches!(k, ColumnKind::ForeignKey { .. }))
            });
            if is_reference {
                self.say(Level::Info, format!("{} is NULL here: it points at no row", row.column));
            } else {
                self.say(Level::Info, NOT_A_REFERENCE);
            }
            return Vec::new();
        }
        let request = DbRequest::FollowReference {
            table: row.table,
            columns: row.columns,
            values: row.values,
            column: row.column,
        };
        let (_, effect) = self.request(Worker::Foreground, Waiting::Navigation, request);
        vec![effect]
    }

    pub(super) fn show_references(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row_for_navigation() else { return Vec::new() };
        self.count_references(row.table, row.columns, row.values, false)
    }

    /// Counts the rows pointing at a row. `scan`: counting through unindexed references was
    /// confirmed (on a remote the worker otherwise answers with what would scan).
    pub(super) fn count_references(
        &mut self,
        table: String,
        columns: Vec<String>,
        values: Vec<Value>,
        scan: bool,
    ) -> Vec<Effect> {
        let request = DbRequest::ReferencingRows { table, columns, values, scan };
        let (_, effect) = self.request(Worker::Foreground, Waiting::Navigation, request);
        self.overlay = Overlay::References { groups: Vec::new(), selected: 0, loading: true };
        vec![effect]
    }

    pub(super) fn on_navigation_reply(&mut self, reply: DbReply) -> Vec<Effect> {
        match reply.result {
            Ok(DbResult::Reference(Some(target))) => {
                if !target.exists {
                    // Jumping would only show an empty, filtered table ("No rows match the
                    // filter"), which reads as a filter problem: stay, and say what is wrong.
                    let shown = describe_target(&target);
                    let message =
                        format!("{shown}: no such row (a dangling reference: the row it names does not exist)");
                    self.say(Level::Warning, message);
                    return Vec::new();
                }
                self.go_to(target)
            }
            Ok(DbResult::Reference(None)) => {
                self.say(Level::Info, NOT_A_REFERENCE);
                Vec::new()
            }
            Ok(DbResult::Referencing(groups)) => {
                // Closed while counting: the user has moved on.
                if !matches!(self.overlay, Overlay::References { loading: true, .. }) {
                    return Vec::new();
                }
                if groups.is_empty() {
                    self.overlay = Overlay::None;
                    self.say(Level::Info, "no table references this one");
                } else {
                    self.overlay = Overlay::References { groups, selected: 0, loading: false };
                }
                Vec::new()
            }
            Ok(DbResult::KeyReferences(found)) => {
                self.on_key_references(Ok(found));
                Vec::new()
            }
            Err(message)
                if matches!(&self.overlay, Overlay::Edit(super::EditPopup::Cell { error: Some(e), .. })
                    if e.ends_with(super::edit_values::KEY_COUNTING)) =>
            {
                self.on_key_references(Err(message.to_string()));
                Vec::new()
            }
            Ok(_) => Vec::new(),
            Err(message) => {
                if matches!(self.overlay, Overlay::References { loading: true, .. }) {
                    self.overlay = Overlay::None;
                }
                self.say(Level::Error, format!("following the relation failed: {message}"));
                Vec::new()
            }
        }
    }

    /// Opens `target.table` filtered to the target rows, remembering how to come back.
    pub(super) fn go_to(&mut self, target: RowTarget) -> Vec<Effect> {
        let Some(to_tab) = self.tabs.iter().position(|t| t.name == target.table) else {
            self.say(Level::Warning, format!("{} is hidden: press i to show internal tables", target.table));
            return Vec::new();
        };
        let label = describe_target(&target);
        let from_tab = self.active;
        let tab = &mut self.tabs[to_tab];
        let saved = SavedView {
            spec: std::mem::take(&mut tab.spec),
            window: std::mem::take(&mut tab.window),
            total: tab.total.take(),
            selected_col: tab.selected_col,
        };
        tab.spec.filters = target
            .columns
            .iter()
            .zip(&target.values)
            .map(|(column, value)| Filter { column: column.clone(), op: FilterOp::Eq, values: vec![value.clone()] })
            .collect();
        self.trail.push(Breadcrumb { from_tab, to_tab, saved, label: label.clone(), from_detail: None });
        self.screen = Screen::Browser;
        self.active = to_tab;
        self.say(Level::Info, format!("{label} · Backspace goes back"));
        let mut effects = self.open_active_tab();
        if self.active_tab().is_some_and(|t| t.meta().is_some()) {
            effects.extend(self.reload_rows());
        }
        effects
    }

    /// Backspace: undo the last jump, restoring the target tab as it was.
    pub(super) fn go_back(&mut self) -> Vec<Effect> {
        let Some(step) = self.trail.pop() else {
            self.say(Level::Info, "nothing to go back to");
            return Vec::new();
        };
        let mut effects = Vec::new();
        if let Some((id, _)) = self.take_page_read(step.to_tab) {
            effects.push(Effect::Interrupt { worker: Worker::Foreground, id });
        }
        if let Some(tab) = self.tabs.get_mut(step.to_tab) {
            let saved = step.saved;
            tab.spec = saved.spec;
            tab.window = saved.window;
            tab.total = saved.total;
            // The rows on screen are the restored view's again: a read that fails later goes
            // back to it, not to the jump's filter.
            tab.remember_shown();
            // The count in flight was of the jump's view.
            self.pending.forget(&Waiting::Count { table: tab.name.clone() });
            tab.selected_col = saved.selected_col;
            let needs_rows = tab.window.rows.is_empty() && tab.meta().is_some();
            self.active = step.to_tab;
            if needs_rows {
                effects.extend(self.reload_rows());
            } else {
                // The restored rows' statuses were dropped while the jump showed other rows.
                effects.extend(self.request_statuses(step.to_tab, super::tab::FetchKind::Append));
            }
        }
        self.active = step.from_tab.min(self.tabs.len().saturating_sub(1));
        self.screen = Screen::Browser;
        self.say(Level::Info, format!("back from {}", step.label));
        if let Some(entry) = step.from_detail {
            effects.extend(self.reopen_detail_at(entry));
        }
        effects
    }

    pub(super) fn references_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::References { groups, selected, .. } = &mut self.overlay else { return Vec::new() };
        match super::keymap::lookup(super::keymap::REFERENCES_KEYS, &key) {
            Some(ListKey::Move(step)) if step > 0 => *selected = (*selected + 1).min(groups.len().saturating_sub(1)),
            Some(ListKey::Move(_)) => *selected = selected.saturating_sub(1),
            Some(ListKey::Open) => {
                let target = groups.get(*selected).map(|g| g.target.clone());
                self.overlay = Overlay::None;
                if let Some(target) = target {
                    return self.go_to(target);
                }
            }
            Some(ListKey::Close) => self.overlay = Overlay::None,
            Some(ListKey::Count) if groups.iter().any(|group| !group.counted) => {
                let Some(row) = self.selected_row_for_navigation() else { return Vec::new() };
                return self.count_references(row.table, row.columns, row.values, true);
            }
            Some(ListKey::Count) | None => {}
        }
        Vec::new()
    }
}

/// `session.userId = 80cdb7dc…`.
pub fn describe_target(target: &RowTarget) -> String {
    let pairs: Vec<String> = target
        .columns
        .iter()
        .zip(&target.values)
        // Whole values: the status line cuts what does not fit, and the message log (`m`) keeps
        // this text, which must show the whole id.
        .map(|(c, v)| format!("{}.{c} = {}", target.table, raw_text(v)))
        .collect();
    pairs.join(", ")
}

/// `sessions via userId · 3` for the `gr` list; one not counted (a remote, no index) says
/// what counting it reads and that `y` does.
pub fn describe_group(group: &ReferencingGroup) -> String {
    if !group.counted {
        let rows = group.table_rows.map_or_else(
            || "reads the whole table".to_string(),
            |n| format!("~{} read", crate::present::plural(n, "row")),
        );
        return format!("{:>8}  {} (not counted: no index, {rows} · y counts it)", "?", group.label);
    }
    let count = crate::present::group_thousands(group.count);
    let count = if group.capped { format!("{count}+") } else { count };
    let notes: Vec<&str> = [
        group.target.origin.is_inferred().then_some("inferred"),
        (!group.indexed).then_some("no index: counted by scanning"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
    format!("{count:>8}  {}{notes}", group.label)
}
