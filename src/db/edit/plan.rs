//! From staged changes to statements: one UPDATE per edited row (several cells of a row are
//! merged, so `updatedAt` is set and checked once), one INSERT or DELETE per row. The same plan
//! is shown by the preview and run by the commit, so what the user confirms is what runs.

use anyhow::Result;
use rusqlite::types::Value;

use super::cascade::{CascadePreview, ForeignKeyGraph};
use super::values::{describe_key, row_time_format, updated_at_column, validate_value};
use super::{AppliedChange, ChangeAction, ColumnValues, CommitInput, ROWID, StagedChange, row_identity};
use crate::db::backend::Backend;
use crate::db::error::DbError;
use crate::db::kinds::ColumnKind;
use crate::db::kinds::infer_kinds;
use crate::db::schema::{DescribeTable, RelationType, TableInfo, describe_table};
use crate::db::value::store_instant_like;
use crate::db::write::Sql;

/// The SQL of every staged change, values shown as they will be bound, e.g.
/// `UPDATE "user" SET "name" = 'Ada' /* ?1 */ WHERE "id" = 'u1' /* ?2 */ AND "name" IS 'Bob' /* ?3 */;`.
/// `updatedAt` gets `input.now`; commit with the same input to run exactly this.
pub fn preview_changes<B: Backend + ?Sized>(db: &B, input: &CommitInput) -> Result<Vec<String>> {
    let contexts = Contexts::load(db, input.changes)?;
    let planned = plan_changes(&contexts, input)?;
    // A delete says beside it what it takes with it, as its confirmation did. Not on a remote:
    // the counts read (and bill) the child tables again, and the confirmation showed them.
    let deletes = planned.iter().any(|step| step.action == ChangeAction::Delete);
    let graph = if deletes && !db.capabilities().remote { Some(ForeignKeyGraph::load(db)?) } else { None };
    planned
        .iter()
        .map(|step| {
            let mut text = format!("{};", step.sql.preview());
            if let Some(graph) = graph.as_ref().filter(|_| step.action == ChangeAction::Delete) {
                let preview = graph.preview(db, &step.table, std::slice::from_ref(&step.key))?;
                if let Some(note) = cascade_note(&preview) {
                    text.push_str(&format!(" -- {note}"));
                }
            }
            Ok(text)
        })
        .collect()
}

