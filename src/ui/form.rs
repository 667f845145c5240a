//! A form's body in the popup frame: lines of text that wrap, labelled one-line fields, and
//! notes indented under the fields, each as tall as it wraps at the popup's width, so nothing
//! is cut on a small terminal (80x24).

use crate::app::form::Field;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup::wrapped_height;
use super::theme;

/// Cells left of a field for its label (`  reason  `).
pub const LABEL_WIDTH: u16 = 10;

/// One row of a form.
pub enum Row<'a> {
    /// Text across the whole width, wrapped.
    Text(Line<'a>),
    /// Text under the fields (indented past the labels), wrapped there.
    Note(Line<'a>),
    /// `label  [field]`, the field highlighted when it has the keyboard.
    Field { label: &'a str, field: &'a Field, focused: bool },
    /// A field with a label of its own (`width` cells, styled by the owner: the insert form's
    /// `*` and column names), and `instead` shown in place of an empty field (NULL, the column
    /// default).
    Labelled { label: Line<'a>, width: u16, field: &'a Field, focused: bool, instead: Option<Span<'a>> },
    /// A choice's options one a row, under the labels; the chosen one marked `▸` while it has
    /// the keyboard, and each ticked `[x]` when in `ticked` (a list that ticks several).
    Options { field: &'a Field, focused: bool, ticked: &'a [String] },
    /// Fields side by side on one row (the filter's column, operator and value), each piece
    /// in turn; a text field takes the room left.
    Inline(Vec<Piece<'a>>),
    /// An empty row.
    Gap,
}

/// A piece of a [`Row::Inline`].
pub enum Piece<'a> {
    /// Text between the fields (a label, a column's kind).
    Text(Span<'a>),
    /// A field, highlighted when it has the keyboard.
    Field { field: &'a Field, focused: bool },
}

impl Piece<'_> {
    /// Cells the piece takes: a text field takes what the others leave.
    fn constraint(&self) -> Constraint {
        let cells = |span: &Span| u16::try_from(span.width()).unwrap_or(u16::MAX);
        match self {
            Piece::Text(span) => Constraint::Length(cells(span)),
            Piece::Field { field: Field::Text(_), .. } => Constraint::Fill(1),
            Piece::Field { field, focused } => Constraint::Length(cells(&choice_span(field, *focused))),
        }
    }
}

impl Row<'_> {
    fn height(&self, width: u16) -> u16 {
        match self {
            Row::Text(line) => wrapped_height(std::slice::from_ref(line), width),
            Row::Note(line) => wrapped_height(std::slice::from_ref(line), width.saturating_sub(LABEL_WIDTH)),
            Row::Options { field: Field::Choice { options, .. }, .. } => {
                u16::try_from(options.len()).unwrap_or(u16::MAX)
            }
            Row::Field { .. } | Row::Labelled { .. } | Row::Options { .. } | Row::Inline(_) | Row::Gap => 1,
        }
    }
}

/// Rows the form takes inside a popup `width` cells wide (borders excluded).
pub fn height(rows: &[Row], width: u16) -> u16 {
    rows.iter().map(|row| row.height(width.saturating_sub(2))).sum()
}

/// The `✗ reason` row of a refused Enter, when there is one.
pub fn error_row(error: Option<&str>) -> Option<Row<'static>> {
    error.map(|error| Row::Text(Line::styled(format!("✗ {error}"), theme::error())))
}

/// Draws `rows` top to bottom in `area` (what does not fit is cut at the bottom).
pub fn draw(frame: &mut Frame, area: Rect, rows: Vec<Row>) {
    let heights: Vec<Constraint> = rows.iter().map(|row| Constraint::Length(row.height(area.width))).collect();
    let areas = Layout::vertical(heights).split(area);
    for (row, at) in rows.into_iter().zip(areas.iter().copied()) {
        match row {
            Row::Text(line) => frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), at),
            Row::Note(line) => {
                let [_, text] = Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Fill(1)]).areas(at);
                frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), text);
            }
            Row::Field { label, field: input, focused } => field(frame, label, input, focused, at),
            Row::Labelled { label, width, field, focused, instead } => {
                let [label_area, field_area] =
                    Layout::horizontal([Constraint::Length(width), Constraint::Fill(1)]).areas(at);
                frame.render_widget(Paragraph::new(label), label_area);
                match (instead, field) {
                    (Some(instead), _) => frame.render_widget(Paragraph::new(instead), field_area),
                    (None, Field::Text(input)) => text_field(frame, input, focused, field_area),
                    (None, choice) => frame.render_widget(Paragraph::new(choice_span(choice, focused)), field_area),
                }
            }
            Row::Options { field, focused, ticked } => {
                frame.render_widget(Paragraph::new(options(field, focused, ticked)), at)
            }
            Row::Inline(pieces) => inline(frame, pieces, at),
            Row::Gap => {}
        }
    }
}

