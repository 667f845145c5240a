//! The few reads a write plans with, over any backend.

use anyhow::Result;
use rusqlite::types::Value;

use crate::db::backend::{Backend, Statement};

/// The first column of the first row of `statement` as a count (0 when there is none).
pub fn count_on<B: Backend + ?Sized>(db: &B, statement: &Statement) -> Result<u64> {
    Ok(match db.query(statement)?.scalar() {
        Some(Value::Integer(n)) => (*n).max(0) as u64,
        Some(Value::Real(f)) => f.max(0.0) as u64,
        _ => 0,
    })
}
