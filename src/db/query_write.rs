//! Writes typed by a person: what one would change before it runs (rows matched, what a DELETE
//! takes with it in cascade), and running it in one transaction that reads the affected rows
//! first, so the audit log says what changed, not only the SQL.

use anyhow::{Context, Result};
use rusqlite::Connection;
use rusqlite::types::Value;
use sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, ObjectName, SetExpr, Statement as Ast, TableFactor, TableObject, TableWithJoins,
    Value as SqlValue,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use super::{ResultColumn, WriteKind, result_columns, row_values, write_kind};
use crate::db::backend::{Rows, Statement as BackendStatement, Step};
use crate::db::change::{ChangeOp, ColumnChange, REDACTED, RowChange};
use crate::db::edit::{CascadeInput, CascadePreview, cascade_preview, cascade_rows};
use crate::db::kinds::is_secret_name;
use crate::db::schema::{DescribeTable, describe_table, quote_ident};
use crate::present::group_thousands;

/// Rows of an UPDATE / DELETE read for the audit log at most (and cascaded rows at most).
pub const AUDIT_ROWS: usize = 1_000;
/// Matched rows a DELETE's cascade is counted for before asking; beyond, it is not counted.
pub const CASCADE_KEYS: usize = 10_000;

/// The table an UPDATE / DELETE writes and its WHERE.
struct Target {
    /// The table as written, alias included (`user AS u`).
    relation: String,
    /// The table's own name.
    table: String,
    condition: Option<String>,
}

fn bare_name(name: &ObjectName) -> Option<String> {
    Some(name.0.last()?.as_ident()?.value.clone())
}

fn target_of(table: &TableWithJoins) -> Option<(String, String)> {
    if !table.joins.is_empty() {
        return None;
    }
    let TableFactor::Table { name, .. } = &table.relation else { return None };
    Some((table.to_string(), bare_name(name)?))
}

fn write_target(sql: &str) -> Option<Target> {
    let statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
    let [statement] = statements.as_slice() else { return None };
    let (table, selection) = match statement {
        Ast::Update { table, from: None, selection, .. } => (table, selection),
        Ast::Delete(delete) => {
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
            let [table] = from.as_slice() else { return None };
            (table, &delete.selection)
        }
        _ => return None,
    };
    let (relation, table) = target_of(table)?;
    Some(Target { relation, table, condition: selection.as_ref().map(|c| c.to_string()) })
}

fn where_clause(target: &Target) -> String {
    target.condition.as_ref().map(|c| format!(" WHERE {c}")).unwrap_or_default()
}

/// For an UPDATE or DELETE, the `SELECT count(*)` over the same table and WHERE; `None` for other
/// statements or shapes it cannot say (UPDATE ... FROM, several statements, parse errors).
pub fn matching_count_sql(sql: &str) -> Option<String> {
    let target = write_target(sql)?;
    Some(format!("SELECT count(*) FROM {}{}", target.relation, where_clause(&target)))
}

/// The table an UPDATE / DELETE writes (its own name, no alias).
pub fn write_table(sql: &str) -> Option<String> {
    write_target(sql).map(|target| target.table)
}

/// How many rows an UPDATE or DELETE would touch (`None` when it cannot be said).
pub fn count_matching_rows(conn: &Connection, sql: &str) -> Result<Option<u64>> {
    let Some(count_sql) = matching_count_sql(sql) else { return Ok(None) };
    let count: i64 =
        conn.query_row(&count_sql, [], |row| row.get(0)).with_context(|| format!("counting matches: {count_sql}"))?;
    Ok(Some(count.max(0) as u64))
}

/// What a write would do, said before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritePreview {
    pub kind: WriteKind,
    /// Rows an UPDATE / DELETE matches.
    pub matching: Option<u64>,
    /// Whether it has a WHERE (without one it touches every row).
    pub filtered: bool,
    /// For a DELETE: the table and what the foreign keys do with it (`None` when not counted).
    pub cascade: Option<CascadePreview>,
    /// Why `matching` was not counted: on a remote, counting would scan (and be billed for) the
    /// table ("counting would read ~5,000 rows of user ...").
    pub not_counted: Option<String>,
}

