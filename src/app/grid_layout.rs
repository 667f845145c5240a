//! The grid's columns as decided for one table view: which are shown, in what order, how wide,
//! and which stays pinned at the left. Decided once (first rows, a resize, the user's own
//! changes), so widths never move while statuses or later pages arrive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

/// Narrowest a person can make a column.
pub const MIN_WIDTH: u16 = 3;
/// Widest a column gets, measured or chosen.
pub const MAX_WIDTH: u16 = 120;
/// Space between columns.
pub const COLUMN_GAP: u16 = 1;
/// Headers longer than this are cut rather than widening a column of short values.
const MAX_HEADER_CLAIM: u16 = 14;
/// What `<` / `>` take or give.
pub const RESIZE_STEP: i16 = 2;

/// A column of the grid: one of the table's, or a computed one of the user table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GridColumn {
    /// The table's column at this index of its schema.
    Table(usize),
    /// The user's ban and verification, read per page.
    Status,
    /// The user's active sessions, read per page.
    Sessions,
}

/// The key a computed column is remembered under (table columns go by their name).
pub const STATUS_KEY: &str = "@status";
/// See [`STATUS_KEY`].
pub const SESSIONS_KEY: &str = "@sessions";

/// What the user chose for one table's columns, remembered per database and table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnPrefs {
    /// Column keys in the order the user put them; columns not named follow in the default order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
    /// Keys of hidden columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<String>,
    /// Widths set with `<` / `>`, by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub widths: BTreeMap<String, u16>,
}

impl ColumnPrefs {
    pub fn is_empty(&self) -> bool {
        self.order.is_empty() && self.hidden.is_empty() && self.widths.is_empty()
    }

    /// `default` (every key, in the default order) rearranged as the user ordered it.
    pub fn ordered(&self, default: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self.order.iter().filter(|k| default.contains(k)).cloned().collect();
        for key in default {
            if !out.contains(key) {
                out.push(key.clone());
            }
        }
        out
    }
}

/// A column measured for the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub column: GridColumn,
    pub key: String,
    /// Width that shows the usual value without cutting it (capped by kind).
    pub natural: u16,
    /// Width of the widest value on screen, uncapped: what the column would take if room is left.
    pub want: u16,
}

impl Measured {
    /// A column fitted to its header and the widths of its values on screen, capped at `cap`.
    pub fn fit(column: GridColumn, key: String, header: &str, values: impl Iterator<Item = u16>, cap: u16) -> Self {
        let widest = values.max().unwrap_or(0);
        let header = (UnicodeWidthStr::width(header) as u16).min(MAX_HEADER_CLAIM);
        let natural = widest.min(cap).max(header).clamp(MIN_WIDTH, MAX_WIDTH);
        Measured { column, key, natural, want: widest.clamp(natural, MAX_WIDTH) }
    }
}

/// One column of the layout and its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub column: GridColumn,
    pub width: u16,
}

/// The columns of one table view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridLayout {
    /// Shown columns, left to right.
    pub columns: Vec<Placed>,
    /// Index into `columns` of the key column that stays at the left when scrolled past.
    pub pinned: Option<usize>,
    /// Whether rows were there to measure (a layout made before the first rows is redone).
    pub measured_rows: bool,
}

impl GridLayout {
    /// Orders `measured` (given in the default order) as `prefs` say, drops hidden columns,
    /// applies the widths the user set, and shares what is left of `avail` cells among the
    /// columns whose values were cut, then the last column.
    pub fn plan(measured: Vec<Measured>, prefs: &ColumnPrefs, avail: u16, pinned_key: Option<&str>) -> GridLayout {
        let default: Vec<String> = measured.iter().map(|m| m.key.clone()).collect();
        let order = prefs.ordered(&default);
        let mut shown: Vec<(Measured, bool)> = Vec::new();
        for key in order.iter().filter(|k| !prefs.hidden.contains(k)) {
            let Some(m) = measured.iter().find(|m| &m.key == key) else { continue };
            let mut m = m.clone();
            let fixed = match prefs.widths.get(key) {
                Some(width) => {
                    m.natural = (*width).clamp(MIN_WIDTH, MAX_WIDTH);
                    true
                }
                None => false,
            };
            shown.push((m, fixed));
        }
        let mut widths: Vec<u16> = shown.iter().map(|(m, _)| m.natural).collect();
        // The budget is the first screen: the columns that fit whole share what is left of it.
        let mut used = 0u32;
        let mut fitting = 0;
        for width in &widths {
            let next = used + u32::from(*width) + if fitting > 0 { u32::from(COLUMN_GAP) } else { 0 };
            if next > u32::from(avail) {
                break;
            }
            used = next;
            fitting += 1;
        }
        let mut left = (u32::from(avail) - used).min(u32::from(u16::MAX)) as u16;
        // Evenly, one cell at a time, to the columns that were cut, until they are whole.
        while left > 0 {
            let mut gave = false;
            for (i, (m, fixed)) in shown.iter().enumerate().take(fitting) {
                if left > 0 && !fixed && widths[i] < m.want {
                    widths[i] += 1;
                    left -= 1;
                    gave = true;
                }
            }
            if !gave {
                break;
            }
        }
        // Then the rest to the last column, when every column fits: the rows reach the edge.
        if fitting == widths.len()
            && let Some(last) = widths.last_mut()
        {
            *last = last.saturating_add(left).min(MAX_WIDTH.max(*last));
        }
        let pinned = pinned_key.and_then(|key| shown.iter().position(|(m, _)| m.key == key));
        let columns = shown.iter().zip(widths).map(|((m, _), width)| Placed { column: m.column, width }).collect();
        GridLayout { columns, pinned, measured_rows: false }
    }

