//! The key-hint line at the bottom: the keys of what has the keyboard, the staged-change count,
//! and `? help`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::layout::text_width;
use crate::app::{App, fit_hints, hints};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let mut right: Vec<Span> = Vec::new();
    if !app.edits.staged.is_empty() {
        right.push(Span::styled(
            format!(" {} staged · Ctrl-s review · u undo ", app.edits.staged.len()),
            theme::staged(),
        ));
        right.push(Span::raw(" "));
    }
    right.push(Span::styled(crate::app::help_key(app), theme::header()));
    right.push(Span::styled(" help ", theme::dim()));
    let right_width: u16 = right.iter().map(|s| text_width(&s.content)).sum();
    let room = area.width.saturating_sub(right_width);
    let mut left: Vec<Span> = vec![Span::raw(" ")];
    let mut used = 1u16;
    // Whole hints only, most useful first; a `…` says some are left out (help, `?`, lists them).
    let (shown, cut) = fit_hints(&hints(app), room.saturating_sub(used));
    for (key, what) in shown {
        left.push(Span::styled(key, theme::header()));
        left.push(Span::styled(format!(" {what}  "), theme::dim()));
        used += text_width(key) + 1 + text_width(what) + 2;
    }
    if cut && used + 2 <= room {
        left.push(Span::styled("… ", theme::dim()));
        used += 2;
    }
    if room > used {
        left.push(Span::raw(" ".repeat((room - used) as usize)));
    }
    if right_width <= area.width {
        left.extend(right);
    }
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}
