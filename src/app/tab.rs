//! One table's tab: its schema, the window of rows held in memory, and how they are ordered.

use rusqlite::types::Value;

use crate::db::kinds::ColumnKind;
use crate::db::page::{Anchor, Filter, Page, PageRow, RowKey, Search, Sort, View};
use crate::db::schema::RelationType;

use super::grid_layout::GridLayout;
use super::{Load, TableMeta};

/// Rows read per request: several screens, so scrolling rarely waits.
pub const PAGE_ROWS: usize = 200;
/// Rows read per request when sorting on a column without an index: each read scans the table
/// whatever its size, and the scan costs the same for 200 rows or 1,000 (only the top-N sort
/// grows), so bigger pages mean fewer scans and more room before the selection catches up.
pub const UNINDEXED_SORT_PAGE_ROWS: usize = 1_000;
/// Pages held at most: memory stays flat whatever the table's size.
pub const WINDOW_PAGES: usize = 3;
/// Rows per page on a remote D1, which bills rows read: still two screens and more, and the page
/// after is read ahead, so paging does not wait (BENCHMARKS.md, "Remote D1").
pub const REMOTE_PAGE_ROWS: usize = 100;

/// Ticks a changed cell stays highlighted (the idle tick is 250 ms: about two seconds).
pub const FLASH_TICKS: u8 = 8;

/// Rows read again and to be shown afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reread {
    /// Highlight what changed (not for squall's own commits).
    pub flash: bool,
}

/// The cells that changed in the last reload, highlighted for a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub rows: Vec<FlashRow>,
    /// Ticks until the highlight goes.
    pub ticks_left: u8,
}

/// One changed row of a [`Flash`].
#[derive(Debug, Clone, PartialEq)]
pub struct FlashRow {
    /// The row's paging key.
    pub key: Vec<Value>,
    /// The columns that changed; `None` when the whole row is new.
    pub columns: Option<Vec<usize>>,
}

impl Flash {
    /// Whether this cell of the row with paging key `key` is highlighted.
    pub fn covers(&self, key: &[Value], column: usize) -> bool {
        self.rows
            .iter()
            .any(|row| row.key == key && row.columns.as_ref().is_none_or(|columns| columns.contains(&column)))
    }
}

/// Where the window's first row sits in the whole (filtered, sorted) table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Index from the top.
    FromStart(u64),
    /// How many rows there are from it to the bottom, itself included (after a jump to the end,
    /// before the total is known).
    FromEnd(u64),
}

/// How a fetched page joins the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchKind {
    /// The first page: replaces everything.
    Top,
    /// The last page: replaces everything.
    Bottom,
    /// Rows after the window.
    Append,
    /// Rows before the window.
    Prepend,
    /// The window read again where it is, the selection kept on its row; `flash` highlights
    /// what changed (not after squall's own commit).
    InPlace { flash: bool },
}

/// A contiguous run of rows of the view, with the selection inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowWindow {
    pub rows: Vec<PageRow>,
    pub at_start: bool,
    pub at_end: bool,
    pub first: Position,
    /// Index into `rows` of the selected row.
    pub selected: usize,
    /// Index into `rows` of the top visible row.
    pub top: usize,
}

impl Default for RowWindow {
    fn default() -> Self {
        RowWindow {
            rows: Vec::new(),
            at_start: true,
            at_end: false,
            first: Position::FromStart(0),
            selected: 0,
            top: 0,
        }
    }
}

impl RowWindow {
    pub fn selected_row(&self) -> Option<&PageRow> {
        self.rows.get(self.selected)
    }

