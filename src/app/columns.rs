//! The grid's columns for a table: measured from the rows held once per view, in the order
//! people look for on better-auth's user table, shaped by the user (column chooser `c`, `<` /
//! `>`), and remembered per database and table through [`Effect::SaveColumns`].

use ratatui::crossterm::event::KeyEvent;
use unicode_width::UnicodeWidthStr;

use crate::db::kinds::{ColumnKind, name_words};
use crate::db::labels::label_column;
use crate::db::value::display_cell;

use super::grid_layout::{
    ColumnPrefs, GridColumn, GridLayout, MAX_WIDTH, MIN_WIDTH, Measured, RESIZE_STEP, SESSIONS_KEY, STATUS_KEY,
};
use super::keymap::lookup;
use super::layout::GUTTER;
use super::popup_keys::{COLUMNS_KEYS, ColumnsKey};
use super::{App, Effect, Level, Overlay, TableTab};

/// Width of the user table's status column: `banned→2026-03-04` fits whole.
pub const STATUS_WIDTH: u16 = 17;
/// What the status column takes when the screen has room: `banned→2026-03-04 unverified`.
const STATUS_WANT: u16 = 28;
/// Terminals at least this wide give the status column [`STATUS_WANT`] before other columns.
const WIDE_TERMINAL: u16 = 180;
/// Width of the active-sessions column: its title.
pub const SESSIONS_WIDTH: u16 = 8;
/// Rows measured for the widths: the first page.
const MEASURED_ROWS: usize = super::tab::PAGE_ROWS;
/// Widest the label column (email) gets before it is cut.
const LABEL_CAP: u16 = 36;
/// Title of the status column.
pub const STATUS_TITLE: &str = "status";
/// Title of the active-sessions column.
pub const SESSIONS_TITLE: &str = "sessions";

/// The user table's columns people look for first, by normalised name; the status columns
/// follow `role`, then `createdAt`, then everything else in schema order.
const USER_LEAD: [&str; 3] = ["name", "email", "role"];

/// The column chooser: every column of the table, shown or hidden, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnChooser {
    pub selected: usize,
}

/// One line of the column chooser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChooserEntry {
    pub key: String,
    pub title: String,
    pub hidden: bool,
    /// The width the user set, if any.
    pub width: Option<u16>,
}

/// How wide a value of this kind may make its column before it is cut.
fn cap(kind: &ColumnKind) -> u16 {
    match kind {
        ColumnKind::Timestamp { .. } => 10,
        ColumnKind::Boolean => 1,
        ColumnKind::Id | ColumnKind::ForeignKey { .. } => 9,
        ColumnKind::Secret => 5,
        ColumnKind::Enum { .. } | ColumnKind::Blob => 16,
        ColumnKind::Json => 24,
        ColumnKind::Integer | ColumnKind::Real => 20,
        ColumnKind::Text => 28,
    }
}

/// The widest value an enum is known to take, beyond the rows measured: a value on a later
/// page (`admin,user` on row 206) then fits without the width moving. A role column holds
/// comma-joined lists, so its widest is all its roles joined.
fn known_values_width(column: &str, kind: &ColumnKind) -> Option<u16> {
    let ColumnKind::Enum { values } = kind else { return None };
    let width = |v: &String| UnicodeWidthStr::width(v.as_str());
    let widest = if name_words(column).last().is_some_and(|w| w.starts_with("role")) {
        values.iter().map(width).sum::<usize>() + values.len().saturating_sub(1)
    } else {
        values.iter().map(width).max()?
    };
    Some(widest.min(usize::from(MAX_WIDTH)) as u16)
}

fn normalised(name: &str) -> String {
    name_words(name).concat()
}

/// The title a column key is shown with.
pub fn column_title(key: &str) -> &str {
    match key {
        STATUS_KEY => STATUS_TITLE,
        SESSIONS_KEY => SESSIONS_TITLE,
        other => other,
    }
}

