//! A remote cost question (`app::cost`), whole: a popup frame just above the status line, its
//! text wrapped to the screen, its keys on the bottom edge. The status line alone would cut it
//! at 80 columns, and the question is the one thing the user must read before answering.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::popup;
use super::theme;
use crate::app::App;

/// Widest the popup grows: a question reads better on a few short lines than on one long one.
const MAX_WIDTH: u16 = 100;

/// Draws the question held, if any, in the rows just above `status` (the status line).
pub fn draw(frame: &mut Frame, app: &App, status: Rect) {
    let Some((question, keys)) = app.question_on_screen() else { return };
    let screen = frame.area();
    let width = screen.width.min(MAX_WIDTH);
    let lines = [Line::styled(question, theme::warning())];
    let text_rows = popup::wrapped_height(&lines, width.saturating_sub(2));
    let key_rows = popup::keys_rows(keys, width);
    let height = (text_rows + key_rows + 2).min(status.y.saturating_sub(screen.y));
    let area = Rect { x: screen.x, y: status.y.saturating_sub(height), width, height };
    let block = popup::with_keys(popup::block(" reads the table (D1 bills rows read) "), keys, theme::key());
    let inner = popup::open(frame, area, if key_rows == 0 { block } else { popup::block(" reads the table ") });
    frame.render_widget(Paragraph::new(lines.to_vec()).wrap(Wrap { trim: true }), inner);
    if key_rows > 0 {
        let at = Rect { y: inner.bottom().saturating_sub(key_rows), height: key_rows, ..inner };
        frame.render_widget(Paragraph::new(Line::styled(keys, theme::key())).wrap(Wrap { trim: true }), at);
    }
}
