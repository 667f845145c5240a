//! Screen geometry, shared by drawing and by mouse handling so both agree on what is where.

use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::db::value::{DisplayContext, display_value};

use super::{App, Overlay, TableTab};

/// Widest a column gets before its values are cut with `…`.
pub const MAX_COLUMN_WIDTH: u16 = 40;
/// Narrowest column.
const MIN_COLUMN_WIDTH: u16 = 4;
/// Space between columns.
pub const COLUMN_GAP: u16 = 1;
/// Marks on the left of each row (selection, banned user).
pub const GUTTER: u16 = 2;
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
}

/// Splits the terminal for the browser screen.
pub fn areas(app: &App) -> Areas {
    let (w, h) = (app.width, app.height);
    let bar_height = match app.overlay {
        Overlay::Search { .. } => 1,
        Overlay::Filter(_) | Overlay::Export(_) => 2,
        _ => 0,
    };
    let status = Rect::new(0, h.saturating_sub(1), w, 1.min(h));
    let bar = (bar_height > 0).then(|| Rect::new(0, h.saturating_sub(1 + bar_height), w, bar_height));
    let tabs = Rect::new(0, 0, w, 1.min(h));
    let header = Rect::new(0, 1.min(h), w, HEADER_ROWS.min(h.saturating_sub(1)));
    let grid_top = 1 + HEADER_ROWS;
    let grid_height = h.saturating_sub(grid_top + 1 + bar_height);
    let grid = Rect::new(0, grid_top.min(h), w, grid_height);
    Areas { tabs, header, grid, bar, status }
}

/// Rows of data that fit on screen.
pub fn grid_rows(app: &App) -> usize {
    areas(app).grid.height as usize
}

/// Display width of a string in terminal cells.
pub fn text_width(text: &str) -> u16 {
    Span::raw(text).width().min(u16::MAX as usize) as u16
}

/// Width of each column, fitted to its header and the rows on screen.
pub fn column_widths(tab: &TableTab, ctx: &DisplayContext, visible_rows: usize) -> Vec<u16> {
    let Some(meta) = tab.meta() else { return Vec::new() };
    let window = &tab.window;
    let rows = window.rows.iter().skip(window.top).take(visible_rows);
    let mut widths: Vec<u16> = meta
        .info
        .columns
        .iter()
        .zip(&meta.kinds)
        .map(|(column, kind)| text_width(&column.name).max(text_width(kind.label())) + 2)
        .collect();
    for row in rows {
        for (i, (value, kind)) in row.values.iter().zip(&meta.kinds).enumerate() {
            let shown = display_value(value, kind, ctx);
            let first_line = shown.lines().next().unwrap_or("");
            widths[i] = widths[i].max(text_width(first_line));
        }
    }
    widths.into_iter().map(|w| w.clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH)).collect()
}

/// The columns on screen as (column index, x, width), keeping the selected one visible.
pub fn visible_columns(widths: &[u16], selected: usize, area_width: u16) -> Vec<(usize, u16, u16)> {
    visible_columns_from(widths, selected, area_width, GUTTER)
}

/// Cells left of the first column: the gutter, plus the status columns on the user table.
pub fn lead_width(app: &App, tab: &TableTab) -> u16 {
    GUTTER + super::users::status_lead(app, tab, grid_rows(app))
}

/// Like [`visible_columns`], with the first column starting at `lead` (see [`lead_width`]).
pub fn visible_columns_from(widths: &[u16], selected: usize, area_width: u16, lead: u16) -> Vec<(usize, u16, u16)> {
    let avail = area_width.saturating_sub(lead);
    if widths.is_empty() {
        return Vec::new();
    }
    let selected = selected.min(widths.len() - 1);
    let span = |from: usize, to: usize| -> u16 { widths[from..=to].iter().map(|w| w + COLUMN_GAP).sum() };
    let mut first = selected;
    while first > 0 && span(first - 1, selected) <= avail {
        first -= 1;
    }
    let mut placed = Vec::new();
    let mut x = lead;
    for (index, width) in widths.iter().enumerate().skip(first) {
        if x >= area_width {
            break;
        }
        let shown = (*width).min(area_width - x);
        placed.push((index, x, shown));
        x = x.saturating_add(width + COLUMN_GAP);
    }
    placed
}

/// Tab titles and their x ranges on the tab bar, scrolled so the active tab is visible.
/// Tabs scrolled off the left are left out.
pub fn tab_spans(app: &App) -> Vec<(usize, u16, u16)> {
    let mut x = 0u32;
    let spans: Vec<(usize, u32, u16)> = app
        .tab_titles()
        .into_iter()
        .enumerate()
        .map(|(i, title)| {
            let width = text_width(title) + 2;
            let span = (i, x, width);
            x += u32::from(width) + 1;
            span
        })
        .collect();
    let active_end = spans.get(app.active_title()).map_or(0, |(_, x, w)| x + u32::from(*w));
    let shift = active_end.saturating_sub(u32::from(app.width));
    spans
        .into_iter()
        .filter(|(_, x, _)| *x >= shift)
        .filter_map(|(i, x, w)| u16::try_from(x - shift).ok().map(|x| (i, x, w)))
        .collect()
}
