//! Orthogonal line routing between boxes: a shortest-path search (A*) over the canvas cells
//! outside the boxes, where turns, crossings and running along another line cost extra.
//!
//! All lines into one parent key form a "net" (a tree): the first line reaches the parent's
//! port, later ones stop as soon as they meet that tree, so `user.id` gets one trunk with
//! branches instead of a fan of parallel lines. Lines of different nets may cross at right
//! angles but never share a stretch or a turn, so every line can be followed by eye.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::canvas::Rect;

/// A direction on the canvas, also used as a bit in a cell's line mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Up = 0,
    Down = 1,
    Left = 2,
    Right = 3,
}

impl Dir {
    pub const ALL: [Dir; 4] = [Dir::Up, Dir::Down, Dir::Left, Dir::Right];

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    pub fn opposite(self) -> Dir {
        match self {
            Dir::Up => Dir::Down,
            Dir::Down => Dir::Up,
            Dir::Left => Dir::Right,
            Dir::Right => Dir::Left,
        }
    }

    pub fn is_vertical(self) -> bool {
        matches!(self, Dir::Up | Dir::Down)
    }
}

pub(crate) const VERTICAL: u8 = 0b0011;
pub(crate) const HORIZONTAL: u8 = 0b1100;

/// Where a line leaves or enters a box: the frame cell, and the cell just outside it (the
/// "stub", which shows the cardinality mark), facing `outward`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Port {
    pub border: (usize, usize),
    pub stub: (usize, usize),
    pub outward: Dir,
}

/// One line to route.
pub(crate) struct EdgeRequest {
    /// All lines into the same parent key share a net.
    pub net: usize,
    pub declared: bool,
    /// Candidate ports on the child box, each with a starting cost (facing sides are cheaper).
    pub child_ports: Vec<(Port, u32)>,
    /// Candidate ports on the parent box, used by the first line of a net, each with an
    /// arrival cost (facing sides are cheaper).
    pub parent_ports: Vec<(Port, u32)>,
    /// The parent's box, to aim the search.
    pub target: Rect,
}

/// A routed line.
#[derive(Debug, Clone)]
pub(crate) struct Routed {
    pub from: Port,
    /// The net's port on the parent box.
    pub to: Port,
    /// Cells from the child's stub to the parent's stub or to the cell where the line meets
    /// its net.
    pub cells: Vec<(usize, usize)>,
}

/// How one net uses one cell.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CellUse {
    pub net: usize,
    pub mask: u8,
    pub declared: bool,
}

const STEP: u32 = 2;
const BEND: u32 = 5;
const CROSSING: u32 = 12;
const OVERLAP: u32 = 400;
const NEAR_BOX: u32 = 3;
const RESERVED: u32 = 60;

/// The routing grid and what has been drawn on it so far.
pub(crate) struct Router {
    width: usize,
    height: usize,
    blocked: Vec<bool>,
    near_box: Vec<bool>,
    reserved: Vec<bool>,
    /// Stubs in use: they show a cardinality mark, so no line may pass or join there.
    marks: Vec<bool>,
    pub uses: Vec<Vec<CellUse>>,
    net_port: Vec<Option<Port>>,
}

impl Router {
    /// A grid of `width` × `height` with boxes as obstacles; `reserved` cells (future port
    /// stubs) are avoided by lines that do not need them.
    pub fn new(width: usize, height: usize, boxes: &[Rect], reserved: &[(usize, usize)], nets: usize) -> Router {
        let mut blocked = vec![false; width * height];
        let mut near_box = vec![false; width * height];
        for rect in boxes {
            for y in rect.y.saturating_sub(1)..(rect.bottom() + 1).min(height) {
                for x in rect.x.saturating_sub(1)..(rect.right() + 1).min(width) {
                    if rect.contains(x, y) {
                        blocked[y * width + x] = true;
                    } else {
                        near_box[y * width + x] = true;
                    }
                }
            }
        }
        let mut reserved_grid = vec![false; width * height];
        for &(x, y) in reserved {
            if x < width && y < height {
                reserved_grid[y * width + x] = true;
            }
        }
        Router {
            width,
            height,
            blocked,
            near_box,
            reserved: reserved_grid,
            marks: vec![false; width * height],
            uses: vec![Vec::new(); width * height],
            net_port: vec![None; nets],
        }
    }

