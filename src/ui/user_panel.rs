//! The user action menu popup: the entries, the forms, the confirmation with the SQL and what it
//! affects, and the impersonation list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::users::tone_style;
use super::{popup, theme};
use crate::app::layout::text_width;
use crate::app::{
    App, BanField, Confirmation, Confirmed, Load, MenuItem, PanelStep, PasswordField, ROLE_FIELD, ROLE_LIST,
    StatusTone, UserPanel, read_ban_expiry, status_parts,
};
use crate::db::change::ChangeOp;
use crate::db::kinds::name_words;
use crate::db::users::{ActionPreview, BanExpiry, Impersonation, UserAction};
use crate::db::users::{ban_text, bound_date, when};

use crate::db::value::DisplayContext;

use super::form::{self, Row};

/// Draws the bordered popup and returns the area inside it.
fn frame_popup(frame: &mut Frame, width: u16, height: u16, title: &str, hint: &str) -> Rect {
    frame_popup_with(frame, width, height, popup::block(Span::styled(format!(" {title} "), theme::header())), hint)
}

/// [`frame_popup`] for a block of the caller's (with the scroll position on it).
fn frame_popup_with(frame: &mut Frame, width: u16, height: u16, block: Block, hint: &str) -> Rect {
    popup::open_with_keys(frame, width, height, block, hint, theme::dim())
}

