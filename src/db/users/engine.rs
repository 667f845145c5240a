//! Running a plan of statements: the SQL shown in previews is exactly the SQL that runs, and the
//! audit record comes from reading every affected row before and after (so changes made by
//! foreign-key cascades are recorded too, and nothing is claimed that did not happen).

use std::collections::HashSet;

use anyhow::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::read::{StoredRow, query_rows};
use crate::db::change::{ChangeOp, ColumnChange, REDACTED, RowChange};
use crate::db::error::{DbError, classify};
use crate::db::kinds::is_secret_name;
use crate::db::schema::quote_ident;
use crate::db::value::raw_text;

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

/// A value as it would be written in SQL, for showing bound parameters.
fn show_bound(value: &Value) -> String {
    match value {
        Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
        Value::Blob(bytes) => format!("x'{}'", hex::encode(bytes)),
        other => raw_text(other),
    }
}

/// Collects bound values alongside the columns they bind to (to know which are secret).
struct Binder<'a> {
    table: &'a str,
    values: Vec<Value>,
    shown: Vec<String>,
}

impl<'a> Binder<'a> {
    fn new(table: &'a str) -> Self {
        Binder { table, values: Vec::new(), shown: Vec::new() }
    }

    fn bind(&mut self, column: &str, value: &Value) -> String {
        let secret = is_secret_name(self.table, column) && !matches!(value, Value::Null);
        self.shown.push(if secret { REDACTED.to_string() } else { show_bound(value) });
        self.values.push(value.clone());
        format!("?{}", self.values.len())
    }

    fn where_clause(&mut self, conditions: &[Condition]) -> String {
        if conditions.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = conditions
            .iter()
            .map(|c| {
                let column = quote_ident(&c.column);
                match c.values.as_slice() {
                    [] => "0".to_string(),
                    [one] => format!("{column} = {}", self.bind(&c.column, one)),
                    many => {
                        let marks: Vec<String> = many.iter().map(|v| self.bind(&c.column, v)).collect();
                        format!("{column} IN ({})", marks.join(", "))
                    }
                }
            })
            .collect();
        format!(" WHERE {}", parts.join(" AND "))
    }
}

impl Step {
    /// The SQL, its parameters, and the parameters as shown to people.
    fn render(&self) -> (String, Vec<Value>, PlannedStatement) {
        let table = &self.target.table;
        let mut binder = Binder::new(table);
        let sql = match &self.op {
            StepOp::Update { set } => {
                let assignments: Vec<String> =
                    set.iter().map(|(c, v)| format!("{} = {}", quote_ident(c), binder.bind(c, v))).collect();
                let filter = binder.where_clause(&self.target.conditions);
                format!("UPDATE {} SET {}{filter}", quote_ident(table), assignments.join(", "))
            }
            StepOp::Delete => {
                let filter = binder.where_clause(&self.target.conditions);
                format!("DELETE FROM {}{filter}", quote_ident(table))
            }
            StepOp::Insert { values } => {
                let columns: Vec<String> = values.iter().map(|(c, _)| quote_ident(c)).collect();
                let marks: Vec<String> = values.iter().map(|(c, v)| binder.bind(c, v)).collect();
                format!("INSERT INTO {} ({}) VALUES ({})", quote_ident(table), columns.join(", "), marks.join(", "))
            }
        };
        let planned = PlannedStatement { sql: sql.clone(), params: binder.shown };
        (sql, binder.values, planned)
    }
}

/// The statements of a plan as they will run.
pub(super) fn planned_statements(plan: &Plan) -> Vec<PlannedStatement> {
    plan.steps.iter().map(|step| step.render().2).collect()
}

/// Rows matching a target right now.
pub(super) fn count_target(conn: &Connection, target: &Target) -> Result<u64> {
    let mut binder = Binder::new(&target.table);
    let filter = binder.where_clause(&target.conditions);
    let sql = format!("SELECT count(*) FROM {}{filter}", quote_ident(&target.table));
    let count: i64 = conn.query_row(&sql, params_from_iter(&binder.values), |row| row.get(0))?;
    Ok(count as u64)
}

/// The value of `column` in the first matching row of `target` (NULL when none matches).
pub(super) fn first_value(conn: &Connection, target: &Target, column: &str) -> Result<Value> {
    let mut binder = Binder::new(&target.table);
    let filter = binder.where_clause(&target.conditions);
    let sql = format!("SELECT {} FROM {}{filter} LIMIT 1", quote_ident(column), quote_ident(&target.table));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(&binder.values))?;
    Ok(match rows.next()? {
        Some(row) => row.get(0)?,
        None => Value::Null,
    })
}

/// What the plan would change, counted without changing anything.
pub(super) fn preview_effects(conn: &Connection, plan: &Plan) -> Result<Vec<Effect>> {
    let mut effects = Vec::new();
    for step in &plan.steps {
        let (op, rows) = match &step.op {
            StepOp::Update { .. } => (ChangeOp::Update, count_target(conn, &step.target)?),
            StepOp::Delete => (ChangeOp::Delete, count_target(conn, &step.target)?),
            StepOp::Insert { .. } => (ChangeOp::Insert, 1),
        };
        effects.push(Effect { table: step.target.table.clone(), op, rows, via: None });
    }
    for watch in &plan.watches {
        let rows = count_target(conn, &watch.target)?;
        effects.push(Effect { table: watch.target.table.clone(), op: watch.op, rows, via: Some(watch.via.clone()) });
    }
    Ok(effects)
}

