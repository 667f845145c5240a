//! The status line: file, read-only badge, position, sort and filter, and the last message
//! (which keeps this line to itself: the key hints are on the line below).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::grid::SPINNER;
use super::theme;
use crate::app::describe_filter;
use crate::app::layout::text_width;
use crate::app::{App, Level, arrow};
use crate::db::kinds::ColumnKind;
use crate::present::group_thousands;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let mut left: Vec<Span> = Vec::new();
    let error = app.status.as_ref().filter(|s| s.level == Level::Error).map(|s| text_width(&s.text));
    // On a remote, which database and whether it can be changed, on every screen. A long name
    // (a database id) is cut while an error that would not fit beside it is shown.
    if let Some(remote) = &app.remote {
        let crowded = error.is_some_and(|error| error + text_width(&remote.name) + 40 > area.width);
        // `fit` pads a short name to its width: only a name longer than the room is cut.
        let name = if crowded && text_width(&remote.name) > 9 {
            crate::present::fit(&remote.name, 9)
        } else {
            remote.name.clone()
        };
        let (text, style) = if remote.write {
            (format!(" D1 {name} · WRITE "), remote_write_badge())
        } else {
            (format!(" D1 {name} "), remote_badge())
        };
        left.push(Span::styled(text, style));
        left.push(Span::raw(" "));
    }
    if app.source.read_only.is_some() {
        left.push(Span::styled(" READ-ONLY ", theme::badge()));
        left.push(Span::raw(" "));
    }
    // The label goes in last, cut to what the rest leaves: the row position must never be cut.
    let label_at = left.len();
    if !app.trail.is_empty() {
        let mut path: Vec<&str> =
            app.trail.iter().map(|b| app.tabs.get(b.from_tab).map_or("?", |t| t.name.as_str())).collect();
        path.extend(app.trail.last().and_then(|b| app.tabs.get(b.to_tab)).map(|t| t.name.as_str()));
        left.push(Span::styled(format!(" │ ⟵ {}", path.join(" › ")), theme::key()));
    }
    let mut filter_at = None;
    if let (crate::app::Screen::Browser, Some(tab)) = (app.screen, app.active_tab()) {
        // A remote's whole-table count is max(rowid): an estimate, and said so.
        let estimated = app.total_is_estimate(tab);
        let approx = if estimated { "~" } else { "" };
        let total = tab.total.map_or_else(|| app.uncounted_total(tab), |n| format!("{approx}{}", group_thousands(n)));
        let position = match (tab.window.rows.is_empty(), tab.window.row_number(tab.total)) {
            (true, _) => format!("0 of {total}"),
            (false, Some(row)) => format!("row {} of {total}", group_thousands(row)),
            (false, None) => format!("row … of {total}"),
        };
        left.push(Span::raw(format!(" │ {position}")));
        if let Some(sort) = &tab.spec.sort {
            left.push(Span::raw(format!(" │ {} {}", sort.column, arrow(sort.direction))));
        }
        let kind_of = |column: &str| {
            let meta = tab.meta()?;
            meta.info.columns.iter().position(|c| c.name == column).map(|i| meta.kinds[i].clone())
        };
        let mut conditions: Vec<String> = tab
            .spec
            .filters
            .iter()
            .map(|f| describe_filter(f, &kind_of(&f.column).unwrap_or(ColumnKind::Text), &app.ctx))
            .collect();
        if let Some(search) = &tab.spec.search {
            conditions.push(format!("/{search}"));
        }
        if !conditions.is_empty() {
            filter_at = Some(left.len());
            left.push(Span::styled(format!(" │ {}", conditions.join(" AND ")), theme::warning()));
        }
    }
    let (changed, deleted) = app.conflicted_rows_by_kind();
    if changed + deleted > 0 {
        let parts: Vec<String> = [(changed, "changed"), (deleted, "deleted")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        left.push(Span::styled(format!(" ! {} underneath ", parts.join(", ")), theme::conflict()));
    }
    let mut stats_at = None;
    if let Some(remote) = &app.remote {
        // The last key's whole action (every request it caused: page, counts, reads ahead,
        // retries), which is what a user weighs against the bill; then how long the last request
        // took and the session's total (these give way first on a narrow line).
        let stats = remote.stats;
        let (rows, requests) = remote.action_cost();
        stats_at = Some(left.len());
        left.push(Span::styled(
            format!(
                " │ {} read in {}",
                crate::present::plural(rows, "row"),
                crate::present::plural(requests, "request")
            ),
            theme::dim(),
        ));
        left.push(Span::styled(
            format!(
                " · last request {} ms · session {} read",
                group_thousands(stats.last_ms),
                group_thousands(stats.total_rows_read)
            ),
            theme::dim(),
        ));
    }
    if app.live.off.is_some() && app.remote.is_none() {
        left.push(Span::styled(" │ not live · Ctrl-r reloads", theme::dim()));
    }
    if app.is_busy() {
        left.push(Span::raw(format!(" {}", SPINNER[app.spinner % SPINNER.len()])));
    }
    // A read that takes a while says so, and how to stop it (ticks come every 250 ms).
    let slow_read = app
        .active_tab()
        .and_then(|t| app.pending.page_of(&t.name))
        .map(|(_, _, sent_at_tick)| app.spinner.saturating_sub(sent_at_tick));
    // On a remote: what is waited for, for how long (the tick's clock), and what Esc does.
    if let Some(wait) = app.shown_remote_wait() {
        left.push(Span::styled(format!(" {}", wait.text()), theme::warning()));
    } else if let Some(ticks) =
        slow_read.filter(|ticks| *ticks >= 2 && app.screen == crate::app::Screen::Browser && app.remote.is_none())
    {
        left.push(Span::styled(format!(" reading… {:.1}s · Esc cancels", ticks as f64 / 4.0), theme::warning()));
    }
    let (message, style) = match &app.status {
        Some(status) => (
            status.text.clone(),
            match status.level {
                Level::Info => theme::info(),
                Level::Warning => theme::warning(),
                Level::Error => theme::error(),
            },
        ),
        None => (String::new(), theme::dim()),
    };
    // The message gets the room it needs (up to two thirds of the line, an error's cause comes
    // first in its text) before the file label and the remote's request counts, which give way
    // to it whole: a count cut mid-number would read as another number.
    let reserved = text_width(&message).min(area.width * 2 / 3);
    let width_of = |spans: &[Span]| -> u16 { spans.iter().map(|s| text_width(&s.content)).sum() };
    // The session's total gives way, whole; the last key's cost keeps its place (the message is
    // cut instead, `m` shows it): what a key read must be seen after every key.
    if let Some(at) = stats_at.filter(|_| width_of(&left) + reserved + 4 > area.width) {
        left.remove(at + 1);
        // Still crowded: the cost's short form, its numbers whole.
        if let Some(remote) = app.remote.as_ref().filter(|_| width_of(&left) + reserved + 4 > area.width) {
            let (rows, requests) = remote.action_cost();
            let short = format!(" │ read {}, {requests} req", crate::present::plural(rows, "row"));
            left[at] = Span::styled(short, theme::dim());
        }
        // Last resort: what is waited for (a write, its seconds, Esc) must not run off the end,
        // and an error's cause (a rejected token) comes before what the failed key read.
        let crowded_error = error.is_some() && width_of(&left) + reserved + 4 > area.width;
        if width_of(&left) > area.width || crowded_error {
            left.remove(at);
        }
    }
    // On a remote the badge names the database already: the label would say it again.
    let label = if app.remote.is_some() { String::new() } else { file_label(&app.source) };
    // The filter summary is cut (ending in `…`) to leave the label a short name and the message
    // its room, rather than run off the line's end.
    if let Some(at) = filter_at {
        let label_min = text_width(&label).min(LABEL_MIN);
        let rest = width_of(&left) - text_width(&left[at].content);
        let room = area.width.saturating_sub(rest + reserved + label_min + 4).max(FILTER_MIN);
        if text_width(&left[at].content) > room {
            let cut = crate::present::fit(&left[at].content, room);
            left[at] = Span::styled(cut, theme::warning());
        }
    }
    let others: u16 = width_of(&left);
    // The message's room below is what is left after the label and 3 cells (the gap and the
    // padding): for a message that fits, the label leaves those too, or it is cut 2 short.
    let gap = if text_width(&message) == reserved { 3 } else { 1 };
    let label_room = area.width.saturating_sub(others + gap + reserved);
    let label =
        if label_room >= 4 { crate::present::fit(&label, label_room.min(text_width(&label))) } else { String::new() };
    left.insert(label_at, Span::raw(label));
    let used: u16 = left.iter().map(|s| text_width(&s.content)).sum();
    let room = area.width.saturating_sub(used + 3);
    let message = fit_message(&message, room);
    let pad = area.width.saturating_sub(used + text_width(&message) + 1);
    left.push(Span::raw(" ".repeat(pad as usize)));
    left.push(Span::styled(message, style));
    frame.render_widget(Paragraph::new(Line::from(left)).style(theme::status()), area);
}