pub fn draw(frame: &mut Frame, app: &App, panel: &UserPanel) {
    let width = frame.area().width.saturating_sub(4).min(96);
    match &panel.step {
        PanelStep::Menu => draw_menu(frame, app, panel, width),
        PanelStep::Ban(form) => {
            let (reason_at, expiry_at) = (BanField::Reason as usize, BanField::Expiry as usize);
            let now = app.ctx.now;
            let reading = match read_ban_expiry(&form.text(BanField::Expiry as usize), &app.ctx, now) {
                Ok(expiry) => Span::styled(format!("→ {}", describe_expiry(expiry, &app.ctx, now)), theme::info()),
                Err(error) => Span::styled(format!("→ {error}"), theme::warning()),
            };
            let examples = "30m · 12h · 7d · 2w · 1y · 2026-12-01 14:00 · never (empty: permanent)";
            let mut rows = vec![
                Row::Text(Line::raw(format!(
                    "Ban {}: they cannot sign in, and all their sessions end.",
                    panel.user.email
                ))),
                Row::Gap,
                Row::Field { label: "reason", field: &form.fields[reason_at], focused: form.focus == reason_at },
                Row::Field { label: "until", field: &form.fields[expiry_at], focused: form.focus == expiry_at },
                Row::Note(Line::from(reading)),
                Row::Note(Line::styled(examples, theme::dim())),
            ];
            rows.extend(form::error_row(form.error.as_deref()));
            draw_form(frame, width, "ban", "Tab next field · Enter preview · Esc back", rows);
        }
        PanelStep::Role(form) => {
            let roles: &[String] = match &form.roles {
                Load::Loaded(roles) => roles,
                _ => &[],
            };
            let height =
                (roles.len().max(1) as u16 + 8 + 2 * u16::from(form.note.is_some())).min(popup::screen(frame).height);
            let hint = "type roles · ↑↓ / Tab to the list, Space tick · Enter preview · Esc back";
            let inner = frame_popup(frame, width, height, "set role", hint);
            let [intro, body] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
            let ticked: Vec<String> = form.text().split(',').map(|r| r.trim().to_string()).collect();
            let now = match panel.user.summary.as_ref() {
                // NULL is not the text `user`: better-auth only reads it as its default role.
                Some(user) if user.role.is_none() => "none stored, read as user".to_string(),
                Some(user) => user.roles.join(","),
                None => "?".into(),
            };
            let intro_text =
                format!("Role of {} (now: {now}). Several roles are stored comma-joined.", panel.user.email);
            frame.render_widget(Paragraph::new(intro_text).wrap(Wrap { trim: true }), intro);
            let [field, list] = [ROLE_FIELD, ROLE_LIST].map(|i| &form.form.fields[i]);
            let mut rows = vec![Row::Field { label: "role", field, focused: !form.on_list() }, Row::Gap];
            rows.push(match &form.roles {
                Load::Loading => Row::Text(Line::styled("reading the roles in use…", theme::dim())),
                Load::Failed(message) => {
                    Row::Text(Line::styled(format!("roles in use unknown: {message}"), theme::error()))
                }
                Load::Loaded(_) => Row::Options { field: list, focused: form.on_list(), ticked: &ticked },
            });
            if let Some(note) = &form.note {
                rows.push(Row::Note(Line::styled(note.clone(), theme::dim())));
            }
            rows.extend(form::error_row(form.form.error.as_deref()));
            form::draw(frame, body, rows);
        }
        PanelStep::Password(form) => {
            let (first_at, second_at) = (PasswordField::First as usize, PasswordField::Second as usize);
            let typed = form.text(first_at).chars().count();
            let note = if typed > 0 && typed < 8 {
                Line::styled(format!("{typed} characters: better-auth's default minimum is 8"), theme::warning())
            } else {
                Line::styled("typed twice, never shown", theme::dim())
            };
            let intro = format!("New password for {} (stored as better-auth's scrypt hash).", panel.user.email);
            let mut rows = vec![
                Row::Text(Line::raw(intro)),
                Row::Gap,
                Row::Field { label: "password", field: &form.fields[first_at], focused: form.focus == first_at },
                Row::Field { label: "repeat", field: &form.fields[second_at], focused: form.focus == second_at },
                Row::Note(note),
            ];
            rows.extend(form::error_row(form.error.as_deref()));
            draw_form(frame, width, "set password", "Tab other field · Enter next / preview · Esc back", rows);
        }
        PanelStep::Confirm(confirmation) => draw_confirm(frame, app, panel, confirmation),
        PanelStep::Running { action } => {
            let inner = frame_popup(frame, width.min(60), 3, "running", "");
            frame.render_widget(Paragraph::new(format!("Running {action}…")), inner);
        }
        PanelStep::Failed { message } => {
            let lines = vec![Line::styled(message.clone(), theme::error())];
            let height = 4 + (text_width(message) / width.max(1)).min(10);
            let inner = frame_popup(frame, width, height, "failed", "Esc back to the menu");
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        PanelStep::Impersonations { asked: Some(rows), .. } => draw_impersonations_question(frame, *rows),
        PanelStep::Impersonations { list, scroll, .. } => draw_impersonations(frame, &app.ctx, list, *scroll),
    }
}

use popup::wrapped_height;

/// A form in the popup frame, as tall as its rows wrap at `width` (with a row to spare).
fn draw_form(frame: &mut Frame, width: u16, title: &str, hint: &str, rows: Vec<Row>) {
    let height = form::height(&rows, width) + 3;
    let inner = frame_popup(frame, width, height, title, hint);
    form::draw(frame, inner, rows);
}

/// `permanent`, `for 7d, until 2026-12-05 12:00`, `until 2027-01-01 00:00 (in 34d)`.
fn describe_expiry(expiry: BanExpiry, ctx: &DisplayContext, now: chrono::DateTime<chrono::Utc>) -> String {
    match expiry {
        BanExpiry::Never => "permanent".into(),
        // Checked: the form is drawn on every key, and `300000y` is typed one digit at a time.
        BanExpiry::After(_) => match expiry.ends_at(now) {
            Ok(end) => format!("until {}", when(end, ctx)),
            Err(error) => error,
        },
        BanExpiry::At(at) => format!("until {}", when(Some(at), ctx)),
    }
}

fn draw_menu(frame: &mut Frame, app: &App, panel: &UserPanel, width: u16) {
    let mut lines: Vec<Line> = Vec::new();
    let mut head = vec![Span::styled(panel.user.email.clone(), theme::header())];
    if panel.user.email != panel.user.id {
        head.push(Span::styled(format!("  id {}", panel.user.id), theme::dim()));
    }
    lines.push(Line::from(head));
    if let Some(user) = &panel.user.summary {
        let mut status: Vec<Span> = Vec::new();
        for (text, tone) in status_parts(user, &app.ctx) {
            // The menu has room for the ban's full end date.
            let text = match tone {
                StatusTone::Banned | StatusTone::BanExpired => ban_text(user, &app.ctx),
                _ => text,
            };
            status.push(Span::styled(text, tone_style(tone)));
            status.push(Span::styled(" · ", theme::dim()));
        }
        let sessions = match user.active_sessions {
            1 => "1 active session".to_string(),
            n => format!("{n} active sessions"),
        };
        status.push(Span::raw(sessions));
        lines.push(Line::from(status));
    }
    if let Some(reason) = app.source.read_only {
        lines.push(Line::styled(format!("Read-only ({}): viewing only.", reason.describe()), theme::warning()));
    }
    lines.push(Line::raw(""));
    let read_only = app.source.read_only.is_some();
    for (i, item) in MenuItem::ALL.iter().enumerate() {
        let refused = read_only && item.writes();
        let selected = i == panel.selected;
        let style = match (selected, refused) {
            (true, _) => theme::selected_cell(),
            (false, true) => theme::dim(),
            (false, false) => Style::new(),
        };
        let key_style = if refused { theme::dim() } else { theme::key().add_modifier(Modifier::BOLD) };
        lines.push(Line::from(vec![
            Span::raw(if selected { "▌" } else { " " }),
            Span::styled(format!(" {} ", item.key()), key_style),
            Span::styled(format!(" {:<22}", item.label()), style),
            Span::styled(format!(" {}", item.description()), theme::dim()),
        ]));
    }
    if let Some(note) = &panel.note {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("✗ {note}"), theme::error()));
    }
    let width = width.min(80);
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let inner = frame_popup(frame, width, height, "user actions", "↑↓ choose · Enter or letter open · Esc close");
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// `Ban a@b.c?`, `Set the role of a@b.c to admin?`
fn question(action: &UserAction, email: &str) -> String {
    match action {
        UserAction::Ban { .. } => format!("Ban {email}?"),
        UserAction::Unban => format!("Unban {email}?"),
        UserAction::SetRole { role } => format!("Set the role of {email} to {role}?"),
        UserAction::RevokeSessions { .. } => format!("End every session of {email}?"),
        UserAction::SetPassword { .. } => format!("Set the password of {email}?"),
        UserAction::Remove => format!("Remove {email} with their sessions and accounts?"),
    }
}