    /// Adds a page where `kind` says, trimming the far side so at most three pages of
    /// `page_rows` stay.
    pub fn apply(&mut self, kind: FetchKind, page: Page, page_rows: usize) {
        let limit = WINDOW_PAGES * page_rows;
        let count = page.rows.len();
        match kind {
            FetchKind::Top => {
                *self = RowWindow { rows: page.rows, at_end: page.exhausted, ..RowWindow::default() };
            }
            FetchKind::Bottom => {
                let last = count.saturating_sub(1);
                // When the last page holds the last row held counted from the start, where the
                // page starts is known, and with it the view's count (no count to ask for).
                let start = match self.first {
                    Position::FromStart(n) => self.rows.last().and_then(|held| {
                        let k = page.rows.iter().position(|row| row.cursor == held.cursor)?;
                        (n + self.rows.len() as u64 - 1).checked_sub(k as u64)
                    }),
                    Position::FromEnd(_) => None,
                };
                *self = RowWindow {
                    rows: page.rows,
                    at_start: page.exhausted || start == Some(0),
                    at_end: true,
                    first: start.map_or(Position::FromEnd(count as u64), Position::FromStart),
                    selected: last,
                    top: last,
                };
            }
            FetchKind::Append => {
                self.rows.extend(page.rows);
                self.at_end = page.exhausted;
                let excess = self.rows.len().saturating_sub(limit);
                if excess > 0 {
                    self.rows.drain(..excess);
                    self.selected = self.selected.saturating_sub(excess);
                    self.top = self.top.saturating_sub(excess);
                    self.at_start = false;
                    self.first = match self.first {
                        Position::FromStart(n) => Position::FromStart(n + excess as u64),
                        Position::FromEnd(n) => Position::FromEnd(n.saturating_sub(excess as u64)),
                    };
                }
            }
            FetchKind::Prepend => {
                let mut rows = page.rows;
                rows.append(&mut self.rows);
                self.rows = rows;
                self.selected += count;
                self.top += count;
                self.at_start = page.exhausted;
                self.first = match self.first {
                    Position::FromStart(n) => Position::FromStart(n.saturating_sub(count as u64)),
                    Position::FromEnd(n) => Position::FromEnd(n + count as u64),
                };
                if self.rows.len() > limit {
                    self.rows.truncate(limit);
                    self.at_end = false;
                }
            }
            FetchKind::InPlace { .. } => {
                self.replace_in_place(page);
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// Moves the selection, clamped to the rows held.
    pub fn move_by(&mut self, delta: i64) {
        let last = self.rows.len().saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, last.max(0)) as usize;
    }

    /// Scrolls so the selection is on screen with `height` rows visible.
    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + height {
            self.top = self.selected + 1 - height;
        }
        self.top = self.top.min(self.rows.len().saturating_sub(height));
    }

    /// The page to fetch next, if the selection is within half a page of an edge that is not
    /// the table's edge.
    pub fn wanted_fetch(&self, page_rows: usize) -> Option<(FetchKind, Anchor)> {
        let margin = page_rows / 2;
        if !self.at_end && self.rows.len().saturating_sub(self.selected) <= margin {
            return self.rows.last().map(|row| (FetchKind::Append, Anchor::After(row.cursor.clone())));
        }
        if !self.at_start && self.selected < margin {
            return self.rows.first().map(|row| (FetchKind::Prepend, Anchor::Before(row.cursor.clone())));
        }
        None
    }

    /// 1-based number of the selected row in the whole view, when it can be known.
    /// The view's row count, when the rows held tell it: the window reaches the end counted
    /// from the start, or the start counted from the end (after `G`).
    pub fn known_total(&self) -> Option<u64> {
        let held = self.rows.len() as u64;
        match self.first {
            Position::FromStart(n) if self.at_end => Some(n + held),
            Position::FromEnd(n) if self.at_start => Some(n.max(held)),
            _ if self.at_start && self.at_end => Some(held),
            _ => None,
        }
    }

    pub fn row_number(&self, total: Option<u64>) -> Option<u64> {
        match self.first {
            Position::FromStart(n) => Some(n + self.selected as u64 + 1),
            Position::FromEnd(n) => total.map(|t| t.saturating_sub(n) + self.selected as u64 + 1),
        }
    }
}

/// Which rows a tab shows and in which order: its sort, filters and search. One value serves the
/// tab, the view saved on the back stack ([`super::navigate::SavedView`]) and the view of the rows
/// on screen ([`ShownView`]), so none of them can forget a part when it is copied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewSpec {
    pub sort: Option<Sort>,
    pub filters: Vec<Filter>,
    pub search: Option<String>,
}

impl ViewSpec {
    /// Filters and search gone, the sort kept (`F`).
    pub fn clear_filters(&mut self) {
        self.filters.clear();
        self.search = None;
    }

