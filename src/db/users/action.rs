//! The admin actions as values (so a UI can confirm one before running it), and the plan of
//! statements each one runs: exactly what better-auth's admin plugin writes (stack-facts §2).

use anyhow::Result;
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::types::Value;

use super::engine::{Condition, Plan, Step, StepOp, Target, Watch, count_target, first_value};
use super::read::StoredRow;
use super::tables::{AuthSchema, MappedTable, write_format};
use crate::db::backend::Backend;
use crate::db::change::ChangeOp;
use crate::db::error::DbError;
use crate::db::kinds::TimeFormat;
use crate::db::password::hash_password;
use crate::db::value::{
    DisplayContext, format_of_value, parse_duration, parse_instant, parse_iso_datetime, store_instant_like,
};

/// better-auth's ban reason when none is given.
pub const DEFAULT_BAN_REASON: &str = "No reason";
/// The provider id of email-and-password accounts.
pub const CREDENTIAL_PROVIDER: &str = "credential";

/// When a ban ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanExpiry {
    /// Permanent: `banExpires` is set to NULL.
    Never,
    /// This long after the action runs.
    After(TimeDelta),
    /// At this instant (must be in the future).
    At(DateTime<Utc>),
}

impl BanExpiry {
    /// When the ban ends if it starts at `now` (`None`: never). A length that would end past the
    /// last date chrono can hold (about the year 262,000) is an input error, not an overflow.
    pub fn ends_at(self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
        match self {
            BanExpiry::Never => Ok(None),
            BanExpiry::After(delta) => now.checked_add_signed(delta).map(Some).ok_or_else(|| {
                format!(
                    "a ban of {}s is too long: it would end after the last date squall can store",
                    delta.num_seconds()
                )
            }),
            BanExpiry::At(at) => Ok(Some(at)),
        }
    }
}

/// Reads `never` / `permanent`, a duration (`30m`, `7d`, `1y`, optionally with `+`), or a date
/// (`2026-12-01 12:00` in local time, ISO-8601).
pub fn parse_ban_expiry(text: &str, ctx: &DisplayContext) -> Result<BanExpiry, String> {
    let text = text.trim();
    if ["never", "permanent", "forever"].iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Ok(BanExpiry::Never);
    }
    if let Some(delta) = parse_duration(text.trim_start_matches('+')) {
        let expiry = BanExpiry::After(delta);
        return match expiry.ends_at(ctx.now) {
            Ok(_) => Ok(expiry),
            Err(_) => Err(too_long(text)),
        };
    }
    parse_instant(text, ctx)
        .map(BanExpiry::At)
        .map_err(|_| format!("{text:?} is not a ban length or date: use 30m, 7d, 1y, 2026-12-01 12:00 or never"))
}

/// The message for a ban length whose end is past the last representable date.
pub fn too_long(text: &str) -> String {
    format!("{text:?} is too long for a ban: it must end before the year 262000")
}

/// A password kept out of `Debug` output and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(password: impl Into<String>) -> Self {
        Password(password.into())
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// An admin action on one user.
#[derive(Debug, Clone, PartialEq)]
pub enum UserAction {
    /// banned=1, banReason, banExpires, updatedAt; deletes all the user's sessions.
    Ban { reason: Option<String>, expiry: BanExpiry },
    /// banned=0, banReason=NULL, banExpires=NULL, updatedAt. Sessions are not restored.
    Unban,
    /// Sets the role (several roles comma-joined, e.g. `admin,user`) and updatedAt.
    SetRole { role: String },
    /// Deletes the given sessions of the user, or all of them when `session_ids` is empty.
    RevokeSessions { session_ids: Vec<String> },
    /// Writes a better-auth scrypt hash into the user's credential account, creating it if needed.
    SetPassword { password: Password },
    /// Deletes the user's sessions, then accounts, then the user.
    Remove,
}

impl UserAction {
    /// The name recorded in squall's log (squall log).
    pub fn name(&self) -> &'static str {
        match self {
            UserAction::Ban { .. } => "user.ban",
            UserAction::Unban => "user.unban",
            UserAction::SetRole { .. } => "user.set_role",
            UserAction::RevokeSessions { .. } => "user.revoke_sessions",
            UserAction::SetPassword { .. } => "user.set_password",
            UserAction::Remove => "user.remove",
        }
    }

    /// Whether the action loses data that cannot be put back (sessions, accounts, the user).
    pub fn is_destructive(&self) -> bool {
        matches!(self, UserAction::Ban { .. } | UserAction::RevokeSessions { .. } | UserAction::Remove)
    }
}