/// Sessions the preview deletes (whatever the session table is called).
fn sessions_ended(preview: &ActionPreview) -> u64 {
    preview
        .effects
        .iter()
        .filter(|e| {
            e.op == ChangeOp::Delete && ["session", "sessions"].contains(&name_words(&e.table).concat().as_str())
        })
        .map(|e| e.rows)
        .sum()
}

fn confirm_lines(
    panel: &UserPanel,
    action: &UserAction,
    preview: &ActionPreview,
    ctx: &DisplayContext,
) -> Vec<Line<'static>> {
    // Dates are read from the plan's clock: the expiry of a 7-day ban stays "in 7d" while the
    // user reads, as it is what will be written.
    let ctx = &DisplayContext { now: preview.plan.now, ..*ctx };
    let header = if action.is_destructive() { theme::warning().add_modifier(Modifier::BOLD) } else { theme::header() };
    let mut lines = vec![Line::styled(question(action, &panel.user.email), header)];
    lines.push(Line::raw(crate::db::users::preview_effects_text(preview)));
    if matches!(action, UserAction::Ban { .. } | UserAction::RevokeSessions { .. } | UserAction::Remove) {
        let ended = sessions_ended(preview);
        let text = crate::db::users::sessions_text(ended, preview.user.active_sessions, true);
        lines.push(Line::styled(text, if ended == 0 { theme::dim() } else { theme::warning() }));
    }
    if let Some(note) = crate::db::users::impersonations_left_text(preview) {
        lines.push(Line::styled(note, theme::warning()));
    }
    if let UserAction::SetPassword { password } = action
        && password.expose().chars().count() < 8
    {
        lines.push(Line::styled("shorter than 8 characters, better-auth's default minimum", theme::warning()));
    }
    lines.push(Line::styled("Runs as one batch; recorded in squall's log (squall log).", theme::dim()));
    for (n, statement) in preview.statements.iter().enumerate() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("-- statement {}", n + 1), theme::dim()));
        lines.extend(super::sql::highlight(&statement.sql));
        for (i, param) in statement.params.iter().enumerate() {
            let mut spans = vec![
                Span::styled(format!("   ?{} = ", i + 1), theme::dim()),
                Span::styled(param.clone(), theme::timestamp()),
            ];
            if let Some(date) = bound_date(param, ctx) {
                spans.push(Span::styled(format!("  → {date}"), theme::dim()));
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}

fn draw_confirm(frame: &mut Frame, app: &App, panel: &UserPanel, confirmation: &Confirmation) {
    let Confirmed::UserAction { action, preview } = &confirmation.on_yes else { return };
    let width = frame.area().width.saturating_sub(4).min(110);
    let (lines, hint) = match preview {
        Load::Loading => (vec![Line::styled("reading what it would change…", theme::dim())], "Esc back"),
        Load::Failed(message) => (
            vec![
                Line::styled(question(action, &panel.user.email), theme::header()),
                Line::styled(format!("✗ {message}"), theme::error()),
                Line::raw("Nothing was changed."),
            ],
            "Esc back",
        ),
        Load::Loaded(preview) if let Some(answer) = &confirmation.answer => {
            let mut lines = confirm_lines(panel, action, preview, &app.ctx);
            // Right under the question, so it shows however long the SQL below is.
            let prompt = Line::from(vec![
                Span::styled(answer.prompt(), theme::warning()),
                Span::styled(format!("{}▏", answer.typed), theme::header()),
            ]);
            lines.insert(1, prompt);
            if let Some(refused) = &answer.refused {
                lines.insert(2, Line::styled(format!("✗ {refused}"), theme::error()));
            }
            (lines, "type the email, Enter remove · Esc back · ↑↓ scroll")
        }
        Load::Loaded(preview) => {
            (confirm_lines(panel, action, preview, &app.ctx), "y run · n / Esc cancel · ↑↓ scroll")
        }
    };
    let width = width.min(frame.area().width);
    let total = wrapped_height(&lines, width.saturating_sub(2));
    let keys = popup::keys_rows(hint, width);
    let height = (total + 2).min(popup::screen(frame).height.saturating_sub(keys));
    // Where the view is, when the preview does not fit; it stops at its last line.
    let visible = height.saturating_sub(2);
    let scroll = confirmation.scroll.min(popup::last_scroll(visible, total));
    let title = Span::styled(format!(" {} ", confirmation.title), theme::header());
    let mut block = popup::block(title);
    if let Some(at) = popup::position(scroll, visible, total) {
        block = block.title_bottom(Line::styled(at, theme::dim()).right_aligned());
    }
    let inner = frame_popup_with(frame, width, height, block, hint);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)), inner);
}

