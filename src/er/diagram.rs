//! The laid-out diagram: boxes placed, lines routed, everything painted on a canvas. A pure
//! function of the model, so the TUI can lay it out again when the detail level changes.

use super::canvas::{Canvas, CellStyle, Rect, fit};
use super::layout::{BoxContent, Detail, measure, place};
use super::model::{ErModel, ErTable};
use super::route::{Dir, EdgeRequest, HORIZONTAL, Port, Router, VERTICAL};
use crate::db::relations::Cardinality;

/// Input of [`layout_er`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LayoutOptions {
    pub detail: Detail,
}

/// A table's box on the canvas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedBox {
    pub table: String,
    pub rect: Rect,
    /// The canvas line of each column, in column order (empty in compact detail).
    pub column_lines: Vec<usize>,
}

/// A drawn relation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgePath {
    /// Index into [`ErModel::relations`].
    pub relation: usize,
    /// Frame cell of the child (referencing) box where the line starts.
    pub from_port: (usize, usize),
    /// Frame cell of the parent box where its key's lines arrive.
    pub to_port: (usize, usize),
    /// The line's cells outside the boxes, from the child's side. The last cell is next to
    /// `to_port`, or on an earlier line into the same parent key that this one joins.
    pub cells: Vec<(usize, usize)>,
}

/// Which way to move the selection between boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Left,
    Right,
}

/// The whole drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErDiagram {
    pub canvas: Canvas,
    /// One per table, in the model's table order.
    pub boxes: Vec<PlacedBox>,
    pub edges: Vec<EdgePath>,
    /// Relations that could not be drawn (never expected; listed by the text renderer).
    pub undrawn: Vec<usize>,
    pub detail: Detail,
}

impl ErDiagram {
    /// The box under a canvas cell (a mouse click, a cursor).
    pub fn box_at(&self, x: usize, y: usize) -> Option<usize> {
        self.boxes.iter().position(|b| b.rect.contains(x, y))
    }

    /// The box of a table.
    pub fn box_of(&self, table: &str) -> Option<usize> {
        self.boxes.iter().position(|b| b.table == table)
    }

    /// The lines into or out of a table's box, to highlight the selected table's relations.
    pub fn edges_touching<'a>(&'a self, model: &'a ErModel, table: &'a str) -> impl Iterator<Item = &'a EdgePath> {
        self.edges.iter().filter(move |edge| {
            model.relations.get(edge.relation).is_some_and(|r| r.from_table == table || r.to_table == table)
        })
    }

    /// The nearest box from `from` in a direction, for arrow-key selection.
    pub fn neighbour(&self, from: usize, direction: Direction) -> Option<usize> {
        let centre = |r: &Rect| ((r.x + r.width / 2) as i64, (r.y + r.height / 2) as i64);
        let here = self.boxes.get(from)?.rect;
        let (cx, cy) = centre(&here);
        self.boxes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != from)
            .filter_map(|(i, b)| {
                let (x, y) = centre(&b.rect);
                // Terminal cells are about twice as tall as wide: weigh rows double.
                let (along, across) = match direction {
                    Direction::Up if b.rect.bottom() <= here.y => (cy - y, (x - cx).abs()),
                    Direction::Down if b.rect.y >= here.bottom() => (y - cy, (x - cx).abs()),
                    Direction::Left if b.rect.right() <= here.x => (cx - x, (y - cy).abs() * 2),
                    Direction::Right if b.rect.x >= here.right() => (x - cx, (y - cy).abs() * 2),
                    _ => return None,
                };
                Some((along + 2 * across, i))
            })
            .min()
            .map(|(_, i)| i)
    }
}

/// Lays out and paints the diagram.
pub fn layout_er(model: &ErModel, options: &LayoutOptions) -> ErDiagram {
    let detail = options.detail;
    let contents: Vec<BoxContent> = model.tables.iter().map(|t| measure(t, detail)).collect();
    let sizes: Vec<(usize, usize)> = contents.iter().map(|c| (c.width, c.height)).collect();
    let placement = place(model, &sizes, detail);
    let mut canvas = Canvas::new(placement.width, placement.height);
    let boxes: Vec<PlacedBox> = model
        .tables
        .iter()
        .zip(&contents)
        .zip(&placement.rects)
        .map(|((table, content), rect)| {
            paint_box(&mut canvas, table, content, *rect, detail);
            let column_lines = match detail {
                Detail::Full => (0..table.columns.len()).map(|i| rect.y + 1 + i).collect(),
                Detail::Compact => Vec::new(),
            };
            PlacedBox { table: table.name.clone(), rect: *rect, column_lines }
        })
        .collect();
    let (edges, undrawn) = route_edges(model, &boxes, &placement.column_of, &mut canvas, detail);
    ErDiagram { canvas, boxes, edges, undrawn, detail }
}

