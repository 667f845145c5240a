//! Which reads of a view scan the whole table: what a remote D1 bills, row by row. One truth for
//! the app's questions (`app::cost`) and the service's reading ahead (a page that scans is not
//! read ahead: it would bill the whole table again for a page nobody asked for yet).

use anyhow::Result;
use rusqlite::types::Value;

use crate::db::backend::{Backend, Statement};
use crate::db::page::{Filter, FilterOp, Sort, View};
use crate::db::schema::{TableInfo, quote_ident};

/// Why reading a view scans the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanCause {
    /// The sort's column starts no index: every page reads every row, and sorts them.
    Sort { column: String },
    /// A filter whose operator no index serves (`LIKE`, `≠`, `IS NOT NULL`, `has`).
    Operator { column: String, op: FilterOp },
    /// A filter on a computed status of better-auth's user table.
    Computed { column: String },
    /// A filter on a column no index starts with.
    Unindexed { column: String },
    /// The search (a `LIKE` over every text column).
    Search,
}

/// Why reading rows sorted by `sort`, narrowed by `filters` and `search`, scans the table (none:
/// an index serves it), each cause once.
pub fn scan_causes(sort: Option<&Sort>, filters: &[Filter], search: bool, info: &TableInfo) -> Vec<ScanCause> {
    let mut causes = Vec::new();
    if let Some(sort) = sort.filter(|sort| !info.is_indexed(&sort.column)) {
        causes.push(ScanCause::Sort { column: sort.column.clone() });
    }
    for filter in filters {
        let column = filter.column.clone();
        let cause = match filter.op {
            // `starts with` too: a LIKE seeks an index only on a NOCASE column, and squall's
            // LIKE carries an ESCAPE clause; the columns of a Drizzle schema are BINARY.
            FilterOp::Contains
            | FilterOp::StartsWith
            | FilterOp::Has
            | FilterOp::Ne
            | FilterOp::IsNotNull
            | FilterOp::Within { negated: true } => Some(ScanCause::Operator { column, op: filter.op }),
            FilterOp::Status(_) => Some(ScanCause::Computed { column }),
            _ if !info.is_indexed(&column) => Some(ScanCause::Unindexed { column }),
            _ => None,
        };
        causes.extend(cause.filter(|cause| !causes.contains(cause)));
    }
    if search {
        causes.push(ScanCause::Search);
    }
    causes
}

/// Whether every page of `view` scans the table.
pub fn view_scans(view: &View, info: &TableInfo) -> bool {
    !scan_causes(view.sort.as_ref(), &view.filters, view.search.is_some(), info).is_empty()
}

/// Whether a page of a view with these causes sorts what it scanned: D1 then bills each row
/// twice (once scanned, once out of the sorter), as the D1 stand-in measures.
pub fn sorts_in_memory(causes: &[ScanCause]) -> bool {
    causes.iter().any(|cause| matches!(cause, ScanCause::Sort { .. }))
}

/// `~N`: the rows of `tables` together, from `max(rowid)` (a row read each, an estimate above the
/// count after deletes), in one statement.
pub fn estimate_rows<B: Backend + ?Sized>(db: &B, tables: &[&str]) -> Result<u64> {
    let mut distinct: Vec<&str> = tables.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.is_empty() {
        return Ok(0);
    }
    let parts: Vec<String> =
        distinct.iter().map(|table| format!("(SELECT coalesce(max(rowid), 0) FROM {})", quote_ident(table))).collect();
    let rows = db.query(&Statement::plain(format!("SELECT {}", parts.join(" + "))))?;
    Ok(match rows.scalar() {
        Some(Value::Integer(n)) => (*n).max(0) as u64,
        Some(Value::Real(f)) => f.max(0.0) as u64,
        _ => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_of_several_tables_is_their_max_rowid_together_in_one_statement() {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE a (x); INSERT INTO a VALUES (1), (2), (3); CREATE TABLE b (y); INSERT INTO b VALUES (1), (2);",
        )
        .unwrap();
        assert_eq!(estimate_rows(&conn, &["a", "b", "a"]).unwrap(), 5);
        assert_eq!(estimate_rows(&conn, &[]).unwrap(), 0);
    }
}
