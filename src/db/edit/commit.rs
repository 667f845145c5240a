//! Running a commit through the write pipeline (`db::write`): the planned statements, each
//! UPDATE and DELETE guarded by the loaded values in its WHERE and `Expect::Changes(1)`, run as
//! ONE atomic batch. When a guard does not hold, nothing was written; the rows are then read
//! again (outside the batch, which is gone) to say per column what was expected and what is
//! there now.
//!
//! Reads that stay outside the batch, and why:
//! - the schema and column kinds (to plan), and the conflict pre-check, which gives the conflict
//!   popup without trying the write (the guards, not the pre-check, protect the rows);
//! - the cascade walk of a delete: each level's query depends on the rows the last one found,
//!   and a batch cannot branch. The rows it reaches are read whole *inside* the batch, just
//!   before the delete, so the audit records what they held when they went.

use anyhow::Result;
use rusqlite::types::Value;

use super::cascade::{ForeignKeyGraph, WholeRows};
use super::constraints::key_condition;
use super::plan::{Contexts, Planned, plan_changes};
use super::values::describe_key;
use super::{
    ChangeAction, ColumnConflict, ColumnValues, CommitInput, CommitReport, ROWID, RowConflict, RowConflicts,
    StagedChange, TableCount,
};
use crate::db::backend::{Backend, Expect, GuardFailed, Statement, Step};
use crate::db::error::DbError;
use crate::db::schema::quote_ident;
use crate::db::write::{self, Describe, deleted_rows};

/// Writes every staged change in ONE atomic batch and returns what was written, for the audit
/// log. Unless `input.overwrite`, each updated or deleted row must still hold the values it was
/// loaded with; if any does not, nothing is written and the error is
/// [`DbError::RowConflict`] with both values per column. Other errors the UI branches on:
/// [`DbError::ReadOnly`], [`DbError::Busy`] (locked past the busy timeout), [`DbError::Invalid`]
/// (a value or constraint, naming the change and the column), [`DbError::NotFound`].
pub fn commit_changes<B: Backend + ?Sized>(db: &B, input: &CommitInput) -> Result<CommitReport> {
    if input.changes.is_empty() {
        return Ok(CommitReport::default());
    }
    if db.capabilities().read_only {
        return Err(write::read_only("opened with --read-only, or the file is not writable"));
    }
    let contexts = Contexts::load(db, input.changes)?;
    let planned = plan_changes(&contexts, input)?;
    if !input.overwrite {
        let rows = find_conflicts(db, &planned)?;
        if !rows.is_empty() {
            return Err(DbError::RowConflict(RowConflicts { rows }).into());
        }
    }
    let batch = build_batch(db, &contexts, &planned, input.overwrite)?;
    let total = input.changes.len();
    let label =
        |i: usize| batch.roles.get(i).map_or_else(String::new, |role| step_label(&planned[role.planned()], total));
    let missing = |i: usize| match batch.roles.get(i) {
        Some(role) => missing_parents(db, input.changes, &planned[role.planned()]).unwrap_or_default(),
        None => Vec::new(),
    };
    let describe = Describe { step: &label, kept: "the staged changes are kept", foreign_key: Some(&missing) };
    let outcomes = match write::execute(db, &batch.steps, &describe) {
        Ok(outcomes) => outcomes,
        Err(err) => return Err(explain_guard(db, err, &batch, &planned, input)),
    };
    let mut report = CommitReport { cascaded: batch.cascaded, set_null: batch.set_null, ..CommitReport::default() };
    // The values an overwrite replaced, read in the batch just before its write.
    let mut overwritten: Option<(usize, ColumnValues)> = None;
    for (role, outcome) in batch.roles.iter().zip(&outcomes) {
        match role {
            Role::Overwritten(p) => {
                let row = outcome.rows.rows.first().cloned().unwrap_or_default();
                overwritten = Some((*p, outcome.rows.columns.iter().cloned().zip(row).collect()));
            }
            Role::Write(p) => {
                let step = &planned[*p];
                report.statements += 1;
                if let Some((_, found)) = overwritten.take().filter(|(q, _)| q == p) {
                    let start = report.applied.len();
                    report.applied.extend(step.applied.iter().cloned());
                    for change in &mut report.applied[start..] {
                        let now = change.column.as_ref().and_then(|c| found.iter().find(|(f, _)| f == c));
                        if let Some((_, value)) = now {
                            change.old = value.clone();
                        }
                    }
                    continue;
                }
                if step.action == ChangeAction::Insert && step.key.is_empty() {
                    let key = inserted_key(&contexts, step, outcome.last_insert_rowid)?;
                    report.applied.extend(step.applied.iter().cloned().map(|mut change| {
                        change.key = key.clone();
                        change
                    }));
                } else {
                    report.applied.extend(step.applied.iter().cloned());
                }
            }
            Role::InsertedKey(p) => {
                let step = &planned[*p];
                let key: ColumnValues = match outcome.rows.rows.first() {
                    Some(row) => outcome.rows.columns.iter().cloned().zip(row.iter().cloned()).collect(),
                    None => Vec::new(),
                };
                // The write just before carried this insert with an empty key: give it the key read.
                let start = report.applied.len() - step.applied.len();
                for change in &mut report.applied[start..] {
                    change.key = key.clone();
                }
            }
            Role::CascadeRows(_, reader) => report.cascaded_rows.extend(deleted_rows(&reader.rows(&outcome.rows))),
        }
    }
    // A row this batch also deletes by itself is recorded once, as its own change.
    let own: Vec<(&str, &ColumnValues)> = report
        .applied
        .iter()
        .filter(|a| a.action == ChangeAction::Delete)
        .map(|a| (a.table.as_str(), &a.key))
        .collect();
    let mut cascaded: Vec<crate::db::change::RowChange> = Vec::new();
    for row in std::mem::take(&mut report.cascaded_rows) {
        let known = cascaded.iter().any(|c| c.table == row.table && c.key == row.key);
        if !known && !own.iter().any(|(t, k)| *t == row.table && **k == row.key) {
            cascaded.push(row);
        }
    }
    report.cascaded_rows = cascaded;
    Ok(report)
}

