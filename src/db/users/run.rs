//! Planning and running admin actions through the write pipeline (`db::write`), over any
//! backend: [`preview_action`] fixes the plan (its clock and generated ids) and shows it;
//! [`run_planned`] runs exactly those statements as ONE atomic batch.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::action::{self, UserAction};
use super::detail::count_impersonated_by;
use super::engine::{self, Effect, Plan, PlannedStatement};
use super::read::{self, UserSummary};
use super::read::{active_sessions, load_user_row, stored_rows, user_by_id};
use super::tables::AuthSchema;
use super::tables::load_auth_schema;
use crate::db::backend::{Backend, Rows};
use crate::db::change::{ChangeOp, RowChange};
use crate::db::error::DbError;
use crate::db::write::read::count_on;

/// Input of [`preview_action`] and [`run_action`].
#[derive(Debug, Clone)]
pub struct RunAction<'a> {
    /// The user's id or email.
    pub user: &'a str,
    pub action: &'a UserAction,
    /// The clock for `updatedAt`, ban expiry and session activity.
    pub now: DateTime<Utc>,
}

/// An action planned for one user: the statements with their clock and generated ids (a new
/// account's id, a password's salt) fixed, so what was previewed is what runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionPlan {
    pub action: UserAction,
    /// The user's id.
    pub user: String,
    pub now: DateTime<Utc>,
    pub plan: Plan,
    /// better-auth's tables as the plan was made against them: running it reads no schema again
    /// (on a remote every read is a billed round trip), and its reads match its statements.
    pub schema: AuthSchema,
}

impl ActionPlan {
    /// The statements, in order, with their bound values (secrets redacted).
    pub fn statements(&self) -> Vec<PlannedStatement> {
        engine::planned_statements(&self.plan)
    }
}

/// What an action will do, for a confirm prompt: nothing is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionPreview {
    pub action: &'static str,
    pub user: UserSummary,
    /// Rows each statement (and each foreign key) will change, counted now.
    pub effects: Vec<Effect>,
    /// The statements, in order, with their bound values (secrets redacted).
    pub statements: Vec<PlannedStatement>,
    /// What runs on "yes": exactly the statements above.
    #[serde(skip)]
    pub plan: ActionPlan,
    /// For a removal: sessions of other users whose `impersonatedBy` names this user. They are
    /// kept (as better-auth keeps them) and will name a user that no longer exists.
    pub impersonations_left: Impersonations,
}

/// Sessions of other users naming the user in `impersonatedBy`, or why they were not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impersonations {
    Counted(u64),
    /// On a remote, `session.impersonatedBy` has no index: counting would read every session
    /// (thousands of billed rows for one preview), so it is skipped and said.
    NotCounted,
}

/// The impersonations a removal leaves behind: counted where that is an index lookup (or a
/// local file, where a scan costs nothing billed), skipped on a remote without an index.
fn impersonations_of<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    id: &rusqlite::types::Value,
) -> Result<Impersonations> {
    let indexed = schema.session.column("impersonatedBy").is_none_or(|by| schema.session.info.is_indexed(by));
    if db.capabilities().remote && !indexed {
        return Ok(Impersonations::NotCounted);
    }
    Ok(Impersonations::Counted(count_impersonated_by(db, schema, id)?))
}

impl ActionPreview {
    /// Rows the action deletes from `table` (e.g. how many sessions a ban ends).
    pub fn deleted_from(&self, table: &str) -> u64 {
        self.effects.iter().filter(|e| e.table == table && e.op == ChangeOp::Delete).map(|e| e.rows).sum()
    }
}

/// What an action did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionOutcome {
    pub action: &'static str,
    pub before: UserSummary,
    /// The user after the change; `None` once removed.
    pub after: Option<UserSummary>,
    /// Sessions deleted (a ban ends them all).
    pub sessions_ended: u64,
    /// Rows changed per table and kind, as read back from the database.
    pub effects: Vec<Effect>,
    pub statements: Vec<PlannedStatement>,
    /// Every changed row, old and new values included (unredacted: redact before showing).
    #[serde(skip)]
    pub changes: Vec<RowChange>,
    /// The clock the action ran at: relative times in its report are measured from it.
    #[serde(skip)]
    pub now: DateTime<Utc>,
}