fn paint_box(canvas: &mut Canvas, table: &ErTable, content: &BoxContent, rect: Rect, detail: Detail) {
    let (x0, y0, w) = (rect.x, rect.y, rect.width);
    let right = x0 + w - 1;
    let bottom = y0 + rect.height - 1;
    for x in x0..=right {
        canvas.set(x, y0, '─', CellStyle::Border);
        canvas.set(x, bottom, '─', CellStyle::Border);
    }
    for y in y0..=bottom {
        canvas.set(x0, y, '│', CellStyle::Border);
        canvas.set(right, y, '│', CellStyle::Border);
    }
    canvas.set(x0, y0, '┌', CellStyle::Border);
    canvas.set(right, y0, '┐', CellStyle::Border);
    canvas.set(x0, bottom, '└', CellStyle::Border);
    canvas.set(right, bottom, '┘', CellStyle::Border);
    let rows_width = content.rows.as_deref().map_or(0, super::canvas::text_width);
    match detail {
        Detail::Full => {
            // `┌─ user ───── 2,000 ─┐`
            let room = w.saturating_sub(5 + if rows_width > 0 { rows_width + 4 } else { 0 });
            canvas.set(x0 + 2, y0, ' ', CellStyle::Border);
            let used = canvas.put_str(x0 + 3, y0, &content.title, CellStyle::Title, room);
            canvas.set(x0 + 3 + used, y0, ' ', CellStyle::Border);
            if let Some(rows) = &content.rows {
                let at = right - 2 - rows_width;
                canvas.set(at - 1, y0, ' ', CellStyle::Border);
                canvas.put_str(at, y0, rows, CellStyle::RowCount, rows_width);
                canvas.set(at + rows_width, y0, ' ', CellStyle::Border);
            }
            for (i, column) in table.columns.iter().enumerate() {
                let y = y0 + 1 + i;
                let mut x = x0 + 2;
                for marker in column.markers() {
                    let style = match marker {
                        "PK" => CellStyle::Pk,
                        "FK" => CellStyle::Fk,
                        "fk" => CellStyle::FkInferred,
                        _ => CellStyle::Uk,
                    };
                    x += canvas.put_str(x, y, marker, style, 2) + 1;
                }
                let name_x = x0 + 2 + content.marker_width + usize::from(content.marker_width > 0);
                let name = fit(&column.name, content.name_width);
                canvas.put_str(name_x, y, &name, CellStyle::ColumnName, content.name_width);
                canvas.put_str(
                    name_x + content.name_width + 2,
                    y,
                    &column.kind_label,
                    CellStyle::ColumnKind,
                    content.kind_width,
                );
            }
        }
        Detail::Compact => {
            let room = w.saturating_sub(4 + if rows_width > 0 { rows_width + 2 } else { 0 });
            canvas.put_str(x0 + 2, y0 + 1, &content.title, CellStyle::Title, room);
            if let Some(rows) = &content.rows {
                canvas.put_str(right - 1 - rows_width, y0 + 1, rows, CellStyle::RowCount, rows_width);
            }
        }
    }
}

/// The ports a box offers for a line at a column's line (full) or anywhere on its frame
/// (compact), each with a starting cost that favours facing `towards`.
fn ports(rect: Rect, line: Option<usize>, towards: Rect, detail: Detail) -> Vec<(Port, u32)> {
    let facing_right = towards.x + towards.width / 2 >= rect.x + rect.width / 2;
    let facing_down = towards.y + towards.height / 2 > rect.bottom();
    let facing_up = towards.bottom() < rect.y;
    let side_cost = |outward: Dir| -> u32 {
        match outward {
            Dir::Right if facing_right => 0,
            Dir::Left if !facing_right => 0,
            Dir::Down if facing_down => 6,
            Dir::Up if facing_up => 6,
            Dir::Left | Dir::Right => 10,
            Dir::Up | Dir::Down => 14,
        }
    };
    let side = |y: usize, outward: Dir| -> Port {
        match outward {
            Dir::Left => Port { border: (rect.x, y), stub: (rect.x - 1, y), outward },
            _ => Port { border: (rect.right() - 1, y), stub: (rect.right(), y), outward },
        }
    };
    let mut ports = Vec::new();
    match (detail, line) {
        (Detail::Full, Some(y)) => {
            for outward in [Dir::Left, Dir::Right] {
                ports.push((side(y, outward), side_cost(outward)));
            }
        }
        _ => {
            for y in rect.y + 1..rect.bottom() - 1 {
                for outward in [Dir::Left, Dir::Right] {
                    ports.push((side(y, outward), side_cost(outward)));
                }
            }
            for x in rect.x + 1..rect.right() - 1 {
                let up = Port { border: (x, rect.y), stub: (x, rect.y - 1), outward: Dir::Up };
                let down = Port { border: (x, rect.bottom() - 1), stub: (x, rect.bottom()), outward: Dir::Down };
                ports.push((up, side_cost(Dir::Up)));
                ports.push((down, side_cost(Dir::Down)));
            }
        }
    }
    ports
}