/// What one step of the batch is for.
enum Role {
    /// The statement of planned step N.
    Write(usize),
    /// Reads the values planned step N overwrites, just before it runs, for the audit.
    Overwritten(usize),
    /// Reads the key of the row planned step N just inserted (`last_insert_rowid()`).
    InsertedKey(usize),
    /// Reads rows planned step N's delete will take along, before it runs.
    CascadeRows(usize, WholeRows),
}

impl Role {
    fn planned(&self) -> usize {
        match self {
            Role::Write(p) | Role::Overwritten(p) | Role::InsertedKey(p) | Role::CascadeRows(p, _) => *p,
        }
    }
}

/// The batch a commit sends, with the role of each step and what the cascade walks found.
struct Batch {
    steps: Vec<Step>,
    roles: Vec<Role>,
    cascaded: Vec<TableCount>,
    set_null: Vec<super::ColumnCount>,
}

fn build_batch<B: Backend + ?Sized>(
    db: &B,
    contexts: &Contexts,
    planned: &[Planned],
    overwrite: bool,
) -> Result<Batch> {
    let graph = match planned.iter().any(|step| step.action == ChangeAction::Delete) {
        true => Some(ForeignKeyGraph::load(db)?),
        false => None,
    };
    let mut batch = Batch { steps: Vec::new(), roles: Vec::new(), cascaded: Vec::new(), set_null: Vec::new() };
    // Tables an earlier delete of this batch cascades into: a later delete there may find its
    // row gone already, which keeps the user's intent (the pre-check found no conflict).
    let mut cascaded_into: Vec<String> = Vec::new();
    for (p, step) in planned.iter().enumerate() {
        let mut expect = Expect::Changes(1);
        if let (Some(graph), ChangeAction::Delete) = (&graph, step.action) {
            if overwrite || cascaded_into.iter().any(|t| t.eq_ignore_ascii_case(&step.table)) {
                // Overwriting a delete whose row someone else deleted keeps the intent too.
                expect = Expect::Any;
            }
            let (preview, reached) = graph.walk(db, &step.table, std::slice::from_ref(&step.key))?;
            for reader in graph.whole_rows_statements(&reached) {
                batch.steps.push(Step::any(reader.statement.clone()));
                batch.roles.push(Role::CascadeRows(p, reader));
            }
            cascaded_into.extend(reached.into_iter().map(|(table, _)| table));
            add_counts(&mut batch, preview);
        }
        if step.action == ChangeAction::Insert {
            expect = Expect::Any;
        }
        if overwrite && step.action != ChangeAction::Insert {
            // The loaded values are not what an overwrite replaces: the audit records what the
            // row held when the batch wrote it.
            let columns: Vec<String> =
                step.applied.iter().filter_map(|a| a.column.as_deref()).map(quote_ident).collect();
            if !columns.is_empty() {
                let (condition, params) = key_condition(&step.key);
                let sql = format!("SELECT {} FROM {} WHERE {condition}", columns.join(", "), quote_ident(&step.table));
                batch.steps.push(Step::any(Statement::new(sql, params)));
                batch.roles.push(Role::Overwritten(p));
            }
        }
        batch.steps.push(Step::guarded(step.sql.statement(), expect));
        batch.roles.push(Role::Write(p));
        if step.action == ChangeAction::Insert && step.key.is_empty() {
            let info = &contexts.get(&step.table)?.info;
            if !info.primary_key.is_empty() && !info.without_rowid {
                let columns: Vec<String> = info.primary_key.iter().map(|c| quote_ident(c)).collect();
                let sql = format!(
                    "SELECT {} FROM {} WHERE rowid = last_insert_rowid()",
                    columns.join(", "),
                    quote_ident(&info.name)
                );
                batch.steps.push(Step::any(Statement::plain(sql)));
                batch.roles.push(Role::InsertedKey(p));
            }
        }
    }
    Ok(batch)
}

