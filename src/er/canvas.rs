//! A character canvas: each cell holds one character and a style tag saying what it is part
//! of, so the TUI can colour it and the text renderer can ignore the tags.

use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What a cell belongs to. The TUI maps each tag to a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CellStyle {
    Blank,
    /// A box's frame.
    Border,
    /// A table's name.
    Title,
    /// A table's row count.
    RowCount,
    /// `PK` marker.
    Pk,
    /// `FK` marker (declared foreign key).
    Fk,
    /// `fk` marker (inferred reference).
    FkInferred,
    /// `UK` marker.
    Uk,
    /// A column's name.
    ColumnName,
    /// A column's kind label.
    ColumnKind,
    /// A line of a declared relation.
    EdgeDeclared,
    /// A line of an inferred relation (dashed).
    EdgeInferred,
    /// `1` / `*` at the ends of a line.
    Cardinality,
}

/// One cell. A double-width character is followed by a cell holding [`Cell::CONTINUATION`],
/// which renderers skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub ch: char,
    pub style: CellStyle,
}

impl Cell {
    /// Marks the right half of a double-width character.
    pub const CONTINUATION: char = '\0';
    const BLANK: Cell = Cell { ch: ' ', style: CellStyle::Blank };
}

/// A run of cells with one style, for drawing a line of the canvas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub style: CellStyle,
}

/// A rectangle of cells; `x + width` and `y + height` are exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

impl Rect {
    pub fn right(&self) -> usize {
        self.x + self.width
    }

    pub fn bottom(&self) -> usize {
        self.y + self.height
    }

    pub fn contains(&self, x: usize, y: usize) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    pub fn intersects(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }

    /// Whether a cell lies on the frame (the outermost ring) of the rectangle.
    pub fn on_border(&self, x: usize, y: usize) -> bool {
        self.contains(x, y) && (x == self.x || y == self.y || x + 1 == self.right() || y + 1 == self.bottom())
    }
}

/// A grid of styled characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canvas {
    width: usize,
    height: usize,
    cells: Vec<Cell>,
}

impl Canvas {
    pub fn new(width: usize, height: usize) -> Canvas {
        Canvas { width, height, cells: vec![Cell::BLANK; width * height] }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn get(&self, x: usize, y: usize) -> Option<Cell> {
        (x < self.width && y < self.height).then(|| self.cells[y * self.width + x])
    }

    /// Sets one cell; cells outside the canvas are ignored.
    pub fn set(&mut self, x: usize, y: usize, ch: char, style: CellStyle) {
        if x < self.width && y < self.height {
            self.cells[y * self.width + x] = Cell { ch, style };
        }
    }

    /// Writes `text` from (x, y), at most `max_width` columns wide; returns the columns used.
    pub fn put_str(&mut self, x: usize, y: usize, text: &str, style: CellStyle, max_width: usize) -> usize {
        let mut used = 0;
        for ch in fit(text, max_width).chars() {
            let width = ch.width().unwrap_or(0);
            if width == 0 {
                continue;
            }
            self.set(x + used, y, ch, style);
            if width == 2 {
                self.set(x + used + 1, y, Cell::CONTINUATION, style);
            }
            used += width;
        }
        used
    }

    /// One line as plain text, trailing spaces trimmed.
    pub fn line_text(&self, y: usize) -> String {
        let mut text: String =
            self.row(y).iter().filter(|cell| cell.ch != Cell::CONTINUATION).map(|cell| cell.ch).collect();
        text.truncate(text.trim_end().len());
        text
    }

    /// The cells of line `y` from column `x`, `width` columns wide, merged into runs of one
    /// style: what a scrolled viewport draws.
    pub fn segments(&self, y: usize, x: usize, width: usize) -> Vec<Segment> {
        let row = self.row(y);
        let end = (x + width).min(row.len());
        let mut segments: Vec<Segment> = Vec::new();
        for (i, cell) in row.iter().enumerate().take(end).skip(x) {
            // A wide character cut in half by the viewport's left edge shows as a space.
            let ch = match cell.ch {
                Cell::CONTINUATION if i == x => ' ',
                Cell::CONTINUATION => continue,
                ch => ch,
            };
            match segments.last_mut() {
                Some(last) if last.style == cell.style => last.text.push(ch),
                _ => segments.push(Segment { text: ch.to_string(), style: cell.style }),
            }
        }
        segments
    }

    fn row(&self, y: usize) -> &[Cell] {
        if y < self.height { &self.cells[y * self.width..(y + 1) * self.width] } else { &[] }
    }
}

/// Display width of a string in terminal columns.
pub fn text_width(text: &str) -> usize {
    text.width()
}

/// `text` cut to `width` columns, ending in `…` when it was cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_cells_and_fit_truncates() {
        let mut canvas = Canvas::new(10, 1);
        assert_eq!(canvas.put_str(0, 0, "表a", CellStyle::Title, 10), 3);
        assert_eq!(canvas.line_text(0), "表a");
        assert_eq!(canvas.segments(0, 1, 2), [Segment { text: " a".into(), style: CellStyle::Title }]);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(text_width(&fit("表表表", 4)), 3);
    }
}