/// Cleans a role input: comma-separated roles, trimmed, without duplicates; never empty.
pub fn normalise_role(input: &str) -> Result<String> {
    let mut roles: Vec<String> = Vec::new();
    for part in input.split(',') {
        let role = part.trim();
        if role.is_empty() {
            return Err(DbError::BadInput(format!("{input:?} is not a valid role: roles cannot be empty")).into());
        }
        if role.chars().any(char::is_control) {
            return Err(DbError::BadInput(format!("{input:?} is not a valid role: it holds control characters")).into());
        }
        if !roles.iter().any(|r| r == role) {
            roles.push(role.to_string());
        }
    }
    Ok(roles.join(","))
}

/// Everything a plan builder needs to know about the user and the moment.
pub(super) struct PlanContext<'a, B: Backend + ?Sized> {
    pub db: &'a B,
    pub schema: &'a AuthSchema,
    pub user: &'a StoredRow,
    pub now: DateTime<Utc>,
}

impl<B: Backend + ?Sized> PlanContext<'_, B> {
    fn user_id(&self) -> Value {
        self.user.field(&self.schema.user, "id").clone()
    }

    fn target(&self, table: &MappedTable, conditions: Vec<Condition>) -> Target {
        Target { table: table.name().to_string(), key_columns: table.key_columns(), conditions }
    }

    fn user_target(&self) -> Result<Target> {
        let id = self.schema.user.require("id")?;
        Ok(self.target(&self.schema.user, vec![Condition::eq(id, self.user_id())]))
    }

    fn sessions_target(&self) -> Result<Target> {
        let user_id = self.schema.session.require("userId")?;
        Ok(self.target(&self.schema.session, vec![Condition::eq(user_id, self.user_id())]))
    }

    /// `now` in the storage format of the user's `logical` date column for this row.
    fn user_instant(&self, logical: &str, column: &str, instant: DateTime<Utc>) -> Result<Value> {
        let user = &self.schema.user;
        let own = self.user.get(Some(column));
        let sibling = [logical, "updatedAt", "createdAt"]
            .iter()
            .map(|l| self.user.field(user, l))
            .find(|v| !matches!(v, Value::Null))
            .unwrap_or(&Value::Null);
        let format = write_format(own, self.column_format(column, own, sibling)?, sibling);
        // ISO-8601 text has four-digit years: a later date would be text nothing reads as a date.
        if format == crate::db::kinds::TimeFormat::IsoText && chrono::Datelike::year(&instant) > 9999 {
            return Err(DbError::Invalid(format!(
                "{column} is stored as ISO-8601 text, which cannot hold a date after the year 9999"
            ))
            .into());
        }
        let like = if matches!(own, Value::Null) { sibling } else { own };
        Ok(store_instant_like(instant, format, Some(like)))
    }

    /// The format of the user's date `column` as [`write_format`] needs it: not read when the
    /// row's own value decides; on a remote taken from the row's other dates, not sampled from
    /// the table (a mostly empty `banExpires` sample read 4,490 billed rows for one ban).
    fn column_format(&self, column: &str, own: &Value, sibling: &Value) -> Result<Option<TimeFormat>> {
        match own {
            Value::Text(text) if parse_iso_datetime(text).is_some() => return Ok(None),
            Value::Real(_) => return Ok(None),
            Value::Integer(_) if format_of_value(own, TimeFormat::Millis) == TimeFormat::Millis => return Ok(None),
            _ => {}
        }
        if !self.db.capabilities().remote {
            return self.schema.user.time_format(self.db, column);
        }
        Ok(match sibling {
            Value::Integer(_) | Value::Real(_) => Some(format_of_value(sibling, TimeFormat::Millis)),
            _ => None,
        })
    }

    /// `updatedAt = now` for the user, when the table has the column.
    fn user_updated_at(&self) -> Result<Option<(String, Value)>> {
        match self.schema.user.column("updatedAt") {
            Some(column) => Ok(Some((column.to_string(), self.user_instant("updatedAt", column, self.now)?))),
            None => Ok(None),
        }
    }
}