    /// Whether some rows may be left out (a filter or a search).
    pub fn narrows(&self) -> bool {
        !self.filters.is_empty() || self.search.is_some()
    }
}

/// The view of the rows on screen: what a cancelled or failed query goes back to, so the status
/// line never describes rows that are not shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownView {
    pub spec: ViewSpec,
    pub total: Option<u64>,
}

/// A table's tab.
#[derive(Debug, Clone)]
pub struct TableTab {
    pub name: String,
    pub relation: RelationType,
    /// The schema (its request in flight, like the page's and the count's, is in
    /// [`super::Pending`], keyed by this tab's table).
    pub meta: Load<Box<TableMeta>>,
    pub window: RowWindow,
    /// The last failed page read (the rows before it stay on screen).
    pub rows_error: Option<String>,
    /// The sort, filters and search the tab asks for (the rows on screen may still be of
    /// [`TableTab::shown`] while a new read is on its way).
    pub spec: ViewSpec,
    /// Rows matching the current filters, once counted.
    pub total: Option<u64>,
    pub selected_col: usize,
    /// What the rows on screen were read with.
    pub shown: Option<ShownView>,
    /// The database changed since these rows were read: read them again in place when possible.
    pub stale: Option<Reread>,
    /// Count again when the count in flight answers (it may predate a change).
    pub recount: bool,
    /// Cells that changed in the last live reload, highlighted for a moment.
    pub flash: Option<Flash>,
    /// The columns as decided for this view (stable until a resize or the user changes them).
    pub layout: Option<GridLayout>,
    /// Smaller pages for a remote database ([`REMOTE_PAGE_ROWS`]).
    pub page_cap: Option<usize>,
}

impl TableTab {
    pub fn new(name: String, relation: RelationType) -> TableTab {
        TableTab {
            name,
            relation,
            meta: Load::Loading,
            window: RowWindow::default(),
            rows_error: None,
            spec: ViewSpec::default(),
            total: None,
            selected_col: 0,
            shown: None,
            stale: None,
            recount: false,
            flash: None,
            layout: None,
            page_cap: None,
        }
    }

    /// Records that the rows on screen were read with the current sort, filters and search.
    pub fn remember_shown(&mut self) {
        self.shown = Some(ShownView { spec: self.spec.clone(), total: self.total });
    }

    /// Goes back to the view of the rows on screen after a new query was cancelled or failed.
    /// True when the sort, filters or search changed back: the count in flight, of the view
    /// left, is then the caller's to let go.
    pub fn restore_shown(&mut self) -> bool {
        let Some(shown) = self.shown.clone() else { return false };
        let changed = shown.spec != self.spec;
        if changed {
            self.spec = shown.spec;
            self.total = shown.total;
        }
        changed
    }

    /// Rows to read per page for the current sort.
    pub fn page_rows(&self) -> usize {
        match (&self.spec.sort, self.meta()) {
            (Some(sort), Some(meta)) if !meta.info.is_indexed(&sort.column) => UNINDEXED_SORT_PAGE_ROWS,
            _ => self.page_cap.unwrap_or(PAGE_ROWS).min(PAGE_ROWS),
        }
    }

    pub fn meta(&self) -> Option<&TableMeta> {
        match &self.meta {
            Load::Loaded(meta) => Some(meta),
            _ => None,
        }
    }

    pub fn column_count(&self) -> usize {
        self.meta().map_or(0, |m| m.info.columns.len())
    }

    /// The query behind the grid: all columns, this tab's sort, filters and search.
    pub fn view(&self) -> Option<View> {
        let meta = self.meta()?;
        let columns: Vec<String> = meta.info.columns.iter().map(|c| c.name.clone()).collect();
        let search = self.spec.search.as_ref().map(|text| Search {
            text: text.clone(),
            columns: meta
                .info
                .columns
                .iter()
                .zip(&meta.kinds)
                .filter(|(_, kind)| kind.is_searchable_text() || matches!(kind, ColumnKind::Text))
                .map(|(c, _)| c.name.clone())
                .collect(),
        });
        Some(View {
            table: self.name.clone(),
            columns,
            key: RowKey::for_table(&meta.info),
            sort: self.spec.sort.clone(),
            filters: self.spec.filters.clone(),
            search,
        })
    }
}
