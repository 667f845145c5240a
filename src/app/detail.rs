//! Scrolling the row detail: line by line, by page, to either end, and with the mouse wheel.
//! The detail's height is measured here as the popup will wrap it, so End lands on the last
//! line and scrolling stops there.

use ratatui::crossterm::event::{MouseEvent, MouseEventKind};

use super::keymap::PAGE;
use super::layout::text_width;
use super::{App, Effect, Overlay};
use crate::db::value::display_full;

/// Lines one wheel notch scrolls.
const WHEEL_LINES: i32 = 3;

/// One screen line of the row detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    /// The column the value belongs to; `None` for a drift note.
    pub column: Option<usize>,
    /// Whether the column's name goes left of this line (its first line only).
    pub label: bool,
    pub text: String,
}

/// `text` cut into lines of at most `width` cells, at spaces where it can, mid-word where a
/// word alone is wider. Always at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_inclusive(' ') {
        if line.width() + word.trim_end().width() > width && !line.is_empty() {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        for cluster in word.graphemes(true) {
            if line.width() + cluster.width() > width && cluster != " " {
                lines.push(std::mem::take(&mut line));
            }
            line.push_str(cluster);
        }
    }
    lines.push(line.trim_end().to_string());
    lines
}

impl App {
    /// The row detail's inner size: the popup is the screen less 3 cells a side and 2 lines top
    /// and bottom, less its border (see `ui::overlays::draw_detail`).
    pub(super) fn detail_inner(&self) -> (u16, u16) {
        (self.width.saturating_sub(8).max(1), self.height.saturating_sub(6).max(1))
    }

    /// The row detail's lines as the popup shows them: each value wrapped to the room right of
    /// the labels, its continuation lines indented under it, and any drift notes above.
    pub fn detail_lines(&self, reveal: bool) -> Vec<DetailLine> {
        let Some(tab) = self.grid_tab() else { return Vec::new() };
        let (Some(meta), Some(row)) = (tab.meta(), tab.window.selected_row()) else { return Vec::new() };
        let inner = usize::from(self.detail_inner().0);
        let mut lines: Vec<DetailLine> = Vec::new();
        // How this table differs from the migrations (issue 17), above its values.
        for difference in self.migrations.drift_of(&tab.name) {
            for text in wrap(&format!("drift: {}", difference.describe()), inner) {
                lines.push(DetailLine { column: None, label: false, text });
            }
        }
        let value_width = inner.saturating_sub(self.detail_label_width() + 2).max(8);
        for (i, (kind, value)) in meta.kinds.iter().zip(&row.values).enumerate() {
            let text = display_full(value, kind, &self.ctx, reveal);
            let mut pieces: Vec<String> = text.lines().map(str::to_string).collect();
            if pieces.is_empty() {
                pieces.push(if matches!(value, rusqlite::types::Value::Text(_)) {
                    "\"\"".into()
                } else {
                    String::new()
                });
            }
            if let Some(label) = self.fk_label(i) {
                pieces[0] = format!("{}  → {} {}", pieces[0], label.column, label.text);
            }
            let mut first = true;
            for piece in pieces {
                for text in wrap(&piece, value_width) {
                    lines.push(DetailLine { column: Some(i), label: first, text });
                    first = false;
                }
            }
        }
        lines
    }

    /// The width of the detail's right-aligned column names.
    pub fn detail_label_width(&self) -> usize {
        let Some(meta) = self.grid_tab().and_then(|t| t.meta()) else { return 0 };
        meta.info.columns.iter().map(|c| text_width(&c.name) as usize).max().unwrap_or(0).min(28)
    }

    /// How many lines of the detail the popup shows at once.
    pub fn detail_visible(&self) -> u16 {
        self.detail_inner().1
    }

    /// The detail's lines with a user's sessions and accounts below the columns.
    pub(super) fn detail_total_lines(&self, reveal: bool) -> u32 {
        self.detail_lines(reveal).len() as u32 + self.detail_link_lines()
    }

    /// The largest useful scroll: the last line at the bottom of the popup.
    pub(super) fn detail_max_scroll(&self, reveal: bool) -> u16 {
        let visible = u32::from(self.detail_inner().1);
        u16::try_from(self.detail_total_lines(reveal).saturating_sub(visible)).unwrap_or(u16::MAX)
    }

    /// Scroll keys of the row detail; `None` when `key` is not one.
    /// Scrolls the detail by a [`DetailKey::Scroll`](super::keymap::DetailKey) amount.
    pub(super) fn detail_scroll(&mut self, lines: i32) -> Vec<Effect> {
        let page = i32::from(self.detail_inner().1.saturating_sub(1).max(1));
        let delta = match lines {
            PAGE => page,
            lines if lines == -PAGE => -page,
            lines => lines,
        };
        self.scroll_detail(delta);
        Vec::new()
    }

    /// The mouse wheel over the row detail.
    pub(super) fn detail_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.scroll_detail(WHEEL_LINES),
            MouseEventKind::ScrollUp => self.scroll_detail(-WHEEL_LINES),
            _ => {}
        }
        Vec::new()
    }

    fn scroll_detail(&mut self, delta: i32) {
        let Overlay::Detail { reveal, scroll, .. } = &self.overlay else { return };
        let max = i32::from(self.detail_max_scroll(*reveal));
        let next = i32::from(*scroll).saturating_add(delta).clamp(0, max);
        if let Overlay::Detail { scroll, .. } = &mut self.overlay {
            *scroll = u16::try_from(next).unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::Action;
    use crate::app::tests::{open_app, settle, users_db};

    fn scroll(app: &App) -> u16 {
        match &app.overlay {
            Overlay::Detail { scroll, .. } => *scroll,
            other => panic!("the detail is not open: {other:?}"),
        }
    }

    fn key(app: &mut App, code: KeyCode) {
        let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
        assert!(effects.is_empty() || matches!(app.overlay, Overlay::Detail { .. }));
    }

    #[test]
    fn the_row_detail_pages_jumps_to_either_end_and_follows_the_wheel() {
        let (_dir, mut conn) = users_db(5);
        // A short screen, so the detail of a user row does not fit.
        let mut app = open_app(&mut conn, 80, 12);
        let effects = app.update(Action::OpenDetail);
        settle(&mut app, &mut conn, effects);
        let max = app.detail_max_scroll(false);
        assert!(max > 2, "the detail is taller than the popup ({max})");
        key(&mut app, KeyCode::PageDown);
        assert_eq!(scroll(&app), (app.detail_inner().1 - 1).min(max));
        key(&mut app, KeyCode::End);
        assert_eq!(scroll(&app), max);
        key(&mut app, KeyCode::Down);
        assert_eq!(scroll(&app), max, "no scrolling past the end");
        key(&mut app, KeyCode::Up);
        assert_eq!(scroll(&app), max - 1, "and one line up is one line up");
        key(&mut app, KeyCode::Home);
        assert_eq!(scroll(&app), 0);
        let wheel = |kind| MouseEvent { kind, column: 10, row: 5, modifiers: KeyModifiers::NONE };
        app.update(Action::Mouse { mouse: wheel(MouseEventKind::ScrollDown) });
        assert_eq!(scroll(&app), 3.min(max));
        app.update(Action::Mouse { mouse: wheel(MouseEventKind::ScrollUp) });
        assert_eq!(scroll(&app), 0);
        key(&mut app, KeyCode::PageUp);
        assert_eq!(scroll(&app), 0);
    }
}
