//! Where each table's box goes. Tables are put in layers by foreign-key depth (parents left of
//! their children), ordered within a layer to sit near the tables they relate to, and stacked
//! in columns; a layer taller than the drawing should be is split over several columns.
//! Tables without relations go last. Boxes never overlap: each column is a vertical stack and
//! columns are side by side, with gutters wide enough for the lines that cross them.

use super::canvas::{Rect, text_width};
use super::model::{ErModel, ErTable};

/// How much of each table the boxes show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Every column with its markers and kind.
    #[default]
    Full,
    /// The table's name and row count only.
    Compact,
}

/// Columns longer than this are cut with `…` (the TUI shows the full name on selection).
const MAX_NAME: usize = 28;
const MAX_KIND: usize = 16;
const MAX_TITLE: usize = 40;
/// Empty cells around the drawing, room for lines that go around everything.
pub(crate) const MARGIN: usize = 2;
/// Least gutter between columns of boxes, and the room each crossing line adds.
const BASE_GUTTER: usize = 6;
const GUTTER_PER_LINE: usize = 2;
const MAX_GUTTER: usize = 24;

/// The text of one box, measured.
#[derive(Debug, Clone)]
pub(crate) struct BoxContent {
    pub title: String,
    pub rows: Option<String>,
    pub marker_width: usize,
    pub name_width: usize,
    pub kind_width: usize,
    pub width: usize,
    pub height: usize,
}

/// Measures a table's box.
pub(crate) fn measure(table: &ErTable, detail: Detail) -> BoxContent {
    let title_width = text_width(&table.name).min(MAX_TITLE);
    let rows = table.rows.map(|n| if table.rows_estimated { format!("~{}", thousands(n)) } else { thousands(n) });
    let rows_width = rows.as_deref().map_or(0, text_width);
    match detail {
        Detail::Full => {
            let marker_width = table.columns.iter().map(|c| c.markers().join(" ").len()).max().unwrap_or(0);
            let name_width = table.columns.iter().map(|c| text_width(&c.name)).max().unwrap_or(0).min(MAX_NAME);
            let kind_width = table.columns.iter().map(|c| text_width(&c.kind_label)).max().unwrap_or(0).min(MAX_KIND);
            // `│ PK id  text │`: one space inside each frame side, one after the markers, two
            // between name and kind.
            let line = 2 + marker_width + usize::from(marker_width > 0) + name_width + 2 + kind_width + 2;
            // `┌─ user ─── 2,000 ─┐`
            let title_line = title_width + 5 + if rows_width > 0 { rows_width + 4 } else { 0 };
            BoxContent {
                title: table.name.clone(),
                rows,
                marker_width,
                name_width,
                kind_width,
                width: line.max(title_line),
                height: 2 + table.columns.len().max(1),
            }
        }
        Detail::Compact => {
            // `│ user  2,000 │`
            let line = 2 + title_width + if rows_width > 0 { rows_width + 2 } else { 0 } + 2;
            BoxContent {
                title: table.name.clone(),
                rows,
                marker_width: 0,
                name_width: 0,
                kind_width: 0,
                width: line.max(8),
                height: 3,
            }
        }
    }
}

/// `1234567` → `1,234,567`.
pub(crate) use crate::present::group_thousands as thousands;

/// The placement of every box, by table index.
#[derive(Debug, Clone)]
pub(crate) struct Placement {
    pub rects: Vec<Rect>,
    /// The column each box sits in (left to right).
    pub column_of: Vec<usize>,
    pub width: usize,
    pub height: usize,
}