impl App {
    /// The columns of `tab` in their default order, measured on the rows held.
    fn measure(&self, tab: &TableTab) -> Vec<Measured> {
        let Some(meta) = tab.meta() else { return Vec::new() };
        // The rows held (a page or a few), not only those on screen: the next screenful should
        // fit the widths decided now, so they need not move.
        let rows: Vec<_> = tab.window.rows.iter().take(MEASURED_ROWS).collect();
        let label = label_column(&meta.info.columns).map(|c| c.name.clone());
        let mut measured: Vec<Measured> = meta
            .info
            .columns
            .iter()
            .zip(&meta.kinds)
            .enumerate()
            .map(|(i, (column, kind))| {
                let widths = rows
                    .iter()
                    .filter_map(|row| row.values.get(i))
                    .map(|value| {
                        let text = display_cell(value, kind, &self.ctx);
                        UnicodeWidthStr::width(text.lines().next().unwrap_or("")).min(usize::from(MAX_WIDTH)) as u16
                    })
                    .chain(known_values_width(&column.name, kind));
                // The label (email) is what people read a row by: it is not cut as soon as other text.
                let cap = if Some(&column.name) == label.as_ref() { cap(kind).max(LABEL_CAP) } else { cap(kind) };
                // Both header lines: the name, and the kind (`pk id`).
                let kind_line =
                    if column.pk_position > 0 { format!("pk {}", kind.label()) } else { kind.label().into() };
                let header = if kind_line.len() > column.name.len() { &kind_line } else { &column.name };
                Measured::fit(GridColumn::Table(i), column.name.clone(), header, widths, cap)
            })
            .collect();
        if self.user_table_of(tab).is_none() {
            return measured;
        }
        let mut ordered = Vec::new();
        for wanted in USER_LEAD {
            if let Some(at) = measured.iter().position(|m| normalised(&m.key) == wanted) {
                ordered.push(measured.remove(at));
            }
        }
        let fixed = |column, key: &str, width| Measured { column, key: key.into(), natural: width, want: width };
        ordered.push(Measured {
            column: GridColumn::Status,
            key: STATUS_KEY.into(),
            // A wide terminal shows a ban's end date and `unverified` whole from the start.
            natural: if self.width >= WIDE_TERMINAL { STATUS_WANT } else { STATUS_WIDTH },
            want: STATUS_WANT,
        });
        ordered.push(fixed(GridColumn::Sessions, SESSIONS_KEY, SESSIONS_WIDTH));
        if let Some(at) = measured.iter().position(|m| normalised(&m.key) == "createdat") {
            ordered.push(measured.remove(at));
        }
        ordered.extend(measured);
        ordered
    }

    /// The layout `tab` would get now: fitted to the rows held and the terminal's width.
    pub fn compute_layout(&self, tab: &TableTab) -> GridLayout {
        let Some(meta) = tab.meta() else { return GridLayout::default() };
        let measured = self.measure(tab);
        let prefs = self.column_prefs.get(&tab.name).cloned().unwrap_or_default();
        let pinned = label_column(&meta.info.columns).map(|c| c.name.clone());
        let mut layout = GridLayout::plan(measured, &prefs, self.width.saturating_sub(GUTTER), pinned.as_deref());
        layout.measured_rows = !tab.window.rows.is_empty();
        layout
    }

    /// The layout the grid of `tab` is drawn with: the one decided for its view, or a first
    /// guess from its headers before rows arrived.
    pub fn layout_of(&self, tab: &TableTab) -> GridLayout {
        tab.layout.clone().unwrap_or_else(|| self.compute_layout(tab))
    }

    /// Decides the layout of tab `index` if it has none yet, or only had headers to go by.
    pub(super) fn settle_layout(&mut self, index: usize) {
        let Some(tab) = self.tabs.get(index) else { return };
        let decided = tab.layout.as_ref().is_some_and(|l| l.measured_rows || tab.window.rows.is_empty());
        if decided {
            return;
        }
        let first_time = tab.layout.is_none();
        self.relayout(index);
        // A new tab starts on the first column shown, not on the schema's first (often the id).
        let tab = &mut self.tabs[index];
        if first_time
            && tab.selected_col == 0
            && let Some(first) = tab.layout.as_ref().and_then(|l| table_columns(l).first().copied())
        {
            tab.selected_col = first;
        }
    }

