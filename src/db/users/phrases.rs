//! better-auth users in words, for the CLI and the TUI alike: a ban as people say it, what a user
//! action changes or changed, one line per outcome. Next to the types they describe (not in
//! `present/`, which stands below `db/` and names none of its types).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::{ActionOutcome, ActionPreview, BanState, Effect, Impersonations, UserAction, UserSummary};
use crate::db::change::ChangeOp;
use rusqlite::types::Value;

use crate::db::value::{DisplayContext, parse_iso_datetime, value_instant};
use crate::present::{plural, relative_age};

/// `2026-06-08 12:00 (in 7d)`, or `-`.
pub fn when(instant: Option<DateTime<Utc>>, ctx: &DisplayContext) -> String {
    match instant {
        Some(at) => {
            format!("{} ({})", at.with_timezone(&ctx.offset).format("%Y-%m-%d %H:%M"), relative_age(at, ctx.now))
        }
        None => "-".into(),
    }
}

/// `banned until ...: reason`, `banned permanently: reason`, `ban expired ...`, or `-`.
pub fn ban_text(user: &UserSummary, ctx: &DisplayContext) -> String {
    let reason = user.ban.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    match (user.ban.state, user.ban.expires_at) {
        (BanState::NotBanned, _) => "-".into(),
        (BanState::Banned, None) => format!("banned permanently{reason}"),
        (BanState::Banned, at) => format!("banned until {}{reason}", when(at, ctx)),
        (BanState::BanExpired, at) => format!("ban expired {}{reason}", when(at, ctx)),
    }
}

/// `2 sessions`, `1 account`, `3 rows of audit_log`.
fn rows_of(effect: &Effect) -> String {
    let plural = if effect.rows == 1 { "" } else { "s" };
    let singular = effect.table.trim_end_matches('s');
    if ["user", "session", "account"].iter().any(|t| singular.eq_ignore_ascii_case(t)) {
        format!("{} {}{plural}", effect.rows, singular.to_lowercase())
    } else {
        format!("{} row{plural} of {}", effect.rows, effect.table)
    }
}

/// `deletes 2 sessions, 1 account, 1 user; updates 2 rows of audit_log (by foreign key ...)`.
pub fn effects_text(effects: &[Effect], future: bool) -> String {
    let verb = |op: ChangeOp| match (op, future) {
        (ChangeOp::Delete, true) => "deletes",
        (ChangeOp::Delete, false) => "deleted",
        (ChangeOp::Update, true) => "updates",
        (ChangeOp::Update, false) => "updated",
        (ChangeOp::Insert, true) => "inserts",
        (ChangeOp::Insert, false) => "inserted",
    };
    let mut groups: Vec<(ChangeOp, Vec<String>)> = Vec::new();
    for effect in effects.iter().filter(|e| e.rows > 0) {
        let via = effect.via.as_deref().map(|v| format!(" (by {v})")).unwrap_or_default();
        let part = format!("{}{via}", rows_of(effect));
        match groups.iter_mut().find(|(op, _)| *op == effect.op) {
            Some((_, parts)) => parts.push(part),
            None => groups.push((effect.op, vec![part])),
        }
    }
    if groups.is_empty() {
        return "changes nothing".into();
    }
    groups.iter().map(|(op, parts)| format!("{} {}", verb(*op), parts.join(", "))).collect::<Vec<_>>().join("; ")
}

/// The counts line of a preview. An unban of a user who is not banned writes `banned = 0` over
/// `0`: said so, as a revoke of no session says it ends none.
pub fn preview_effects_text(preview: &ActionPreview) -> String {
    if preview.action == UserAction::Unban.name() && preview.user.ban.state == BanState::NotBanned {
        return "not banned: unban changes nothing but updatedAt".into();
    }
    effects_text(&preview.effects, true)
}