/// The file label's least width when the filter summary is cut to make room for it.
const LABEL_MIN: u16 = 12;
/// The filter summary's least width: ` │ ` and a few characters before its `…`.
const FILTER_MIN: u16 = 10;

/// The message in `room` cells; one cut short ends in `… (m)`: `m` shows it in full.
fn fit_message(message: &str, room: u16) -> String {
    const MARK: &str = " (m)";
    let width = text_width(message);
    if width <= room {
        message.to_string()
    } else if room > 12 {
        format!("{}{MARK}", crate::present::fit(message, room - text_width(MARK)))
    } else {
        crate::present::fit(message, room)
    }
}

/// A remote session's badge, read-only.
fn remote_badge() -> ratatui::style::Style {
    use ratatui::style::{Color, Modifier, Style};
    Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A remote session's badge when writes are on: a warning colour.
fn remote_write_badge() -> ratatui::style::Style {
    use ratatui::style::{Color, Modifier, Style};
    Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)
}

/// The database's short name: the wrangler database name for a wrangler project's local D1 (its
/// file is named by a hash), else the file name, with its folder when the whole path is short.
fn file_label(source: &crate::app::Source) -> String {
    if let Some(name) = &source.name {
        return name.clone();
    }
    let path = source.path.as_str();
    if path.chars().count() <= 40 {
        return path.to_string();
    }
    std::path::Path::new(path).file_name().map_or(path.into(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::RemoteSession;
    use crate::app::tests::{open_app, users_db};
    use crate::service::RemoteStats;

    fn status_line(app: &crate::app::App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(160, 12)).unwrap();
        terminal.draw(|frame| crate::ui::draw(frame, app)).unwrap();
        let buffer = terminal.backend().buffer();
        let y = buffer.area.height - 2;
        (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect()
    }

    #[test]
    fn a_remote_session_shows_its_badge_estimate_and_costs() {
        let (_dir, mut conn) = users_db(30);
        let mut app = open_app(&mut conn, 160, 12);
        let stats = RemoteStats { last_rows_read: 41, last_ms: 123, total_rows_read: 1_468, requests: 7 };
        app.remote = Some(RemoteSession { name: "app-db".into(), write: true, stats, ..Default::default() });
        let line = status_line(&app);
        assert!(line.starts_with(" D1 app-db · WRITE "), "{line}");
        assert!(line.contains("row 1 of ~30"), "{line}");
        assert!(line.contains("│ 1,468 rows read in 7 requests · last request 123 ms · session 1,468 read"), "{line}");
        // A key that sends requests counts from there: its own rows and requests, not the last one's.
        app.remote.as_mut().unwrap().action_start = crate::app::ActionStart { rows_read: 1_000, requests: 4 };
        let line = status_line(&app);
        assert!(line.contains("│ 468 rows read in 3 requests · last request 123 ms · session 1,468 read"), "{line}");
        app.remote.as_mut().unwrap().write = false;
        assert!(status_line(&app).starts_with(" D1 app-db  "), "{}", status_line(&app));
    }

    #[test]
    fn a_short_name_beside_a_long_error_is_not_padded() {
        let (_dir, mut conn) = users_db(3);
        let mut app = open_app(&mut conn, 160, 12);
        app.remote = Some(RemoteSession { name: "app-db".into(), write: true, ..Default::default() });
        app.say(crate::app::Level::Error, "✗ D1 did not answer within 35 s after the write was sent: ".repeat(3));
        let line = status_line(&app);
        assert!(line.starts_with(" D1 app-db · WRITE "), "{line}");
    }
}