/// `also deletes 2 sessions, 1 account (ON DELETE CASCADE); sets 1 session.impersonatedBy to
/// NULL`: what deleting one row does to other rows; `None` when nothing.
fn cascade_note(preview: &CascadePreview) -> Option<String> {
    let rows = |n: u64, table: &str| {
        if table.ends_with('s') { format!("{n} rows of {table}") } else { crate::present::plural(n, table) }
    };
    let deleted: Vec<String> = preview
        .deletes
        .iter()
        .enumerate()
        // The first count is the row's own table, the row itself included.
        .map(|(i, c)| (c, if i == 0 { c.rows.saturating_sub(1) } else { c.rows }))
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| rows(n, &c.table))
        .collect();
    let mut parts = Vec::new();
    if !deleted.is_empty() {
        parts.push(format!("also deletes {} (ON DELETE CASCADE)", deleted.join(", ")));
    }
    for c in preview.set_null.iter().filter(|c| c.rows > 0) {
        let to = if c.action.eq_ignore_ascii_case("SET DEFAULT") { "its DEFAULT" } else { "NULL" };
        parts.push(format!("sets {}.{} to {to} in {}", c.table, c.columns.join(","), rows(c.rows, &c.table)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A table's schema and column kinds, read once per commit.
pub(super) struct TableContext {
    pub info: TableInfo,
    pub kinds: Vec<ColumnKind>,
}

impl TableContext {
    pub fn is_secret(&self, column: &str) -> bool {
        let index = self.info.columns.iter().position(|c| c.name == column);
        index.and_then(|i| self.kinds.get(i)).is_some_and(|kind| *kind == ColumnKind::Secret)
    }
}

/// The contexts of every table a batch touches.
pub(super) struct Contexts {
    tables: Vec<TableContext>,
}

impl Contexts {
    pub fn load<B: Backend + ?Sized>(db: &B, changes: &[StagedChange]) -> Result<Self> {
        let mut tables: Vec<TableContext> = Vec::new();
        for change in changes {
            if tables.iter().all(|t| t.info.name != change.table()) {
                let info = describe_table(db, &DescribeTable { name: change.table() })?;
                let kinds = infer_kinds(db, &info)?;
                tables.push(TableContext { info, kinds });
            }
        }
        Ok(Contexts { tables })
    }

    pub fn get(&self, table: &str) -> Result<&TableContext> {
        self.tables
            .iter()
            .find(|t| t.info.name == table)
            .ok_or_else(|| DbError::NotFound(format!("no table named {table:?}")).into())
    }
}

/// One statement of a commit.
pub(super) struct Planned {
    pub action: ChangeAction,
    pub table: String,
    /// The row's key (for inserts: the key when given in the values, else empty).
    pub key: ColumnValues,
    /// Indexes of the staged changes this statement carries.
    pub changes: Vec<usize>,
    pub sql: Sql,
    /// The loaded values the row must hold when the commit starts (empty when overwriting).
    pub expected: ColumnValues,
    pub applied: Vec<AppliedChange>,
}

/// The cells of one row edited in this batch.
struct RowEdit {
    table: String,
    key: ColumnValues,
    changes: Vec<usize>,
    /// (column, old, new)
    sets: Vec<(String, Value, Value)>,
    expected: ColumnValues,
}

enum Item {
    Update(RowEdit),
    /// An insert or a delete: the index of the staged change.
    Single(usize),
}

/// Checks every change, then turns the batch into statements.
pub(super) fn plan_changes(contexts: &Contexts, input: &CommitInput) -> Result<Vec<Planned>> {
    let mut problems = Vec::new();
    for (index, change) in input.changes.iter().enumerate() {
        if let Err(problem) = check_staged(contexts.get(change.table())?, change) {
            problems.push(format!("change {} of {} ({}): {problem}", index + 1, input.changes.len(), change.table()));
        }
    }
    let items = group_rows(input.changes);
    problems.extend(rekeyed_rows_touched_again(contexts, input.changes, &items)?);
    if !problems.is_empty() {
        return Err(DbError::Invalid(format!("nothing was written: {}", problems.join("; "))).into());
    }
    // What earlier statements of this batch wrote, so later checks of the same row expect it.
    let mut written: Vec<(String, ColumnValues, ColumnValues)> = Vec::new();
    let mut planned = Vec::new();
    for item in items {
        let step = match item {
            Item::Update(edit) => plan_update(contexts.get(&edit.table)?, edit, input, &mut written),
            Item::Single(index) => match &input.changes[index] {
                StagedChange::Insert { table, values } => plan_insert(contexts.get(table)?, index, values),
                StagedChange::Delete { table, key, expected } => {
                    let row = DeletedRow { index, key, expected };
                    plan_delete(contexts.get(table)?, row, input.overwrite, &written)
                }
                StagedChange::Update { .. } => continue,
            },
        };
        planned.push(step);
    }
    Ok(planned)
}

/// Why a change cannot be written as it stands.
fn check_staged(context: &TableContext, change: &StagedChange) -> Result<(), String> {
    let info = &context.info;
    match change {
        StagedChange::Insert { values, .. } => {
            if info.relation == RelationType::View {
                return Err("views are read-only".into());
            }
            values.iter().try_for_each(|(column, value)| validate_value(info, &context.kinds, column, value))
        }
        StagedChange::Update { key, column, new, .. } => {
            check_key(info, key)?;
            validate_value(info, &context.kinds, column, new)
        }
        StagedChange::Delete { key, .. } => check_key(info, key),
    }
}

/// The key must name exactly the row identity's columns: anything else could match many rows.
fn check_key(info: &TableInfo, key: &[(String, Value)]) -> Result<(), String> {
    let identity = row_identity(info)?.columns();
    let same = identity.len() == key.len() && identity.iter().all(|c| key.iter().any(|(k, _)| k == c));
    if same {
        Ok(())
    } else {
        let given: Vec<&str> = key.iter().map(|(k, _)| k.as_str()).collect();
        Err(format!("rows are keyed by {} but the change gives {}", identity.join(", "), given.join(", ")))
    }
}

/// Merges the cell edits of each row into one item at the place of its first edit.
fn group_rows(changes: &[StagedChange]) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        match change {
            StagedChange::Update { table, key, column, old, new, expected } => {
                let existing = items
                    .iter()
                    .position(|item| matches!(item, Item::Update(edit) if edit.table == *table && edit.key == *key));
                let position = existing.unwrap_or_else(|| {
                    items.push(Item::Update(RowEdit {
                        table: table.clone(),
                        key: key.clone(),
                        changes: Vec::new(),
                        sets: Vec::new(),
                        expected: Vec::new(),
                    }));
                    items.len() - 1
                });
                let Item::Update(edit) = &mut items[position] else { continue };
                edit.changes.push(index);
                match edit.sets.iter_mut().find(|(c, _, _)| c == column) {
                    // Edited twice: the first old value is what was loaded, the last new one wins.
                    Some(set) => set.2 = new.clone(),
                    None => edit.sets.push((column.clone(), old.clone(), new.clone())),
                }
                for (column, value) in expected {
                    if !edit.expected.iter().any(|(c, _)| c == column) {
                        edit.expected.push((column.clone(), value.clone()));
                    }
                }
            }
            StagedChange::Insert { .. } | StagedChange::Delete { .. } => items.push(Item::Single(index)),
        }
    }
    items
}

/// A row whose key columns are edited cannot be found by its old key afterwards, so a delete of
/// the same row in the same batch would silently miss it.
fn rekeyed_rows_touched_again(contexts: &Contexts, changes: &[StagedChange], items: &[Item]) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for item in items {
        let Item::Update(edit) = item else { continue };
        let primary_key = &contexts.get(&edit.table)?.info.primary_key;
        if !edit.sets.iter().any(|(column, _, _)| primary_key.contains(column)) {
            continue;
        }
        let deleted_too = changes.iter().any(|change| {
            matches!(change, StagedChange::Delete { table, key, .. } if *table == edit.table && *key == edit.key)
        });
        if deleted_too {
            problems.push(format!(
                "{} {}: its key is edited and the row is deleted in the same batch; commit them separately",
                edit.table,
                describe_key(&edit.key)
            ));
        }
    }
    Ok(problems)
}