/// For a removal of an admin who impersonated others: their sessions stay and will name a user
/// that no longer exists.
pub fn impersonations_left_text(preview: &ActionPreview) -> Option<String> {
    match preview.impersonations_left {
        Impersonations::Counted(0) => None,
        Impersonations::NotCounted => Some(
            "sessions of other users naming them in impersonatedBy were not counted (no index on it: counting reads every session); they are kept, as better-auth keeps them".into(),
        ),
        Impersonations::Counted(n) => Some(format!(
            "{} of other users name them in impersonatedBy: kept (as better-auth keeps them), they will point at a removed user",
            plural(n, "session")
        )),
    }
}

/// The date a bound value stands for, when it looks like one (epoch ms or ISO text): bans and
/// `updatedAt` are easier to check as dates than as numbers.
pub fn bound_date(param: &str, ctx: &DisplayContext) -> Option<String> {
    let value = match param.parse::<i64>() {
        Ok(n) if (100_000_000_000..100_000_000_000_000).contains(&n.unsigned_abs()) => Value::Integer(n),
        Ok(_) => return None,
        Err(_) => Value::Text(param.strip_prefix('\'')?.strip_suffix('\'')?.to_string()),
    };
    if let Value::Text(text) = &value
        && parse_iso_datetime(text).is_none()
    {
        return None;
    }
    value_instant(&value).map(|at| when(Some(at), ctx))
}

/// What a confirm prompt shows: the counts, then each statement with its bound values, a date
/// beside each value that stands for one (as the TUI's confirmation shows them), read from the
/// plan's clock: a 7-day ban's end is `(in 7d)`.
pub fn preview_text(preview: &ActionPreview, ctx: &DisplayContext) -> String {
    let ctx = &DisplayContext { now: preview.plan.now, ..*ctx };
    let mut text = format!("{} {}: {}", preview.action, preview.user.email, preview_effects_text(preview));
    if let Some(note) = impersonations_left_text(preview) {
        text.push('\n');
        text.push_str(&note);
    }
    for statement in &preview.statements {
        text.push_str("\n\n");
        text.push_str(&statement.sql);
        for (i, param) in statement.params.iter().enumerate() {
            let _ = write!(text, "\n  ?{} = {param}", i + 1);
            if let Some(date) = bound_date(param, ctx) {
                let _ = write!(text, "  → {date}");
            }
        }
    }
    text
}

/// What deleting `deleted` sessions of a user with `active` unexpired ones does (`future`) or
/// did: an expired session is removed, not ended (it had ended already).
/// `ends 2 sessions`, `ends no active session (2 expired sessions removed)`, `removed 1 expired session`.
pub fn sessions_text(deleted: u64, active: u64, future: bool) -> String {
    let active = active.min(deleted);
    let expired = deleted - active;
    let ends = if future { "ends" } else { "ended" };
    match (active, expired) {
        (0, 0) if future => "ends no session: they have none".into(),
        (0, 0) => "ended no session (they had none)".into(),
        (active, 0) => format!("{ends} {}", plural(active, "session")),
        (0, expired) if future => format!("ends no active session ({} removed)", plural(expired, "expired session")),
        (0, expired) => format!("removed {}", plural(expired, "expired session")),
        (active, expired) => {
            format!("{ends} {} ({} removed too)", plural(active, "session"), plural(expired, "expired session"))
        }
    }
}

