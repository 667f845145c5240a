//! Screen geometry, shared by drawing and by mouse handling so both agree on what is where.

use ratatui::layout::Rect;
use ratatui::text::Span;

use super::{App, Overlay};

mod tab_bar;
pub use tab_bar::{TabBar, TabSpan, tab_bar};

pub use super::grid_layout::COLUMN_GAP;
/// Marks on the left of each row (selection, banned user).
pub const GUTTER: u16 = 3;
/// Header lines: names with sort arrows, then kinds.
const HEADER_ROWS: u16 = 2;

/// Where each part of the browser screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    pub header: Rect,
    pub grid: Rect,
    /// The search or export prompt, or the filter form's popup (its frame and one row), when open.
    pub bar: Option<Rect>,
    pub status: Rect,
    /// The key hints of what has the keyboard: always the last line.
    pub hint: Rect,
}

/// Splits the terminal for the browser screen.
pub fn areas(app: &App) -> Areas {
    let (w, h) = (app.width, app.height);
    let bar_height = match app.overlay {
        Overlay::Search { .. } => 1,
        Overlay::Export(_) => 2,
        Overlay::Filter(_) => 3,
        _ => 0,
    };
    let hint = Rect::new(0, h.saturating_sub(1), w, 1.min(h));
    let status = Rect::new(0, h.saturating_sub(2), w, 1.min(h.saturating_sub(1)));
    let bar = (bar_height > 0).then(|| Rect::new(0, h.saturating_sub(2 + bar_height), w, bar_height));
    let tabs = Rect::new(0, 0, w, 1.min(h));
    let header = Rect::new(0, 1.min(h), w, HEADER_ROWS.min(h.saturating_sub(1)));
    let grid_top = 1 + HEADER_ROWS;
    let grid_height = h.saturating_sub(grid_top + 2 + bar_height);
    let grid = Rect::new(0, grid_top.min(h), w, grid_height);
    Areas { tabs, header, grid, bar, status, hint }
}

/// Rows of data that fit on screen (below the staged new rows, shown first).
pub fn grid_rows(app: &App) -> usize {
    (areas(app).grid.height as usize).saturating_sub(staged_inserts(app).len())
}

/// The values of the new rows staged for the table on screen, at most half the grid.
pub fn staged_inserts(app: &App) -> Vec<&crate::db::edit::ColumnValues> {
    let Some(tab) = app.active_tab() else { return Vec::new() };
    let room = areas(app).grid.height as usize / 2;
    app.edits
        .staged
        .iter()
        .filter_map(|edit| match &edit.change {
            crate::db::edit::StagedChange::Insert { table, values } if *table == tab.name => Some(values),
            _ => None,
        })
        .take(room)
        .collect()
}

/// Display width of a string in terminal cells.
pub fn text_width(text: &str) -> u16 {
    Span::raw(text).width().min(u16::MAX as usize) as u16
}

/// Tab titles and their x ranges on the tab bar (index, x, width): see [`tab_bar`].
pub fn tab_spans(app: &App) -> Vec<(usize, u16, u16)> {
    tab_bar(app).tabs.into_iter().map(|t| (t.index, t.x, t.width)).collect()
}
