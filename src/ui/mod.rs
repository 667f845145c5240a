//! Drawing: pure functions of `&App`. Nothing here does IO or changes state.

mod columns;
mod confirm;
mod console;
mod edit;
mod er;
mod export;
mod form;
mod grid;
mod hints;
mod messages;
mod migrations;
mod overlays;
mod popup;
mod question;
mod ref_picker;
pub mod sql;
mod status;
pub mod theme;
mod user_links;
mod user_panel;
mod users;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::layout::{areas, tab_spans};
use crate::app::{App, Load, Screen};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let areas = areas(app);
    draw_tabs(frame, app, areas.tabs);
    if app.screen != Screen::Browser {
        let body = areas.header.union(areas.grid);
        match app.screen {
            Screen::Migrations => migrations::draw(frame, app, body),
            Screen::Console => console::draw(frame, app, body),
            _ => er::draw(frame, app, body),
        }
        question::draw(frame, app, areas.status);
        status::draw(frame, app, areas.status);
        hints::draw(frame, app, areas.hint);
        overlays::draw_popup(frame, app);
        return;
    }
    match (&app.tables, app.active_tab()) {
        (Load::Failed(message), _) => frame.render_widget(
            Paragraph::new(crate::present::cause_first("reading the schema", message))
                .style(theme::error())
                .wrap(ratatui::widgets::Wrap { trim: false }),
            areas.grid,
        ),
        (_, Some(tab)) => grid::draw(frame, app, tab, areas.header, areas.grid),
        (Load::Loaded(_), None) => {
            frame.render_widget(Paragraph::new("This database has no tables.").style(theme::dim()), areas.grid)
        }
        (Load::Loading, None) => {
            frame.render_widget(Paragraph::new("Reading the schema…").style(theme::dim()), areas.grid)
        }
    }
    if let Some(bar) = areas.bar {
        overlays::draw_bar(frame, app, bar);
    }
    question::draw(frame, app, areas.status);
    status::draw(frame, app, areas.status);
    hints::draw(frame, app, areas.hint);
    overlays::draw_popup(frame, app);
}

fn draw_tabs(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let mut spans: Vec<Span> = Vec::new();
    let mut x = 0u16;
    for (index, start, _) in tab_spans(app) {
        if start > x {
            spans.push(Span::raw(" ".repeat((start - x) as usize)));
        }
        let titles = app.tab_titles();
        let name = titles[index];
        let style = if index == app.active_title() { theme::tab_active() } else { theme::tab() };
        let text = format!(" {name} ");
        x = start + crate::app::layout::text_width(&text);
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    // Some tables' tabs are hidden to keep ER, migrations and SQL on the bar: say so.
    if let Some(x) = crate::app::layout::tabs_cut(app).filter(|x| *x < area.width) {
        let mark = ratatui::layout::Rect::new(area.x + x, area.y, 1, 1);
        frame.render_widget(Paragraph::new("…").style(theme::dim()), mark);
    }
}

#[cfg(test)]
mod console_tests;
#[cfg(test)]
mod fault_tests;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_delete;
#[cfg(test)]
mod tests_dialogs;
#[cfg(test)]
mod tests_drift;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_status;
#[cfg(test)]
mod tests_trust;
#[cfg(test)]
mod tests_user_links;
#[cfg(test)]
mod tests_walkthrough;
