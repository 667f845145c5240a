//! Text output of `squall user ...`: aligned columns, local times with their age.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Result;
use serde::Serialize;

use crate::db::users::{BanState, Impersonation, UserDetail, UserSummary, ban_text, when};
use crate::db::value::DisplayContext;
use crate::present::{group_thousands, plural};

/// Writes `text` to stdout. A closed pipe (`squall user list | head`) is not an error.
pub fn emit(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(()),
    }
}

/// Pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    emit(&(serde_json::to_string_pretty(value)? + "\n"))
}

/// Pads to `width` characters (not bytes: names and emails are not ASCII everywhere).
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

/// Prints rows as aligned columns; the last column is not padded.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let text: Vec<String> =
            cells.iter().enumerate().map(|(i, c)| if i == last { c.clone() } else { pad(c, widths[i]) }).collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
}

/// The users as a table, then a footer counting them; `total` is how many matched before
/// `--limit` (`None`: not counted, the listing may be cut), and the footer's breakdown says it
/// covers only those shown when it is more.
pub fn user_list(users: &[UserSummary], total: Option<u64>, ctx: &DisplayContext) -> String {
    let mut out = String::new();
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            vec![
                u.email.clone(),
                u.name.clone().unwrap_or_default(),
                u.roles.join(","),
                if u.email_verified { "yes" } else { "no" }.to_string(),
                u.active_sessions.to_string(),
                ban_text(u, ctx),
            ]
        })
        .collect();
    table(&mut out, &["EMAIL", "NAME", "ROLE", "VERIFIED", "SESSIONS", "BAN"], &rows);
    let count = |state: BanState| users.iter().filter(|u| u.ban.state == state).count();
    let shown = users.len() as u64;
    let breakdown = format!(
        "{} admin, {} banned, {} ban expired, {} unverified",
        users.iter().filter(|u| u.is_admin).count(),
        count(BanState::Banned),
        count(BanState::BanExpired),
        users.iter().filter(|u| !u.email_verified).count()
    );
    let _ = match total {
        None => writeln!(
            out,
            "\n{} shown, the first by email (--limit); more may match: they were not counted, as counting reads every user; among those shown: {breakdown}",
            plural(shown, "user")
        ),
        Some(total) if shown < total => {
            let total = plural(total, "user");
            writeln!(out, "\n{} of {total} shown; among those shown: {breakdown}", group_thousands(shown))
        }
        Some(_) => writeln!(out, "\n{}: {breakdown}", plural(shown, "user")),
    };
    out
}

/// An app column's value as `user show` prints it: empty (NULL or '') is `-`, as the name is.
fn other_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) if s.is_empty() => "-".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn user_detail(detail: &UserDetail, ctx: &DisplayContext) -> String {
    let mut out = String::new();
    let u = &detail.user;
    let _ = writeln!(out, "{}  (id {})", u.email, u.id);
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), u.name.clone().unwrap_or_else(|| "-".into())),
        ("role".into(), format!("{}{}", u.roles.join(","), if u.is_admin { " (admin)" } else { "" })),
        ("email verified".into(), if u.email_verified { "yes" } else { "no" }.into()),
        ("ban".into(), ban_text(u, ctx)),
        ("created".into(), when(u.created_at, ctx)),
        ("updated".into(), when(u.updated_at, ctx)),
    ];
    for other in &detail.other_columns {
        fields.push((other.name.clone(), other_value(&other.value)));
    }
    let width = fields.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (key, value) in fields {
        let _ = writeln!(out, "  {}  {value}", pad(&key, width));
    }
    let _ = writeln!(out, "\nsessions: {} ({} active)", detail.sessions.len(), u.active_sessions);
    let rows: Vec<Vec<String>> = detail
        .sessions
        .iter()
        .map(|s| {
            let by = match (&s.impersonator_email, &s.impersonated_by) {
                (Some(email), _) => format!("impersonated by {email}"),
                (None, Some(id)) => format!("impersonated by {id} (no such user)"),
                (None, None) => String::new(),
            };
            vec![
                s.id.clone(),
                if s.active { "active" } else { "expired" }.into(),
                when(s.expires_at, ctx),
                s.ip_address.clone().unwrap_or_default(),
                by,
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(&mut out, &["ID", "STATE", "EXPIRES", "IP", ""], &rows);
    }
    let _ = writeln!(out, "\naccounts: {}", detail.accounts.len());
    let rows: Vec<Vec<String>> = detail
        .accounts
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.provider_id.clone(),
                a.account_id.clone(),
                if a.has_password { "password set" } else { "" }.into(),
                when(a.created_at, ctx),
            ]
        })
        .collect();
    if !rows.is_empty() {
        table(&mut out, &["ID", "PROVIDER", "ACCOUNT ID", "PASSWORD", "CREATED"], &rows);
    }
    out
}

pub fn impersonations(list: &[Impersonation], ctx: &DisplayContext) -> String {
    let mut out = String::new();
    if list.is_empty() {
        let _ = writeln!(out, "no impersonation sessions");
        return out;
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|i| {
            vec![
                i.admin_email.clone().unwrap_or_else(|| format!("{} (no such user)", i.admin_id)),
                i.user_email.clone().unwrap_or_else(|| i.user_id.clone()),
                i.state_word().into(),
                when(i.created_at, ctx),
                when(i.expires_at, ctx),
                i.session_id.clone(),
            ]
        })
        .collect();
    table(&mut out, &["ADMIN", "IMPERSONATES", "STATE", "STARTED", "UNTIL", "SESSION"], &rows);
    out
}

#[cfg(test)]
mod tests {
    /// Defect: `user show` printed `lastLoginAt     null` while other empty fields show `-`.
    #[test]
    fn empty_app_columns_show_a_dash() {
        use serde_json::json;
        assert_eq!(super::other_value(&json!(null)), "-");
        assert_eq!(super::other_value(&json!("")), "-");
        assert_eq!(super::other_value(&json!("x")), "x");
        assert_eq!(super::other_value(&json!(3)), "3");
    }
}