    fn index(&self, (x, y): (usize, usize)) -> usize {
        y * self.width + x
    }

    fn step(&self, cell: usize, dir: Dir) -> Option<usize> {
        let (x, y) = (cell % self.width, cell / self.width);
        let next = match dir {
            Dir::Up => (x, y.checked_sub(1)?),
            Dir::Down => (x, y + 1),
            Dir::Left => (x.checked_sub(1)?, y),
            Dir::Right => (x + 1, y),
        };
        (next.0 < self.width && next.1 < self.height).then(|| self.index(next))
    }

    /// The union of the masks other nets leave on a cell.
    fn others_mask(&self, cell: usize, net: usize) -> u8 {
        self.uses[cell].iter().filter(|u| u.net != net).fold(0, |mask, u| mask | u.mask)
    }

    fn owns(&self, cell: usize, net: usize) -> bool {
        self.uses[cell].iter().any(|u| u.net == net)
    }

    /// Cost of stepping into `cell` moving `dir`, or `None` when it is impossible.
    fn enter_cost(&self, cell: usize, dir: Dir, net: usize) -> Option<u32> {
        if self.blocked[cell] {
            return None;
        }
        let mut cost = STEP;
        if self.marks[cell] {
            cost += OVERLAP;
        }
        let others = self.others_mask(cell, net);
        if others != 0 {
            let crosses = if dir.is_vertical() { others & VERTICAL == 0 } else { others & HORIZONTAL == 0 };
            cost += if crosses { CROSSING } else { OVERLAP };
        }
        if self.near_box[cell] {
            cost += NEAR_BOX;
        }
        if self.reserved[cell] {
            cost += RESERVED;
        }
        Some(cost)
    }

