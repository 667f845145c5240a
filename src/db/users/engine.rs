//! User actions as plans for the write pipeline (`db::write`): the SQL shown in previews is
//! exactly the SQL that runs (one [`Sql`] value per statement), as one atomic batch, and the
//! audit record comes from every affected row read before and after inside that batch (so
//! changes made by foreign-key cascades are recorded too, and nothing is claimed that did not
//! happen).

use anyhow::Result;
use rusqlite::types::Value;
use serde::Serialize;

use crate::db::backend::{Backend, Expect, GuardFailed, Rows, Statement};
use crate::db::change::{ChangeOp, RowChange};
use crate::db::error::DbError;
use crate::db::kinds::is_secret_name;
use crate::db::schema::quote_ident;
use crate::db::write::read::count_on;
use crate::db::write::{self, Describe, KeyedRow, Sql, WriteStep, diff_rows, keyed_rows};

/// `column = value`, or `column IN (values...)` when there are several.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Condition {
    pub column: String,
    pub values: Vec<Value>,
}

impl Condition {
    pub fn eq(column: &str, value: Value) -> Self {
        Condition { column: column.to_string(), values: vec![value] }
    }
}

/// The rows a statement (or a foreign key) touches: a table and conditions on it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Target {
    pub table: String,
    /// Primary key columns, or `rowid`.
    pub key_columns: Vec<String>,
    pub conditions: Vec<Condition>,
}

/// What a step does to its target.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum StepOp {
    Update {
        set: Vec<(String, Value)>,
    },
    Delete,
    /// Inserts one row; the target's conditions are unused.
    Insert {
        values: Vec<(String, Value)>,
    },
}

/// One statement of a plan.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Step {
    pub target: Target,
    pub op: StepOp,
    /// The update must change a row, else the whole plan is refused (the row went away since the
    /// plan was made).
    pub guarded: bool,
}

/// Rows that a foreign key will change when a plan runs (ON DELETE CASCADE / SET NULL).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Watch {
    pub target: Target,
    pub op: ChangeOp,
    /// e.g. `foreign key audit_log.userId ON DELETE SET NULL`.
    pub via: String,
}

/// Statements to run in order, in one transaction, and rows other tables' keys will change.
/// Built once with its clock and generated ids fixed: the preview shows it, and the same steps
/// run on "yes".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub(super) steps: Vec<Step>,
    pub(super) watches: Vec<Watch>,
}

/// A statement as it will run: SQL with `?N` placeholders and each bound value as text
/// (secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedStatement {
    pub sql: String,
    pub params: Vec<String>,
}

impl PlannedStatement {
    /// The SQL followed by its bound values, one per line: `  ?1 = 1`.
    pub fn to_text(&self) -> String {
        let mut text = self.sql.clone();
        for (i, param) in self.params.iter().enumerate() {
            text.push_str(&format!("\n  ?{} = {param}", i + 1));
        }
        text
    }
}

/// How many rows of a table an action changes, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effect {
    pub table: String,
    pub op: ChangeOp,
    pub rows: u64,
    /// Set when a foreign key rather than squall's own statement makes the change.
    pub via: Option<String>,
}

/// Builds statements over a target, binding each value (secret columns redacted in previews).
struct Builder<'a> {
    table: &'a str,
    sql: Sql,
}

impl<'a> Builder<'a> {
    fn new(table: &'a str) -> Self {
        Builder { table, sql: Sql::default() }
    }

    fn bind(&mut self, column: &str, value: &Value) {
        if is_secret_name(self.table, column) {
            self.sql.secret_param(value.clone());
        } else {
            self.sql.param(value.clone());
        }
    }

    fn where_clause(&mut self, conditions: &[Condition]) {
        for (i, c) in conditions.iter().enumerate() {
            self.sql.text(if i == 0 { " WHERE " } else { " AND " });
            match c.values.as_slice() {
                [] => self.sql.text("0"),
                [one] => {
                    self.sql.ident(&c.column);
                    self.sql.text(" = ");
                    self.bind(&c.column, one);
                }
                many => {
                    self.sql.ident(&c.column);
                    self.sql.text(" IN (");
                    for (j, value) in many.iter().enumerate() {
                        if j > 0 {
                            self.sql.text(", ");
                        }
                        self.bind(&c.column, value);
                    }
                    self.sql.text(")");
                }
            }
        }
    }
}

