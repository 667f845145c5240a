//! Paging a remote without waiting, and counting it without reading it.
//!
//! After a page is answered on a remote, the page after it (in the direction read) is read
//! ahead, between requests; a PageDown that asks for exactly that page is answered from it at
//! once, unless reading it scans the table (see [`crate::db::scan`]). One page is held at most, so memory stays bounded by the app's window. A write drops it.
//!
//! A remote's row count is `max(rowid)`, one row read, shown as `~N`: `count(*)` would read (and
//! bill) every row. A view with filters or a search is counted exactly (it has to be read).

use anyhow::Result;
use rusqlite::types::Value;

use super::db::{Ahead, Db};
use super::protocol::{DbRequest, DbResult, UsersRequest};
use super::remote::Remote;
use crate::db::backend::{Backend, Statement};
use crate::db::page::{Anchor, Page, PageQuery, View, count_matching, fetch_page};
use crate::db::schema::{DescribeTable, RelationType, describe_table, quote_ident};

/// A page request's view, anchor and limit.
pub(super) type PageAsked = (View, Anchor, usize);

/// The page a request asks for, when it is a page read on a remote.
pub(super) fn page_request(request: &DbRequest) -> Option<PageAsked> {
    match request {
        DbRequest::FetchPage { view, anchor, limit } => Some((view.clone(), anchor.clone(), *limit)),
        _ => None,
    }
}

/// Answers a page read from the page read ahead when it is the one asked for; drops what is
/// held when a write may change it.
pub(super) fn before(db: &mut Db, request: &DbRequest) -> Option<Page> {
    db.remote()?;
    match request {
        DbRequest::FetchPage { view, anchor, limit } => {
            let held = db.ahead.take()?;
            if &held.view == view && &held.anchor == anchor && held.limit == *limit {
                return held.page;
            }
            None
        }
        DbRequest::CommitChanges { .. } | DbRequest::Users(UsersRequest::Run(_)) | DbRequest::ReloadWindow { .. } => {
            db.ahead = None;
            None
        }
        _ => None,
    }
}

/// After a page was answered on a remote: notes the page after it, to read ahead.
pub(super) fn after(db: &mut Db, (view, anchor, limit): PageAsked, page: &Page) {
    let Some(remote) = db.remote() else { return };
    // A page that scans the table is read when asked for, not ahead: the question before the
    // scan said what each page reads, and a page read ahead would bill the table once more.
    let scans = describe_table(remote, &DescribeTable { name: &view.table })
        .map_or(true, |info| crate::db::scan::view_scans(&view, &info));
    if page.exhausted || scans {
        db.ahead = None;
        return;
    }
    let next = match anchor {
        Anchor::First | Anchor::After(_) => page.rows.last().map(|row| Anchor::After(row.cursor.clone())),
        Anchor::Last | Anchor::Before(_) => page.rows.first().map(|row| Anchor::Before(row.cursor.clone())),
    };
    db.ahead = next.map(|anchor| Ahead { view, anchor, limit, page: None });
}

/// Reads the noted page ahead. A failure is forgotten: the real request will say it.
pub(super) fn read(db: &mut Db) {
    let Some(remote) = db.remote().cloned() else { return };
    let Some(ahead) = db.ahead.as_mut().filter(|a| a.page.is_none()) else { return };
    let query = PageQuery { view: &ahead.view, anchor: &ahead.anchor, limit: ahead.limit };
    match fetch_page(&remote, &query) {
        Ok(page) => ahead.page = Some(page),
        Err(_) => db.ahead = None,
    }
}

/// The row count of a remote view: `max(rowid)` for a whole table (an estimate above the count
/// after deletes), an exact count when filters or a search narrow it, or the table has no rowid.
pub(super) fn count_cheaply(remote: &Remote, view: &View) -> Result<u64> {
    // From the schema read at start (no request): a view or a WITHOUT ROWID table has no rowid.
    let info = describe_table(remote, &DescribeTable { name: &view.table })?;
    if !is_estimated(view) || info.relation == RelationType::View || info.without_rowid {
        return count_matching(remote, view);
    }
    let sql = format!("SELECT coalesce(max(rowid), 0) FROM {}", quote_ident(&view.table));
    let rows = remote.query(&Statement::plain(sql))?;
    Ok(match rows.scalar() {
        Some(Value::Integer(n)) => (*n).max(0) as u64,
        Some(Value::Real(f)) => f.max(0.0) as u64,
        _ => 0,
    })
}

/// The exact count of `view` (the `#` key), with the rows this very statement read on a remote:
/// D1 answers `count(*)` by reading every row, and the user asked to see what that cost.
pub(super) fn count_exactly(db: &dyn Backend, remote: Option<&Remote>, view: &View) -> Result<DbResult> {
    let before = remote.map(|_| super::remote::rows_read_here());
    let total = count_matching(db, view)?;
    let rows_read = before.map(|before| super::remote::rows_read_here().saturating_sub(before));
    Ok(DbResult::ExactCount { total, rows_read })
}

/// Whether a remote's count of `view` is an estimate (`~N`): a whole table, no filter or search.
pub fn is_estimated(view: &View) -> bool {
    view.filters.is_empty() && view.search.is_none()
}