fn plural(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", group_thousands(n), if n == 1 { "" } else { "s" })
}

impl WritePreview {
    /// "This DELETE removes the 1 row its WHERE matches: 1 user, and in cascade 3 sessions, 1 account."
    pub fn describe(&self) -> String {
        let rows = |n: u64| {
            if self.filtered {
                format!("the {} its WHERE matches", plural(n, "row"))
            } else {
                format!("every row ({})", group_thousands(n))
            }
        };
        match (self.kind, self.matching) {
            (WriteKind::Update | WriteKind::Delete, None) if self.not_counted.is_some() => {
                let verb = if self.kind == WriteKind::Update { "UPDATE changes" } else { "DELETE removes" };
                let which = if self.filtered { "the rows its WHERE matches" } else { "every row" };
                format!("This {verb} {which} — not counted: {}.", self.not_counted.as_deref().unwrap_or_default())
            }
            (WriteKind::Update, Some(n)) if self.filtered => format!("This UPDATE matches {}.", plural(n, "row")),
            (WriteKind::Update, Some(n)) => format!("This UPDATE matches {}.", rows(n)),
            (WriteKind::Delete, Some(n)) => {
                let mut text = format!("This DELETE removes {}", rows(n));
                if let Some(cascade) = &self.cascade {
                    text.push_str(&cascade_text(cascade));
                } else if n as usize > CASCADE_KEYS {
                    text.push_str(" (what cascades was not counted: too many rows)");
                }
                text.push('.');
                text
            }
            (WriteKind::Insert, _) => "This statement inserts rows.".to_string(),
            (WriteKind::Schema, _) => "This statement changes the schema.".to_string(),
            _ => "This statement changes data.".to_string(),
        }
    }
}