/// Builds the plan for `action`, checking its input against the stored data.
pub(super) fn build_plan<B: Backend + ?Sized>(ctx: &PlanContext<B>, action: &UserAction) -> Result<Plan> {
    let steps = match action {
        UserAction::Ban { reason, expiry } => plan_ban(ctx, reason.as_deref(), *expiry)?,
        UserAction::Unban => plan_unban(ctx)?,
        UserAction::SetRole { role } => plan_set_role(ctx, role)?,
        UserAction::RevokeSessions { session_ids } => vec![plan_revoke(ctx, session_ids)?],
        UserAction::SetPassword { password } => vec![plan_set_password(ctx, password)?],
        UserAction::Remove => return plan_remove(ctx),
    };
    Ok(Plan { steps, watches: Vec::new() })
}

fn plan_ban<B: Backend + ?Sized>(ctx: &PlanContext<B>, reason: Option<&str>, expiry: BanExpiry) -> Result<Vec<Step>> {
    let user = &ctx.schema.user;
    let expires_at = match expiry {
        BanExpiry::Never => None,
        BanExpiry::After(delta) if delta <= TimeDelta::zero() => {
            return Err(DbError::BadInput("a ban must last longer than zero".into()).into());
        }
        BanExpiry::After(_) => expiry.ends_at(ctx.now).map_err(DbError::BadInput)?,
        BanExpiry::At(at) if at <= ctx.now => {
            return Err(
                DbError::BadInput(format!("the ban would end at {}, which is already past", at.to_rfc3339())).into()
            );
        }
        BanExpiry::At(at) => Some(at),
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_BAN_REASON);
    let expires_column = user.require("banExpires")?;
    let expires_value = match expires_at {
        Some(at) => ctx.user_instant("banExpires", expires_column, at)?,
        None => Value::Null,
    };
    let mut set = vec![
        (user.require("banned")?.to_string(), Value::Integer(1)),
        (user.require("banReason")?.to_string(), Value::Text(reason.to_string())),
        (expires_column.to_string(), expires_value),
    ];
    set.extend(ctx.user_updated_at()?);
    Ok(vec![
        Step { target: ctx.user_target()?, op: StepOp::Update { set }, guarded: true },
        Step { target: ctx.sessions_target()?, op: StepOp::Delete, guarded: false },
    ])
}

fn plan_unban<B: Backend + ?Sized>(ctx: &PlanContext<B>) -> Result<Vec<Step>> {
    let user = &ctx.schema.user;
    let mut set = vec![
        (user.require("banned")?.to_string(), Value::Integer(0)),
        (user.require("banReason")?.to_string(), Value::Null),
        (user.require("banExpires")?.to_string(), Value::Null),
    ];
    set.extend(ctx.user_updated_at()?);
    Ok(vec![Step { target: ctx.user_target()?, op: StepOp::Update { set }, guarded: true }])
}

fn plan_set_role<B: Backend + ?Sized>(ctx: &PlanContext<B>, role: &str) -> Result<Vec<Step>> {
    let role = normalise_role(role)?;
    let mut set = vec![(ctx.schema.user.require("role")?.to_string(), Value::Text(role))];
    set.extend(ctx.user_updated_at()?);
    Ok(vec![Step { target: ctx.user_target()?, op: StepOp::Update { set }, guarded: true }])
}

fn plan_revoke<B: Backend + ?Sized>(ctx: &PlanContext<B>, session_ids: &[String]) -> Result<Step> {
    let mut target = ctx.sessions_target()?;
    if !session_ids.is_empty() {
        let id_column = ctx.schema.session.require("id")?;
        let mut missing = Vec::new();
        for id in session_ids {
            let mut one = target.clone();
            one.conditions.push(Condition::eq(id_column, Value::Text(id.clone())));
            if count_target(ctx.db, &one)? == 0 {
                missing.push(id.as_str());
            }
        }
        if !missing.is_empty() {
            return Err(DbError::NotFound(format!("this user has no session with id {}", missing.join(", "))).into());
        }
        let ids = session_ids.iter().map(|id| Value::Text(id.clone())).collect();
        target.conditions.push(Condition { column: id_column.to_string(), values: ids });
    }
    Ok(Step { target, op: StepOp::Delete, guarded: false })
}

