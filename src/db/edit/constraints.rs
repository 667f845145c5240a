//! Constraints the database enforces: looked up before committing where possible
//! ([`check_change`]), and explained in plain words when SQLite refuses a statement anyway.

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::StagedChange;
use super::cascade::ForeignKeyGraph;
use super::values::sql_literal;
use crate::db::backend::{Backend, Statement};
use crate::db::schema::{DescribeTable, TableInfo, describe_table, int_at, quote_ident};

/// Input of [`check_change`].
pub struct CheckChange<'a> {
    pub change: &'a StagedChange,
}

/// What the database would refuse this change for, looked up now: a value another row already
/// holds in a UNIQUE column (or primary key), a foreign key that matches no row, and, for a
/// delete, rows that still reference the row without a cascade. Each problem is one sentence.
/// Checks the change on its own, against the database as it is.
///
/// Stays on `Connection` for the delete check: it walks the foreign-key graph of `cascade.rs`,
/// which is written for a local file. The insert and update checks below are generic.
pub fn check_change(conn: &Connection, input: &CheckChange) -> Result<Vec<String>> {
    match input.change {
        StagedChange::Delete { table, key, .. } => {
            let preview = ForeignKeyGraph::load(conn)?.preview(conn, table, std::slice::from_ref(key))?;
            Ok(preview
                .blocked
                .iter()
                .map(|b| {
                    format!(
                        "{} {} of {} still reference{} it ({}, ON DELETE {})",
                        b.rows,
                        if b.rows == 1 { "row" } else { "rows" },
                        b.table,
                        if b.rows == 1 { "s" } else { "" },
                        b.columns.join(", "),
                        b.action
                    )
                })
                .collect())
        }
        _ => check_row(conn, &CheckRow { change: input.change, remote: false }),
    }
}

/// Input of [`check_row`].
pub struct CheckRow<'a> {
    pub change: &'a StagedChange,
    /// On a remote only lookups an index answers are made (rows read are billed).
    pub remote: bool,
}

/// What the database would refuse an insert or an update for: a UNIQUE value another row holds,
/// a foreign key matching no row, and for a key change the rows of other tables still pointing
/// at the old key (their `ON UPDATE` does not follow it). Every lookup goes through the key or a
/// UNIQUE index; rows pointing at a key are counted on a remote only where an index covers them.
/// A delete is checked by [`check_change`].
pub fn check_row<B: Backend + ?Sized>(db: &B, input: &CheckRow) -> Result<Vec<String>> {
    let info = describe_table(db, &DescribeTable { name: input.change.table() })?;
    match input.change {
        StagedChange::Insert { values, .. } => {
            let lookup = |column: &str| values.iter().find(|(c, _)| c == column).map(|(_, v)| v.clone());
            let mut problems = unique_clashes(db, &info, &lookup, None)?;
            problems.extend(missing_parents(db, &info, &lookup, None)?);
            Ok(problems)
        }
        StagedChange::Update { key, column, new, .. } => {
            let current = current_row(db, &info, key)?;
            let lookup = |name: &str| {
                if name == column {
                    Some(new.clone())
                } else {
                    current.as_ref().and_then(|row| row.iter().find(|(c, _)| c == name).map(|(_, v)| v.clone()))
                }
            };
            let mut problems = unique_clashes(db, &info, &lookup, Some((key, column)))?;
            problems.extend(missing_parents(db, &info, &lookup, Some(column))?);
            if let Some(row) = &current {
                problems.extend(pointing_children(db, &info, row, column, input.remote)?);
            }
            Ok(problems)
        }
        StagedChange::Delete { .. } => Ok(Vec::new()),
    }
}

/// Rows of other tables whose declared foreign key points at `column` of this row and does not
/// follow a change of it (`ON UPDATE NO ACTION` / `RESTRICT`): while they exist, changing the
/// column fails. One sentence per key with rows: `3 rows of session still reference user
/// id = 'u1' (userId, ON UPDATE NO ACTION)`.
pub(super) fn pointing_children<B: Backend + ?Sized>(
    db: &B,
    info: &TableInfo,
    row: &[(String, Value)],
    column: &str,
    remote: bool,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for child in crate::db::schema::describe_schema(db)? {
        for fk in &child.foreign_keys {
            let action = fk.on_update.to_ascii_uppercase();
            if fk.ref_table != info.name
                || !fk.ref_columns.iter().any(|c| c == column)
                || fk.ref_columns.len() != fk.columns.len()
                || matches!(action.as_str(), "CASCADE" | "SET NULL" | "SET DEFAULT")
            {
                continue;
            }
            let values: Option<Vec<Value>> = fk
                .ref_columns
                .iter()
                .map(|c| row.iter().find(|(n, _)| n == c).map(|(_, v)| v.clone()).filter(|v| *v != Value::Null))
                .collect();
            let Some(values) = values else { continue };
            let indexed = child.indexes.iter().any(|i| i.columns.starts_with(&fk.columns))
                || child.primary_key.starts_with(&fk.columns);
            if remote && !indexed {
                continue;
            }
            let terms: Vec<String> = fk.columns.iter().map(|c| format!("{} = ?", quote_ident(c))).collect();
            let sql = format!("SELECT count(*) FROM {} WHERE {}", quote_ident(&child.name), terms.join(" AND "));
            let rows = db.query(&Statement::new(sql, values.clone()))?.rows.first().map_or(0, |r| int_at(r, 0));
            if rows > 0 {
                let pairs: Vec<String> =
                    fk.ref_columns.iter().zip(&values).map(|(c, v)| format!("{c} = {}", sql_literal(v))).collect();
                problems.push(format!(
                    "{rows} {} of {} still reference{} {} {} ({}, ON UPDATE {action})",
                    if rows == 1 { "row" } else { "rows" },
                    child.name,
                    if rows == 1 { "s" } else { "" },
                    info.name,
                    pairs.join(", "),
                    fk.columns.join(", "),
                ));
            }
        }
    }
    Ok(problems)
}

