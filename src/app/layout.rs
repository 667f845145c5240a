//! Screen geometry, shared by drawing and by mouse handling so both agree on what is where.

use ratatui::layout::Rect;
use ratatui::text::Span;

use super::{App, Overlay};

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
    /// The search prompt or filter bar, when open.
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
        Overlay::Filter(_) | Overlay::Export(_) => 2,
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

/// Tab titles and their x ranges on the tab bar, scrolled so the active tab is visible.
/// Tabs scrolled off the left are left out. When the tabs do not fit, the special screens
/// (ER, migrations, SQL) keep their place at the right end and the tables scroll in the rest,
/// with room for a `…` saying some are hidden (see [`tabs_cut`]).
pub fn tab_spans(app: &App) -> Vec<(usize, u16, u16)> {
    let titles = app.tab_titles();
    let widths: Vec<u32> = titles.iter().map(|t| u32::from(text_width(t)) + 2).collect();
    let total: u32 = widths.iter().sum::<u32>() + widths.len().saturating_sub(1) as u32;
    let width = u32::from(app.width);
    let specials = widths.len().min(super::SPECIAL_SCREENS.len());
    let first_special = widths.len() - specials;
    let special_width: u32 = widths[first_special..].iter().map(|w| w + 1).sum();
    // Everything fits, or not even the special screens do: one row scrolled to the active tab.
    if total <= width || special_width + TAB_CUT_MARK >= width {
        return scrolled(&widths, 0, app.active_title(), width);
    }
    let room = width - special_width - TAB_CUT_MARK;
    let active = if app.active_title() < first_special { app.active_title() } else { 0 };
    let mut spans = scrolled(&widths[..first_special], 0, active, room);
    spans.retain(|(_, x, w)| u32::from(*x) + u32::from(*w) <= room);
    let mut x = width - special_width + 1;
    for (i, w) in widths.iter().enumerate().skip(first_special) {
        spans.push((i, x as u16, *w as u16));
        x += w + 1;
    }
    spans
}

/// Cells kept for the `…` between the tables and the special screens when tables are hidden.
const TAB_CUT_MARK: u32 = 2;

/// Where to draw the `…` that says some table tabs are hidden, if some are.
pub fn tabs_cut(app: &App) -> Option<u16> {
    let spans = tab_spans(app);
    let tables = app.tab_titles().len().saturating_sub(super::SPECIAL_SCREENS.len());
    let shown = spans.iter().filter(|(i, _, _)| *i < tables).count();
    if shown == tables {
        return None;
    }
    spans.iter().find(|(i, _, _)| *i >= tables).map(|(_, x, _)| x.saturating_sub(TAB_CUT_MARK as u16))
}

/// Tabs of `widths` laid out from `x`, shifted left so tab `active` ends within `room`.
fn scrolled(widths: &[u32], x: u32, active: usize, room: u32) -> Vec<(usize, u16, u16)> {
    let mut at = x;
    let spans: Vec<(usize, u32, u16)> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let span = (i, at, *w as u16);
            at += w + 1;
            span
        })
        .collect();
    let active_end = spans.get(active).map_or(0, |(_, x, w)| x + u32::from(*w));
    let shift = active_end.saturating_sub(room);
    spans
        .into_iter()
        .filter(|(_, x, _)| *x >= shift)
        .filter_map(|(i, x, w)| u16::try_from(x - shift).ok().map(|x| (i, x, w)))
        .collect()
}
