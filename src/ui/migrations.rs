//! The migrations screen: the list with states and trackers, the selected migration's SQL, and
//! the apply log (the confirmation is the common one, `ui::confirm`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::theme;
use crate::app::{App, Load};
use crate::migrate::MigrationState;
use crate::migrate::drift::DriftReport;

fn state_style(state: MigrationState) -> Style {
    match state {
        MigrationState::Applied => Style::new().fg(Color::Green),
        MigrationState::Pending => Style::new().fg(Color::Yellow),
        MigrationState::Modified | MigrationState::Missing => theme::error(),
        MigrationState::Skipped => Style::new().fg(Color::LightRed),
    }
}

/// `no drift`, `drift: 2 differences, 1 edited`, or why drift could not be checked.
fn drift_span(drift: &Result<DriftReport, String>) -> Span<'static> {
    match drift {
        Ok(report) if !report.drift => Span::styled("no drift", Style::new().fg(Color::Green)),
        Ok(report) => {
            let edited =
                if report.edited.is_empty() { String::new() } else { format!(", {} edited", report.edited.len()) };
            Span::styled(
                format!("drift: {} difference(s){edited} (see below)", report.differences.len()),
                theme::error(),
            )
        }
        Err(message) => Span::styled(format!("drift not checked: {message}"), theme::warning()),
    }
}

/// `line` cut to `width` cells with a `…` where it was cut (a cut without one reads as the
/// whole text: `binding D`).
fn cut_line(line: Line<'static>, width: u16) -> Line<'static> {
    let total: u16 = line.spans.iter().map(|s| crate::app::layout::text_width(&s.content)).sum();
    if total <= width {
        return line;
    }
    let mut room = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = crate::app::layout::text_width(&span.content);
        if w < room {
            room -= w;
            spans.push(span);
        } else {
            // fit ends a cut text in `…`; the space makes one that ends at the edge cut too
            // (more follows it).
            spans.push(Span::styled(crate::present::fit(&format!("{} ", span.content), room), span.style));
            break;
        }
    }
    Line::from(spans).style(line.style)
}

