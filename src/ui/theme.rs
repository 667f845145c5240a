//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn tab() -> Style {
    Style::new().fg(Color::Gray)
}
pub fn tab_active() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)
}
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn header_kind() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn selected_row() -> Style {
    Style::new().bg(Color::Rgb(40, 44, 52))
}
pub fn selected_cell() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}
pub fn null() -> Style {
    Style::new().fg(Color::DarkGray).add_modifier(Modifier::ITALIC)
}
pub fn secret() -> Style {
    Style::new().fg(Color::Magenta)
}
pub fn boolean(value: bool) -> Style {
    Style::new().fg(if value { Color::Green } else { Color::Red })
}
pub fn timestamp() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn key() -> Style {
    Style::new().fg(Color::Blue)
}
pub fn banned() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn ban_expired() -> Style {
    Style::new().fg(Color::DarkGray)
}
/// A cell whose new value is staged, not yet committed.
pub fn staged() -> Style {
    Style::new().fg(Color::Black).bg(Color::LightYellow)
}
/// A cell another process just changed (live refresh), for a moment.
pub fn changed() -> Style {
    Style::new().fg(Color::Black).bg(Color::LightGreen)
}
/// A staged cell whose row changed underneath: the commit will ask to reload or overwrite.
pub fn conflict() -> Style {
    Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)
}
/// A row staged for deletion.
pub fn deleting() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::CROSSED_OUT)
}
/// Text matching the search, in the grid.
pub fn search_match() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow)
}
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn status() -> Style {
    Style::new().bg(Color::Rgb(30, 30, 30)).fg(Color::Gray)
}
pub fn badge() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn info() -> Style {
    Style::new().fg(Color::Gray)
}
pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn popup_border() -> Style {
    Style::new().fg(Color::Cyan)
}

/// Enum values get a stable colour each, so `admin` always looks the same.
pub fn enum_value(values: &[String], value: &str) -> Style {
    const PALETTE: [Color; 6] = [
        Color::LightBlue,
        Color::LightGreen,
        Color::LightMagenta,
        Color::LightCyan,
        Color::LightYellow,
        Color::LightRed,
    ];
    let first = value.split(',').next().unwrap_or(value);
    let index = values.iter().position(|v| v == first).unwrap_or(values.len());
    Style::new().fg(PALETTE[index % PALETTE.len()])
}
