//! Drawing: pure functions of `&App`. Nothing here does IO or changes state.

mod columns;
mod confirm;
mod console;
mod edit;
mod er;
mod export;
mod filter;
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

use crate::app::layout::areas;
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
    let bar = crate::app::layout::tab_bar(app);
    let titles = app.tab_titles();
    let mut spans: Vec<Span> = Vec::new();
    let mut x = 0u16;
    let mut put = |spans: &mut Vec<Span<'static>>, at: u16, text: String, style| {
        if at > x {
            spans.push(Span::raw(" ".repeat((at - x) as usize)));
        }
        x = at + crate::app::layout::text_width(&text);
        spans.push(Span::styled(text, style));
    };
    // How many tabs are hidden either side, so a narrow bar still says there are more.
    if let Some((at, mark)) = &bar.left {
        put(&mut spans, *at, mark.clone(), theme::dim());
    }
    let mut right = bar.right.clone();
    for tab in &bar.tabs {
        if let Some((at, mark)) = right.take_if(|(at, _)| *at <= tab.x) {
            put(&mut spans, at, mark, theme::dim());
        }
        let style = if tab.index == app.active_title() { theme::tab_active() } else { theme::tab() };
        // A tab narrower than its title shows it cut with `…`, which ends it (no right padding:
        // one more letter of the name shows).
        let full = crate::app::layout::text_width(titles[tab.index]) + 2;
        let text = if tab.width < full {
            format!(" {}", crate::present::fit(titles[tab.index], tab.width.saturating_sub(1)).trim_end())
        } else {
            format!(" {} ", titles[tab.index])
        };
        put(&mut spans, tab.x, text, style);
    }
    if let Some((at, mark)) = right {
        put(&mut spans, at, mark, theme::dim());
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
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
mod tests_insert_form;
#[cfg(test)]
mod tests_status;
#[cfg(test)]
mod tests_trust;
#[cfg(test)]
mod tests_user_links;
#[cfg(test)]
mod tests_walkthrough;