/// `label  [field]`, the field highlighted when it has the keyboard.
pub fn field(frame: &mut Frame, label: &str, field: &Field, focused: bool, row: Rect) {
    let [label_area, field_area] =
        Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Fill(1)]).areas(row);
    let label_style = if focused { theme::header() } else { theme::dim() };
    frame.render_widget(Paragraph::new(Span::styled(format!("{label:>8}  "), label_style)), label_area);
    match field {
        Field::Text(input) => text_field(frame, input, focused, field_area),
        Field::Choice { .. } => frame.render_widget(Paragraph::new(choice_span(field, focused)), field_area),
    }
}

/// The pieces of a [`Row::Inline`] left to right in `row`.
fn inline(frame: &mut Frame, pieces: Vec<Piece>, row: Rect) {
    let areas = Layout::horizontal(pieces.iter().map(Piece::constraint)).split(row);
    for (piece, at) in pieces.into_iter().zip(areas.iter().copied()) {
        match piece {
            Piece::Text(span) => frame.render_widget(Paragraph::new(span), at),
            Piece::Field { field: Field::Text(input), focused } => text_field(frame, input, focused, at),
            Piece::Field { field, focused } => frame.render_widget(Paragraph::new(choice_span(field, focused)), at),
        }
    }
}

/// The lines of [`Row::Options`].
fn options(field: &Field, focused: bool, ticked: &[String]) -> Vec<Line<'static>> {
    let Field::Choice { options, selected } = field else { return Vec::new() };
    options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            // The focused item is marked, not only coloured, so what Space toggles shows on any
            // terminal.
            let here = focused && i == *selected;
            let style = if here { theme::selected_cell() } else { theme::info() };
            let tick = if ticked.contains(option) { "[x]" } else { "[ ]" };
            Line::from(vec![
                Span::raw(" ".repeat(usize::from(LABEL_WIDTH) - 1)),
                Span::styled(if here { "▸" } else { " " }, theme::key()),
                Span::styled(format!(" {tick} {option} "), style),
            ])
        })
        .collect()
}

/// A choice field's option, ` option `, highlighted when it has the keyboard.
pub fn choice_span(field: &Field, focused: bool) -> Span<'static> {
    let Field::Choice { options, selected } = field else { return Span::raw("") };
    let option = options.get(*selected).map_or("", String::as_str);
    let style = if focused { theme::selected_cell() } else { theme::header() };
    Span::styled(format!(" {option} "), style)
}

/// A text field, highlighted when it has the keyboard.
pub fn text_field(frame: &mut Frame, input: &ratatui_textarea::TextArea<'static>, focused: bool, field_area: Rect) {
    let mut shown = input.clone();
    shown.set_cursor_line_style(Style::new());
    if focused {
        shown.set_style(Style::new().bg(ratatui::style::Color::Rgb(50, 54, 64)));
    } else {
        shown.set_cursor_style(Style::new());
    }
    frame.render_widget(&shown, field_area);
}