/// Adds what deleting one row takes with it (the row itself is in `applied`).
fn add_counts(batch: &mut Batch, preview: super::CascadePreview) {
    for (i, count) in preview.deletes.into_iter().enumerate() {
        let rows = if i == 0 { count.rows.saturating_sub(1) } else { count.rows };
        if rows == 0 {
            continue;
        }
        match batch.cascaded.iter_mut().find(|c| c.table == count.table) {
            Some(known) => known.rows += rows,
            None => batch.cascaded.push(TableCount { table: count.table, rows }),
        }
    }
    for count in preview.set_null {
        match batch.set_null.iter_mut().find(|c| c.table == count.table && c.columns == count.columns) {
            Some(known) => known.rows += count.rows,
            None => batch.set_null.push(count),
        }
    }
}

/// A failed batch, explained. A guard that did not hold means nothing was written: the rows are
/// read again (outside the batch) to tell a conflict with another writer, a row gone, or a row
/// an earlier change of this batch changed. A foreign key failure names the key that matched
/// no row.
fn explain_guard<B: Backend + ?Sized>(
    db: &B,
    err: anyhow::Error,
    batch: &Batch,
    planned: &[Planned],
    input: &CommitInput,
) -> anyhow::Error {
    let total = input.changes.len();
    let Some(failed) = err.downcast_ref::<GuardFailed>() else { return err };
    let Some(step) = batch.roles.get(failed.step).map(|role| &planned[role.planned()]) else { return err };
    let label = step_label(step, total);
    if !input.overwrite {
        match find_conflicts(db, planned) {
            Ok(rows) if !rows.is_empty() => return DbError::RowConflict(RowConflicts { rows }).into(),
            Ok(_) => {}
            Err(read) => return read.context(format!("{label}: nothing was written")),
        }
    }
    if let Some(many) = failed.changes.filter(|n| *n > 1) {
        return DbError::Invalid(format!("{label}: the key matched {many} rows; nothing was written")).into();
    }
    if step.action == ChangeAction::Update && input.overwrite && !row_exists(db, &step.table, &step.key).unwrap_or(true)
    {
        return DbError::NotFound(format!(
            "{label}: the row no longer exists (deleted by someone else); nothing was written, reload"
        ))
        .into();
    }
    // The rows hold what was loaded, so an earlier statement of this batch (a cascade, a
    // trigger) changed or deleted the row.
    DbError::Invalid(format!(
        "{label}: an earlier change of this batch deleted or changed the row; nothing was written, commit the changes separately"
    ))
    .into()
}