fn plan_set_password<B: Backend + ?Sized>(ctx: &PlanContext<B>, password: &Password) -> Result<Step> {
    if password.expose().is_empty() {
        return Err(DbError::BadInput("the password is empty".into()).into());
    }
    let account = &ctx.schema.account;
    let hash = Value::Text(hash_password(password.expose())?);
    let password_column = account.require("password")?.to_string();
    let user_id_column = account.require("userId")?;
    let credential = ctx.target(
        account,
        vec![
            Condition::eq(user_id_column, ctx.user_id()),
            Condition::eq(account.require("providerId")?, Value::Text(CREDENTIAL_PROVIDER.into())),
        ],
    );
    // The user's own dates are the sibling format: better-auth writes a user and its account alike.
    let user_updated = ctx.user.field(&ctx.schema.user, "updatedAt").clone();
    let account_instant = |column: &str, own: &Value| -> Result<Value> {
        let like = if matches!(own, Value::Null) { &user_updated } else { own };
        Ok(store_instant_like(
            ctx.now,
            write_format(own, account.time_format(ctx.db, column)?, &user_updated),
            Some(like),
        ))
    };
    if count_target(ctx.db, &credential)? > 0 {
        let mut set = vec![(password_column, hash)];
        if let Some(column) = account.column("updatedAt") {
            let own = first_value(ctx.db, &credential, column)?;
            set.push((column.to_string(), account_instant(column, &own)?));
        }
        return Ok(Step { target: credential, op: StepOp::Update { set }, guarded: true });
    }
    let mut values = vec![
        (account.require("id")?.to_string(), Value::Text(uuid::Uuid::new_v4().to_string())),
        (account.require("accountId")?.to_string(), ctx.user_id()),
        (account.require("providerId")?.to_string(), Value::Text(CREDENTIAL_PROVIDER.into())),
        (user_id_column.to_string(), ctx.user_id()),
        (password_column, hash),
    ];
    for logical in ["createdAt", "updatedAt"] {
        if let Some(column) = account.column(logical) {
            values.push((column.to_string(), account_instant(column, &Value::Null)?));
        }
    }
    Ok(Step { target: ctx.target(account, Vec::new()), op: StepOp::Insert { values }, guarded: false })
}

fn plan_remove<B: Backend + ?Sized>(ctx: &PlanContext<B>) -> Result<Plan> {
    let schema = ctx.schema;
    let account_user = schema.account.require("userId")?;
    let accounts = ctx.target(&schema.account, vec![Condition::eq(account_user, ctx.user_id())]);
    let steps = vec![
        Step { target: ctx.sessions_target()?, op: StepOp::Delete, guarded: false },
        Step { target: accounts, op: StepOp::Delete, guarded: false },
        Step { target: ctx.user_target()?, op: StepOp::Delete, guarded: true },
    ];
    let covered = [(schema.session.name(), schema.session.require("userId")?), (schema.account.name(), account_user)];
    let watches = foreign_key_watches(ctx, &covered)?;
    Ok(Plan { steps, watches })
}

/// Rows of other tables whose foreign keys point at the user, and what deleting the user does to
/// them. A key that neither cascades nor sets NULL would make the delete fail: refuse up front.
fn foreign_key_watches<B: Backend + ?Sized>(ctx: &PlanContext<B>, covered: &[(&str, &str)]) -> Result<Vec<Watch>> {
    let user_table = ctx.schema.user.name();
    let mut watches = Vec::new();
    // Every table's keys in one call (one round trip on a remote).
    for info in ctx.db.describe()? {
        let table = MappedTable::new(info.clone());
        for fk in &info.foreign_keys {
            let (Some(column), Some(ref_column)) = (fk.columns.first(), fk.ref_columns.first()) else {
                continue;
            };
            if fk.columns.len() != 1
                || !fk.ref_table.eq_ignore_ascii_case(user_table)
                || covered.iter().any(|(t, c)| *t == info.name && c == column)
            {
                continue;
            }
            let value = ctx.user.get(Some(ref_column)).clone();
            let target = ctx.target(&table, vec![Condition::eq(column, value)]);
            let rule = fk.on_delete.to_ascii_uppercase();
            let via = format!("foreign key {}.{column} ON DELETE {rule}", info.name);
            let op = match rule.as_str() {
                "CASCADE" => ChangeOp::Delete,
                "SET NULL" | "SET DEFAULT" => ChangeOp::Update,
                _ => {
                    let rows = count_target(ctx.db, &target)?;
                    if rows > 0 {
                        return Err(DbError::Invalid(format!(
                            "cannot remove the user: {rows} row(s) of {:?} still reference it ({via}); \
                             remove or re-point them first",
                            info.name
                        ))
                        .into());
                    }
                    continue;
                }
            };
            watches.push(Watch { target, op, via });
        }
    }
    Ok(watches)
}