/// One row followed through the plan.
struct Tracked {
    table: String,
    key_columns: Vec<String>,
    key: Vec<Value>,
    before: Option<StoredRow>,
}

fn key_select(key_columns: &[String]) -> String {
    key_columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}

/// Reads the rows of `target` with their keys split off.
fn snapshot(conn: &Connection, target: &Target) -> Result<Vec<(Vec<Value>, StoredRow)>> {
    let mut binder = Binder::new(&target.table);
    let filter = binder.where_clause(&target.conditions);
    let sql = format!("SELECT {}, * FROM {}{filter}", key_select(&target.key_columns), quote_ident(&target.table));
    let rows = query_rows(conn, &sql, &binder.values)?;
    let width = target.key_columns.len();
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let rest = row.columns.split_off(width);
            let key = row.columns.into_iter().map(|(_, v)| v).collect();
            (key, StoredRow { columns: rest })
        })
        .collect())
}

fn reread(conn: &Connection, tracked: &Tracked) -> Result<Option<StoredRow>> {
    let conditions: Vec<Condition> =
        tracked.key_columns.iter().zip(&tracked.key).map(|(c, v)| Condition::eq(c, v.clone())).collect();
    let mut binder = Binder::new(&tracked.table);
    let filter = binder.where_clause(&conditions);
    let sql = format!("SELECT * FROM {}{filter}", quote_ident(&tracked.table));
    Ok(query_rows(conn, &sql, &binder.values)?.into_iter().next())
}

/// Runs the plan's statements in order on `conn` (the caller holds the transaction) and returns
/// every row change, read back from the database.
pub(super) fn execute_plan(conn: &Connection, plan: &Plan) -> Result<Vec<RowChange>> {
    let mut tracked: Vec<Tracked> = Vec::new();
    let mut seen: HashSet<(String, Vec<String>)> = HashSet::new();
    let mut track = |table: &str, key_columns: &[String], key: Vec<Value>, before: Option<StoredRow>| {
        let identity = (table.to_string(), key.iter().map(raw_text).collect());
        if seen.insert(identity) {
            tracked.push(Tracked { table: table.to_string(), key_columns: key_columns.to_vec(), key, before });
        }
    };
    let targets = plan
        .steps
        .iter()
        .filter(|s| !matches!(s.op, StepOp::Insert { .. }))
        .map(|s| &s.target)
        .chain(plan.watches.iter().map(|w| &w.target));
    for target in targets {
        for (key, row) in snapshot(conn, target)? {
            track(&target.table, &target.key_columns, key, Some(row));
        }
    }
    for step in &plan.steps {
        let (sql, params, _) = step.render();
        let changed = conn
            .execute(&sql, params_from_iter(&params))
            .map_err(classify)
            .with_context(|| format!("running {sql}"))?;
        if step.guarded && changed == 0 {
            return Err(DbError::Conflict(format!(
                "nothing was changed: the {} row this action was planned for is no longer there",
                step.target.table
            ))
            .into());
        }
        if let StepOp::Insert { values } = &step.op {
            let key = inserted_key(conn, &step.target.key_columns, values);
            track(&step.target.table, &step.target.key_columns, key, None);
        }
    }
    let mut changes = Vec::new();
    for row in &tracked {
        let after = reread(conn, row)?;
        if let Some(change) = diff(row, after) {
            changes.push(change);
        }
    }
    Ok(changes)
}

/// The key of a row just inserted: from the inserted values, else its rowid.
fn inserted_key(conn: &Connection, key_columns: &[String], values: &[(String, Value)]) -> Vec<Value> {
    let from_values: Option<Vec<Value>> =
        key_columns.iter().map(|k| values.iter().find(|(c, _)| c == k).map(|(_, v)| v.clone())).collect();
    from_values.unwrap_or_else(|| vec![Value::Integer(conn.last_insert_rowid())])
}

fn diff(row: &Tracked, after: Option<StoredRow>) -> Option<RowChange> {
    let key: Vec<(String, Value)> = row.key_columns.iter().cloned().zip(row.key.iter().cloned()).collect();
    let (op, columns) = match (&row.before, after) {
        (Some(before), Some(after)) => {
            let changed: Vec<ColumnChange> = before
                .columns
                .iter()
                .zip(&after.columns)
                .filter(|((_, old), (_, new))| old != new)
                .map(|((column, old), (_, new))| ColumnChange {
                    column: column.clone(),
                    old: old.clone(),
                    new: new.clone(),
                })
                .collect();
            if changed.is_empty() {
                return None;
            }
            (ChangeOp::Update, changed)
        }
        (Some(before), None) => (
            ChangeOp::Delete,
            before
                .columns
                .iter()
                .map(|(c, v)| ColumnChange { column: c.clone(), old: v.clone(), new: Value::Null })
                .collect(),
        ),
        (None, Some(after)) => (
            ChangeOp::Insert,
            after.columns.into_iter().map(|(c, v)| ColumnChange { column: c, old: Value::Null, new: v }).collect(),
        ),
        (None, None) => return None,
    };
    Some(RowChange { table: row.table.clone(), op, key, columns })
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