    /// Routes one line and records it on the grid. `None` only when no path exists at all.
    pub fn route(&mut self, request: &EdgeRequest) -> Option<Routed> {
        // Cell states, then one final state per parent port: arriving at a port's stub costs
        // the port's own cost too, so the search prefers ports that face the child.
        let states = self.width * self.height * 4;
        let mut dist = vec![u32::MAX; states + request.parent_ports.len()];
        let mut prev = vec![usize::MAX; states + request.parent_ports.len()];
        let mut heap = BinaryHeap::new();
        let net = request.net;
        let net_port = self.net_port[net];
        let parent_stubs: Vec<(usize, Dir)> = match net_port {
            Some(_) => Vec::new(),
            None => request.parent_ports.iter().map(|(p, _)| (self.index(p.stub), p.outward.opposite())).collect(),
        };
        let start_cells: Vec<usize> = request.child_ports.iter().map(|(p, _)| self.index(p.stub)).collect();
        for (port, extra) in &request.child_ports {
            let cell = self.index(port.stub);
            let Some(cost) = self.enter_cost(cell, port.outward, net) else { continue };
            let state = cell * 4 + port.outward as usize;
            if cost + extra < dist[state] {
                dist[state] = cost + extra;
                heap.push(Reverse((cost + extra + self.estimate(cell, request.target), state)));
            }
        }
        let mut goal = None;
        while let Some(Reverse((f, state))) = heap.pop() {
            if state >= states {
                goal = Some(prev[state]);
                break;
            }
            let (cell, dir) = (state / 4, Dir::ALL[state % 4]);
            let g = dist[state];
            if f > g + self.estimate(cell, request.target) {
                continue;
            }
            let is_start = start_cells.contains(&cell) && prev[state] == usize::MAX;
            let joins_net =
                net_port.is_some() && !self.marks[cell] && self.owns(cell, net) && self.others_mask(cell, net) == 0;
            if joins_net {
                goal = Some(state);
                break;
            }
            if let Some(k) = parent_stubs.iter().position(|stub| *stub == (cell, dir)) {
                let total = g + request.parent_ports[k].1;
                if total < dist[states + k] {
                    dist[states + k] = total;
                    prev[states + k] = state;
                    heap.push(Reverse((total, states + k)));
                }
                continue;
            }
            // A line never turns on a stub (the mark must sit on a straight piece) nor where
            // it crosses another line (a turn there would read as a junction).
            let straight_only =
                is_start || parent_stubs.iter().any(|(c, _)| *c == cell) || self.others_mask(cell, net) != 0;
            for next_dir in Dir::ALL {
                if next_dir == dir.opposite() || (straight_only && next_dir != dir) {
                    continue;
                }
                let Some(next) = self.step(cell, next_dir) else { continue };
                let Some(cost) = self.enter_cost(next, next_dir, net) else { continue };
                let cost = g + cost + if next_dir == dir { 0 } else { BEND };
                let next_state = next * 4 + next_dir as usize;
                if cost < dist[next_state] {
                    dist[next_state] = cost;
                    prev[next_state] = state;
                    heap.push(Reverse((cost + self.estimate(next, request.target), next_state)));
                }
            }
        }
        let goal = goal?;
        let mut path = vec![goal];
        while let Some(&before) = path.last().map(|s| &prev[*s]) {
            if before == usize::MAX {
                break;
            }
            path.push(before);
        }
        path.reverse();
        let cells: Vec<usize> = path.iter().map(|s| s / 4).collect();
        let from = request.child_ports.iter().map(|(p, _)| *p).find(|p| self.index(p.stub) == cells[0])?;
        let last = cells[cells.len() - 1];
        let to = match net_port {
            Some(port) => port,
            None => request.parent_ports.iter().map(|(p, _)| *p).find(|p| self.index(p.stub) == last)?,
        };
        self.net_port[net] = Some(to);
        self.record(&cells, net, request.declared, from, (net_port.is_none()).then_some(to));
        Some(Routed { from, to, cells: cells.iter().map(|&c| (c % self.width, c / self.width)).collect() })
    }

    /// Twice the Manhattan distance to the ring around the target box.
    fn estimate(&self, cell: usize, target: Rect) -> u32 {
        let (x, y) = (cell % self.width, cell / self.width);
        let dx = (target.x.saturating_sub(1)).saturating_sub(x) + x.saturating_sub(target.right());
        let dy = (target.y.saturating_sub(1)).saturating_sub(y) + y.saturating_sub(target.bottom());
        STEP * (dx + dy) as u32
    }

    /// Adds the line's direction bits to each cell it passes.
    fn record(&mut self, cells: &[usize], net: usize, declared: bool, from: Port, to: Option<Port>) {
        self.marks[cells[0]] = true;
        if to.is_some()
            && let Some(&last) = cells.last()
        {
            self.marks[last] = true;
        }
        let mut masks = vec![0u8; cells.len()];
        masks[0] |= from.outward.opposite().bit();
        for i in 1..cells.len() {
            let dir = direction(cells[i - 1], cells[i], self.width);
            masks[i - 1] |= dir.bit();
            masks[i] |= dir.opposite().bit();
        }
        if let (Some(port), Some(last)) = (to, masks.last_mut()) {
            *last |= port.outward.opposite().bit();
        }
        for (cell, mask) in cells.iter().zip(masks) {
            match self.uses[*cell].iter_mut().find(|u| u.net == net) {
                Some(existing) => {
                    existing.mask |= mask;
                    existing.declared |= declared;
                }
                None => self.uses[*cell].push(CellUse { net, mask, declared }),
            }
        }
    }
}

fn direction(from: usize, to: usize, width: usize) -> Dir {
    if to + width == from {
        Dir::Up
    } else if to == from + width {
        Dir::Down
    } else if to + 1 == from {
        Dir::Left
    } else {
        Dir::Right
    }
}