/// "change 3 of 3 (INSERT INTO user)": which staged change a statement carries.
fn step_label(step: &Planned, total: usize) -> String {
    let first = step.changes.first().map_or(0, |i| i + 1);
    let action = match step.action {
        ChangeAction::Insert => "INSERT INTO",
        ChangeAction::Update => "UPDATE",
        ChangeAction::Delete => "DELETE FROM",
    };
    let key = if step.key.is_empty() { String::new() } else { format!(" {}", describe_key(&step.key)) };
    format!("change {first} of {total} ({action} {}{key})", step.table)
}

/// Foreign keys of the changes a failed statement carried whose values match no row, and rows
/// still pointing at a changed key, one sentence each: `userId = 'ghost' matches no row of user
/// (id)`.
fn missing_parents<B: Backend + ?Sized>(db: &B, changes: &[StagedChange], step: &Planned) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let info = crate::db::schema::describe_table(db, &crate::db::schema::DescribeTable { name: &step.table })?;
    for &index in &step.changes {
        let values: ColumnValues = match changes.get(index) {
            Some(StagedChange::Insert { values, .. }) => values.clone(),
            Some(StagedChange::Update { column, new, key, .. }) => {
                // A key change fails while rows of other tables point at the old key.
                if let Some(row) = super::constraints::current_row(db, &info, key)? {
                    let remote = db.capabilities().remote;
                    problems.extend(super::constraints::pointing_children(db, &info, &row, column, remote)?);
                }
                vec![(column.clone(), new.clone())]
            }
            _ => continue,
        };
        for fk in &info.foreign_keys {
            let found: Option<Vec<Value>> = fk
                .columns
                .iter()
                .map(|c| values.iter().find(|(v, _)| v == c).map(|(_, v)| v.clone()).filter(|v| *v != Value::Null))
                .collect();
            let Some(found) = found else { continue };
            if fk.ref_columns.len() != found.len() {
                continue;
            }
            let terms: Vec<String> = fk.ref_columns.iter().map(|c| format!("{} = ?", quote_ident(c))).collect();
            let sql =
                format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {})", quote_ident(&fk.ref_table), terms.join(" AND "));
            let exists = db
                .query(&Statement::new(sql, found.clone()))
                .ok()
                .and_then(|rows| rows.scalar().cloned())
                .is_some_and(|v| v == Value::Integer(1));
            if !exists {
                let pairs: Vec<(String, Value)> = fk.columns.iter().cloned().zip(found).collect();
                problems.push(format!(
                    "{} matches no row of {} ({})",
                    describe_key(&pairs),
                    fk.ref_table,
                    fk.ref_columns.join(", ")
                ));
            }
        }
    }
    Ok(problems)
}

