//! The sessions and accounts listed in a user's row detail (see `app::user_links`).

use ratatui::text::{Line, Span};

use super::theme;
use crate::app::App;
use crate::db::users::{AccountInfo, SessionInfo};
use crate::db::value::DisplayContext;

/// The list's lines, as many as `DetailLinks::lines` counts; none when the detail is not a user's.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let Some(links) = app.detail_links() else { return Vec::new() };
    let mut lines = vec![Line::raw("")];
    let loaded = match &links.loaded {
        None => {
            lines.push(Line::styled("sessions and accounts: reading…", theme::dim()));
            return lines;
        }
        Some(Err(message)) => {
            let text = format!("sessions and accounts could not be read: {message}");
            lines.push(Line::styled(crate::present::terminal_safe(&text).into_owned(), theme::error()));
            return lines;
        }
        Some(Ok(loaded)) => loaded,
    };
    let selected = links.selected;
    let entry = |index: usize, text: String| {
        let (marker, style) =
            if selected == Some(index) { ("▸ ", theme::selected_cell()) } else { ("  ", theme::info()) };
        Line::from(vec![Span::raw(marker), Span::styled(crate::present::terminal_safe(&text).into_owned(), style)])
    };
    let active = loaded.sessions.iter().filter(|s| s.active).count();
    let total = loaded.sessions.len() as u64 + loaded.more_sessions;
    let head = if total == 0 {
        "sessions".to_string()
    } else if loaded.more_sessions > 0 {
        format!("sessions · {total} (the newest {} shown)", loaded.sessions.len())
    } else {
        format!("sessions · {total}, {active} active")
    };
    lines.push(Line::styled(head, theme::header()));
    if loaded.sessions.is_empty() {
        lines.push(Line::styled("  none", theme::dim()));
    }
    for (i, session) in loaded.sessions.iter().enumerate() {
        lines.push(entry(i, session_text(session, &app.ctx)));
    }
    if loaded.more_sessions > 0 {
        lines.push(Line::styled(format!("  and {} more", loaded.more_sessions), theme::dim()));
    }
    let total = loaded.accounts.len() as u64 + loaded.more_accounts;
    let head = if total == 0 { "accounts".to_string() } else { format!("accounts · {total}") };
    lines.push(Line::styled(head, theme::header()));
    if loaded.accounts.is_empty() {
        lines.push(Line::styled("  none", theme::dim()));
    }
    let first = loaded.sessions.len();
    for (i, account) in loaded.accounts.iter().enumerate() {
        lines.push(entry(first + i, account_text(account)));
    }
    if loaded.more_accounts > 0 {
        lines.push(Line::styled(format!("  and {} more", loaded.more_accounts), theme::dim()));
    }
    lines
}

/// `2026-11-20 10:00 → 2026-11-27 10:00 · active · 203.0.113.7 · Mozilla/5.0 (Mac… · impersonated by a@b.c`.
fn session_text(session: &SessionInfo, ctx: &DisplayContext) -> String {
    let date = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("?".to_string(), |at| at.with_timezone(&ctx.offset).format("%Y-%m-%d %H:%M").to_string())
    };
    let mut parts = vec![
        format!("{} → {}", date(session.created_at), date(session.expires_at)),
        (if session.active { "active" } else { "expired" }).to_string(),
    ];
    parts.extend(session.ip_address.iter().map(|ip| short(ip, 39)));
    parts.extend(session.user_agent.iter().map(|agent| short(agent, 24)));
    if let Some(by) = &session.impersonated_by {
        parts.push(format!("impersonated by {}", session.impersonator_email.as_deref().unwrap_or(by)));
    }
    parts.join(" · ")
}

/// `github · gh-123`.
fn account_text(account: &AccountInfo) -> String {
    format!("{} · {}", account.provider_id, short(&account.account_id, 40))
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}
