//! The table grid: headers with kinds and sort arrows, rows rendered by kind.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rusqlite::types::Value;

use super::theme;
use crate::app::layout::{GUTTER, grid_rows, staged_inserts};
use crate::app::{App, GridColumn, GridLayout, Load, SESSIONS_TITLE, STATUS_TITLE, TableMeta, TableTab, arrow};
use crate::db::kinds::ColumnKind;
use crate::db::users::BanState;
use crate::db::value::display_cell;
use crate::present::fit;

/// Spinner frames for work in progress.
pub const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn draw(frame: &mut Frame, app: &App, tab: &TableTab, header: Rect, grid: Rect) {
    let meta = match &tab.meta {
        Load::Loaded(meta) => meta,
        Load::Loading => {
            let text = format!("{} Loading {}…", SPINNER[app.spinner % SPINNER.len()], tab.name);
            frame.render_widget(Paragraph::new(text).style(theme::dim()), grid);
            return;
        }
        Load::Failed(message) => {
            frame.render_widget(
                Paragraph::new(format!("Could not read {}: {message}", tab.name)).style(theme::error()),
                grid,
            );
            return;
        }
    };
    let layout = app.layout_of(tab);
    let selected = layout.position(GridColumn::Table(tab.selected_col)).unwrap_or(0);
    let columns = layout.place(selected, grid.width, GUTTER);
    // The pinned column was kept at the left while the ones after it scrolled: mark the seam.
    let pin_edge = layout
        .pinned
        .filter(|p| columns.first().is_some_and(|c| c.0 == *p) && columns.get(1).is_some_and(|c| c.0 != p + 1));
    draw_header(frame, tab, meta, &layout, &columns, header, pin_edge.is_some());
    if tab.window.rows.is_empty() && staged_inserts(app).is_empty() {
        // The console's result grid has no page reads of its own (its rows come with its statement).
        let reading = app.screen == crate::app::Screen::Browser && app.pending.page_of(&tab.name).is_some();
        let text = match (&tab.rows_error, reading) {
            (Some(message), _) => format!("Could not read rows: {message}"),
            (None, true) => format!("{} Loading rows…", SPINNER[app.spinner % SPINNER.len()]),
            (None, false) if tab.spec.narrows() => "No rows match the filter.".into(),
            (None, false) => "This table is empty.".into(),
        };
        let style = if tab.rows_error.is_some() { theme::error() } else { theme::dim() };
        frame.render_widget(Paragraph::new(format!("  {text}")).style(style), grid);
        return;
    }
    // The user table's ban columns, from the column map detected with the table list.
    let ban = app.user_table_of(tab).and_then(|t| t.ban);
    let search = tab.spec.search.as_deref().filter(|s| !s.is_empty());
    // New rows staged for this table come first, marked ✚, until they are committed.
    let mut lines: Vec<Line> = staged_inserts(app)
        .into_iter()
        .map(|values| {
            let mut spans = vec![Span::styled(" ✚ ", theme::staged())];
            let mut x = GUTTER;
            for &(position, start, width) in &columns {
                if start > x {
                    spans.push(Span::raw(" ".repeat((start - x) as usize)));
                }
                x = start + width;
                let text = match layout.columns[position].column {
                    GridColumn::Table(column) => {
                        let name = &meta.info.columns[column].name;
                        values.iter().find(|(c, _)| c == name).map_or_else(
                            || "(default)".to_string(),
                            |(_, v)| display_cell(v, &meta.kinds[column], &app.ctx),
                        )
                    }
                    _ => String::new(),
                };
                spans.push(Span::styled(fit(&text, width), theme::staged()));
            }
            Line::from(spans)
        })
        .collect();
    let rows: Vec<Line> = tab
        .window
        .rows
        .iter()
        .enumerate()
        .skip(tab.window.top)
        .take(grid_rows(app))
        .map(|(index, row)| {
            let selected = index == tab.window.selected;
            let ban_state = ban.as_ref().map_or(BanState::NotBanned, |b| b.state(&row.values, app.ctx.now));
            // A staged row another writer deleted stays shown, struck through and marked `!`.
            let deleting =
                app.staged_for_delete(&tab.name, &row.cursor.key) || app.staged_row_gone(&tab.name, &row.cursor.key);
            let marked = app.edits.marked.iter().any(|(t, k)| *t == tab.name && *k == row.cursor.key);
            let conflict = app.staged_conflict(&tab.name, &row.cursor.key);
            let gone = app.staged_row_gone(&tab.name, &row.cursor.key);
            let mut spans = vec![gutter(selected, ban_state, Mark { marked, conflict, deleting, gone })];
            let mut x = GUTTER;
            let mut spans_after: Vec<Span> = Vec::new();
            for &(position, start, width) in &columns {
                if start > x {
                    spans.push(Span::raw(" ".repeat((start - x) as usize)));
                }
                x = start + width;
                if let Some(mark) = edge(pin_edge, position) {
                    x += 1;
                    spans_after.push(mark);
                }
                let column = match layout.columns[position].column {
                    GridColumn::Table(column) => column,
                    GridColumn::Status => {
                        spans.extend(super::users::status_cell(app, tab, &row.values, width));
                        spans.append(&mut spans_after);
                        continue;
                    }
                    GridColumn::Sessions => {
                        spans.push(super::users::sessions_cell(app, tab, &row.values, width));
                        spans.append(&mut spans_after);
                        continue;
                    }
                };
                let staged = app.staged_value(&tab.name, &row.cursor.key, column);
                let value = staged.as_ref().unwrap_or(&row.values[column]);
                let kind = &meta.kinds[column];
                let mut style = cell_style(value, kind);
                if ban.as_ref().is_some_and(|b| b.banned == column) {
                    style = match ban_state {
                        BanState::Banned => theme::banned(),
                        BanState::BanExpired => theme::ban_expired(),
                        BanState::NotBanned => style,
                    };
                }
                let mut text = display_cell(value, kind, &app.ctx).replace('\n', "⏎");
                if ban_state == BanState::BanExpired && ban.as_ref().is_some_and(|b| b.banned == column) {
                    text = "✓ expired".into();
                }
                if tab.flash.as_ref().is_some_and(|f| f.covers(&row.cursor.key, column)) {
                    style = theme::changed();
                }
                if staged.is_some() {
                    style = if conflict { theme::conflict() } else { theme::staged() };
                }
                if deleting {
                    style = theme::deleting();
                }
                if selected && column == tab.selected_col {
                    style = theme::selected_cell();
                }
                let shown = fit(&text, width);
                match search.filter(|_| kind.is_searchable_text() || matches!(kind, ColumnKind::Text)) {
                    Some(needle) => spans.extend(highlight(shown, needle, style)),
                    None => spans.push(Span::styled(shown, style)),
                }
                spans.append(&mut spans_after);
            }
            let line = Line::from(spans);
            if selected { line.style(theme::selected_row()) } else { line }
        })
        .collect();
    lines.extend(rows);
    frame.render_widget(Paragraph::new(lines), grid);
}