/// Compares every updated or deleted row with the values it was loaded with. Rows inserted by
/// this batch are not there yet, so they are skipped.
fn find_conflicts<B: Backend + ?Sized>(db: &B, planned: &[Planned]) -> Result<Vec<RowConflict>> {
    let mut inserted: Vec<(&str, &ColumnValues)> = Vec::new();
    let mut conflicts = Vec::new();
    for step in planned {
        if step.action == ChangeAction::Insert {
            if !step.key.is_empty() {
                inserted.push((&step.table, &step.key));
            }
            continue;
        }
        if inserted.iter().any(|(table, key)| *table == step.table && **key == step.key) {
            continue;
        }
        if let Some(conflict) = compare_row(db, step)? {
            conflicts.push(conflict);
        }
    }
    Ok(conflicts)
}

/// The row's current values of the checked columns, compared with `IS` as the statement will.
fn compare_row<B: Backend + ?Sized>(db: &B, step: &Planned) -> Result<Option<RowConflict>> {
    let mut select = vec!["1".to_string()];
    let mut params: Vec<Value> = Vec::new();
    for (column, expected) in &step.expected {
        let quoted = quote_ident(column);
        select.push(format!("{quoted} IS ?"));
        select.push(quoted);
        params.push(expected.clone());
    }
    let (condition, key_params) = key_condition(&step.key);
    params.extend(key_params);
    let sql = format!("SELECT {} FROM {} WHERE {condition}", select.join(", "), quote_ident(&step.table));
    let rows = db.query(&Statement::new(sql, params))?;
    let conflict = |row_exists, columns| RowConflict {
        table: step.table.clone(),
        key: step.key.clone(),
        changes: step.changes.clone(),
        row_exists,
        columns,
    };
    let Some(row) = rows.rows.first() else {
        // A delete of a row that is gone has nothing to compare: the row was deleted by
        // someone else, not changed column by column.
        if step.action == ChangeAction::Delete {
            return Ok(Some(conflict(false, Vec::new())));
        }
        let columns = step
            .expected
            .iter()
            .map(|(column, expected)| ColumnConflict {
                column: column.clone(),
                expected: expected.clone(),
                current: None,
            })
            .collect();
        return Ok(Some(conflict(false, columns)));
    };
    let mut columns = Vec::new();
    for (i, (column, expected)) in step.expected.iter().enumerate() {
        let same = matches!(row.get(1 + 2 * i), Some(Value::Integer(n)) if *n != 0);
        if !same {
            let current = row.get(2 + 2 * i).cloned().unwrap_or(Value::Null);
            columns.push(ColumnConflict { column: column.clone(), expected: expected.clone(), current: Some(current) });
        }
    }
    Ok(if columns.is_empty() { None } else { Some(conflict(true, columns)) })
}

fn row_exists<B: Backend + ?Sized>(db: &B, table: &str, key: &[(String, Value)]) -> Result<bool> {
    let (condition, params) = key_condition(key);
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {condition})", quote_ident(table));
    Ok(db.query(&Statement::new(sql, params))?.scalar().is_some_and(|v| *v == Value::Integer(1)))
}

/// The key of the row an INSERT just wrote when no key step read it: its rowid, or nothing for
/// a WITHOUT ROWID table whose key was left to a default.
fn inserted_key(contexts: &Contexts, step: &Planned, rowid: i64) -> Result<ColumnValues> {
    let info = &contexts.get(&step.table)?.info;
    if info.primary_key.is_empty() {
        return Ok(vec![(ROWID.to_string(), Value::Integer(rowid))]);
    }
    Ok(Vec::new())
}

/// The staged updates and deletes whose rows no longer hold the values they were loaded with,
/// by the same comparison a commit makes, without writing or locking anything: lets the UI mark
/// a conflict as soon as the row changes, not only at commit.
pub fn find_staged_conflicts<B: Backend + ?Sized>(db: &B, changes: &[StagedChange]) -> Result<Vec<RowConflict>> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let contexts = Contexts::load(db, changes)?;
    // `now` only fills `updatedAt` values of the statements, which the comparison never reads.
    let input = CommitInput { changes, overwrite: false, now: chrono::DateTime::UNIX_EPOCH };
    let planned = plan_changes(&contexts, &input)?;
    find_conflicts(db, &planned)
}
