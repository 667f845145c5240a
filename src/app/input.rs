//! Text fields of popups and prompts (ratatui-textarea), made and read one way everywhere.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

/// A field holding `text` (one line or several), with the cursor at its end.
pub fn text_input(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut area = TextArea::new(lines);
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

/// A key typed into a field. Ctrl-u clears to the start of the line, as in a shell (the
/// textarea binds it to undo, which surprises anyone who expects the shell's meaning); every
/// other key goes to the textarea.
pub fn type_key(area: &mut TextArea, key: KeyEvent) {
    if key.code == KeyCode::Char('u') && key.modifiers == KeyModifiers::CONTROL {
        area.delete_line_by_head();
    } else {
        area.input(key);
    }
}

/// What a field holds, its lines joined with newlines (a single-line field has one).
pub fn field_text(area: &TextArea) -> String {
    area.lines().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_one_line_and_several() {
        assert_eq!(field_text(&text_input("")), "");
        assert_eq!(field_text(&text_input("ada")), "ada");
        assert_eq!(field_text(&text_input("{\n  \"a\": 1\n}")), "{\n  \"a\": 1\n}");
    }

    /// Every popup field (role, ban reason, password, filter value, pickers) takes Ctrl-u the
    /// shell's way: it clears what is before the cursor, where the textarea would undo.
    #[test]
    fn ctrl_u_clears_to_the_start_of_the_line() {
        let mut area = text_input("user");
        type_key(&mut area, KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        for c in "admin".chars() {
            type_key(&mut area, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(field_text(&area), "admin");
    }
}