/// The mark right of a pinned column, so the jump in the columns after it reads as one.
fn edge(pin_edge: Option<usize>, position: usize) -> Option<Span<'static>> {
    (pin_edge == Some(position)).then(|| Span::styled("│", theme::dim()))
}

/// Splits `text` so each case-insensitive occurrence of `needle` is highlighted.
fn highlight(text: String, needle: &str, style: Style) -> Vec<Span<'static>> {
    let lower = |c: char| c.to_lowercase().next().unwrap_or(c);
    let needle: Vec<char> = needle.chars().map(lower).collect();
    let chars: Vec<char> = text.chars().collect();
    if needle.is_empty() || chars.len() < needle.len() {
        return vec![Span::styled(text, style)];
    }
    let mut spans = Vec::new();
    let (mut plain, mut i) = (String::new(), 0);
    while i < chars.len() {
        let hit = i + needle.len() <= chars.len()
            && chars[i..i + needle.len()].iter().map(|c| lower(*c)).eq(needle.iter().copied());
        if hit {
            if !plain.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut plain), style));
            }
            spans.push(Span::styled(chars[i..i + needle.len()].iter().collect::<String>(), theme::search_match()));
            i += needle.len();
        } else {
            plain.push(chars[i]);
            i += 1;
        }
    }
    if !plain.is_empty() {
        spans.push(Span::styled(plain, style));
    }
    spans
}

