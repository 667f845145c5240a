//! Walking relations from one row: to the row a foreign-key cell points at (`gd`), and back to
//! the rows that point at a row (`gr`). Each answer is a table plus equality conditions on some
//! columns, which a table view can open as filters.

use anyhow::{Result, anyhow};
use rusqlite::types::Value;
use serde::Serialize;

use super::{Relation, RelationOrigin, plural_phrase};
use crate::db::backend::{Backend, Statement};
use crate::db::error::DbError;
use crate::db::schema::{TableInfo, describe_schema, int_at, quote_ident};

/// One row as the caller holds it: its table, and column names with their values (at least
/// the columns the relations involve; usually the whole row as displayed).
#[derive(Debug, Clone, Copy)]
pub struct RowValues<'a> {
    pub table: &'a str,
    pub columns: &'a [String],
    pub values: &'a [Value],
}

impl RowValues<'_> {
    /// The value of one column, or an error naming the missing column.
    fn value_of(&self, column: &str) -> Result<&Value> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| anyhow!(DbError::Invalid(format!("the row of {} lacks column {column:?}", self.table))))
    }

    /// The values of several columns, `None` when one is NULL (a NULL key references nothing).
    pub(super) fn key_values(&self, columns: &[String]) -> Result<Option<Vec<Value>>> {
        let mut values = Vec::with_capacity(columns.len());
        for column in columns {
            match self.value_of(column)? {
                Value::Null => return Ok(None),
                value => values.push(value.clone()),
            }
        }
        Ok(Some(values))
    }
}

/// Rows of one table found by equality on some columns: open `table` filtered by
/// `columns[i] = values[i]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowTarget {
    pub table: String,
    pub columns: Vec<String>,
    #[serde(skip)]
    pub values: Vec<Value>,
    pub origin: RelationOrigin,
    /// Whether such a row exists (an inferred or unenforced reference may dangle).
    pub exists: bool,
}

/// Input of [`referenced_row`].
pub struct ReferencedRow<'a> {
    /// All relations of the schema, from [`super::list_relations`].
    pub relations: &'a [Relation],
    pub row: RowValues<'a>,
    /// The column the cursor is on.
    pub column: &'a str,
}

/// The relation whose referencing columns include `column` of `table`, declared ones first.
/// The table view calls this to know whether `gd` applies to a cell and to mark FK cells.
pub fn relation_of_column<'a>(relations: &'a [Relation], table: &str, column: &str) -> Option<&'a Relation> {
    let mut matching = relations.iter().filter(|r| r.from_table == table && r.from_columns.iter().any(|c| c == column));
    let first = matching.next()?;
    Some(if first.origin.is_inferred() { matching.find(|r| !r.origin.is_inferred()).unwrap_or(first) } else { first })
}

/// The row a foreign-key cell points at. `Ok(None)` when the cell is not part of any relation
/// or holds NULL. One indexed lookup on the parent's key.
pub fn referenced_row<B: Backend + ?Sized>(db: &B, input: &ReferencedRow) -> Result<Option<RowTarget>> {
    let Some(relation) = relation_of_column(input.relations, input.row.table, input.column) else {
        return Ok(None);
    };
    let Some(values) = input.row.key_values(&relation.from_columns)? else { return Ok(None) };
    let sql =
        format!("SELECT 1 FROM {} WHERE {} LIMIT 1", quote_ident(&relation.to_table), conditions(&relation.to_columns));
    let exists = !db.query(&Statement::new(sql, values.clone()))?.rows.is_empty();
    Ok(Some(RowTarget {
        table: relation.to_table.clone(),
        columns: relation.to_columns.clone(),
        values,
        origin: relation.origin,
        exists,
    }))
}

/// Input of [`referencing_rows`].
pub struct ReferencingRows<'a> {
    /// All relations of the schema, from [`super::list_relations`].
    pub relations: &'a [Relation],
    pub row: RowValues<'a>,
}

/// The rows of one table that point at the given row through one relation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferencingGroup {
    /// Where to go: the child table filtered by its referencing columns.
    pub target: RowTarget,
    /// How many rows point at the row, up to [`COUNT_CAP`].
    pub count: u64,
    /// The count stopped at [`COUNT_CAP`]: show it as "100,000+".
    pub capped: bool,
    /// Whether an index covers the referencing columns; without one the count scans the table.
    pub indexed: bool,
    /// `sessions via userId`.
    pub label: String,
    /// Whether `count` was counted: [`referencing_rows_by_index`] leaves the unindexed
    /// relations uncounted (counting would scan the child table), `count` 0.
    pub counted: bool,
    /// When not counted: the rows of the child table (`~N`, `max(rowid)`), what counting reads.
    pub table_rows: Option<u64>,
}

/// Counting stops here, so one busy parent row never costs more than this many index steps.
pub const COUNT_CAP: u64 = 100_000;

/// For one row, each relation that points at its table, with the number of rows pointing at
/// this very row (zero included, so the list shows every way in). Counts use the child's index
/// on the referencing columns when there is one. Two statements: every count at once, and the
/// schema (for which counts have an index).
pub fn referencing_rows<B: Backend + ?Sized>(db: &B, input: &ReferencingRows) -> Result<Vec<ReferencingGroup>> {
    referencing_groups(db, input, true)
}

