//! Running a batch: one IMMEDIATE transaction (the write lock is taken up front, so nothing can
//! change between the checks and the writes), optimistic checks of every row first, then the
//! statements in order. Any failure rolls the whole batch back.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params_from_iter};

use super::cascade::ForeignKeyGraph;
use super::constraints::{busy_error, busy_timeout_ms, explain_failure, key_condition, read_only_error, step_label};
use super::plan::{Contexts, Planned, plan_changes};
use super::{
    ChangeAction, ColumnConflict, ColumnValues, CommitInput, CommitReport, ROWID, RowConflict, RowConflicts,
    StagedChange, TableCount,
};
use crate::db::error::DbError;
use crate::db::schema::quote_ident;

/// Writes every staged change in ONE transaction and returns what was written, for the audit
/// log. Unless `input.overwrite`, each updated or deleted row must still hold the values it was
/// loaded with; if any does not, nothing is written and the error is
/// [`DbError::RowConflict`] with both values per column. Other errors the UI branches on:
/// [`DbError::ReadOnly`], [`DbError::Busy`] (locked past the busy timeout), [`DbError::Invalid`]
/// (a value or constraint, naming the change and the column), [`DbError::NotFound`].
pub fn commit_changes(conn: &mut Connection, input: &CommitInput) -> Result<CommitReport> {
    if input.changes.is_empty() {
        return Ok(CommitReport::default());
    }
    if crate::db::open::refuses_writes(conn)? {
        return Err(read_only_error("opened with --read-only, or the file is not writable"));
    }
    let contexts = Contexts::load(conn, input.changes)?;
    let planned = plan_changes(&contexts, input)?;
    let waited = busy_timeout_ms(conn);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|err| match sqlite_code(&err) {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => busy_error(waited),
        Some(ErrorCode::ReadOnly) => read_only_error(&err.to_string()),
        _ => err.into(),
    })?;
    if !input.overwrite {
        let rows = find_conflicts(&tx, &planned)?;
        if !rows.is_empty() {
            return Err(DbError::RowConflict(RowConflicts { rows }).into());
        }
    }
    let graph = match planned.iter().any(|step| step.action == ChangeAction::Delete) {
        true => Some(ForeignKeyGraph::load(&tx)?),
        false => None,
    };
    let mut report = CommitReport::default();
    for step in &planned {
        if let (Some(graph), ChangeAction::Delete) = (&graph, step.action) {
            record_cascade(&tx, graph, step, &mut report)?;
        }
        let (sql, params) = step.sql.bound();
        // Cached: a batch over many rows repeats the same few statement shapes.
        let affected = tx
            .prepare_cached(&sql)
            .and_then(|mut stmt| stmt.execute(params_from_iter(params)))
            .map_err(|err| explain_failure(&tx, input.changes, step, err))?;
        report.statements += 1;
        match (step.action, affected) {
            (ChangeAction::Insert, _) => {
                let key = inserted_key(&tx, &contexts, step)?;
                report.applied.extend(step.applied.iter().cloned().map(|mut change| {
                    change.key = key.clone();
                    change
                }));
            }
            (_, 1) => report.applied.extend(step.applied.iter().cloned()),
            (ChangeAction::Delete, 0) if !row_exists(&tx, &step.table, &step.key)? => {
                // Gone already: an earlier delete of this batch cascaded to it (or, when
                // overwriting, someone else deleted it). Either way the user's intent holds.
                report.applied.extend(step.applied.iter().cloned());
            }
            (ChangeAction::Update, 0) if input.overwrite && !row_exists(&tx, &step.table, &step.key)? => {
                return Err(DbError::NotFound(format!(
                    "{}: the row no longer exists (deleted by someone else); nothing was written, reload",
                    step_label(step, input.changes.len())
                ))
                .into());
            }
            (_, 0) => {
                // The checks passed when the batch started, so an earlier statement of this
                // batch (a cascade, a trigger) changed the row.
                return Err(DbError::Invalid(format!(
                    "{}: an earlier change of this batch deleted or changed the row; nothing was written, commit the changes separately",
                    step_label(step, input.changes.len())
                ))
                .into());
            }
            (_, many) => {
                return Err(DbError::Invalid(format!(
                    "{}: the key matched {many} rows; nothing was written",
                    step_label(step, input.changes.len())
                ))
                .into());
            }
        }
    }
    // A row this batch also deletes by itself is recorded once, as its own change.
    let own: Vec<(&str, &ColumnValues)> = report
        .applied
        .iter()
        .filter(|a| a.action == ChangeAction::Delete)
        .map(|a| (a.table.as_str(), &a.key))
        .collect();
    let cascaded: Vec<_> = std::mem::take(&mut report.cascaded_rows)
        .into_iter()
        .filter(|row| !own.iter().any(|(t, k)| *t == row.table && **k == row.key))
        .collect();
    report.cascaded_rows = cascaded;
    tx.commit().map_err(|err| match (sqlite_code(&err), &err) {
        (Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked), _) => busy_error(waited),
        (Some(ErrorCode::ConstraintViolation), rusqlite::Error::SqliteFailure(_, message)) => {
            DbError::Invalid(format!(
                "the commit was refused: {} (a deferred constraint); nothing was written",
                message.as_deref().unwrap_or("constraint failed")
            ))
            .into()
        }
        _ => anyhow::Error::from(err).context("committing the changes: nothing was written"),
    })?;
    Ok(report)
}

