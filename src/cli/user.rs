//! `squall user ...`: better-auth user administration for scripts and ops work. Every change runs
//! in one transaction, is printed, and is recorded in squall's log (squall log).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::TimeDelta;
use clap::{Args, Subcommand};

use super::user_print as print;
use std::path::Path;

use chrono::Utc;

use super::{GlobalArgs, Target, UsageError, open_target, resolve_command_database};
use crate::audit::{append_audit_to, audit_log_path, entries_from_changes};
use crate::db::backend::Backend;
use crate::db::backend::d1::D1Backend;
use crate::db::error::DbError;
use crate::db::open::Database;
use crate::db::users::{
    BanExpiry, FindUser, Impersonation, ListImpersonations, ListUsers, Password, RunAction, UserAction, count_users,
    find_user, list_impersonations, list_users, preview_action, run_action, run_planned, show_user,
};
use crate::db::value::{DisplayContext, parse_duration, parse_instant};

#[derive(Debug, Args)]
pub struct UserArgs {
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: UserCommand,
}

/// A user given by id or email.
#[derive(Debug, Args)]
pub struct UserRefArg {
    /// The user's id or email.
    #[arg(value_name = "EMAIL|ID")]
    pub user: String,
}

/// The user a change is for, and `--yes`: only the commands that write take it (a listing
/// offering `--yes` reads as if it could write).
#[derive(Debug, Args)]
pub struct ChangeRefArg {
    /// The user's id or email.
    #[arg(value_name = "EMAIL|ID")]
    pub user: String,
    /// Do not ask for confirmation: `remove`, and every change with --remote (required when
    /// stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List users with role, ban state, verified email and active sessions.
    List(ListArgs),
    /// Show one user with their sessions and accounts (no tokens or password hashes).
    Show(UserRefArg),
    /// Ban a user and end all their sessions (as better-auth's banUser does).
    Ban(BanArgs),
    /// Lift a user's ban (sessions are not restored).
    Unban(ChangeRefArg),
    /// Set a user's role; several roles are comma-joined (`admin,user`).
    SetRole(SetRoleArgs),
    /// End a user's sessions: all of them, or those given with --session.
    RevokeSessions(RevokeArgs),
    /// Set a user's password (read from stdin when it is not a terminal, else prompted twice).
    SetPassword(ChangeRefArg),
    /// Delete a user with their sessions and accounts.
    Remove(RemoveArgs),
    /// List sessions in which an admin impersonates a user.
    Impersonations(ImpersonationsArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Part of a name or email (case-insensitive), or an exact id.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only banned users (active and expired bans).
    #[arg(long)]
    pub banned: bool,
    /// Only users holding this role.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// At most this many users.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

#[derive(Debug, Args)]
pub struct BanArgs {
    #[command(flatten)]
    pub target: ChangeRefArg,
    /// Why (better-auth's default: "No reason").
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// How long the ban lasts: 30m, 12h, 7d, 2w, 1y. Without --for or --until it is permanent.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_ban_length, conflicts_with = "until")]
    pub length: Option<TimeDelta>,
    /// When the ban ends: `2026-12-01 12:00` or `2026-12-01` (local time), or ISO-8601.
    #[arg(long, value_name = "DATE", value_parser = parse_ban_end)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

fn parse_ban_length(text: &str) -> Result<TimeDelta, String> {
    let delta =
        parse_duration(text).ok_or_else(|| format!("{text:?} is not a duration: use 30m, 12h, 7d, 2w or 1y"))?;
    // Refused here, as bad usage, rather than when the ban is planned: `300000y` overflows a date.
    match crate::db::users::BanExpiry::After(delta).ends_at(chrono::Utc::now()) {
        Ok(_) => Ok(delta),
        Err(_) => Err(crate::db::users::too_long(text)),
    }
}

fn parse_ban_end(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    parse_instant(text, &DisplayContext::local())
}

#[derive(Debug, Args)]
pub struct SetRoleArgs {
    #[command(flatten)]
    pub target: ChangeRefArg,
    /// The role, e.g. `admin`, `user` or `admin,user`.
    pub role: String,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub target: ChangeRefArg,
    /// Only this session (by id); repeat for several.
    #[arg(long = "session", value_name = "ID")]
    pub sessions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub target: ChangeRefArg,
}

#[derive(Debug, Args)]
pub struct ImpersonationsArgs {
    /// Only this user's impersonations, as target or as admin (an id also finds a removed admin's).
    #[arg(value_name = "EMAIL|ID")]
    pub user: Option<String>,
    /// Only sessions that have not expired.
    #[arg(long)]
    pub active: bool,
}

/// The impersonation sessions `squall user impersonations` lists: the same reading as the TUI's
/// `A` → `i`, for one user (as target or as admin) when one is named.
fn impersonations_of(db: &dyn Backend, args: &ImpersonationsArgs, ctx: &DisplayContext) -> Result<Vec<Impersonation>> {
    let list = |user: Option<&str>| {
        list_impersonations(db, &ListImpersonations { active_only: args.active, user, now: ctx.now })
    };
    let Some(query) = args.user.as_deref() else { return list(None) };
    match find_user(db, &FindUser { query, now: ctx.now }) {
        Ok(user) => list(Some(&user.id)),
        Err(not_found) => {
            // A removed admin's id stays in other users' sessions (better-auth leaves it): those
            // are listed; an id no session names is the error it was.
            let dangling = list(Some(query))?;
            if dangling.is_empty() { Err(not_found) } else { Ok(dangling) }
        }
    }
}

/// Where a user command runs: a local file, or a remote D1 over its REST API.
enum Place {
    Local { db: Database, target: Target },
    Remote(D1Backend),
}

impl Place {
    fn open(global: &GlobalArgs) -> Result<Place> {
        if global.remote {
            return Ok(Place::Remote(super::remote::open_remote(global)?));
        }
        let target = resolve_command_database(global)?;
        let db = open_target(&target, global)?;
        Ok(Place::Local { db, target })
    }

    fn backend(&self) -> &dyn Backend {
        match self {
            Place::Local { db, .. } => &db.conn,
            Place::Remote(db) => db,
        }
    }

    /// The database, as the result of a change names it.
    fn label(&self) -> String {
        match self {
            Place::Local { db, .. } => db.path.display().to_string(),
            Place::Remote(db) => db.describe_target(),
        }
    }

    /// Refuses early, naming the database and why, when it cannot be written.
    fn ensure_writable(&self) -> Result<()> {
        match self {
            Place::Local { db, .. } => ensure_writable(db),
            // A one-off command: the flag goes on this command line.
            Place::Remote(db) => db.check_writable().map_err(|_| {
                DbError::ReadOnly(format!(
                    "{} is read-only without --write: add --write to change it; nothing was written",
                    db.describe_target()
                ))
                .into()
            }),
        }
    }
}

pub fn run(args: &UserArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let place = Place::open(global)?;
    let code = run_on(&place, args, global);
    match &place {
        Place::Remote(db) => super::remote::report_cost_of(db, code),
        Place::Local { .. } => code,
    }
}

fn run_on(place: &Place, args: &UserArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let db = place.backend();
    let ctx = DisplayContext::local();
    let json = args.json;
    let reads = matches!(args.command, UserCommand::List(_) | UserCommand::Show(_) | UserCommand::Impersonations(_));
    if let Place::Local { target, .. } = place
        && reads
        && global.db.is_none()
    {
        // Found, not named: say which database answers (writes say it in their result).
        eprintln!("squall: reading {} ({})", target.path.display(), target.reason);
    }
    let yes = match &args.command {
        UserCommand::Unban(target) | UserCommand::SetPassword(target) => target.yes,
        UserCommand::Ban(BanArgs { target, .. })
        | UserCommand::SetRole(SetRoleArgs { target, .. })
        | UserCommand::RevokeSessions(RevokeArgs { target, .. })
        | UserCommand::Remove(RemoveArgs { target }) => target.yes,
        UserCommand::List(_) | UserCommand::Show(_) | UserCommand::Impersonations(_) => false,
    };
    let apply = |user: &str, action: UserAction, stdin_taken: bool| {
        change(place, &Change { user, action, json, yes, stdin_taken }, &ctx)
    };
    match &args.command {
        UserCommand::List(list) => {
            let input = ListUsers {
                search: list.search.clone(),
                banned_only: list.banned,
                role: list.role.clone(),
                limit: list.limit,
                now: ctx.now,
            };
            let users = list_users(db, &input)?;
            // Counted only when the limit may have cut the listing, and not on a remote: the
            // count reads every matching user, billed, for one number in the footer.
            let total = match input.limit {
                Some(limit) if users.len() >= limit as usize => {
                    if db.capabilities().remote {
                        None
                    } else {
                        Some(count_users(db, &input)?)
                    }
                }
                _ => Some(users.len() as u64),
            };
            if json { print::json(&users)? } else { print::emit(&print::user_list(&users, total, &ctx))? }
        }
        UserCommand::Show(user) => {
            let detail = show_user(db, &FindUser { query: &user.user, now: ctx.now })?;
            if json { print::json(&detail)? } else { print::emit(&print::user_detail(&detail, &ctx))? }
        }
        UserCommand::Impersonations(imp) => {
            let list = impersonations_of(db, imp, &ctx)?;
            if json { print::json(&list)? } else { print::emit(&print::impersonations(&list, &ctx))? }
        }
        UserCommand::Ban(ban) => {
            let expiry = match (ban.length, ban.until) {
                (Some(length), _) => BanExpiry::After(length),
                (None, Some(until)) => BanExpiry::At(until),
                (None, None) => BanExpiry::Never,
            };
            let action = UserAction::Ban { reason: ban.reason.clone(), expiry };
            return apply(&ban.target.user, action, false);
        }
        UserCommand::Unban(user) => return apply(&user.user, UserAction::Unban, false),
        UserCommand::SetRole(set) => {
            return apply(&set.target.user, UserAction::SetRole { role: set.role.clone() }, false);
        }
        UserCommand::RevokeSessions(revoke) => {
            let action = UserAction::RevokeSessions { session_ids: revoke.sessions.clone() };
            return apply(&revoke.target.user, action, false);
        }
        UserCommand::SetPassword(user) => {
            place.ensure_writable()?;
            // Name a missing user before asking for a password.
            find_user(db, &FindUser { query: &user.user, now: ctx.now })?;
            let from_stdin = !std::io::stdin().is_terminal();
            let password = read_new_password()?;
            return apply(&user.user, UserAction::SetPassword { password }, from_stdin);
        }
        UserCommand::Remove(remove) => {
            place.ensure_writable()?;
            if let Place::Local { db, .. } = place
                && !yes
                && !confirm_remove(db, &remove.target.user, &ctx)?
            {
                eprintln!("squall: nothing was removed");
                return Ok(ExitCode::from(super::EXIT_ERROR));
            }
            return apply(&remove.target.user, UserAction::Remove, false);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses early, naming the file and why, when the database cannot be written.
fn ensure_writable(db: &Database) -> Result<()> {
    if let Some(reason) = db.read_only {
        return Err(DbError::ReadOnly(format!(
            "{} is read-only ({}): nothing was changed",
            db.path.display(),
            reason.describe()
        ))
        .into());
    }
    Ok(())
}

/// The JSON of a change: the outcome and the database it was made in.
#[derive(serde::Serialize)]
struct Changed<'a> {
    database: String,
    #[serde(flatten)]
    outcome: &'a crate::db::users::ActionOutcome,
    /// Remote D1: the time-travel bookmark taken before the change, and the command restoring it.
    #[serde(skip_serializing_if = "Option::is_none")]
    bookmark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    restore: Option<String>,
}

/// One change asked for on the command line.
struct Change<'a> {
    user: &'a str,
    action: UserAction,
    json: bool,
    /// `--yes`: no confirmation (a remote change asks for the database name otherwise).
    yes: bool,
    /// Stdin was read already (a password), so it cannot answer a confirmation.
    stdin_taken: bool,
}

/// Runs one action, prints what changed and in which database, and records it in the audit log.
/// Locally it plans and runs at once; on a remote D1 the plan is shown and confirmed first (the
/// database name typed, or `--yes`), then runs exactly as shown in ONE request after the
/// time-travel bookmark, which the audit log keeps with the command that restores it.
fn change(place: &Place, change: &Change, ctx: &DisplayContext) -> Result<ExitCode> {
    place.ensure_writable()?;
    let input = RunAction { user: change.user, action: &change.action, now: ctx.now };
    let (outcome, recorded) = match place {
        Place::Local { db, .. } => {
            let outcome = run_action(&db.conn, &input)?;
            let recorded = crate::audit::record_changes(&db.path, change.action.name(), &outcome.changes);
            (outcome, recorded)
        }
        Place::Remote(db) => {
            // Refused before reading anything when there is no one to ask.
            if !change.yes && (change.stdin_taken || !std::io::stdin().is_terminal()) {
                super::remote::confirm_remote(db, "", false, true)?;
            }
            let preview = preview_action(db, &input)?;
            let shown = crate::db::users::preview_text(&preview, ctx);
            if !super::remote::confirm_remote(db, &shown, change.yes, change.stdin_taken)? {
                eprintln!("squall: cancelled; nothing was written");
                return Ok(ExitCode::from(super::EXIT_ERROR));
            }
            let outcome = run_planned(db, &preview.plan)?;
            let entries = entries_from_changes(Path::new(""), change.action.name(), &outcome.changes, Utc::now());
            let recorded = append_audit_to(&audit_log_path()?, &super::remote::on_remote(db, entries));
            (outcome, recorded)
        }
    };
    let (bookmark, restore) = match place {
        Place::Remote(db) => (db.last_bookmark(), db.restore_command()),
        Place::Local { .. } => (None, None),
    };
    let database = place.label();
    if change.json {
        print::json(&Changed { database, outcome: &outcome, bookmark, restore })?
    } else {
        // A database found through the wrangler config says why it was chosen.
        let why = match place {
            Place::Local { target, .. } if target.reason != format!("opened {}", target.path.display()) => {
                format!(" ({})", target.reason)
            }
            _ => String::new(),
        };
        let mut text =
            format!("{}database: {database}{why}\n", crate::db::users::outcome(&outcome, &change.action, ctx));
        if let (Some(bookmark), Some(restore)) = (bookmark, restore) {
            text.push_str(&format!(
                "time-travel bookmark before the change: {bookmark}\n{}\n",
                crate::db::backend::d1::restore_point(&restore)
            ));
        }
        print::emit(&text)?
    }
    recorded.context("the change was committed, but squall's log could not be written")?;
    Ok(ExitCode::SUCCESS)
}

/// The new password: the first line of stdin when it is not a terminal, else typed twice.
fn read_new_password() -> Result<Password> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ").context("reading the password")?;
        let second = rpassword::prompt_password("Repeat it: ").context("reading the password")?;
        if first != second {
            return Err(UsageError("the two passwords differ: nothing was changed".into()).into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    if password.is_empty() {
        return Err(UsageError("the password is empty: nothing was changed".into()).into());
    }
    if password.chars().count() < 8 {
        eprintln!("squall: warning: better-auth refuses sign-up passwords under 8 characters by default");
    }
    Ok(Password::new(password))
}

/// Shows what removal deletes and has the user's email typed on the terminal: one stray key
/// must not delete a person. Refuses without a terminal (`--yes` is for scripts).
fn confirm_remove(db: &Database, user: &str, ctx: &DisplayContext) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(format!(
            "refusing to remove {user:?} without confirmation: stdin is not a terminal to ask on; pass --yes to remove it"
        ))
        .into());
    }
    let preview = preview_action(&db.conn, &RunAction { user, action: &UserAction::Remove, now: ctx.now })?;
    eprintln!("{}", crate::db::users::preview_text(&preview, ctx));
    eprintln!("database: {}", db.path.display());
    let email = &preview.user.email;
    eprint!("Type the email of the user to remove ({email}): ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let typed = answer.trim();
    if typed != email {
        eprintln!("squall: {typed:?} is not {email:?}");
    }
    Ok(typed == email)
}