impl Step {
    /// The statement as previewed and as run: one [`Sql`] value.
    fn render(&self) -> Sql {
        let table = &self.target.table;
        let mut builder = Builder::new(table);
        match &self.op {
            StepOp::Update { set } => {
                builder.sql.text("UPDATE ");
                builder.sql.ident(table);
                builder.sql.text(" SET ");
                for (i, (column, value)) in set.iter().enumerate() {
                    if i > 0 {
                        builder.sql.text(", ");
                    }
                    builder.sql.ident(column);
                    builder.sql.text(" = ");
                    builder.bind(column, value);
                }
                builder.where_clause(&self.target.conditions);
            }
            StepOp::Delete => {
                builder.sql.text("DELETE FROM ");
                builder.sql.ident(table);
                builder.where_clause(&self.target.conditions);
            }
            StepOp::Insert { values } => {
                builder.sql.text("INSERT INTO ");
                builder.sql.ident(table);
                builder.sql.text(" (");
                let columns: Vec<String> = values.iter().map(|(c, _)| quote_ident(c)).collect();
                builder.sql.text(&columns.join(", "));
                builder.sql.text(") VALUES (");
                for (i, (column, value)) in values.iter().enumerate() {
                    if i > 0 {
                        builder.sql.text(", ");
                    }
                    builder.bind(column, value);
                }
                builder.sql.text(")");
            }
        }
        builder.sql
    }

    /// The guard the step runs under: a guarded step must change a row.
    fn write_step(&self) -> WriteStep {
        WriteStep::new(self.render(), if self.guarded { Expect::SomeChanges } else { Expect::Any })
    }
}

/// The statements of a plan as they will run.
pub(super) fn planned_statements(plan: &Plan) -> Vec<PlannedStatement> {
    plan.steps
        .iter()
        .map(|step| {
            let (sql, params) = step.render().listing();
            PlannedStatement { sql, params }
        })
        .collect()
}

/// `SELECT <what> FROM target WHERE ...`.
fn select(target: &Target, what: &str) -> Statement {
    let mut builder = Builder::new(&target.table);
    builder.sql.text(&format!("SELECT {what} FROM "));
    builder.sql.ident(&target.table);
    builder.where_clause(&target.conditions);
    builder.sql.statement()
}

/// Rows matching a target right now.
pub(super) fn count_target<B: Backend + ?Sized>(db: &B, target: &Target) -> Result<u64> {
    count_on(db, &select(target, "count(*)"))
}

/// The value of `column` in the first matching row of `target` (NULL when none matches).
pub(super) fn first_value<B: Backend + ?Sized>(db: &B, target: &Target, column: &str) -> Result<Value> {
    let mut statement = select(target, &quote_ident(column));
    statement.sql.push_str(" LIMIT 1");
    Ok(db.query(&statement)?.scalar().cloned().unwrap_or(Value::Null))
}

/// What the plan would change, counted without changing anything.
pub(super) fn preview_effects<B: Backend + ?Sized>(db: &B, plan: &Plan) -> Result<Vec<Effect>> {
    let mut effects = Vec::new();
    for step in &plan.steps {
        let (op, rows) = match &step.op {
            StepOp::Update { .. } => (ChangeOp::Update, count_target(db, &step.target)?),
            StepOp::Delete => (ChangeOp::Delete, count_target(db, &step.target)?),
            StepOp::Insert { .. } => (ChangeOp::Insert, 1),
        };
        effects.push(Effect { table: step.target.table.clone(), op, rows, via: None });
    }
    for watch in &plan.watches {
        let rows = count_target(db, &watch.target)?;
        effects.push(Effect { table: watch.target.table.clone(), op: watch.op, rows, via: Some(watch.via.clone()) });
    }
    Ok(effects)
}

fn key_select(key_columns: &[String]) -> String {
    key_columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}

/// Reads every row of `target` with its key first: `SELECT key, * FROM ...`.
fn snapshot(target: &Target) -> Statement {
    select(target, &format!("{}, *", key_select(&target.key_columns)))
}

/// What one step of the batch is for.
enum Role {
    /// One of the caller's `reads`, before (false) or after (true) the writes.
    Read(bool),
    /// Rows of a target as they were before the writes.
    Before(usize),
    /// Statement N of the plan.
    Write(usize),
    /// The row statement N just inserted.
    Inserted(usize),
    /// Rows of a target after the writes.
    After(usize),
}

/// What running a plan did: every row change, and the caller's reads before and after.
pub(super) struct PlanRun {
    pub changes: Vec<RowChange>,
    pub before: Vec<Rows>,
    pub after: Vec<Rows>,
}