    /// Decides the layout of tab `index` afresh (resize, the user's own changes).
    pub(super) fn relayout(&mut self, index: usize) {
        let Some(tab) = self.tabs.get(index) else { return };
        if tab.meta().is_none() {
            return;
        }
        let layout = self.compute_layout(tab);
        self.tabs[index].layout = Some(layout);
        self.keep_selected_column_shown(index);
    }

    /// After a resize: every tab that had a layout gets one for the new width, and so does
    /// every console result.
    pub(super) fn relayout_all(&mut self) {
        for index in 0..self.tabs.len() {
            if self.tabs[index].layout.is_some() {
                self.relayout(index);
            }
        }
        for result in 0..self.console.results.len() {
            if let Some(r) = self.console.results.get_mut(result) {
                r.grid.layout = None;
            }
            self.settle_console_layout(result);
        }
    }

    /// Decides the layout of console result `result` once its first rows arrived, so the
    /// widths stay put while `G` / `gg` and scrolling bring other rows.
    pub(super) fn settle_console_layout(&mut self, result: usize) {
        let Some(grid) = self.console.results.get(result).map(|r| &r.grid) else { return };
        let decided = grid.layout.as_ref().is_some_and(|l| l.measured_rows || grid.window.rows.is_empty());
        if grid.meta().is_none() || decided {
            return;
        }
        let layout = self.compute_layout(grid);
        if let Some(r) = self.console.results.get_mut(result) {
            r.grid.layout = Some(layout);
        }
    }

    /// The selected column must be one that is shown: the first shown one otherwise.
    fn keep_selected_column_shown(&mut self, index: usize) {
        let Some(tab) = self.tabs.get_mut(index) else { return };
        let Some(layout) = &tab.layout else { return };
        if layout.position(GridColumn::Table(tab.selected_col)).is_none()
            && let Some(first) = table_columns(layout).first()
        {
            tab.selected_col = *first;
        }
    }