fn sqlite_code(err: &rusqlite::Error) -> Option<ErrorCode> {
    match err {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.code),
        _ => None,
    }
}

/// Compares every updated or deleted row with the values it was loaded with, as the batch
/// starts. Rows inserted by this batch are not there yet, so they are skipped.
fn find_conflicts(conn: &Connection, planned: &[Planned]) -> Result<Vec<RowConflict>> {
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
        if let Some(conflict) = compare_row(conn, step)? {
            conflicts.push(conflict);
        }
    }
    Ok(conflicts)
}

/// The row's current values of the checked columns, compared with `IS` as the statement will.
fn compare_row(conn: &Connection, step: &Planned) -> Result<Option<RowConflict>> {
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
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let conflict = |row_exists, columns| RowConflict {
        table: step.table.clone(),
        key: step.key.clone(),
        changes: step.changes.clone(),
        row_exists,
        columns,
    };
    let Some(row) = rows.next()? else {
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
        let same: bool = row.get(1 + 2 * i)?;
        if !same {
            let current: Value = row.get(2 + 2 * i)?;
            columns.push(ColumnConflict { column: column.clone(), expected: expected.clone(), current: Some(current) });
        }
    }
    Ok(if columns.is_empty() { None } else { Some(conflict(true, columns)) })
}

fn row_exists(conn: &Connection, table: &str, key: &[(String, Value)]) -> Result<bool> {
    let (condition, params) = key_condition(key);
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {condition})", quote_ident(table));
    Ok(conn.query_row(&sql, params_from_iter(params), |row| row.get(0))?)
}

/// The key of the row an INSERT just wrote: from its values, else through the new rowid.
fn inserted_key(conn: &Connection, contexts: &Contexts, step: &Planned) -> Result<ColumnValues> {
    if !step.key.is_empty() {
        return Ok(step.key.clone());
    }
    let info = &contexts.get(&step.table)?.info;
    let rowid = conn.last_insert_rowid();
    if info.primary_key.is_empty() {
        return Ok(vec![(ROWID.to_string(), Value::Integer(rowid))]);
    }
    if info.without_rowid {
        return Ok(Vec::new());
    }
    let columns: Vec<String> = info.primary_key.iter().map(|c| quote_ident(c)).collect();
    let sql = format!("SELECT {} FROM {} WHERE rowid = ?1", columns.join(", "), quote_ident(&info.name));
    let values = conn.query_row(&sql, [rowid], |row| {
        (0..columns.len()).map(|i| row.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(info.primary_key.iter().cloned().zip(values).collect())
}

/// Adds what deleting this step's row takes with it to the report (the row itself is in `applied`).
fn record_cascade(conn: &Connection, graph: &ForeignKeyGraph, step: &Planned, report: &mut CommitReport) -> Result<()> {
    let (preview, rows) = graph.preview_with_rows(conn, &step.table, std::slice::from_ref(&step.key))?;
    report.cascaded_rows.extend(rows);
    for (i, count) in preview.deletes.into_iter().enumerate() {
        let rows = if i == 0 { count.rows.saturating_sub(1) } else { count.rows };
        if rows == 0 {
            continue;
        }
        match report.cascaded.iter_mut().find(|c| c.table == count.table) {
            Some(known) => known.rows += rows,
            None => report.cascaded.push(TableCount { table: count.table, rows }),
        }
    }
    for count in preview.set_null {
        match report.set_null.iter_mut().find(|c| c.table == count.table && c.columns == count.columns) {
            Some(known) => known.rows += count.rows,
            None => report.set_null.push(count),
        }
    }
    Ok(())
}

/// The staged updates and deletes whose rows no longer hold the values they were loaded with,
/// by the same comparison a commit makes, without writing or locking anything: lets the UI mark
/// a conflict as soon as the row changes, not only at commit.
pub fn find_staged_conflicts(conn: &Connection, changes: &[StagedChange]) -> Result<Vec<RowConflict>> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let contexts = Contexts::load(conn, changes)?;
    // `now` only fills `updatedAt` values of the statements, which the comparison never reads.
    let input = CommitInput { changes, overwrite: false, now: chrono::DateTime::UNIX_EPOCH };
    let planned = plan_changes(&contexts, &input)?;
    find_conflicts(conn, &planned)
}