/// Runs the plan's statements in order as ONE atomic batch, with the reads the audit needs in
/// the same batch: every target's rows before the writes and after them, each inserted row, and
/// the caller's own `reads` (run both before and after). The changes come from those rows, so
/// foreign-key cascades are recorded and nothing is claimed that did not happen.
///
/// One read stays outside: rows a foreign key sets NULL no longer match their target afterwards,
/// so their keys are read just before the batch and read again by key inside it. A row that
/// starts to reference the user between that read and the batch is seen before but not after,
/// and recorded as deleted rather than updated.
pub(super) fn execute_plan<B: Backend + ?Sized>(db: &B, plan: &Plan, reads: &[Statement]) -> Result<PlanRun> {
    let targets: Vec<(&Target, bool)> = plan
        .steps
        .iter()
        .filter(|s| !matches!(s.op, StepOp::Insert { .. }))
        .map(|s| (&s.target, false))
        .chain(plan.watches.iter().map(|w| (&w.target, w.op == ChangeOp::Update)))
        .collect();
    let mut steps: Vec<crate::db::backend::Step> = Vec::new();
    let mut roles: Vec<Role> = Vec::new();
    let mut push = |step: crate::db::backend::Step, role: Role, steps: &mut Vec<_>| {
        steps.push(step);
        roles.push(role);
    };
    for read in reads {
        push(crate::db::backend::Step::any(read.clone()), Role::Read(false), &mut steps);
    }
    for (i, (target, _)) in targets.iter().enumerate() {
        push(crate::db::backend::Step::any(snapshot(target)), Role::Before(i), &mut steps);
    }
    for (i, step) in plan.steps.iter().enumerate() {
        push(step.write_step().step(), Role::Write(i), &mut steps);
        if let StepOp::Insert { values } = &step.op {
            push(crate::db::backend::Step::any(inserted_row(&step.target, values)), Role::Inserted(i), &mut steps);
        }
    }
    for (i, (target, set_null)) in targets.iter().enumerate() {
        let statement = if *set_null { after_set_null(db, target)? } else { snapshot(target) };
        push(crate::db::backend::Step::any(statement), Role::After(i), &mut steps);
    }
    for read in reads {
        push(crate::db::backend::Step::any(read.clone()), Role::Read(true), &mut steps);
    }
    let label = |i: usize| match roles.get(i) {
        Some(Role::Write(n)) => format!("statement {} ({})", n + 1, plan.steps[*n].target.table),
        _ => "a read of the action".to_string(),
    };
    let describe = Describe { step: &label, kept: "the action can be run again", foreign_key: None };
    let outcomes = match write::execute(db, &steps, &describe) {
        Ok(outcomes) => outcomes,
        Err(err) => {
            let Some(failed) = err.downcast_ref::<GuardFailed>() else { return Err(err) };
            let table = match roles.get(failed.step) {
                Some(Role::Write(n)) => plan.steps[*n].target.table.as_str(),
                _ => "",
            };
            return Err(DbError::Conflict(format!(
                "nothing was changed: the {table} row this action was planned for is no longer there"
            ))
            .into());
        }
    };
    let mut run = PlanRun { changes: Vec::new(), before: Vec::new(), after: Vec::new() };
    let (mut before, mut after): (Vec<KeyedRow>, Vec<KeyedRow>) = (Vec::new(), Vec::new());
    for (role, outcome) in roles.iter().zip(outcomes) {
        match role {
            Role::Read(false) => run.before.push(outcome.rows),
            Role::Read(true) => run.after.push(outcome.rows),
            Role::Before(i) => {
                before.extend(keyed_rows(&targets[*i].0.table, &targets[*i].0.key_columns, &outcome.rows))
            }
            Role::After(i) => after.extend(keyed_rows(&targets[*i].0.table, &targets[*i].0.key_columns, &outcome.rows)),
            Role::Inserted(i) => {
                let target = &plan.steps[*i].target;
                after.extend(keyed_rows(&target.table, &target.key_columns, &outcome.rows));
            }
            Role::Write(_) => {}
        }
    }
    run.changes = diff_rows(&before, &after);
    Ok(run)
}

/// The row an INSERT just wrote: by the key in its values, else by `last_insert_rowid()`.
fn inserted_row(target: &Target, values: &[(String, Value)]) -> Statement {
    let from_values: Option<Vec<Condition>> = target
        .key_columns
        .iter()
        .map(|k| values.iter().find(|(c, _)| c == k).map(|(c, v)| Condition::eq(c, v.clone())))
        .collect();
    match from_values {
        Some(conditions) => snapshot(&Target { conditions, ..target.clone() }),
        None => {
            let mut statement = snapshot(&Target { conditions: Vec::new(), ..target.clone() });
            statement.sql.push_str(" WHERE rowid = last_insert_rowid()");
            statement
        }
    }
}

/// Rows a foreign key will set NULL, read after the writes by the keys they have now (read
/// just before the batch: afterwards they no longer match the target).
fn after_set_null<B: Backend + ?Sized>(db: &B, target: &Target) -> Result<Statement> {
    let keys = db.query(&select(target, &key_select(&target.key_columns)))?;
    let mut conditions: Vec<Condition> = Vec::new();
    if let [column] = target.key_columns.as_slice() {
        let values: Vec<Value> = keys.rows.into_iter().filter_map(|row| row.into_iter().next()).collect();
        conditions.push(Condition { column: column.clone(), values });
    } else {
        // A composite key: read the target again (rows no longer matching show as deleted).
        conditions = target.conditions.clone();
    }
    Ok(snapshot(&Target { conditions, ..target.clone() }))
}

/// Rows changed per table and kind, in the order they first appear.
pub(super) fn effects_of(changes: &[RowChange]) -> Vec<Effect> {
    let mut effects: Vec<Effect> = Vec::new();
    for change in changes {
        match effects.iter_mut().find(|e| e.table == change.table && e.op == change.op) {
            Some(effect) => effect.rows += 1,
            None => effects.push(Effect { table: change.table.clone(), op: change.op, rows: 1, via: None }),
        }
    }
    effects
}
