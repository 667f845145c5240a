//! Scrolling the row detail: line by line, by page, to either end, and with the mouse wheel.
//! The detail's height is measured here as the popup will wrap it, so End lands on the last
//! line and scrolling stops there.

use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::layout::text_width;
use super::{App, Effect, Overlay};
use crate::db::value::display_full;

/// Lines one wheel notch scrolls.
const WHEEL_LINES: i32 = 3;

impl App {
    /// The row detail's inner size: the popup is the screen less 3 cells a side and 2 lines top
    /// and bottom, less its border (see `ui::overlays::draw_detail`).
    pub(super) fn detail_inner(&self) -> (u16, u16) {
        (self.width.saturating_sub(8).max(1), self.height.saturating_sub(6).max(1))
    }

    /// How many screen lines the detail's text takes once wrapped.
    fn detail_lines(&self, reveal: bool) -> u32 {
        let Some(tab) = self.active_tab() else { return 0 };
        let (Some(meta), Some(row)) = (tab.meta(), tab.window.selected_row()) else { return 0 };
        let name_width = meta.info.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0).min(28);
        let inner = u32::from(self.detail_inner().0);
        let mut total = 0u32;
        for (i, ((_, kind), value)) in meta.info.columns.iter().zip(&meta.kinds).zip(&row.values).enumerate() {
            let text = display_full(value, kind, &self.ctx, reveal);
            let mut pieces: Vec<String> = text.lines().map(str::to_string).collect();
            if pieces.is_empty() {
                pieces.push(String::new());
            }
            if let Some(label) = self.fk_label(i) {
                pieces[0] = format!("{}  → {} {}", pieces[0], label.column, label.text);
            }
            for piece in pieces {
                // Word wrapping can break a little earlier than the width: one spare line per
                // wrapped piece keeps the last line reachable.
                let width = (name_width + 2) as u32 + u32::from(text_width(&piece));
                let rows = width.div_ceil(inner).max(1);
                total += if rows > 1 { rows + 1 } else { rows };
            }
        }
        total
    }

    /// The detail's lines with a user's sessions and accounts below the columns.
    pub(super) fn detail_total_lines(&self, reveal: bool) -> u32 {
        self.detail_lines(reveal) + self.detail_link_lines()
    }

    /// The largest useful scroll: the last line at the bottom of the popup.
    pub(super) fn detail_max_scroll(&self, reveal: bool) -> u16 {
        let visible = u32::from(self.detail_inner().1);
        u16::try_from(self.detail_total_lines(reveal).saturating_sub(visible)).unwrap_or(u16::MAX)
    }

    /// Scroll keys of the row detail; `None` when `key` is not one.
    pub(super) fn detail_scroll_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let page = i32::from(self.detail_inner().1.saturating_sub(1).max(1));
        let delta = match key.code {
            KeyCode::Down | KeyCode::Char('j') => 1,
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::PageDown | KeyCode::Char(' ') => page,
            KeyCode::PageUp => -page,
            KeyCode::Home | KeyCode::Char('g') => i32::MIN,
            KeyCode::End | KeyCode::Char('G') => i32::MAX,
            _ => return None,
        };
        self.scroll_detail(delta);
        Some(Vec::new())
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
    use ratatui::crossterm::event::KeyModifiers;

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