/// The row's current values, every column.
pub(super) fn current_row<B: Backend + ?Sized>(
    db: &B,
    info: &TableInfo,
    key: &[(String, Value)],
) -> Result<Option<Vec<(String, Value)>>> {
    let names: Vec<String> = info.columns.iter().map(|c| quote_ident(&c.name)).collect();
    let (condition, params) = key_condition(key);
    let sql = format!("SELECT {} FROM {} WHERE {condition}", names.join(", "), quote_ident(&info.name));
    let Some(row) = db.query(&Statement::new(sql, params))?.rows.into_iter().next() else { return Ok(None) };
    Ok(Some(info.columns.iter().map(|c| c.name.clone()).zip(row).collect()))
}

/// `"a" IS ? AND "b" IS ?` and the values to bind.
pub(super) fn key_condition(key: &[(String, Value)]) -> (String, Vec<Value>) {
    let terms: Vec<String> = key.iter().map(|(c, _)| format!("{} IS ?", quote_ident(c))).collect();
    (terms.join(" AND "), key.iter().map(|(_, v)| v.clone()).collect())
}

/// UNIQUE indexes and the primary key whose columns would all hold values another row already
/// has. `editing` is the row being updated (excluded) and the column edited (only constraints
/// over it are checked).
fn unique_clashes<B: Backend + ?Sized>(
    db: &B,
    info: &TableInfo,
    lookup: &dyn Fn(&str) -> Option<Value>,
    editing: Option<(&[(String, Value)], &String)>,
) -> Result<Vec<String>> {
    let mut sets: Vec<&[String]> =
        info.indexes.iter().filter(|i| i.unique && !i.partial).map(|i| i.columns.as_slice()).collect();
    if !info.primary_key.is_empty() && !sets.contains(&info.primary_key.as_slice()) {
        sets.push(&info.primary_key);
    }
    let mut problems = Vec::new();
    for columns in sets {
        if editing.is_some_and(|(_, column)| !columns.contains(column)) {
            continue;
        }
        // NULLs never clash in a UNIQUE index; a value left to its DEFAULT is unknown here.
        let values: Option<Vec<Value>> = columns.iter().map(|c| lookup(c).filter(|v| *v != Value::Null)).collect();
        let Some(values) = values else { continue };
        let mut terms: Vec<String> = columns.iter().map(|c| format!("{} = ?", quote_ident(c))).collect();
        let mut params = values.clone();
        if let Some((key, _)) = editing {
            let (condition, key_params) = key_condition(key);
            terms.push(format!("NOT ({condition})"));
            params.extend(key_params);
        }
        let sql = format!("SELECT count(*) FROM {} WHERE {}", quote_ident(&info.name), terms.join(" AND "));
        let clashes = db.query(&Statement::new(sql, params))?.rows.first().map_or(0, |row| int_at(row, 0));
        if clashes > 0 {
            let pairs: Vec<String> =
                columns.iter().zip(&values).map(|(c, v)| format!("{c} = {}", sql_literal(v))).collect();
            problems.push(format!("another row of {} already has {} (UNIQUE)", info.name, pairs.join(", ")));
        }
    }
    Ok(problems)
}

/// Foreign keys whose values match no row of the referenced table. `edited` limits the check to
/// the foreign keys over that column.
fn missing_parents<B: Backend + ?Sized>(
    db: &B,
    info: &TableInfo,
    lookup: &dyn Fn(&str) -> Option<Value>,
    edited: Option<&String>,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for fk in &info.foreign_keys {
        if edited.is_some_and(|column| !fk.columns.contains(column)) || fk.ref_columns.len() != fk.columns.len() {
            continue;
        }
        // A NULL in any column means the key points nowhere, which SQLite allows.
        let values: Option<Vec<Value>> = fk.columns.iter().map(|c| lookup(c).filter(|v| *v != Value::Null)).collect();
        let Some(values) = values else { continue };
        let terms: Vec<String> = fk.ref_columns.iter().map(|c| format!("{} = ?", quote_ident(c))).collect();
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {})", quote_ident(&fk.ref_table), terms.join(" AND "));
        let found = match db.query(&Statement::new(sql, values.clone())) {
            Ok(rows) => rows.rows.first().is_some_and(|row| int_at(row, 0) != 0),
            // The referenced table itself is missing: SQLite refuses every write then.
            Err(err) if matches!(err.downcast_ref(), Some(rusqlite::Error::SqliteFailure(..))) => false,
            Err(err) => return Err(err),
        };
        if !found {
            let pairs: Vec<String> =
                fk.columns.iter().zip(&values).map(|(c, v)| format!("{c} = {}", sql_literal(v))).collect();
            problems.push(format!(
                "{} matches no row of {} ({})",
                pairs.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", ")
            ));
        }
    }
    Ok(problems)
}