    /// Moves the selected column by `delta` shown columns (computed columns are skipped).
    pub(super) fn move_column(&mut self, delta: i64) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let columns = table_columns(&self.layout_of(tab));
        let Some(last) = columns.len().checked_sub(1) else { return Vec::new() };
        let current = columns.iter().position(|c| *c == tab.selected_col).unwrap_or(0);
        let next = (current as i64).saturating_add(delta).clamp(0, last as i64) as usize;
        if let Some(tab) = self.active_tab_mut() {
            tab.selected_col = columns[next];
        }
        Vec::new()
    }

    /// `<` / `>`: narrows or widens the selected column, and remembers it.
    pub(super) fn resize_column(&mut self, steps: i16) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(key) = tab.meta().and_then(|m| m.info.columns.get(tab.selected_col)).map(|c| c.name.clone()) else {
            return Vec::new();
        };
        self.resize_key(&key, steps)
    }

    fn resize_key(&mut self, key: &str, steps: i16) -> Vec<Effect> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let layout = self.layout_of(tab);
        let current = layout
            .columns
            .iter()
            .find(|p| self.key_of(tab, p.column).as_deref() == Some(key))
            .map(|p| p.width)
            .or_else(|| self.column_prefs.get(&tab.name).and_then(|p| p.widths.get(key).copied()))
            .unwrap_or(MIN_WIDTH);
        let width = (current as i32 + i32::from(steps) * i32::from(RESIZE_STEP))
            .clamp(i32::from(MIN_WIDTH), i32::from(MAX_WIDTH)) as u16;
        self.change_prefs(|prefs| {
            prefs.widths.insert(key.to_string(), width);
        })
    }

    /// The key a column is remembered under.
    pub fn key_of(&self, tab: &TableTab, column: GridColumn) -> Option<String> {
        match column {
            GridColumn::Table(i) => tab.meta().and_then(|m| m.info.columns.get(i)).map(|c| c.name.clone()),
            GridColumn::Status => Some(STATUS_KEY.into()),
            GridColumn::Sessions => Some(SESSIONS_KEY.into()),
        }
    }

    /// Changes the active table's column preferences, lays its grid out again, and asks for
    /// them to be saved.
    fn change_prefs(&mut self, change: impl FnOnce(&mut ColumnPrefs)) -> Vec<Effect> {
        let Some(table) = self.active_tab().map(|t| t.name.clone()) else { return Vec::new() };
        let prefs = self.column_prefs.entry(table.clone()).or_default();
        change(prefs);
        let prefs = prefs.clone();
        self.relayout(self.active);
        vec![Effect::SaveColumns { table, prefs }]
    }

    /// Every column of the active table for the chooser, in order, hidden ones included.
    pub fn chooser_entries(&self) -> Vec<ChooserEntry> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let default: Vec<String> = self.measure(tab).into_iter().map(|m| m.key).collect();
        let prefs = self.column_prefs.get(&tab.name).cloned().unwrap_or_default();
        prefs
            .ordered(&default)
            .into_iter()
            .map(|key| ChooserEntry {
                title: column_title(&key).to_string(),
                hidden: prefs.hidden.contains(&key),
                width: prefs.widths.get(&key).copied(),
                key,
            })
            .collect()
    }

    /// Opens the column chooser on the selected column.
    pub(super) fn open_column_chooser(&mut self) -> Vec<Effect> {
        let Some(tab) = self.active_tab().filter(|t| t.meta().is_some()) else { return Vec::new() };
        let key = self.key_of(tab, GridColumn::Table(tab.selected_col));
        let selected = self.chooser_entries().iter().position(|e| Some(&e.key) == key.as_ref()).unwrap_or(0);
        self.overlay = Overlay::Columns(ColumnChooser { selected });
        Vec::new()
    }

    /// Keys of the column chooser.
    pub(super) fn chooser_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Columns(chooser) = &self.overlay else { return Vec::new() };
        let entries = self.chooser_entries();
        let Some(last) = entries.len().checked_sub(1) else {
            self.overlay = Overlay::None;
            return Vec::new();
        };
        let at = chooser.selected.min(last);
        let select = |app: &mut App, to: usize| {
            if let Overlay::Columns(chooser) = &mut app.overlay {
                chooser.selected = to.min(last);
            }
        };
        match lookup(COLUMNS_KEYS, &key) {
            Some(ColumnsKey::Close) => self.overlay = Overlay::None,
            Some(ColumnsKey::Move(step)) => return self.reorder(&entries, at, i64::from(step)),
            Some(ColumnsKey::Select(step)) if step < 0 => select(self, at.saturating_sub(1)),
            Some(ColumnsKey::Select(_)) => select(self, at + 1),
            Some(ColumnsKey::Toggle) => {
                let entry = &entries[at];
                let shown = entries.iter().filter(|e| !e.hidden).count();
                if !entry.hidden && shown <= 1 {
                    self.say(Level::Warning, "the last shown column cannot be hidden");
                    return Vec::new();
                }
                let key = entry.key.clone();
                return self.change_prefs(|prefs| {
                    if !prefs.hidden.contains(&key) {
                        prefs.hidden.push(key);
                    } else {
                        prefs.hidden.retain(|k| *k != key);
                    }
                });
            }
            Some(ColumnsKey::Resize(steps)) => return self.resize_key(&entries[at].key, i16::from(steps)),
            Some(ColumnsKey::Reset) => {
                self.say(Level::Info, "columns back to their default order, widths and visibility");
                return self.change_prefs(|prefs| *prefs = ColumnPrefs::default());
            }
            None => {}
        }
        Vec::new()
    }

    /// Moves the chooser's column `at` one place up or down, keeping the cursor on it.
    fn reorder(&mut self, entries: &[ChooserEntry], at: usize, delta: i64) -> Vec<Effect> {
        let to = at as i64 + delta;
        if to < 0 || to as usize >= entries.len() {
            return Vec::new();
        }
        let mut order: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
        order.swap(at, to as usize);
        if let Overlay::Columns(chooser) = &mut self.overlay {
            chooser.selected = to as usize;
        }
        self.change_prefs(|prefs| prefs.order = order)
    }
}

/// The table columns of a layout, left to right (the computed ones left out).
fn table_columns(layout: &GridLayout) -> Vec<usize> {
    layout
        .columns
        .iter()
        .filter_map(|p| match p.column {
            GridColumn::Table(i) => Some(i),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;
