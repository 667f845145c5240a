//! The key-hint line at the bottom: the keys of what has the keyboard, the staged-change count,
//! and `? help`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::layout::text_width;
use crate::app::{App, Overlay, fit_hints, hints};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let mut right: Vec<Span> = Vec::new();
    // A popup's own keys come before the staged counter (its `n / Esc` matters more then); on
    // a screen the counter stays, as it says how to write or undo.
    let over_popup = !matches!(app.overlay, Overlay::None);
    let staged = match app.edits.staged.len() {
        0 => None,
        n if over_popup => Some(format!(" {n} staged ")),
        n => Some(format!(" {n} staged · Ctrl-s review · u undo ")),
    };
    let staged_width = staged.as_deref().map_or(0, |s| text_width(s) + 1);
    // In a popup that takes text `?` is typed into the field: help is not offered there.
    if crate::app::offers_help(app) {
        right.push(Span::styled(crate::app::help_key(app), theme::header()));
        right.push(Span::styled(" help ", theme::dim()));
    }
    let help_width: u16 = right.iter().map(|s| text_width(&s.content)).sum();
    let first_room = area.width.saturating_sub(help_width + if over_popup { 0 } else { staged_width });
    let mut left: Vec<Span> = vec![Span::raw(" ")];
    let mut used = 1u16;
    // Whole hints only, most useful first; a `…` says some are left out (help, `?`, lists them).
    let (shown, cut) = fit_hints(&hints(app), first_room.saturating_sub(used));
    for (key, what) in shown {
        left.push(Span::styled(key, theme::header()));
        left.push(Span::styled(format!(" {what}  "), theme::dim()));
        used += text_width(key) + 1 + text_width(what) + 2;
    }
    let staged = staged.filter(|_| !over_popup || used + staged_width + help_width <= area.width);
    let room = area.width.saturating_sub(help_width + staged.as_ref().map_or(0, |_| staged_width));
    if cut && used + 2 <= room {
        left.push(Span::styled("… ", theme::dim()));
        used += 2;
    }
    if room > used {
        left.push(Span::raw(" ".repeat((room - used) as usize)));
    }
    if let Some(staged) = staged {
        left.push(Span::styled(staged, theme::staged()));
        left.push(Span::raw(" "));
    }
    if help_width <= area.width {
        left.extend(right);
    }
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}
