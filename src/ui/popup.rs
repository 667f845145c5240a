//! The one popup frame: a titled box centred on the screen and clamped to it, its keys on the
//! bottom edge, and text that wraps and scrolls with an indicator of where the view is. Every
//! popup, form, confirmation and overlay is drawn in it, so they look and behave alike.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::theme;

/// Where popups go: the screen above the status and hint lines (at 80x24 a confirmation's
/// bottom border covered the status line), or the whole screen when it is too short to spare
/// them.
pub fn screen(frame: &Frame) -> Rect {
    let area = frame.area();
    if area.height < 8 {
        return area;
    }
    Rect { height: area.height - 2, ..area }
}

/// A `width` × `height` box centred in `screen`, never larger than it.
pub fn centered(screen: Rect, width: u16, height: u16) -> Rect {
    let [vertical] = Layout::vertical([Constraint::Length(height.min(screen.height))]).flex(Flex::Center).areas(screen);
    let [area] = Layout::horizontal([Constraint::Length(width.min(screen.width))]).flex(Flex::Center).areas(vertical);
    area
}

/// The bordered frame with its title (a bare string gets a space either side).
pub fn block<'a>(title: impl Into<Line<'a>>) -> Block<'a> {
    Block::bordered().border_type(BorderType::Rounded).border_style(theme::popup_border()).title(title)
}

/// `block` with its keys on the bottom edge, styled as keys.
pub fn with_keys<'a>(block: Block<'a>, keys: &str, style: Style) -> Block<'a> {
    if keys.is_empty() {
        return block;
    }
    block.title_bottom(Line::styled(format!(" {keys} "), style))
}

/// Clears `area`, draws `block` on it and returns the area inside.
pub fn open(frame: &mut Frame, area: Rect, block: Block) -> Rect {
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Rows the keys take inside a popup `width` wide: none when they fit on its bottom edge.
pub fn keys_rows(keys: &str, width: u16) -> u16 {
    if keys.is_empty() || crate::app::layout::text_width(keys) + 4 <= width {
        return 0;
    }
    wrapped_height(&[Line::raw(keys)], width.saturating_sub(2))
}

/// Opens a `width` × `height` popup (borders included, centred, clamped to the screen) for
/// `block`. Its keys go on the bottom edge when they fit there; otherwise they wrap on rows of
/// their own at the bottom inside, the popup growing by those rows, so no key is cut. Returns
/// the area left for the content.
pub fn open_with_keys(frame: &mut Frame, width: u16, height: u16, block: Block, keys: &str, style: Style) -> Rect {
    let screen = screen(frame);
    let width = width.min(screen.width);
    let rows = keys_rows(keys, width);
    if rows == 0 {
        return open(frame, centered(screen, width, height), with_keys(block, keys, style));
    }
    let inner = open(frame, centered(screen, width, height.saturating_add(rows)), block);
    let [content, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(rows)]).areas(inner);
    frame.render_widget(Paragraph::new(Line::styled(keys.to_string(), style)).wrap(Wrap { trim: false }), bottom);
    content
}

/// Rows `lines` take once wrapped at `width` cells, counted the way the paragraph wraps them:
/// at spaces, a word longer than the room being cut.
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let rows: usize = lines.iter().map(|line| text_rows(&line.to_string(), usize::from(width.max(1)))).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// Rows one line of text takes wrapped greedily at spaces in `width` cells.
fn text_rows(text: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    for (i, word) in text.split(' ').enumerate() {
        let cells = usize::from(crate::app::layout::text_width(word));
        let gap = usize::from(i > 0);
        if used + gap + cells <= width {
            used += gap + cells;
            continue;
        }
        if used > 0 {
            rows += 1;
        }
        // A word wider than the row is cut across rows.
        rows += cells.saturating_sub(1) / width;
        used = match cells % width {
            0 if cells > 0 => width,
            rest => rest,
        };
    }
    rows
}

/// ` ↑↓ 3-12 of 40 `: where the view is, when `total` rows do not fit in `visible`.
pub fn position(scroll: u16, visible: u16, total: u16) -> Option<String> {
    (total > visible).then(|| {
        let top = scroll.saturating_add(1);
        let bottom = scroll.saturating_add(visible).min(total);
        format!(" ↑↓ {top}-{bottom} of {total} ")
    })
}

/// The last scroll position of `total` rows in `visible` ones: the last row at the bottom.
pub fn last_scroll(visible: u16, total: u16) -> u16 {
    total.saturating_sub(visible)
}

/// Wrapped text in `area`, scrolled (no further than its last row at the bottom), with the
/// position on `block`'s bottom right when it does not fit.
pub fn scrolled_text(frame: &mut Frame, area: Rect, block: Block, lines: Vec<Line>, scroll: u16) {
    let inner = block.inner(area);
    let total = wrapped_height(&lines, inner.width);
    let scroll = scroll.min(last_scroll(inner.height, total));
    let block = match position(scroll, inner.height, total) {
        Some(at) => block.title_bottom(Line::styled(at, theme::dim()).right_aligned()),
        None => block,
    };
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block).scroll((scroll, 0)), area);
}