/// As [`referencing_rows`], counting only through relations an index serves (a remote bills
/// the rows a scan reads): the others are listed with `counted: false`. Two statements.
pub fn referencing_rows_by_index<B: Backend + ?Sized>(
    db: &B,
    input: &ReferencingRows,
) -> Result<Vec<ReferencingGroup>> {
    referencing_groups(db, input, false)
}

fn referencing_groups<B: Backend + ?Sized>(
    db: &B,
    input: &ReferencingRows,
    count_unindexed: bool,
) -> Result<Vec<ReferencingGroup>> {
    let mut wanted: Vec<(&Relation, Vec<Value>)> = Vec::new();
    for relation in input.relations.iter().filter(|r| r.to_table == input.row.table) {
        let Some(values) = input.row.key_values(&relation.to_columns)? else { continue };
        wanted.push((relation, values));
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let tables = describe_schema(db)?;
    let mut indexed = Vec::with_capacity(wanted.len());
    for (relation, _) in &wanted {
        indexed.push(is_indexed(db, &tables, &relation.from_table, &relation.from_columns)?);
    }
    let counted: Vec<bool> = indexed.iter().map(|&indexed| indexed || count_unindexed).collect();
    let to_count: Vec<(&Relation, Vec<Value>)> =
        wanted.iter().zip(&counted).filter(|(_, counted)| **counted).map(|(w, _)| w.clone()).collect();
    let mut counts = if to_count.is_empty() { Vec::new() } else { count_pointing(db, &to_count)? }.into_iter();
    let mut groups = Vec::with_capacity(wanted.len());
    for (((relation, values), indexed), counted) in wanted.into_iter().zip(indexed).zip(counted) {
        let count = if counted { counts.next().unwrap_or(0) } else { 0 };
        groups.push(ReferencingGroup {
            label: format!("{} via {}", plural_phrase(&relation.from_table), relation.from_columns.join(", ")),
            indexed,
            counted,
            table_rows: None,
            target: RowTarget {
                table: relation.from_table.clone(),
                columns: relation.from_columns.clone(),
                values,
                origin: relation.origin,
                // Not counted: unknown, so the list still opens the rows.
                exists: count > 0 || !counted,
            },
            count,
            capped: count >= COUNT_CAP,
        });
    }
    Ok(groups)
}

/// How many rows point at the row through each relation (its key values beside it), up to
/// [`COUNT_CAP`] each, in one statement.
pub(super) fn count_pointing<B: Backend + ?Sized>(db: &B, wanted: &[(&Relation, Vec<Value>)]) -> Result<Vec<u64>> {
    let mut params: Vec<Value> = Vec::new();
    let parts: Vec<String> = wanted
        .iter()
        .enumerate()
        .map(|(i, (relation, values))| {
            let first = params.len() + 1;
            params.extend(values.iter().cloned());
            format!(
                "SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {COUNT_CAP}))",
                quote_ident(&relation.from_table),
                conditions_from(&relation.from_columns, first)
            )
        })
        .collect();
    let counted = db.query(&Statement::new(parts.join(" UNION ALL "), params))?;
    let mut counts = vec![0u64; wanted.len()];
    for row in &counted.rows {
        if let Some(count) = usize::try_from(int_at(row, 0)).ok().and_then(|i| counts.get_mut(i)) {
            *count = int_at(row, 1).max(0) as u64;
        }
    }
    Ok(counts)
}

/// The relations pointing at the row's table whose referencing columns no index covers:
/// counting the rows pointing at one row through them scans that table.
/// One statement (the schema), none when nothing points at the table.
pub fn unindexed_referencing<B: Backend + ?Sized>(db: &B, input: &ReferencingRows) -> Result<Vec<Relation>> {
    let pointing: Vec<&Relation> = input.relations.iter().filter(|r| r.to_table == input.row.table).collect();
    if pointing.is_empty() {
        return Ok(Vec::new());
    }
    let tables = describe_schema(db)?;
    let mut unindexed = Vec::new();
    for relation in pointing {
        if !is_indexed(db, &tables, &relation.from_table, &relation.from_columns)? {
            unindexed.push(relation.clone());
        }
    }
    Ok(unindexed)
}

/// `"a" = ?1 AND "b" = ?2`.
fn conditions(columns: &[String]) -> String {
    conditions_from(columns, 1)
}

/// `"a" = ?N AND "b" = ?N+1`, numbering from `first`.
fn conditions_from(columns: &[String], first: usize) -> String {
    let parts: Vec<String> =
        columns.iter().enumerate().map(|(i, column)| format!("{} = ?{}", quote_ident(column), first + i)).collect();
    parts.join(" AND ")
}

/// Whether an index (or the primary key) starts with exactly these columns. `tables` is the
/// described schema; a table not in it (an internal one) is described on its own.
pub(super) fn is_indexed<B: Backend + ?Sized>(
    db: &B,
    tables: &[TableInfo],
    table: &str,
    columns: &[String],
) -> Result<bool> {
    let described;
    let info = match tables.iter().find(|t| t.name == table) {
        Some(info) => info,
        None => {
            described = crate::db::schema::describe_table(db, &crate::db::schema::DescribeTable { name: table })?;
            &described
        }
    };
    if info.primary_key.starts_with(columns) {
        return Ok(true);
    }
    Ok(info.indexes.iter().any(|index| !index.partial && index.columns.starts_with(columns)))
}
