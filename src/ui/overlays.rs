//! Popups (help, table picker, row detail, the filter form) and the prompt bars (search, export).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::popup::{self, centered};
use super::theme;
use crate::app::{App, HelpLine, Overlay, describe_group, help_layout};
use crate::db::kinds::ColumnKind;

pub fn draw_bar(frame: &mut Frame, app: &App, area: Rect) {
    match &app.overlay {
        Overlay::Search { input } => {
            let [label, field] = Layout::horizontal([Constraint::Length(9), Constraint::Fill(1)]).areas(area);
            frame.render_widget(Paragraph::new(" search: ").style(theme::header()), label);
            frame.render_widget(input, field);
        }
        Overlay::Export(prompt) => super::export::draw_bar(frame, prompt, area),
        _ => {}
    }
}

pub fn draw_popup(frame: &mut Frame, app: &App) {
    match &app.overlay {
        Overlay::Help { scroll, over } => draw_help(frame, app, *scroll, over.is_some()),
        Overlay::Messages { scroll } => super::messages::draw(frame, app, *scroll),
        Overlay::Columns(chooser) => super::columns::draw(frame, app, chooser),
        Overlay::Picker(picker) => {
            let height = (picker.matches.len() as u16 + 4).clamp(6, 20);
            let area = centered(popup::screen(frame), 50, height);
            frame.render_widget(Clear, area);
            let outer = popup::block(" open table ");
            let inner = outer.inner(area);
            frame.render_widget(outer, area);
            let [query, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
            frame.render_widget(&picker.query, query);
            let lines: Vec<Line> = picker
                .matches
                .iter()
                .enumerate()
                .map(|(i, &tab)| {
                    let name = app.tabs.get(tab).map_or("", |t| t.name.as_str());
                    let style = if i == picker.selected { theme::selected_cell() } else { theme::info() };
                    Line::styled(format!(" {name}"), style)
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
        }
        Overlay::Detail { reveal, scroll, .. } => draw_detail(frame, app, *reveal, *scroll),
        Overlay::Edit(popup) => super::edit::draw(frame, app, popup),
        Overlay::References { groups, selected, loading } => {
            let mut lines: Vec<Line> = groups
                .iter()
                .enumerate()
                .map(|(i, group)| {
                    let style = if i == *selected { theme::selected_cell() } else { theme::info() };
                    Line::styled(format!(" {} ", describe_group(group)), style)
                })
                .collect();
            if *loading {
                lines.push(Line::styled(" counting the rows that point here…", theme::dim()));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(" Enter opens the rows · Esc closes", theme::dim()));
            let width = lines.iter().map(|l| l.width() as u16).max().unwrap_or(30) + 4;
            let area = centered(popup::screen(frame), width.max(40), lines.len() as u16 + 2);
            frame.render_widget(Clear, area);
            frame.render_widget(Paragraph::new(lines).block(popup::block(" rows that point here ")), area);
        }
        Overlay::User(panel) => super::user_panel::draw(frame, app, panel),
        Overlay::Confirm(confirmation) => super::confirm::draw(frame, app, confirmation),
        Overlay::Filter(bar) => super::filter::draw(frame, app, bar),
        Overlay::RefPick(picker) => {
            // The editor it fills in stays visible underneath.
            if let Overlay::Edit(popup) = picker.back.as_ref() {
                super::edit::draw(frame, app, popup);
            }
            super::ref_picker::draw(frame, app, picker);
        }
        _ => {}
    }
}

/// Help lists the keys of the screen it was opened on (`app::help` lays it out, so the keys
/// stop scrolling at its end).
fn draw_help(frame: &mut Frame, app: &App, scroll: u16, over_popup: bool) {
    let (help, height) = help_layout(app);
    let total = help.len();
    let lines: Vec<Line> = help
        .into_iter()
        .map(|line| match line {
            HelpLine::Title(title) => Line::styled(title, theme::header()),
            HelpLine::Blank => Line::raw(""),
            HelpLine::Entry { key, text } => Line::from(vec![Span::styled(key, theme::key()), Span::raw(text)]),
        })
        .collect();
    let width = lines.iter().map(|l| l.width() as u16).max().unwrap_or(0) + 2;
    let area = centered(popup::screen(frame), width, height);
    let fits = area.height as usize >= total + 2;
    let hint = match (fits, over_popup) {
        (true, false) => " any key closes ",
        (false, false) => " ↑↓ PgUp PgDn scroll · any other key closes ",
        (true, true) => " Esc / ? back to the popup ",
        (false, true) => " ↑↓ PgUp PgDn scroll · Esc / ? back to the popup ",
    };
    let title = if over_popup { " keys of this popup " } else { " help " };
    let outer = popup::block(title).title_bottom(Line::styled(hint, theme::dim()));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(outer).scroll((scroll, 0)), area);
}

fn draw_detail(frame: &mut Frame, app: &App, reveal: bool, scroll: u16) {
    let Some(tab) = app.grid_tab() else { return };
    let Some(meta) = tab.meta() else { return };
    let name_width = app.detail_label_width();
    // The app wraps the lines (it needs their count to stop scrolling at the end), so
    // continuation lines sit under the value rather than under the labels.
    let all = app.detail_lines(reveal);
    let mut lines: Vec<Line> = all
        .iter()
        .map(|line| {
            let piece = crate::present::terminal_safe(&line.text).into_owned();
            let Some(column) = line.column else { return Line::styled(piece, theme::error()) };
            let head = match meta.info.columns.get(column) {
                Some(c) if line.label => format!("{:>name_width$}  ", c.name),
                _ => " ".repeat(name_width + 2),
            };
            let style = match meta.kinds.get(column) {
                Some(ColumnKind::Secret) if !reveal => theme::secret(),
                Some(ColumnKind::Timestamp { .. }) => theme::timestamp(),
                _ => theme::info(),
            };
            Line::from(vec![Span::styled(head, theme::header()), Span::styled(piece, style)])
        })
        .collect();
    lines.extend(super::user_links::lines(app));
    let secrets = if reveal { "r mask secrets" } else { "r reveal secrets" };
    let hint = if app.on_user_table() {
        format!("{secrets} · A user actions · Esc close")
    } else {
        format!("{secrets} · Esc close")
    };
    let title = format!(" {} · row detail ", tab.name);
    let area =
        centered(popup::screen(frame), frame.area().width.saturating_sub(6), frame.area().height.saturating_sub(4));
    frame.render_widget(Clear, area);
    let mut outer = popup::block(title.as_str()).title_bottom(Line::styled(format!(" {hint} "), theme::dim()));
    // Where the view is, when the row does not fit.
    let visible = usize::from(area.height.saturating_sub(2));
    let total = lines.len();
    if total > visible {
        let top = usize::from(scroll) + 1;
        let bottom = (usize::from(scroll) + visible).min(total);
        let position = format!(" {top}-{bottom} of {total} ");
        outer = outer.title_bottom(Line::styled(position, theme::dim()).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(outer).scroll((scroll, 0)), area);
}