/// ": deletes 1 user, and in cascade 3 sessions, 1 account; sets NULL in ..." (empty when
/// nothing cascades).
fn cascade_text(cascade: &CascadePreview) -> String {
    let mut parts = Vec::new();
    if cascade.deletes.len() > 1 {
        let first = &cascade.deletes[0];
        let rest: Vec<String> = cascade.deletes[1..].iter().map(|d| plural(d.rows, &d.table)).collect();
        parts.push(format!("deletes {}, and in cascade {}", plural(first.rows, &first.table), rest.join(", ")));
    }
    let rows_of = |counts: &[crate::db::edit::ColumnCount]| -> String {
        counts
            .iter()
            .map(|c| format!("{} ({})", plural(c.rows, &format!("{} row", c.table)), c.columns.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !cascade.set_null.is_empty() {
        parts.push(format!("sets NULL in {}", rows_of(&cascade.set_null)));
    }
    if !cascade.blocked.is_empty() {
        parts.push(format!("blocked by {}", rows_of(&cascade.blocked)));
    }
    if parts.is_empty() { String::new() } else { format!(": {}", parts.join("; ")) }
}

/// What a writing statement would do, read without running it.
pub fn preview_write(conn: &Connection, sql: &str) -> Result<WritePreview> {
    let kind = write_kind(sql);
    let matching = count_matching_rows(conn, sql)?;
    let target = write_target(sql);
    let filtered = target.as_ref().is_none_or(|t| t.condition.is_some());
    let mut cascade = None;
    if let (WriteKind::Delete, Some(target), Some(n)) = (kind, &target, matching)
        && n as usize <= CASCADE_KEYS
    {
        let keys = matched_keys(conn, target, &key_columns_of(conn, &target.table)?, CASCADE_KEYS)?;
        cascade = Some(cascade_preview(conn, &CascadeInput { table: &target.table, keys: &keys })?);
    }
    Ok(WritePreview { kind, matching, filtered, cascade, not_counted: None })
}

/// Rows a statement returned (`RETURNING`), kept up to [`AUDIT_ROWS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Returned {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<Value>>,
    /// Rows returned in all (more than `rows` holds when cut).
    pub total: u64,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteReport {
    /// Rows inserted, updated or deleted; `None` when the statement changed no rows of its own
    /// kind (CREATE, DROP, PRAGMA...): SQLite's `changes()` would still hold the last DML's count.
    pub changes: Option<u64>,
    pub kind: WriteKind,
    /// Rows of its `RETURNING` clause.
    pub returned: Option<Returned>,
    /// The rows it changed (up to [`AUDIT_ROWS`]), with their values before (and for an UPDATE,
    /// after): what the audit log records besides the SQL.
    pub rows: Vec<RowChange>,
    /// The statement as the audit log keeps it (see [`redact_sql`]).
    pub audit_sql: String,
    /// For an UPDATE whose matched rows were all read (up to [`AUDIT_ROWS`]): how many of them it
    /// left as they were (SQLite counts a row written with its own values as changed). Those rows
    /// are not in `rows`: the audit log notes their number once.
    pub unchanged: Option<u64>,
}

impl WriteReport {
    /// "1,933 rows matched, none changed", "3 rows matched, 1 changed", else [`changed_text`].
    pub fn text(&self) -> String {
        written_text(self.changes, self.unchanged)
    }
}

/// What a write did: [`WriteReport::text`] from its counts.
pub fn written_text(changes: Option<u64>, unchanged: Option<u64>) -> String {
    {
        match (changes, unchanged) {
            (Some(n), Some(same)) if same > 0 => {
                let matched = format!("{} matched", plural(n, "row"));
                match n.saturating_sub(same) {
                    0 => format!("{matched}, none changed"),
                    changed => format!("{matched}, {} changed", group_thousands(changed)),
                }
            }
            _ => changed_text(changes),
        }
    }
}

/// "3 rows changed", "1 row changed", "schema changed".
pub fn changed_text(changes: Option<u64>) -> String {
    match changes {
        Some(1) => "1 row changed".to_string(),
        Some(n) => format!("{} rows changed", group_thousands(n)),
        None => "schema changed".to_string(),
    }
}

/// The temp table a console write notes the keys of the rows it matches in, inside its batch.
const MATCHED: &str = "temp.squall_console_matched";

/// Runs one writing statement through the one write pipeline (`db::write`): ONE atomic batch (an
/// IMMEDIATE transaction), so all of it happens or none of it. For an UPDATE / DELETE the batch
/// also notes the keys of the rows its WHERE matches (up to [`AUDIT_ROWS`]) in a temp table, reads
/// those rows before the statement and, for an UPDATE, again after it: the audit log says what
/// changed, read in the same transaction the statement ran in. Rows it returns (`RETURNING`) are
/// kept. The rows a DELETE takes in cascade are read just before the batch (they are only named
/// in the audit log; the batch runs the statement exactly as typed).
pub fn execute_write(conn: &mut Connection, sql: &str) -> Result<WriteReport> {
    let kind = write_kind(sql);
    // Prepared first: a statement SQLite refuses says so with SQLite's words, and the declared
    // types of what it returns are known (the batch's rows carry values only).
    let returns = result_columns(&super::prepare_typed(conn, sql)?);
    let target = matches!(kind, WriteKind::Update | WriteKind::Delete).then(|| write_target(sql)).flatten();
    let keyed = match &target {
        Some(target) => Some((target, key_columns_of(conn, &target.table)?)),
        None => None,
    };
    let mut cascaded = Vec::new();
    if let (WriteKind::Delete, Some((target, key_columns))) = (kind, &keyed) {
        let keys = matched_keys(conn, target, key_columns, AUDIT_ROWS)?;
        cascaded = cascade_rows(&*conn, &CascadeInput { table: &target.table, keys: &keys })?.1;
        cascaded.truncate(AUDIT_ROWS);
    }
    let plan = ConsolePlan::new(sql, kind, keyed.as_ref().map(|(t, k)| (*t, k.as_slice())));
    let describe = crate::db::write::Describe { step: &|_| "the statement".to_string(), kept: "", foreign_key: None };
    let outcomes = crate::db::write::execute(&*conn, &plan.steps, &describe)?;
    let statement = &outcomes[plan.statement];
    let changes = match kind {
        WriteKind::Insert | WriteKind::Update | WriteKind::Delete => Some(statement.changes),
        _ => {
            let total = |i: usize| outcomes[i].rows.scalar().and_then(as_count).unwrap_or(0);
            let (before, after) = (total(plan.totals.0), total(plan.totals.1));
            (after > before).then(|| after - before)
        }
    };
    let returned = (!returns.is_empty()).then(|| {
        let total = statement.rows.rows.len() as u64;
        let rows = statement.rows.rows.iter().take(AUDIT_ROWS).cloned().collect();
        Returned { columns: returns.clone(), rows, total }
    });
    let mut rows = match (&keyed, plan.before) {
        (Some((target, key_columns)), Some(before)) => {
            let after = plan.after.map(|i| &outcomes[i].rows);
            audited_rows(target, key_columns, kind, &outcomes[before].rows, after)
        }
        _ => Vec::new(),
    };
    // Rows an UPDATE matched but left as they were: counted, not listed one by one.
    let before_len = rows.len() as u64;
    rows.retain(|row| !(row.op == ChangeOp::Update && row.columns.is_empty()));
    let left_alone = before_len - rows.len() as u64;
    let all_read = changes.is_some_and(|n| n <= AUDIT_ROWS as u64);
    let unchanged = (kind == WriteKind::Update && all_read).then_some(left_alone);
    rows.extend(cascaded);
    let audit_sql = redact_sql(conn, sql);
    Ok(WriteReport { changes, kind, returned, rows, audit_sql, unchanged })
}

fn as_count(value: &Value) -> Option<u64> {
    match value {
        Value::Integer(n) => Some((*n).max(0) as u64),
        _ => None,
    }
}

/// The columns that name a row of `table`: its primary key, or its rowid.
fn key_columns_of(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let info = describe_table(conn, &DescribeTable { name: table })?;
    Ok(if info.primary_key.is_empty() { vec!["rowid".to_string()] } else { info.primary_key })
}

/// The keys of the rows the statement's WHERE matches (up to `limit`), read outside the batch: for
/// a preview, and for the rows a DELETE takes in cascade.
fn matched_keys(
    conn: &Connection,
    target: &Target,
    key_columns: &[String],
    limit: usize,
) -> Result<Vec<Vec<(String, Value)>>> {
    let keys_sql: Vec<String> = key_columns.iter().map(|c| quote_ident(c)).collect();
    let sql = format!("SELECT {} FROM {}{} LIMIT {limit}", keys_sql.join(", "), target.relation, where_clause(target));
    let mut stmt = conn.prepare(&sql).with_context(|| format!("reading the rows it changes: {sql}"))?;
    let width = stmt.column_count();
    let mut found = stmt.query([])?;
    let mut keys = Vec::new();
    while let Some(row) = found.next()? {
        keys.push(key_columns.iter().cloned().zip(row_values(row, width)?).collect());
    }
    Ok(keys)
}

/// The batch a console write runs, and where in it each answer is.
struct ConsolePlan {
    steps: Vec<Step>,
    /// The user's statement.
    statement: usize,
    /// `SELECT total_changes()` before and after it (what a statement other than
    /// INSERT / UPDATE / DELETE changed).
    totals: (usize, usize),
    /// The matched rows before, and (an UPDATE) after.
    before: Option<usize>,
    after: Option<usize>,
}

impl ConsolePlan {
    fn new(sql: &str, kind: WriteKind, keyed: Option<(&Target, &[String])>) -> ConsolePlan {
        let mut steps = Vec::new();
        let mut push = |sql: String| {
            steps.push(Step::any(BackendStatement::plain(sql)));
            steps.len() - 1
        };
        let (mut before, mut after, mut reread) = (None, None, None);
        if let Some((target, key_columns)) = keyed {
            let keys: Vec<String> = key_columns.iter().map(|c| quote_ident(c)).collect();
            let keys = keys.join(", ");
            push(format!("DROP TABLE IF EXISTS {MATCHED}"));
            push(format!(
                "CREATE TEMP TABLE {} AS SELECT {keys} FROM {}{} LIMIT {AUDIT_ROWS}",
                MATCHED.trim_start_matches("temp."),
                target.relation,
                where_clause(target)
            ));
            let read = format!(
                "SELECT {keys}, * FROM {} WHERE ({keys}) IN (SELECT * FROM {MATCHED})",
                quote_ident(&target.table)
            );
            before = Some(push(read.clone()));
            reread = Some(read);
        }
        let first_total = push("SELECT total_changes()".to_string());
        let statement = push(sql.to_string());
        let second_total = push("SELECT total_changes()".to_string());
        if let Some(read) = reread {
            if kind == WriteKind::Update {
                after = Some(push(read));
            }
            push(format!("DROP TABLE {MATCHED}"));
        }
        ConsolePlan { steps, statement, totals: (first_total, second_total), before, after }
    }
}

/// The matched rows as the audit log records them: a DELETE's whole rows; an UPDATE's changed
/// columns, old and new (the row read again by its key after the statement ran, in the batch).
fn audited_rows(
    target: &Target,
    key_columns: &[String],
    kind: WriteKind,
    before: &Rows,
    after: Option<&Rows>,
) -> Vec<RowChange> {
    let op = if kind == WriteKind::Delete { ChangeOp::Delete } else { ChangeOp::Update };
    let width = key_columns.len();
    let columns: Vec<String> = before.columns.iter().skip(width).cloned().collect();
    let key_of = |row: &[Value]| format!("{:?}", &row[..width.min(row.len())]);
    let mut out = Vec::new();
    for row in &before.rows {
        let key: Vec<(String, Value)> = key_columns.iter().cloned().zip(row.iter().cloned()).collect();
        let old = &row[width.min(row.len())..];
        let new: Option<&[Value]> = match after {
            Some(after) => after
                .rows
                .iter()
                .find(|r| key_of(r) == key_of(row))
                .map(|r| &r[width.min(r.len())..])
                .filter(|r| r.len() == columns.len()),
            None => None,
        };
        let changes = columns
            .iter()
            .zip(old)
            .enumerate()
            .filter_map(|(i, (column, old))| match new {
                Some(new) if new[i] == *old => None,
                Some(new) => Some(ColumnChange { column: column.clone(), old: old.clone(), new: new[i].clone() }),
                None => Some(ColumnChange { column: column.clone(), old: old.clone(), new: Value::Null }),
            })
            .collect();
        out.push(RowChange { table: target.table.clone(), op, key, columns: changes });
    }
    out
}

/// The statement as the audit log keeps it: string literals assigned to secret columns
/// (`SET password = '...'`, an INSERT's values for a password or token column) replaced with
/// `'[redacted]'`. A statement sqlparser cannot read is kept as written (SQLite read it, so this
/// is rare).
pub fn redact_sql(conn: &Connection, sql: &str) -> String {
    let Ok(mut statements) = Parser::parse_sql(&SQLiteDialect {}, sql) else { return sql.to_string() };
    let mut redacted = false;
    let literal = |expr: &Expr| matches!(expr, Expr::Value(_));
    let hidden = || Expr::value(SqlValue::SingleQuotedString(REDACTED.to_string()));
    for statement in &mut statements {
        match statement {
            Ast::Update { table, assignments, .. } => {
                let Some((_, name)) = target_of(table) else { continue };
                for assignment in assignments {
                    let AssignmentTarget::ColumnName(column) = &assignment.target else { continue };
                    let Some(column) = bare_name(column) else { continue };
                    if is_secret_name(&name, &column) && literal(&assignment.value) {
                        assignment.value = hidden();
                        redacted = true;
                    }
                }
            }
            Ast::Insert(insert) => {
                let TableObject::TableName(table) = &insert.table else { continue };
                let Some(name) = bare_name(table) else { continue };
                let columns: Vec<String> = if insert.columns.is_empty() {
                    describe_table(conn, &DescribeTable { name: &name })
                        .map(|info| info.columns.into_iter().map(|c| c.name).collect())
                        .unwrap_or_default()
                } else {
                    insert.columns.iter().map(|c| c.value.clone()).collect()
                };
                let Some(source) = &mut insert.source else { continue };
                let SetExpr::Values(values) = source.body.as_mut() else { continue };
                for row in &mut values.rows {
                    for (value, column) in row.iter_mut().zip(&columns) {
                        if is_secret_name(&name, column) && literal(value) {
                            *value = hidden();
                            redacted = true;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if !redacted {
        return sql.to_string();
    }
    statements.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
#[path = "query_write_tests.rs"]
mod tests;