    /// Index into `columns` of a column, if shown.
    pub fn position(&self, column: GridColumn) -> Option<usize> {
        self.columns.iter().position(|p| p.column == column)
    }

    /// The columns on screen as (index into `columns`, x, width): the `selected` one kept
    /// visible, and the pinned one at the left once scrolled past. The first starts at `lead`.
    pub fn place(&self, selected: usize, area_width: u16, lead: u16) -> Vec<(usize, u16, u16)> {
        let widths: Vec<u16> = self.columns.iter().map(|p| p.width).collect();
        if widths.is_empty() || area_width <= lead {
            return Vec::new();
        }
        let selected = selected.min(widths.len() - 1);
        let mut placed = Vec::new();
        let mut x = lead;
        let mut first = scroll_start(&widths, selected, area_width - lead, None);
        if let Some(pin) = self.pinned.filter(|p| *p < first && *p != selected) {
            let pin_span = widths[pin] + COLUMN_GAP;
            // Pin only when it leaves the selected column most of the screen.
            if u32::from(pin_span) * 2 <= u32::from(area_width - lead) {
                placed.push((pin, x, widths[pin]));
                x += pin_span;
                first = scroll_start(&widths, selected, area_width - x, Some(pin)).max(pin + 1);
            }
        }
        for (index, width) in widths.iter().enumerate().skip(first) {
            if x >= area_width {
                break;
            }
            placed.push((index, x, (*width).min(area_width - x)));
            x = x.saturating_add(width + COLUMN_GAP);
        }
        placed
    }
}

/// The leftmost column from which `selected` still fits in `avail` cells (`skip` not counted).
fn scroll_start(widths: &[u16], selected: usize, avail: u16, skip: Option<usize>) -> usize {
    let span = |from: usize| -> u32 {
        (from..=selected).filter(|i| Some(*i) != skip).map(|i| u32::from(widths[i] + COLUMN_GAP)).sum()
    };
    let mut first = selected;
    while first > 0 && span(first - 1) <= u32::from(avail) + u32::from(COLUMN_GAP) {
        first -= 1;
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(key: &str, natural: u16, want: u16) -> Measured {
        Measured { column: GridColumn::Table(key.len()), key: key.into(), natural, want }
    }

    #[test]
    fn leftover_goes_to_cut_columns_then_the_last() {
        let columns = vec![measured("a", 5, 5), measured("bb", 10, 30), measured("ccc", 4, 4)];
        let layout = GridLayout::plan(columns, &ColumnPrefs::default(), 40, None);
        let widths: Vec<u16> = layout.columns.iter().map(|p| p.width).collect();
        // 5 + 10 + 4 + 2 gaps = 21: 19 cells left, all wanted by the cut column.
        assert_eq!(widths, vec![5, 29, 4]);
        let wide = GridLayout::plan(
            vec![measured("a", 5, 5), measured("bb", 10, 12), measured("ccc", 4, 4)],
            &ColumnPrefs::default(),
            40,
            None,
        );
        assert_eq!(wide.columns.iter().map(|p| p.width).collect::<Vec<_>>(), vec![5, 12, 21]);
    }

    #[test]
    fn only_the_columns_of_the_first_screen_share_its_leftover() {
        let columns = vec![measured("a", 5, 9), measured("bb", 10, 10), measured("ccc", 20, 20)];
        // a and bb fit in 20 cells (16 with the gap); ccc does not: its room goes to a.
        let layout = GridLayout::plan(columns, &ColumnPrefs::default(), 20, None);
        assert_eq!(layout.columns.iter().map(|p| p.width).collect::<Vec<_>>(), vec![9, 10, 20]);
    }

    #[test]
    fn prefs_order_hide_and_size() {
        let prefs = ColumnPrefs {
            order: vec!["ccc".into(), "a".into()],
            hidden: vec!["bb".into()],
            widths: BTreeMap::from([("a".to_string(), 7)]),
        };
        let columns = vec![measured("a", 5, 5), measured("bb", 10, 30), measured("ccc", 4, 4)];
        let layout = GridLayout::plan(columns, &prefs, 12, Some("a"));
        let keys: Vec<(GridColumn, u16)> = layout.columns.iter().map(|p| (p.column, p.width)).collect();
        assert_eq!(keys, vec![(GridColumn::Table(3), 4), (GridColumn::Table(1), 7)]);
        assert_eq!(layout.pinned, Some(1));
    }

    #[test]
    fn the_pinned_column_stays_when_scrolled_past() {
        let columns: Vec<Measured> = (0..8).map(|i| measured(&"k".repeat(i + 1), 10, 10)).collect();
        let mut layout = GridLayout::plan(columns, &ColumnPrefs::default(), 50, Some("kk"));
        layout.pinned = Some(1);
        let start = layout.place(0, 50, 2);
        assert_eq!(start.first(), Some(&(0, 2, 10)));
        let scrolled = layout.place(7, 50, 2);
        assert_eq!(scrolled.first(), Some(&(1, 2, 10)), "{scrolled:?}");
        assert_eq!(scrolled.last().map(|p| p.0), Some(7));
        assert!(scrolled.iter().all(|(_, x, w)| x + w <= 50));
    }

    #[test]
    fn narrow_screens_never_draw_past_the_edge() {
        let columns: Vec<Measured> = (0..5).map(|i| measured(&"k".repeat(i + 1), 30, 30)).collect();
        let layout = GridLayout::plan(columns, &ColumnPrefs::default(), 20, None);
        for selected in 0..5 {
            for (_, x, w) in layout.place(selected, 20, 2) {
                assert!(x + w <= 20);
            }
        }
        assert!(layout.place(0, 2, 2).is_empty());
    }
}
