//! The few reads a write plans with, over any backend. `db::kinds::infer_kinds` still takes a
//! `Connection` on this branch (another change makes the readers generic): this is the same
//! sampling and the same pure `classify_column`, through the seam, until that lands.

use anyhow::Result;
use rusqlite::types::Value;

use crate::db::backend::{Backend, Statement};
use crate::db::kinds::{ColumnKind, classify_column};
use crate::db::schema::{TableInfo, quote_ident};

/// Rows scanned per table for samples, as `db::kinds` does.
const SAMPLE_SCAN_ROWS: u32 = 5000;
/// Non-null values kept per column.
const SAMPLE_VALUES: usize = 64;

/// The kind of every column of `table`, in column order, from one bounded read of its first rows.
pub fn infer_kinds_on<B: Backend + ?Sized>(db: &B, table: &TableInfo) -> Result<Vec<ColumnKind>> {
    let columns: Vec<String> = table.columns.iter().map(|c| quote_ident(&c.name)).collect();
    let mut samples: Vec<Vec<Value>> = vec![Vec::new(); columns.len()];
    if !columns.is_empty() {
        let sql = format!("SELECT {} FROM {} LIMIT {SAMPLE_SCAN_ROWS}", columns.join(", "), quote_ident(&table.name));
        for row in db.query(&Statement::plain(sql))?.rows {
            for (kept, value) in samples.iter_mut().zip(row) {
                if kept.len() < SAMPLE_VALUES && value != Value::Null {
                    kept.push(value);
                }
            }
        }
    }
    Ok(table
        .columns
        .iter()
        .zip(samples)
        .map(|(column, samples)| classify_column(table, &column.name, &column.decl_type, &samples))
        .collect())
}

/// The first column of the first row of `statement` as a count (0 when there is none).
pub fn count_on<B: Backend + ?Sized>(db: &B, statement: &Statement) -> Result<u64> {
    Ok(match db.query(statement)?.scalar() {
        Some(Value::Integer(n)) => (*n).max(0) as u64,
        Some(Value::Real(f)) => f.max(0.0) as u64,
        _ => 0,
    })
}