/// One line per action saying what it changed.
pub fn outcome(outcome: &ActionOutcome, action: &UserAction, ctx: &DisplayContext) -> String {
    // Measured from the action's own clock: a 7-day ban reads "in 7d", not "in 6d" a moment later.
    let ctx = &DisplayContext { now: outcome.now, ..*ctx };
    let mut out = String::new();
    let who = &outcome.before.email;
    let sessions = sessions_text(outcome.sessions_ended, outcome.before.active_sessions, false);
    let line = match (action, &outcome.after) {
        (UserAction::Ban { .. }, Some(after)) => {
            let until = match after.ban.expires_at {
                Some(at) => format!("until {}", when(Some(at), ctx)),
                None => "permanently".into(),
            };
            let reason = after.ban.reason.as_deref().unwrap_or_default();
            format!("banned {who} {until}, reason {reason:?}; {sessions}")
        }
        (UserAction::Unban, _) if outcome.before.ban.state == BanState::NotBanned => {
            format!("unbanned {who} (was not banned)")
        }
        (UserAction::Unban, _) => format!("unbanned {who} (was {})", ban_text(&outcome.before, ctx)),
        (UserAction::SetRole { .. }, Some(after)) => {
            format!("set the role of {who}: {} -> {}", outcome.before.roles.join(","), after.roles.join(","))
        }
        (UserAction::RevokeSessions { .. }, _) => format!("{sessions} of {who}"),
        (UserAction::SetPassword { .. }, _) => {
            let created = outcome.effects.iter().any(|e| e.op == ChangeOp::Insert);
            let how = if created { "created a credential account" } else { "updated the credential account" };
            format!("set the password of {who} ({how})")
        }
        (UserAction::Remove, _) => format!("removed {who}: {}", effects_text(&outcome.effects, false)),
        (_, None) => format!("{} {who}: {}", outcome.action, effects_text(&outcome.effects, false)),
    };
    let _ = writeln!(out, "{line}");
    out
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeDelta, TimeZone};

    use super::*;
    use crate::db::users::BanInfo;

    fn ctx() -> DisplayContext {
        DisplayContext {
            now: Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap(),
            offset: FixedOffset::east_opt(0).unwrap(),
        }
    }

    fn user(state: BanState, expires_at: Option<DateTime<Utc>>) -> UserSummary {
        UserSummary {
            id: "u1".into(),
            name: None,
            email: "a@b.c".into(),
            email_verified: true,
            role: None,
            roles: vec!["user".into()],
            is_admin: false,
            ban: BanInfo { state, reason: Some("spam".into()), expires_at },
            active_sessions: 0,
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn ban_states_read_as_people_say_them() {
        let c = ctx();
        let yesterday = Some(c.now - TimeDelta::days(1));
        assert_eq!(ban_text(&user(BanState::BanExpired, yesterday), &c), "ban expired 2026-05-31 12:00 (1d ago): spam");
        let next_week = Some(c.now + TimeDelta::days(7));
        assert_eq!(ban_text(&user(BanState::Banned, next_week), &c), "banned until 2026-06-08 12:00 (in 7d): spam");
        assert_eq!(ban_text(&user(BanState::Banned, None), &c), "banned permanently: spam");
    }

    /// Defect: a ban of a user whose only session had expired said "ended 1 session", and the
    /// removal's question "ends 2 sessions (0 still active)".
    #[test]
    fn expired_sessions_are_removed_not_ended() {
        assert_eq!(sessions_text(1, 0, false), "removed 1 expired session");
        assert_eq!(sessions_text(2, 0, true), "ends no active session (2 expired sessions removed)");
        assert_eq!(sessions_text(2, 2, true), "ends 2 sessions");
        assert_eq!(sessions_text(1, 1, false), "ended 1 session");
        assert_eq!(sessions_text(3, 1, false), "ended 1 session (2 expired sessions removed too)");
        assert_eq!(sessions_text(0, 0, true), "ends no session: they have none");
    }

    #[test]
    fn effects_group_by_kind() {
        let effect = |table: &str, op, rows, via: Option<&str>| Effect {
            table: table.into(),
            op,
            rows,
            via: via.map(Into::into),
        };
        let effects = [
            effect("session", ChangeOp::Delete, 2, None),
            effect("account", ChangeOp::Delete, 1, None),
            effect("user", ChangeOp::Delete, 1, None),
            effect("audit_log", ChangeOp::Update, 3, Some("foreign key audit_log.userId ON DELETE SET NULL")),
            effect("verification", ChangeOp::Delete, 0, None),
        ];
        assert_eq!(
            effects_text(&effects, true),
            "deletes 2 sessions, 1 account, 1 user; updates 3 rows of audit_log (by foreign key audit_log.userId ON DELETE SET NULL)"
        );
        assert_eq!(effects_text(&[], false), "changes nothing");
    }
}