/// Plans `input.action` and counts what it would change, without writing anything.
pub fn preview_action<B: Backend + ?Sized>(db: &B, input: &RunAction) -> Result<ActionPreview> {
    let schema = load_auth_schema(db)?;
    let (plan, user) = plan_action(db, &schema, input)?;
    let id = rusqlite::types::Value::Text(user.id.clone());
    let impersonations_left = match input.action {
        UserAction::Remove => impersonations_of(db, &schema, &id)?,
        _ => Impersonations::Counted(0),
    };
    Ok(ActionPreview {
        impersonations_left,
        action: input.action.name(),
        effects: engine::preview_effects(db, &plan.plan)?,
        statements: plan.statements(),
        user,
        plan,
    })
}

/// The plan for `input`, and the user as found now.
fn plan_action<B: Backend + ?Sized>(
    db: &B,
    schema: &AuthSchema,
    input: &RunAction,
) -> Result<(ActionPlan, UserSummary)> {
    let row = load_user_row(db, schema, input.user)?;
    let id = row.field(&schema.user, "id").clone();
    let active = count_on(db, &active_sessions(schema, &id, input.now)?)?;
    let ctx = action::PlanContext { db, schema, user: &row, now: input.now };
    let plan = action::build_plan(&ctx, input.action)?;
    let user = read::summarize(schema, &row, active, input.now);
    let schema = schema.clone();
    Ok((ActionPlan { action: input.action.clone(), user: user.id.clone(), now: input.now, plan, schema }, user))
}

/// Plans and runs `input.action`: everything is written or nothing is. The plan's reads come
/// first; the batch's guards (the user row must still be there) keep it safe without holding a
/// transaction across them. Read-only databases give `DbError::ReadOnly`, unknown users
/// `DbError::NotFound`.
pub fn run_action<B: Backend + ?Sized>(db: &B, input: &RunAction) -> Result<ActionOutcome> {
    ensure_writable(db)?;
    let schema = load_auth_schema(db)?;
    let (planned, _) = plan_action(db, &schema, input)?;
    execute_planned(db, &schema, &planned)
}

/// Runs a plan made by [`preview_action`], exactly as previewed, as ONE atomic batch. A guarded
/// statement that finds its row gone refuses the whole plan (`DbError::Conflict`).
pub fn run_planned<B: Backend + ?Sized>(db: &B, planned: &ActionPlan) -> Result<ActionOutcome> {
    ensure_writable(db)?;
    execute_planned(db, &planned.schema, planned)
}

fn execute_planned<B: Backend + ?Sized>(db: &B, schema: &AuthSchema, planned: &ActionPlan) -> Result<ActionOutcome> {
    let now = planned.now;
    let id = rusqlite::types::Value::Text(planned.user.clone());
    // The user and their active sessions, read inside the batch before and after the writes.
    let reads = [user_by_id(schema, &id)?, active_sessions(schema, &id, now)?];
    let run = match engine::execute_plan(db, &planned.plan, &reads) {
        Ok(run) => run,
        // A guard found its row gone and nothing was written: read the user again (outside the
        // batch, which is over) to say whether the user itself is gone.
        Err(err) => match (err.downcast_ref::<DbError>(), load_user_row(db, schema, &planned.user)) {
            (Some(DbError::Conflict(_)), Err(gone)) => return Err(gone),
            _ => return Err(err),
        },
    };
    let summary = |rows: &[Rows]| -> Option<UserSummary> {
        let row = stored_rows(rows.first()?.clone()).into_iter().next()?;
        let active = match rows.get(1).and_then(|r| r.scalar()) {
            Some(rusqlite::types::Value::Integer(n)) => (*n).max(0) as u64,
            _ => 0,
        };
        Some(read::summarize(schema, &row, active, now))
    };
    let before = summary(&run.before)
        .ok_or_else(|| DbError::NotFound(format!("no user with id or email {:?}", planned.user)))?;
    let after = match planned.action {
        UserAction::Remove => None,
        _ => Some(
            summary(&run.after)
                .ok_or_else(|| DbError::NotFound(format!("no user with id or email {:?}", planned.user)))?,
        ),
    };
    let sessions_ended =
        run.changes.iter().filter(|c| c.table == schema.session.name() && c.op == ChangeOp::Delete).count() as u64;
    Ok(ActionOutcome {
        action: planned.action.name(),
        before,
        after,
        sessions_ended,
        effects: engine::effects_of(&run.changes),
        statements: planned.statements(),
        changes: run.changes,
        now,
    })
}

/// `DbError::ReadOnly` when the backend cannot write.
pub fn ensure_writable<B: Backend + ?Sized>(db: &B) -> Result<()> {
    if db.capabilities().read_only {
        return Err(DbError::ReadOnly("the database is open read-only: nothing was changed".into()).into());
    }
    Ok(())
}