fn plan_update(
    context: &TableContext,
    edit: RowEdit,
    input: &CommitInput,
    written: &mut Vec<(String, ColumnValues, ColumnValues)>,
) -> Planned {
    let mut sets = edit.sets.clone();
    if let Some((column, format)) = updated_at_column(&context.info, &context.kinds)
        && !sets.iter().any(|(c, _, _)| c == column)
    {
        let loaded = edit.expected.iter().find(|(c, _)| c == column).map(|(_, v)| v);
        let stamp = store_instant_like(input.now, row_time_format(loaded, format), loaded);
        sets.push((column.to_string(), loaded.cloned().unwrap_or(Value::Null), stamp));
    }
    let mut expected: ColumnValues = Vec::new();
    if !input.overwrite {
        expected.extend(edit.sets.iter().map(|(column, old, _)| (column.clone(), old.clone())));
        expected.extend(edit.expected.iter().filter(|(c, _)| !expected_has(&edit.sets, c)).cloned());
    }
    let mut sql = Sql::default();
    sql.text("UPDATE ");
    sql.ident(&edit.table);
    sql.text(" SET ");
    for (i, (column, _, new)) in sets.iter().enumerate() {
        if i > 0 {
            sql.text(", ");
        }
        sql.ident(column);
        sql.text(" = ");
        if context.is_secret(column) {
            sql.secret_param(new.clone());
        } else {
            sql.param(new.clone());
        }
    }
    let checks = overlay(&expected, &edit.table, &edit.key, written);
    sql.where_clause_redacting(&edit.key, &checks, &|column| context.is_secret(column));
    let applied = sets
        .iter()
        .map(|(column, old, new)| AppliedChange {
            action: ChangeAction::Update,
            table: edit.table.clone(),
            key: edit.key.clone(),
            column: Some(column.clone()),
            old: old.clone(),
            new: new.clone(),
            secret: context.is_secret(column),
        })
        .collect();
    let values = sets.iter().map(|(column, _, new)| (column.clone(), new.clone())).collect();
    written.push((edit.table.clone(), edit.key.clone(), values));
    Planned {
        action: ChangeAction::Update,
        table: edit.table,
        key: edit.key,
        changes: edit.changes,
        sql,
        expected,
        applied,
    }
}