/// On a remote without an index on `session.impersonatedBy`: what listing reads, asked first.
fn draw_impersonations_question(frame: &mut Frame, rows: u64) {
    let width = frame.area().width.saturating_sub(4).min(80);
    let inner = frame_popup(frame, width, 6, "impersonations", "y list them · Esc back");
    let text = impersonations_question(rows);
    frame.render_widget(Paragraph::new(text).style(theme::warning()).wrap(Wrap { trim: true }), inner);
}

/// The question asked before listing impersonations reads every session.
pub fn impersonations_question(rows: u64) -> String {
    format!(
        "Listing the impersonations of this user reads every session (~{} read: session.impersonatedBy has no index) · y lists them · Esc back",
        crate::present::plural(rows, "row")
    )
}

fn draw_impersonations(frame: &mut Frame, ctx: &DisplayContext, list: &Load<Vec<Impersonation>>, scroll: u16) {
    let width = frame.area().width.saturating_sub(4);
    let height = frame.area().height.saturating_sub(4);
    let inner = frame_popup(frame, width, height, "impersonations", "↑↓ scroll · Esc back");
    let list = match list {
        Load::Loading => {
            frame.render_widget(Paragraph::new("reading impersonation sessions…").style(theme::dim()), inner);
            return;
        }
        Load::Failed(message) => {
            let text = Paragraph::new(format!("✗ {message}")).style(theme::error()).wrap(Wrap { trim: false });
            frame.render_widget(text, inner);
            return;
        }
        Load::Loaded(list) if list.is_empty() => {
            frame.render_widget(
                Paragraph::new("No impersonation involves this user (as target or as admin).").style(theme::dim()),
                inner,
            );
            return;
        }
        Load::Loaded(list) => list,
    };
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|i| {
            [
                i.admin_email.clone().unwrap_or_else(|| format!("{} (no such user)", i.admin_id)),
                i.user_email.clone().unwrap_or_else(|| i.user_id.clone()),
                i.state_word().into(),
                when(i.created_at, ctx),
                when(i.expires_at, ctx),
            ]
        })
        .collect();
    let header = ["admin", "impersonates", "state", "started", "until"];
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // The dates and the state are kept whole; long emails are cut to share what is left.
    let fixed: usize = widths[2..].iter().sum::<usize>() + 2 * header.len();
    let email_room = (usize::from(inner.width).saturating_sub(fixed) / 2).max(12);
    widths[0] = widths[0].min(email_room);
    widths[1] = widths[1].min(email_room);
    let line = |cells: &[String], style: Style, active: Option<bool>| {
        let spans: Vec<Span> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                let style = match (i, active) {
                    (2, Some(true)) => Style::new().fg(ratatui::style::Color::Green),
                    (2, Some(false)) => theme::dim(),
                    _ => style,
                };
                Span::styled(format!("{}  ", crate::present::fit(cell, *w as u16)), style)
            })
            .collect();
        Line::from(spans)
    };
    let mut lines = vec![line(&header.map(String::from), theme::header(), None)];
    lines.extend(list.iter().zip(&rows).map(|(i, row)| line(row, Style::new(), Some(i.active))));
    let active = list.iter().filter(|i| i.active).count();
    let [table, summary] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), table);
    let text = format!("{}, {active} active", crate::present::plural(list.len() as u64, "impersonation session"));
    frame.render_widget(Paragraph::new(text).style(theme::dim()), summary);
}
