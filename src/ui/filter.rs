//! The filter form (`f`) in the one popup frame, anchored at the bottom of the grid just above
//! the status line: its three fields on one row (column, operator, value), so it hides no more
//! of the grid than it must, and a refused Enter's reason wrapped whole under them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::form::{self, Piece, Row};
use super::{popup, theme};
use crate::app::form::Field;
use crate::app::layout::{areas, text_width};
use crate::app::{App, FilterField, FilterForm};

/// The form's keys, on the frame's bottom edge when they fit there.
const KEYS: &str = "Tab next field · ←→ change · Enter add · Backspace on empty value removes last · Esc close";
/// The same keys worded shorter, for a narrow terminal: a shorter wording rather than a cut.
const KEYS_SHORT: &str = "Tab next · ←→ change · Enter add · Backspace (empty) removes last · Esc close";

/// Draws the open filter form in the rows the layout keeps for it (`Areas::bar`), growing
/// upward over the grid by the rows a refusal wraps to.
pub fn draw(frame: &mut Frame, app: &App, bar: &FilterForm) {
    let Some(labels) = app.filter_form_labels(bar) else { return };
    let screen = areas(app);
    let Some(kept) = screen.bar else { return };
    let focused = |field: FilterField| bar.form.focus == field as usize;
    let field = |field: FilterField| bar.form.fields.get(field as usize);
    let mut pieces = Vec::new();
    if let Some(column) = field(FilterField::Column) {
        pieces.push(Piece::Field { field: column, focused: focused(FilterField::Column) });
    }
    pieces.push(Piece::Text(Span::styled(format!(" {} ", labels.kind), theme::dim())));
    if let Some(op) = field(FilterField::Operator) {
        pieces.push(Piece::Field { field: op, focused: focused(FilterField::Operator) });
    }
    // An operator without a value (`is null`, a computed status) shows no value field.
    if let (true, Some(value)) = (labels.takes_value, field(FilterField::Value)) {
        pieces.push(Piece::Text(Span::raw(" ")));
        pieces.push(Piece::Field { field: value, focused: focused(FilterField::Value) });
    }
    let mut rows = vec![Row::Inline(pieces)];
    rows.extend(form::error_row(bar.form.error.as_deref()));
    rows.extend(stack_rows(bar));
    let width = kept.width;
    let height = (form::height(&rows, width) + 2).min(screen.status.y.saturating_sub(screen.header.y));
    let area = Rect { x: kept.x, y: screen.status.y.saturating_sub(height), width, height };
    let keys = [KEYS, KEYS_SHORT].into_iter().find(|keys| popup::keys_rows(keys, width) == 0);
    let block = popup::with_keys(popup::block(" filter "), keys.unwrap_or(""), theme::key());
    let inner = popup::open(frame, area, block);
    form::draw(frame, inner, rows);
    // Too narrow for the keys on the edge: they take the screen's hint line (the keys of what
    // has the keyboard) whole, rather than rows of the popup over the grid. Narrower still, the
    // hint line keeps its few hints drawn from `FILTER_KEYS`.
    let hint = format!(" {KEYS_SHORT}");
    if keys.is_none() && text_width(&hint) <= screen.hint.width {
        frame.render_widget(Clear, screen.hint);
        frame.render_widget(Paragraph::new(Line::styled(hint, theme::dim())), screen.hint);
    }
}

/// The conditions already on, under the fields: the chosen one marked `▸` while the list has
/// the keyboard, with what its keys do.
fn stack_rows(bar: &FilterForm) -> Vec<Row<'static>> {
    let Some(Field::Choice { options, selected }) = bar.form.fields.get(FilterField::Stack as usize) else {
        return Vec::new();
    };
    let focused = bar.form.focus == FilterField::Stack as usize;
    let title = if focused {
        " conditions · ←→ choose · Delete removes · Enter edits"
    } else {
        " conditions (Tab to choose one)"
    };
    let mut rows = vec![Row::Text(Line::styled(title, theme::dim()))];
    rows.extend(options.iter().enumerate().map(|(i, shown)| {
        let here = focused && i == *selected;
        let style = if here { theme::selected_cell() } else { theme::info() };
        Row::Text(Line::from(vec![
            Span::styled(if here { " ▸ " } else { "   " }, theme::key()),
            Span::styled(shown.clone(), style),
        ]))
    }));
    rows
}
