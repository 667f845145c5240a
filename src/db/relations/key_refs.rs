//! Before a row's key changes: how many rows of each table point at it, so the warning can
//! say what the change would break (or cascade to). Counts go through an index; on a remote a
//! reference no index covers is not counted at all, since counting it reads (and bills) the
//! whole child table.

use anyhow::Result;
use rusqlite::types::Value;

use super::navigate::{count_pointing, is_indexed};
use super::{Relation, RelationOrigin, RowValues};
use crate::db::backend::Backend;
use crate::db::schema::describe_schema;

/// Input of [`key_references`].
pub struct KeyReferences<'a> {
    /// All relations of the schema, from [`super::list_relations`].
    pub relations: &'a [Relation],
    /// The row whose key changes, as it is now.
    pub row: RowValues<'a>,
    /// The key column that changes.
    pub column: &'a str,
    /// Count through references no index covers too (a local file); `false` on a remote.
    pub count_unindexed: bool,
}

/// The rows of one table that point at the row through one relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReference {
    pub table: String,
    pub columns: Vec<String>,
    /// How many rows point at the row (up to [`super::navigate::COUNT_CAP`]); `None` when not
    /// counted because no index covers the referencing columns.
    pub count: Option<u64>,
    pub origin: RelationOrigin,
    /// The declared key's `ON UPDATE` action (`CASCADE`, `NO ACTION`...); `None` when inferred.
    pub on_update: Option<String>,
}

/// Each relation that points at `column` of the row's table, with the rows pointing at this very
/// row. Two statements at most: the schema (indexes, ON UPDATE actions), and every count at once.
pub fn key_references<B: Backend + ?Sized>(db: &B, input: &KeyReferences) -> Result<Vec<KeyReference>> {
    let pointing: Vec<&Relation> = input
        .relations
        .iter()
        .filter(|r| r.to_table == input.row.table && r.to_columns.iter().any(|c| c == input.column))
        .collect();
    if pointing.is_empty() {
        return Ok(Vec::new());
    }
    let tables = describe_schema(db)?;
    let mut found = Vec::with_capacity(pointing.len());
    let mut wanted: Vec<(&Relation, Vec<Value>)> = Vec::new();
    let mut counted_at = Vec::new();
    for relation in pointing {
        let on_update = tables.iter().find(|t| t.name == relation.from_table).and_then(|t| {
            t.foreign_keys
                .iter()
                .find(|fk| fk.ref_table == relation.to_table && fk.columns == relation.from_columns)
                .map(|fk| fk.on_update.to_ascii_uppercase())
        });
        let values = input.row.key_values(&relation.to_columns)?;
        let countable = input.count_unindexed || is_indexed(db, &tables, &relation.from_table, &relation.from_columns)?;
        let count = match values {
            // A NULL key is pointed at by nothing.
            None => Some(0),
            Some(values) if countable => {
                counted_at.push(found.len());
                wanted.push((relation, values));
                Some(0)
            }
            Some(_) => None,
        };
        found.push(KeyReference {
            table: relation.from_table.clone(),
            columns: relation.from_columns.clone(),
            count,
            origin: relation.origin,
            on_update: if relation.origin.is_inferred() { None } else { on_update },
        });
    }
    if !wanted.is_empty() {
        for (at, count) in counted_at.into_iter().zip(count_pointing(db, &wanted)?) {
            found[at].count = Some(count);
        }
    }
    Ok(found)
}