fn draw_header(
    frame: &mut Frame,
    tab: &TableTab,
    meta: &TableMeta,
    layout: &GridLayout,
    columns: &[(usize, u16, u16)],
    area: Rect,
    pinned: bool,
) {
    let mut names: Vec<Span> = vec![Span::raw(" ".repeat(GUTTER as usize))];
    let mut kinds: Vec<Span> = vec![Span::raw(" ".repeat(GUTTER as usize))];
    let mut x = GUTTER;
    for (i, &(position, start, width)) in columns.iter().enumerate() {
        if start > x {
            let gap = " ".repeat((start - x) as usize);
            names.push(Span::raw(gap.clone()));
            kinds.push(Span::raw(gap));
        }
        let (name, kind, is_selected) = match layout.columns[position].column {
            GridColumn::Table(column) => {
                let info = &meta.info.columns[column];
                let mut kind = meta.kinds[column].label().to_string();
                if info.pk_position > 0 {
                    kind = format!("pk {kind}");
                }
                let name = match tab.spec.sort.as_ref().filter(|s| s.column == info.name) {
                    Some(sort) => {
                        format!("{} {}", fit(&info.name, width.saturating_sub(2)).trim_end(), arrow(sort.direction))
                    }
                    None => info.name.clone(),
                };
                (name, kind, column == tab.selected_col)
            }
            GridColumn::Status => (STATUS_TITLE.to_string(), "ban, email".to_string(), false),
            GridColumn::Sessions => (SESSIONS_TITLE.to_string(), "active".to_string(), false),
        };
        let mut style = theme::header();
        if is_selected {
            style = style.fg(ratatui::style::Color::Cyan);
        }
        names.push(Span::styled(fit(&name, width), style));
        kinds.push(Span::styled(fit(&kind, width), theme::header_kind()));
        x = start + width;
        if pinned && i == 0 {
            names.push(Span::styled("│", theme::dim()));
            kinds.push(Span::styled("│", theme::dim()));
            x += 1;
        }
    }
    frame.render_widget(Paragraph::new(vec![Line::from(names), Line::from(kinds)]), area);
}

/// The gutter's glyph of a marked row (Space); a staged new row is `✚`.
const MARK_GLYPH: &str = "◆";

/// What the gutter says about a row besides its ban.
struct Mark {
    marked: bool,
    conflict: bool,
    deleting: bool,
    /// The staged row was deleted by another writer.
    gone: bool,
}

/// The gutter's glyph: a staged delete gets `-` (as in a diff) so it reads without colour (strikethrough alone
/// is lost on terminals without colour or with NO_COLOR).
fn gutter(selected: bool, ban: BanState, row: Mark) -> Span<'static> {
    let mark = match ban {
        // Gone is not "changed": `×` says the row is no longer there (a staged delete included).
        _ if row.gone => Span::styled("×", theme::error()),
        _ if row.conflict => Span::styled("!", theme::error()),
        _ if row.deleting => Span::styled("-", theme::deleting()),
        // Not `✚`: that is a staged new row.
        _ if row.marked => Span::styled(MARK_GLYPH, theme::warning()),
        BanState::Banned => Span::styled("●", theme::banned()),
        BanState::BanExpired => Span::styled("○", theme::ban_expired()),
        BanState::NotBanned => Span::raw(" "),
    };
    let pointer = if selected { "▌" } else { " " };
    Span::styled(format!("{pointer}{} ", mark.content), mark.style)
}

fn cell_style(value: &Value, kind: &ColumnKind) -> Style {
    match (value, kind) {
        (Value::Null, _) => theme::null(),
        (_, ColumnKind::Secret) => theme::secret(),
        (Value::Integer(n), ColumnKind::Boolean) => theme::boolean(*n != 0),
        (_, ColumnKind::Timestamp { .. }) => theme::timestamp(),
        (Value::Text(text), ColumnKind::Enum { values }) => theme::enum_value(values, text),
        (_, ColumnKind::Id | ColumnKind::ForeignKey { .. }) => theme::key(),
        _ => Style::new(),
    }
}