/// Places boxes of the given sizes. `sizes[i]` is (width, height) of table i.
pub(crate) fn place(model: &ErModel, sizes: &[(usize, usize)], detail: Detail) -> Placement {
    let n = model.tables.len();
    let links = links(model);
    let layers = assign_layers(n, &links);
    let isolated: Vec<usize> = (0..n).filter(|&t| links.neighbours[t].is_empty()).collect();
    let layer_count = layers.iter().zip(&links.neighbours).filter(|(_, nb)| !nb.is_empty()).map(|(l, _)| l + 1).max();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); layer_count.unwrap_or(0)];
    for t in 0..n {
        if !links.neighbours[t].is_empty() {
            groups[layers[t]].push(t);
        }
    }
    order_layers(&mut groups, &links, n);
    let gap = row_gap(detail);
    let limit = column_height_limit(sizes, gap);
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for group in &groups {
        columns.extend(split_column(group, sizes, gap, limit));
    }
    let mut isolated_sorted = isolated;
    isolated_sorted.sort_by_key(|&t| std::cmp::Reverse(sizes[t].1));
    columns.extend(split_column(&isolated_sorted, sizes, gap, limit));
    let mut column_of = vec![0; n];
    for (c, column) in columns.iter().enumerate() {
        for &t in column {
            column_of[t] = c;
        }
    }
    let gutters = gutters(&columns, &column_of, &links.edges);
    let mut rects = vec![Rect { x: 0, y: 0, width: 0, height: 0 }; n];
    let mut x = MARGIN + gutter_for_self_loops(&links, detail);
    for (c, column) in columns.iter().enumerate() {
        for &t in column {
            rects[t] = Rect { x, y: 0, width: sizes[t].0, height: sizes[t].1 };
        }
        x += column.iter().map(|&t| sizes[t].0).max().unwrap_or(0) + gutters.get(c).copied().unwrap_or(0);
    }
    // Left to right, each box as level as it can be with the boxes it relates to that are
    // already placed; then columns that had nothing placed to follow (the roots) are placed
    // again, level with their children.
    let mut placed = vec![false; n];
    let mut again = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let followed = place_column(column, &mut rects, &placed, &links, gap);
        if !followed {
            again.push(c);
        }
        for &t in column {
            placed[t] = true;
        }
    }
    for c in again {
        place_column(&columns[c], &mut rects, &placed, &links, gap);
    }
    let height = rects.iter().map(Rect::bottom).max().unwrap_or(0) + MARGIN + 1;
    let width = x + MARGIN + gutter_for_self_loops(&links, detail);
    Placement { rects, column_of, width, height }
}

/// Stacks one column's boxes top to bottom, each as near as the stack allows to the average
/// height of its placed neighbours. Returns whether any box had a neighbour to follow.
fn place_column(column: &[usize], rects: &mut [Rect], placed: &[bool], links: &Links, gap: usize) -> bool {
    let top = MARGIN + 1;
    let centre = |r: &Rect| r.y as f64 + r.height as f64 / 2.0;
    let mut wanted: Vec<(Option<f64>, usize)> = column
        .iter()
        .map(|&t| {
            let near: Vec<f64> =
                links.neighbours[t].iter().filter(|&&o| placed[o] && o != t).map(|&o| centre(&rects[o])).collect();
            let desired =
                (!near.is_empty()).then(|| near.iter().sum::<f64>() / near.len() as f64 - rects[t].height as f64 / 2.0);
            (desired, t)
        })
        .collect();
    let followed = wanted.iter().any(|(d, _)| d.is_some());
    if followed {
        // Keep the crossing-reducing order, but let boxes that want to be higher go first.
        let mut last = f64::MIN;
        for entry in &mut wanted {
            let d = entry.0.unwrap_or(last).max(last);
            last = d;
            entry.0 = Some(d);
        }
    }
    let mut y = top;
    let mut shifts = Vec::new();
    for (desired, t) in &wanted {
        let want = desired.map_or(y, |d| d.round().max(0.0) as usize);
        let at = y.max(want);
        rects[*t].y = at;
        shifts.push(at.saturating_sub(want));
        y = at + rects[*t].height + gap;
    }
    // Boxes pushed down by the ones above them: lift the whole stack half-way back, as far
    // as the top allows, so the column straddles its neighbours instead of hanging below.
    let lift = (shifts.iter().sum::<usize>() / shifts.len().max(1) / 2)
        .min(wanted.first().map_or(0, |(_, t)| rects[*t].y.saturating_sub(top)));
    for (_, t) in &wanted {
        rects[*t].y -= lift;
    }
    followed
}

/// Rows between stacked boxes: room for a line to pass (and, compact, for a port stub too).
pub(crate) fn row_gap(detail: Detail) -> usize {
    match detail {
        Detail::Full => 2,
        Detail::Compact => 3,
    }
}

/// Extra room at the sides when a table points at itself and its loop may go around the edge.
fn gutter_for_self_loops(links: &Links, detail: Detail) -> usize {
    usize::from(links.self_loops && detail == Detail::Full) * 2
}

/// The relation graph between table indexes, self references left out.
struct Links {
    /// (child, parent) pairs, deduplicated.
    edges: Vec<(usize, usize)>,
    parents: Vec<Vec<usize>>,
    neighbours: Vec<Vec<usize>>,
    self_loops: bool,
}

fn links(model: &ErModel) -> Links {
    let n = model.tables.len();
    let mut links =
        Links { edges: Vec::new(), parents: vec![Vec::new(); n], neighbours: vec![Vec::new(); n], self_loops: false };
    for relation in &model.relations {
        let (Some(child), Some(parent)) =
            (model.table_index(&relation.from_table), model.table_index(&relation.to_table))
        else {
            continue;
        };
        if child == parent {
            links.self_loops = true;
            continue;
        }
        if !links.edges.contains(&(child, parent)) {
            links.edges.push((child, parent));
            links.parents[child].push(parent);
            links.neighbours[child].push(parent);
            links.neighbours[parent].push(child);
        }
    }
    links
}

