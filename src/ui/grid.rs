//! The table grid: headers with kinds and sort arrows, rows rendered by kind.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rusqlite::types::Value;

use super::theme;
use crate::app::layout::{GUTTER, column_widths, lead_width, visible_columns_from};
use crate::app::{App, Load, TableMeta, TableTab, arrow};
use crate::db::kinds::{ColumnKind, name_words};
use crate::db::users::{BanState, ban_state};
use crate::db::value::{DisplayContext, display_value};

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
    let widths = column_widths(tab, &app.ctx, grid.height as usize);
    let lead = lead_width(app, tab);
    let columns = visible_columns_from(&widths, tab.selected_col, grid.width, lead);
    draw_header(frame, tab, meta, &columns, header, lead);
    if tab.window.rows.is_empty() {
        let text = match (&tab.rows_error, tab.fetch.is_some()) {
            (Some(message), _) => format!("Could not read rows: {message}"),
            (None, true) => format!("{} Loading rows…", SPINNER[app.spinner % SPINNER.len()]),
            (None, false) if !tab.filters.is_empty() || tab.search.is_some() => "No rows match the filter.".into(),
            (None, false) => "This table is empty.".into(),
        };
        let style = if tab.rows_error.is_some() { theme::error() } else { theme::dim() };
        frame.render_widget(Paragraph::new(format!("  {text}")).style(style), grid);
        return;
    }
    let ban = BanColumns::find(meta);
    let lines: Vec<Line> = tab
        .window
        .rows
        .iter()
        .enumerate()
        .skip(tab.window.top)
        .take(grid.height as usize)
        .map(|(index, row)| {
            let selected = index == tab.window.selected;
            let ban_state = ban.as_ref().map_or(BanState::NotBanned, |b| b.state(&row.values, &app.ctx));
            let deleting = app.staged_for_delete(&tab.name, &row.cursor.key);
            let marked = app.edits.marked.iter().any(|(t, k)| *t == tab.name && *k == row.cursor.key);
            let conflict = app.staged_conflict(&tab.name, &row.cursor.key);
            let mut spans = vec![gutter(selected, ban_state, marked, conflict)];
            spans.extend(super::users::status_cells(app, tab, &row.values, lead));
            let mut x = lead;
            for &(column, start, width) in &columns {
                if start > x {
                    spans.push(Span::raw(" ".repeat((start - x) as usize)));
                }
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
                let mut text = display_value(value, kind, &app.ctx).replace('\n', "⏎");
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
                spans.push(Span::styled(fit(&text, width), style));
                x = start + width;
            }
            let line = Line::from(spans);
            if selected { line.style(theme::selected_row()) } else { line }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), grid);
}

fn draw_header(
    frame: &mut Frame,
    tab: &TableTab,
    meta: &TableMeta,
    columns: &[(usize, u16, u16)],
    area: Rect,
    lead: u16,
) {
    let mut names: Vec<Span> = vec![Span::raw(" ".repeat(GUTTER as usize))];
    let mut kinds: Vec<Span> = vec![Span::raw(" ".repeat(GUTTER as usize))];
    let (status_names, status_kinds) = super::users::status_headers(lead);
    names.extend(status_names);
    kinds.extend(status_kinds);
    let mut x = lead;
    for &(column, start, width) in columns {
        if start > x {
            let gap = " ".repeat((start - x) as usize);
            names.push(Span::raw(gap.clone()));
            kinds.push(Span::raw(gap));
        }
        let info = &meta.info.columns[column];
        let mut name = info.name.clone();
        if let Some(sort) = tab.sort.as_ref().filter(|s| s.column == info.name) {
            name = format!("{name} {}", arrow(sort.direction));
        }
        let mut style = theme::header();
        if column == tab.selected_col {
            style = style.fg(ratatui::style::Color::Cyan);
        }
        names.push(Span::styled(fit(&name, width), style));
        let mut kind = meta.kinds[column].label().to_string();
        if info.pk_position > 0 {
            kind = format!("pk {kind}");
        }
        kinds.push(Span::styled(fit(&kind, width), theme::header_kind()));
        x = start + width;
    }
    frame.render_widget(Paragraph::new(vec![Line::from(names), Line::from(kinds)]), area);
}

fn gutter(selected: bool, ban: BanState, marked: bool, conflict: bool) -> Span<'static> {
    let mark = match ban {
        _ if conflict => Span::styled("!", theme::error()),
        _ if marked => Span::styled("✚", theme::warning()),
        BanState::Banned => Span::styled("●", theme::banned()),
        BanState::BanExpired => Span::styled("○", theme::ban_expired()),
        BanState::NotBanned => Span::raw(" "),
    };
    let pointer = if selected { "▌" } else { " " };
    Span::styled(format!("{pointer}{}", mark.content), mark.style)
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

pub use super::text::fit;

/// better-auth's `banned` / `banExpires` columns, in either naming flavour.
struct BanColumns {
    banned: usize,
    expires: Option<usize>,
}

impl BanColumns {
    fn find(meta: &TableMeta) -> Option<BanColumns> {
        let position = |wanted: &str| meta.info.columns.iter().position(|c| name_words(&c.name).concat() == wanted);
        // By name only: an adapter that stores 'true' makes the column text, and it is still a ban.
        let banned = position("banned")?;
        Some(BanColumns { banned, expires: position("banexpires") })
    }

    fn state(&self, values: &[Value], ctx: &DisplayContext) -> BanState {
        let banned = values.get(self.banned).unwrap_or(&Value::Null);
        let expires = self.expires.and_then(|i| values.get(i)).unwrap_or(&Value::Null);
        ban_state(banned, expires, ctx.now)
    }
}