fn expected_has(sets: &[(String, Value, Value)], column: &str) -> bool {
    sets.iter().any(|(c, _, _)| c == column)
}

/// The checks of a statement, with the values earlier statements of the batch wrote into the
/// same row in place of the loaded ones.
fn overlay(
    checks: &[(String, Value)],
    table: &str,
    key: &[(String, Value)],
    written: &[(String, ColumnValues, ColumnValues)],
) -> ColumnValues {
    checks
        .iter()
        .map(|(column, value)| {
            let newer = written
                .iter()
                .rev()
                .filter(|(t, k, _)| t == table && k.as_slice() == key)
                .flat_map(|(_, _, values)| values.iter())
                .find(|(c, _)| c == column);
            (column.clone(), newer.map_or_else(|| value.clone(), |(_, v)| v.clone()))
        })
        .collect()
}

fn plan_insert(context: &TableContext, index: usize, values: &[(String, Value)]) -> Planned {
    let table = &context.info.name;
    let mut sql = Sql::default();
    sql.text("INSERT INTO ");
    sql.ident(table);
    if values.is_empty() {
        sql.text(" DEFAULT VALUES");
    } else {
        sql.text(" (");
        for (i, (column, _)) in values.iter().enumerate() {
            if i > 0 {
                sql.text(", ");
            }
            sql.ident(column);
        }
        sql.text(") VALUES (");
        for (i, (column, value)) in values.iter().enumerate() {
            if i > 0 {
                sql.text(", ");
            }
            if context.is_secret(column) {
                sql.secret_param(value.clone());
            } else {
                sql.param(value.clone());
            }
        }
        sql.text(")");
    }
    let primary_key = &context.info.primary_key;
    let key: ColumnValues = if primary_key.is_empty() {
        Vec::new()
    } else {
        primary_key.iter().filter_map(|c| values.iter().find(|(v, _)| v == c).cloned()).collect()
    };
    let key = if key.len() == primary_key.len() { key } else { Vec::new() };
    let applied = values
        .iter()
        .map(|(column, value)| AppliedChange {
            action: ChangeAction::Insert,
            table: table.clone(),
            key: key.clone(),
            column: Some(column.clone()),
            old: Value::Null,
            new: value.clone(),
            secret: context.is_secret(column),
        })
        .collect();
    Planned {
        action: ChangeAction::Insert,
        table: table.clone(),
        key,
        changes: vec![index],
        sql,
        expected: Vec::new(),
        applied,
    }
}

/// The fields of a staged delete.
struct DeletedRow<'a> {
    index: usize,
    key: &'a ColumnValues,
    expected: &'a ColumnValues,
}

fn plan_delete(
    context: &TableContext,
    row: DeletedRow,
    overwrite: bool,
    written: &[(String, ColumnValues, ColumnValues)],
) -> Planned {
    let DeletedRow { index, key, expected } = row;
    let table = &context.info.name;
    // The key is matched already; checking its columns again would only repeat it.
    let checks: ColumnValues = if overwrite {
        Vec::new()
    } else {
        expected.iter().filter(|(c, _)| !key.iter().any(|(k, _)| k == c) && c != ROWID).cloned().collect()
    };
    let mut sql = Sql::default();
    sql.text("DELETE FROM ");
    sql.ident(table);
    sql.where_clause_redacting(key, &overlay(&checks, table, key, written), &|column| context.is_secret(column));
    let applied_of = |column: Option<String>, old: Value| AppliedChange {
        action: ChangeAction::Delete,
        table: table.clone(),
        key: key.clone(),
        secret: column.as_deref().is_some_and(|c| context.is_secret(c)),
        column,
        old,
        new: Value::Null,
    };
    let applied = if expected.is_empty() {
        vec![applied_of(None, Value::Null)]
    } else {
        expected.iter().map(|(column, value)| applied_of(Some(column.clone()), value.clone())).collect()
    };
    Planned {
        action: ChangeAction::Delete,
        table: table.clone(),
        key: key.clone(),
        changes: vec![index],
        sql,
        expected: checks,
        applied,
    }
}