/// Longest-path layers (a table one right of its deepest parent), cycles broken where the
/// depth-first walk meets them. Tables without parents then move right to sit just left of
/// their nearest child, so a lookup table is not stranded far from the table that uses it.
fn assign_layers(n: usize, links: &Links) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Visiting,
        Done,
    }
    fn visit(t: usize, links: &Links, state: &mut [State], layer: &mut [usize]) -> Option<usize> {
        match state[t] {
            State::Done => return Some(layer[t]),
            State::Visiting => return None,
            State::New => {}
        }
        state[t] = State::Visiting;
        let mut depth = 0;
        for &p in &links.parents[t] {
            if let Some(parent_layer) = visit(p, links, state, layer) {
                depth = depth.max(parent_layer + 1);
            }
        }
        state[t] = State::Done;
        layer[t] = depth;
        Some(depth)
    }
    let mut state = vec![State::New; n];
    let mut layer = vec![0; n];
    for t in 0..n {
        visit(t, links, &mut state, &mut layer);
    }
    for t in 0..n {
        if links.parents[t].is_empty() {
            let nearest_child = links.edges.iter().filter(|(_, p)| *p == t).map(|(c, _)| layer[*c]).min().unwrap_or(0);
            layer[t] = layer[t].max(nearest_child.saturating_sub(1));
        }
    }
    layer
}

/// Barycentre ordering: a few sweeps that move each table towards the average position of the
/// tables it relates to, which keeps related tables close and lines short and uncrossed.
fn order_layers(groups: &mut [Vec<usize>], links: &Links, n: usize) {
    let mut position = vec![0.0f64; n];
    let update = |groups: &[Vec<usize>], position: &mut [f64]| {
        for group in groups {
            let len = group.len().max(1) as f64;
            for (i, &t) in group.iter().enumerate() {
                position[t] = (i as f64 + 0.5) / len;
            }
        }
    };
    update(groups, &mut position);
    for sweep in 0..8 {
        let indexes: Vec<usize> =
            if sweep % 2 == 0 { (0..groups.len()).collect() } else { (0..groups.len()).rev().collect() };
        for g in indexes {
            let keyed: Vec<(f64, usize)> = groups[g]
                .iter()
                .map(|&t| {
                    let nb = &links.neighbours[t];
                    let key = if nb.is_empty() {
                        position[t]
                    } else {
                        nb.iter().map(|&o| position[o]).sum::<f64>() / nb.len() as f64
                    };
                    (key, t)
                })
                .collect();
            let mut sorted = keyed;
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            groups[g] = sorted.into_iter().map(|(_, t)| t).collect();
            update(groups, &mut position);
        }
    }
}

/// The tallest a column may grow before a layer is split: about a third of the drawing's
/// width, so the whole reads like a landscape page rather than a long strip.
fn column_height_limit(sizes: &[(usize, usize)], gap: usize) -> usize {
    let area: usize = sizes.iter().map(|(w, h)| (w + BASE_GUTTER) * (h + gap)).sum();
    let tallest = sizes.iter().map(|(_, h)| *h).max().unwrap_or(0);
    let target = ((area as f64 / 3.0).sqrt() * 1.4) as usize;
    target.max(tallest)
}

/// Splits a layer into columns no taller than `limit`, keeping its order, evenly filled.
fn split_column(group: &[usize], sizes: &[(usize, usize)], gap: usize, limit: usize) -> Vec<Vec<usize>> {
    if group.is_empty() {
        return Vec::new();
    }
    let total: usize = group.iter().map(|&t| sizes[t].1 + gap).sum();
    let parts = total.div_ceil(limit + gap).max(1);
    let per_part = total.div_ceil(parts);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new()];
    let mut height = 0;
    for &t in group {
        let h = sizes[t].1 + gap;
        // Break when the box would overflow the limit, or sit mostly past an even share.
        if height > 0 && (height + h > limit + gap || height + h / 2 > per_part) {
            columns.push(Vec::new());
            height = 0;
        }
        height += h;
        if let Some(last) = columns.last_mut() {
            last.push(t);
        }
    }
    columns
}

/// Gutter after each column: wider where more lines pass.
fn gutters(columns: &[Vec<usize>], column_of: &[usize], edges: &[(usize, usize)]) -> Vec<usize> {
    (0..columns.len())
        .map(|c| {
            let crossing = edges
                .iter()
                .filter(|(a, b)| {
                    let (lo, hi) = (column_of[*a].min(column_of[*b]), column_of[*a].max(column_of[*b]));
                    lo <= c && c < hi
                })
                .count();
            (BASE_GUTTER + GUTTER_PER_LINE * crossing).min(MAX_GUTTER)
        })
        .collect()
}