fn route_edges(
    model: &ErModel,
    boxes: &[PlacedBox],
    column_of: &[usize],
    canvas: &mut Canvas,
    detail: Detail,
) -> (Vec<EdgePath>, Vec<usize>) {
    let mut nets: Vec<(usize, Vec<String>)> = Vec::new();
    let mut requests = Vec::new();
    for (index, relation) in model.relations.iter().enumerate() {
        let (Some(child), Some(parent)) =
            (model.table_index(&relation.from_table), model.table_index(&relation.to_table))
        else {
            continue;
        };
        let net_key = (parent, relation.to_columns.clone());
        let net = nets.iter().position(|k| *k == net_key).unwrap_or_else(|| {
            nets.push(net_key);
            nets.len() - 1
        });
        let line_of = |table: usize, column: Option<&String>| -> Option<usize> {
            let position = model.tables[table].columns.iter().position(|c| Some(&c.name) == column)?;
            boxes[table].column_lines.get(position).copied()
        };
        let (child_rect, parent_rect) = (boxes[child].rect, boxes[parent].rect);
        let request = EdgeRequest {
            net,
            declared: !relation.origin.is_inferred(),
            child_ports: ports(child_rect, line_of(child, relation.from_columns.first()), parent_rect, detail),
            parent_ports: ports(parent_rect, line_of(parent, relation.to_columns.first()), child_rect, detail),
            target: parent_rect,
        };
        let span = column_of[child].abs_diff(column_of[parent]);
        requests.push((index, span, request));
    }
    // Declared lines first (they own the trunks), short ones before long ones.
    requests.sort_by_key(|(index, span, request)| (!request.declared, *span, *index));
    let reserved: Vec<(usize, usize)> = match detail {
        Detail::Full => requests
            .iter()
            .flat_map(|(_, _, r)| {
                r.child_ports.iter().map(|(p, _)| p.stub).chain(r.parent_ports.iter().map(|(p, _)| p.stub))
            })
            .collect(),
        Detail::Compact => Vec::new(),
    };
    let rects: Vec<Rect> = boxes.iter().map(|b| b.rect).collect();
    let mut router = Router::new(canvas.width(), canvas.height(), &rects, &reserved, nets.len());
    let mut edges = Vec::new();
    let mut undrawn = Vec::new();
    let mut marks = Vec::new();
    for (index, _, request) in &requests {
        match router.route(request) {
            Some(routed) => {
                let child_mark = match model.relations[*index].cardinality {
                    Cardinality::OneToMany => '*',
                    Cardinality::OneToOne => '1',
                };
                marks.push((routed.from, child_mark));
                marks.push((routed.to, '1'));
                edges.push(EdgePath {
                    relation: *index,
                    from_port: routed.from.border,
                    to_port: routed.to.border,
                    cells: routed.cells,
                });
            }
            None => undrawn.push(*index),
        }
    }
    paint_lines(canvas, &router);
    for (port, mark) in marks {
        paint_port(canvas, port, mark);
    }
    (edges, undrawn)
}

/// The frame junction where a line attaches, and the cardinality mark just outside it.
fn paint_port(canvas: &mut Canvas, port: Port, mark: char) {
    let junction = match port.outward {
        Dir::Left => '┤',
        Dir::Right => '├',
        Dir::Up => '┴',
        Dir::Down => '┬',
    };
    canvas.set(port.border.0, port.border.1, junction, CellStyle::Border);
    canvas.set(port.stub.0, port.stub.1, mark, CellStyle::Cardinality);
}

fn paint_lines(canvas: &mut Canvas, router: &Router) {
    for y in 0..canvas.height() {
        for x in 0..canvas.width() {
            let uses = &router.uses[y * canvas.width() + x];
            if uses.is_empty() {
                continue;
            }
            let mask = uses.iter().fold(0, |m, u| m | u.mask);
            let declared = uses.iter().any(|u| u.declared);
            let style = if declared { CellStyle::EdgeDeclared } else { CellStyle::EdgeInferred };
            canvas.set(x, y, line_glyph(mask, !declared), style);
        }
    }
}

/// The box-drawing character joining the directions in `mask`. Inferred lines are dashed
/// with rounded corners, so they differ even where colour is off.
pub(crate) fn line_glyph(mask: u8, dashed: bool) -> char {
    let (up, down, left, right) = (Dir::Up.bit(), Dir::Down.bit(), Dir::Left.bit(), Dir::Right.bit());
    match mask {
        m if m & HORIZONTAL == 0 => {
            if dashed {
                '┆'
            } else {
                '│'
            }
        }
        m if m & VERTICAL == 0 => {
            if dashed {
                '┄'
            } else {
                '─'
            }
        }
        m if m == down | right => pick(dashed, '╭', '┌'),
        m if m == down | left => pick(dashed, '╮', '┐'),
        m if m == up | right => pick(dashed, '╰', '└'),
        m if m == up | left => pick(dashed, '╯', '┘'),
        m if m == up | down | right => '├',
        m if m == up | down | left => '┤',
        m if m == left | right | down => '┬',
        m if m == left | right | up => '┴',
        _ => '┼',
    }
}

fn pick(dashed: bool, rounded: char, square: char) -> char {
    if dashed { rounded } else { square }
}