/// The drift report, one line per difference, for the SQL pane.
fn drift_lines(report: &DriftReport) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(format!("drift against {}:", report.expected), theme::error())];
    lines.extend(report.differences.iter().map(|d| Line::styled(format!("  {}", d.describe()), theme::error())));
    lines.extend(
        report.edited.iter().map(|e| Line::styled(format!("  edited: {}: {}", e.name, e.reason), theme::error())),
    );
    lines.push(Line::raw(""));
    lines
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let screen = &app.migrations;
    if let Some(looked) = &screen.missing {
        let text = format!("{looked}.\n\nr looks again.");
        frame.render_widget(Paragraph::new(text).style(theme::dim()).wrap(Wrap { trim: false }), area);
        return;
    }
    let overview = match &screen.overview {
        Some(Load::Loaded(overview)) => overview,
        Some(Load::Failed(message)) => {
            let text = format!("Could not read the migrations:\n{message}\n\nr retries.");
            frame.render_widget(Paragraph::new(text).style(theme::error()).wrap(Wrap { trim: false }), area);
            return;
        }
        _ => {
            frame.render_widget(Paragraph::new("Reading migrations…").style(theme::dim()), area);
            return;
        }
    };
    let plan = &overview.plan;
    let log_height = if screen.log.is_empty() { 0 } else { (screen.log.len() as u16 + 2).min(8) };
    // Refused files first: apply cannot run until they are fixed, so they outrank warnings.
    let mut warnings: Vec<Line> =
        plan.refused.iter().map(|r| Line::styled(format!(" refused: {r}"), theme::error())).collect();
    warnings.extend(overview.notes.iter().map(|note| Line::styled(format!(" warning: {note}"), theme::warning())));
    warnings.truncate(3);
    let head_height = 2 + warnings.len() as u16;
    let [head, body, log] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Fill(1), Constraint::Length(log_height)])
            .areas(area);
    let pending = plan.to_apply.len();
    let summary = match (pending, plan.problems.len() + plan.refused.len()) {
        (0, 0) => Span::styled("up to date", Style::new().fg(Color::Green)),
        (n, 0) => Span::styled(format!("{n} pending — A applies"), Style::new().fg(Color::Yellow)),
        (_, p) => Span::styled(format!("{p} problem(s): apply refuses until fixed"), theme::error()),
    };
    let mut header = vec![
        Line::from(vec![Span::styled(" folder: ", theme::dim()), Span::raw(overview.reason.clone())]),
        Line::from(vec![
            Span::styled(" tracker: ", theme::dim()),
            Span::raw(format!("{} ({}) · ", plan.tracker.kind.label(), plan.tracker.reason)),
            summary,
            Span::raw(" · "),
            if app.migrations.schema_changed {
                Span::styled("schema changed · r checks drift again", theme::warning())
            } else {
                drift_span(&overview.drift)
            },
        ]),
    ];
    // The journal and the files disagree: wrangler and drizzle would apply different things.
    header.extend(warnings);
    let header: Vec<Line> = header.into_iter().map(|line| cut_line(line, head.width)).collect();
    frame.render_widget(Paragraph::new(header), head);

    let name_width = plan.statuses.iter().map(|s| crate::app::layout::text_width(&s.name) as usize).max().unwrap_or(10);
    let time_width = plan.statuses.iter().filter_map(|s| s.applied_at.as_deref()).map(str::len).max().unwrap_or(0);
    let note_width = if plan.statuses.iter().any(|s| s.note.is_some()) { 16 } else { 0 };
    // Pointer, state, name, a space, the time, the note, the border: the list takes what it needs
    // while the SQL pane keeps 50 columns, and half the screen when the screen is narrower.
    let needed = (1 + 9 + name_width + 1 + time_width + note_width + 2) as u16;
    let list_width = needed.min((body.width / 2).max(body.width.saturating_sub(50)));
    let [list, sql] = Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(body);
    // The time shows only when it fits whole beside the whole name (a cut time reads as a wrong
    // one, and the name says which migration it is); the name is cut last.
    let inner = usize::from(list_width.saturating_sub(2));
    let show_time = time_width > 0 && inner >= 1 + 9 + name_width + 1 + time_width;
    let name_room = inner.saturating_sub(1 + 9 + if show_time { 1 + time_width } else { 0 }).min(name_width);
    let rows: Vec<Line> = plan
        .statuses
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let when = if show_time { status.applied_at.clone().unwrap_or_default() } else { String::new() };
            let name = crate::present::fit(&status.name, name_room as u16);
            let pad = name_room.saturating_sub(crate::app::layout::text_width(&name) as usize);
            let mut line = Line::from(vec![
                Span::raw(if i == screen.selected { "▌" } else { " " }),
                Span::styled(format!("{:<9}", status.state.label()), state_style(status.state)),
                Span::raw(format!("{name}{} ", " ".repeat(pad))),
                Span::styled(when, theme::dim()),
            ]);
            if status.note.is_some() {
                line.spans.push(Span::styled("  not in journal", theme::warning()));
            }
            if i == screen.selected { line.style(theme::selected_row()) } else { line }
        })
        .collect();
    let list_block = Block::bordered().border_type(BorderType::Rounded).title(" migrations ");
    frame.render_widget(Paragraph::new(rows).block(list_block), list);

    let selected = plan.statuses.get(screen.selected);
    let mut lines: Vec<Line> = Vec::new();
    let title = selected.map_or_else(|| " SQL ".to_string(), |s| format!(" {} · {} ", s.name, s.tracker.label()));
    match selected.and_then(|s| s.file_index).and_then(|i| overview.statements.get(i)) {
        Some(statements) => {
            for (n, statement) in statements.iter().enumerate() {
                lines.push(Line::styled(format!("-- statement {}", n + 1), theme::dim()));
                lines.extend(super::sql::highlight(statement));
                lines.push(Line::raw(""));
            }
        }
        None => lines
            .push(Line::styled("No file: the tracker records a migration that is not in the folder.", theme::error())),
    }
    if let Ok(report) = &overview.drift
        && report.drift
    {
        lines.splice(0..0, drift_lines(report));
    }
    if let Some(status) = selected.filter(|s| s.state == MigrationState::Modified) {
        lines.insert(
            0,
            Line::styled(
                format!(
                    "modified since applied: recorded hash {}…, file hash {}…",
                    status.recorded_hash.as_deref().unwrap_or("?").chars().take(12).collect::<String>(),
                    status.hash.as_deref().unwrap_or("?").chars().take(12).collect::<String>()
                ),
                theme::error(),
            ),
        );
    }
    let sql_block = Block::bordered().border_type(BorderType::Rounded).title(title);
    // Long lines wrap: a cut statement hides what it does.
    let sql_text = Paragraph::new(lines).block(sql_block).wrap(Wrap { trim: false });
    frame.render_widget(sql_text.scroll((screen.sql_scroll, 0)), sql);

    if log_height > 0 {
        let text: Vec<Line> = screen.log.iter().rev().take(6).rev().map(|l| Line::raw(l.clone())).collect();
        let block = Block::bordered().border_type(BorderType::Rounded).title(" apply ");
        frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: false }), log);
    }
}
