//! Keyset paging: every page continues from the last row's sort value and key, so a page deep
//! in a table costs the same as the first one. No `OFFSET` (except for views, which have no key)
//! and no `COUNT(*)` per page.
//!
//! Rowid tables are keyed by `rowid`: every index ends with it, so `ORDER BY col, rowid` walks
//! an index on `col` without a sort step. WITHOUT ROWID tables are keyed by their primary key.

use anyhow::Result;
use rusqlite::types::Value;
use serde::Serialize;

use super::backend::{Backend, Statement};
use super::schema::{RelationType, TableInfo, quote_ident};
use super::users::{UserCondition, load_auth_schema, user_condition_sql};

/// How rows are identified for paging (and, later, for editing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    /// The implicit rowid of an ordinary table.
    Rowid,
    /// The primary key of a WITHOUT ROWID table.
    Columns(Vec<String>),
    /// Views have no key: pages are read by position.
    Position,
}

impl RowKey {
    pub fn for_table(info: &TableInfo) -> RowKey {
        match (info.relation, info.without_rowid) {
            (RelationType::View, _) => RowKey::Position,
            (RelationType::Table, true) => RowKey::Columns(info.primary_key.clone()),
            (RelationType::Table, false) => RowKey::Rowid,
        }
    }

    fn exprs(&self) -> Vec<String> {
        match self {
            RowKey::Rowid => vec!["rowid".into()],
            RowKey::Columns(columns) => columns.iter().map(|c| quote_ident(c)).collect(),
            RowKey::Position => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    fn flipped(self) -> Self {
        match self {
            SortDirection::Asc => SortDirection::Desc,
            SortDirection::Desc => SortDirection::Asc,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            SortDirection::Asc => "ASC",
            SortDirection::Desc => "DESC",
        }
    }
}

/// A sort on one column; the row key breaks ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub column: String,
    pub direction: SortDirection,
    /// Whether the column may hold NULL (NOT NULL columns skip the read of NULLs).
    pub nullable: bool,
}

/// Comparison operators of the filter bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FilterOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Contains,
    StartsWith,
    IsNull,
    IsNotNull,
    In,
    /// One of a comma-joined list holds the value: `admin` in `admin,user` (better-auth roles).
    Has,
    /// A computed status of better-auth's user table; the filter's one value is now in ms.
    /// Not in [`FilterOp::ALL`]: only the user table's computed columns offer it.
    Status(UserCondition),
    /// A timestamp compared at a coarser precision than it is stored in (a day, a minute):
    /// the values are pairs, each a half-open range `[start, end)` in the column's unit, so an
    /// index on the column serves it. Matches a row in any range (`=`, `in`), or, negated, a
    /// row in none of them (NULL included, as `≠` does). Not in [`FilterOp::ALL`]: the filter
    /// form makes it from `=`, `≠` or `in` with a date typed without its time.
    Within {
        negated: bool,
    },
}

impl FilterOp {
    pub const ALL: [FilterOp; 10] = [
        FilterOp::Eq,
        FilterOp::Ne,
        FilterOp::Lt,
        FilterOp::Gt,
        FilterOp::Contains,
        FilterOp::StartsWith,
        FilterOp::IsNull,
        FilterOp::IsNotNull,
        FilterOp::In,
        FilterOp::Has,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FilterOp::Eq => "=",
            FilterOp::Ne => "≠",
            FilterOp::Lt => "<",
            FilterOp::Gt => ">",
            FilterOp::Contains => "contains",
            FilterOp::StartsWith => "starts with",
            FilterOp::IsNull => "is null",
            FilterOp::IsNotNull => "is not null",
            FilterOp::In => "in",
            FilterOp::Has => "has",
            FilterOp::Status(condition) => condition.label(),
            FilterOp::Within { negated: false } => "=",
            FilterOp::Within { negated: true } => "≠",
        }
    }

    /// Whether the operator takes a value at all.
    pub fn takes_value(self) -> bool {
        !matches!(self, FilterOp::IsNull | FilterOp::IsNotNull | FilterOp::Status(_))
    }
}

/// One condition; conditions combine with AND.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    /// One value, several for `In`, none for the null tests. Always bound, never spliced.
    pub values: Vec<Value>,
}

/// Free-text search over some columns (case-insensitive substring).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    pub columns: Vec<String>,
}

/// Where a row sits in the paging order: its sort value (when sorted) and its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub sort_value: Option<Value>,
    /// Rowid, primary key values, or for views the row's position.
    pub key: Vec<Value>,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    First,
    Last,
    After(Cursor),
    Before(Cursor),
}

/// The part of a page query that stays the same while paging.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub table: String,
    pub columns: Vec<String>,
    pub key: RowKey,
    pub sort: Option<Sort>,
    pub filters: Vec<Filter>,
    pub search: Option<Search>,
}

/// Input of [`fetch_page`].
pub struct PageQuery<'a> {
    pub view: &'a View,
    pub anchor: &'a Anchor,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRow {
    pub values: Vec<Value>,
    pub cursor: Cursor,
}

/// Rows in display order (top to bottom) whatever the direction they were read in.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<PageRow>,
    /// Fewer rows than asked: there is nothing further in the direction read.
    pub exhausted: bool,
}

/// Reads one page: one statement, or two when a sort column's NULLs continue the page.
pub fn fetch_page<B: Backend + ?Sized>(db: &B, query: &PageQuery) -> Result<Page> {
    fetch_page_selecting(db, query, &plain_columns)
}

/// What a page selects for the view's columns: the columns themselves.
fn plain_columns(columns: &[String]) -> Vec<String> {
    columns.iter().map(|c| quote_ident(c)).collect()
}

/// [`fetch_page`] with the view's columns read through `select` (given the column names, the
/// expressions to read instead, any number of them): an export reads each value with its
/// storage type, exactly, where a remote's JSON would round it. Rows hold what `select` reads.
pub fn fetch_page_selecting<B: Backend + ?Sized>(
    db: &B,
    query: &PageQuery,
    select: &dyn Fn(&[String]) -> Vec<String>,
) -> Result<Page> {
    if query.view.key == RowKey::Position {
        return fetch_page_by_position(db, query, select);
    }
    let view = query.view;
    let backward = matches!(query.anchor, Anchor::Last | Anchor::Before(_));
    let key_exprs = view.key.exprs();
    let direction = view.sort.as_ref().map_or(SortDirection::Asc, |s| s.direction);
    let read_direction = if backward { direction.flipped() } else { direction };
    // Each part is one seekable range; a second part (the NULLs, or everything but the NULLs)
    // is read only when the first did not fill the page.
    let parts: Vec<Option<KeysetPart>> = match query.anchor {
        Anchor::After(cursor) | Anchor::Before(cursor) => {
            keyset_parts(view, &key_exprs, cursor, read_direction).into_iter().map(Some).collect()
        }
        Anchor::First | Anchor::Last => vec![None],
    };
    let mut rows: Vec<PageRow> = Vec::with_capacity(query.limit);
    for part in parts {
        let wanted = query.limit - rows.len();
        if wanted == 0 {
            break;
        }
        let statement = part_statement(db, view, &key_exprs, read_direction, part, wanted, select)?;
        read_part(db.query(&statement)?.rows, view, key_exprs.len(), &mut rows);
    }
    let exhausted = rows.len() < query.limit;
    if backward {
        rows.reverse();
    }
    Ok(Page { exhausted, rows })
}

/// A WHERE term continuing from a cursor, with its values.
struct KeysetPart {
    condition: String,
    params: Vec<Value>,
}

/// The statement reading up to `limit` rows of one part, in `direction`: the key columns, the
/// sort column (when sorted), then the view's columns.
fn part_statement<B: Backend + ?Sized>(
    db: &B,
    view: &View,
    key_exprs: &[String],
    direction: SortDirection,
    part: Option<KeysetPart>,
    limit: usize,
    select: &dyn Fn(&[String]) -> Vec<String>,
) -> Result<Statement> {
    let mut params: Vec<Value> = Vec::new();
    let mut conditions = filter_conditions(db, view, &mut params)?;
    if let Some(part) = part {
        conditions.push(part.condition);
        params.extend(part.params);
    }
    let sort_expr = view.sort.as_ref().map(|s| quote_ident(&s.column));
    let order: Vec<String> =
        sort_expr.iter().chain(key_exprs.iter()).map(|e| format!("{e} {}", direction.sql())).collect();
    let select: Vec<String> =
        key_exprs.iter().cloned().chain(sort_expr.iter().cloned()).chain(select(&view.columns)).collect();
    let sql = format!(
        "SELECT {} FROM {}{} ORDER BY {} LIMIT {limit}",
        select.join(", "),
        quote_ident(&view.table),
        where_clause(&conditions),
        order.join(", "),
    );
    Ok(Statement::new(sql, params))
}

/// Reads the rows of a [`part_statement`] onto `rows`, each with its cursor.
fn read_part(found: Vec<Vec<Value>>, view: &View, key_len: usize, rows: &mut Vec<PageRow>) {
    let sorted = view.sort.is_some();
    for mut values in found {
        // The row is [key..., sort value?, columns...]: split it in place, moving the values.
        let mut head: Vec<Value> = values.drain(..(key_len + sorted as usize).min(values.len())).collect();
        let sort_value = if sorted { Some(head.pop().unwrap_or(Value::Null)) } else { None };
        rows.push(PageRow { values, cursor: Cursor { sort_value, key: head } });
    }
}

/// The rows after the cursor when read in `direction`, as one or two seekable parts. NULL sorts
/// first ascending and last descending, as in SQLite. A row-value comparison leaves NULLs out,
/// and an `OR col IS NULL` would keep SQLite from seeking the index, so the NULLs (or, after a
/// NULL cursor, the non-NULL values) are a second part, read only if the first falls short.
fn keyset_parts(view: &View, key_exprs: &[String], cursor: &Cursor, direction: SortDirection) -> Vec<KeysetPart> {
    let cmp = match direction {
        SortDirection::Asc => ">",
        SortDirection::Desc => "<",
    };
    let placeholders = |n: usize| vec!["?"; n].join(", ");
    let key_tuple = format!("({})", key_exprs.join(", "));
    let key_params = || cursor.key.clone();
    let Some(sort) = view.sort.as_ref() else {
        let condition = format!("{key_tuple} {cmp} ({})", placeholders(key_exprs.len()));
        return vec![KeysetPart { condition, params: key_params() }];
    };
    let col = quote_ident(&sort.column);
    let null_cursor = matches!(cursor.sort_value, Some(Value::Null) | None);
    let mut parts = Vec::with_capacity(2);
    if null_cursor {
        let condition = format!("({col} IS NULL AND {key_tuple} {cmp} ({}))", placeholders(key_exprs.len()));
        parts.push(KeysetPart { condition, params: key_params() });
        if direction == SortDirection::Asc {
            parts.push(KeysetPart { condition: format!("{col} IS NOT NULL"), params: Vec::new() });
        }
    } else {
        let mut params = vec![cursor.sort_value.clone().unwrap_or(Value::Null)];
        params.extend(key_params());
        let condition = format!("({col}, {}) {cmp} (?, {})", key_exprs.join(", "), placeholders(key_exprs.len()));
        parts.push(KeysetPart { condition, params });
        if direction == SortDirection::Desc && sort.nullable {
            parts.push(KeysetPart { condition: format!("{col} IS NULL"), params: Vec::new() });
        }
    }
    parts
}

/// WHERE terms for the filters and the search, with their values pushed onto `params`. The
/// user table's computed statuses need its column map (read only when such a filter is on).
fn filter_conditions<B: Backend + ?Sized>(db: &B, view: &View, params: &mut Vec<Value>) -> Result<Vec<String>> {
    let computed = view.filters.iter().any(|f| matches!(f.op, FilterOp::Status(_)));
    let schema = if computed { Some(load_auth_schema(db)?) } else { None };
    let mut conditions: Vec<String> = Vec::with_capacity(view.filters.len() + 1);
    for filter in &view.filters {
        conditions.push(match (filter.op, schema.as_ref()) {
            (FilterOp::Status(condition), Some(schema)) => {
                let now_ms = match filter.values.first() {
                    Some(Value::Integer(ms)) => *ms,
                    _ => anyhow::bail!("the {} filter has no clock", condition.label()),
                };
                user_condition_sql(schema, condition, now_ms, params)?
            }
            _ => filter_condition(filter, params),
        });
    }
    if let Some(search) = view.search.as_ref().filter(|s| !s.text.is_empty() && !s.columns.is_empty()) {
        let pattern = Value::Text(format!("%{}%", escape_like(&search.text)));
        let terms: Vec<String> = search
            .columns
            .iter()
            .map(|c| {
                params.push(pattern.clone());
                format!("{} LIKE ? ESCAPE '\\'", quote_ident(c))
            })
            .collect();
        conditions.push(format!("({})", terms.join(" OR ")));
    }
    Ok(conditions)
}

fn filter_condition(filter: &Filter, params: &mut Vec<Value>) -> String {
    let col = quote_ident(&filter.column);
    let first = filter.values.first().cloned().unwrap_or(Value::Null);
    let like = |params: &mut Vec<Value>, pattern: String| {
        params.push(Value::Text(pattern));
        format!("{col} LIKE ? ESCAPE '\\'")
    };
    match filter.op {
        FilterOp::IsNull => format!("{col} IS NULL"),
        // Read by `filter_conditions` with the user table's column map; never reached.
        FilterOp::Status(_) => "0".to_string(),
        FilterOp::IsNotNull => format!("{col} IS NOT NULL"),
        FilterOp::Contains => like(params, format!("%{}%", escape_like(&like_text(&first)))),
        FilterOp::StartsWith => like(params, format!("{}%", escape_like(&like_text(&first)))),
        FilterOp::Has => {
            // Items compared whole, spaces around commas ignored: `admin` does not match `superadmin`.
            params.push(Value::Text(like_text(&first).trim().to_string()));
            format!("instr(',' || replace({col}, ' ', '') || ',', ',' || ? || ',') > 0")
        }
        FilterOp::Within { negated } => {
            let ranges: Vec<String> = filter
                .values
                .chunks(2)
                .map(|pair| {
                    params.extend(pair.iter().cloned());
                    format!("({col} >= ? AND {col} < ?)")
                })
                .collect();
            let any = if ranges.is_empty() { "0".to_string() } else { ranges.join(" OR ") };
            if negated { format!("({col} IS NULL OR NOT ({any}))") } else { format!("({any})") }
        }
        FilterOp::In => {
            params.extend(filter.values.iter().cloned());
            format!("{col} IN ({})", vec!["?"; filter.values.len().max(1)].join(", "))
        }
        op => {
            params.push(first);
            let symbol = match op {
                FilterOp::Eq => "=",
                FilterOp::Ne => "IS NOT",
                FilterOp::Lt => "<",
                _ => ">",
            };
            format!("{col} {symbol} ?")
        }
    }
}

fn like_text(value: &Value) -> String {
    super::value::raw_text(value)
}

/// Escapes LIKE's wildcards so user text matches literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) }
}

/// Views: pages by position. The cursor key holds the row's index.
fn fetch_page_by_position<B: Backend + ?Sized>(
    db: &B,
    query: &PageQuery,
    select: &dyn Fn(&[String]) -> Vec<String>,
) -> Result<Page> {
    let view = query.view;
    let limit = query.limit as i64;
    let position = |cursor: &Cursor| match cursor.key.first() {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    };
    let (offset, take) = match query.anchor {
        Anchor::First => (0, limit),
        Anchor::After(cursor) => (position(cursor) + 1, limit),
        Anchor::Before(cursor) => {
            let end = position(cursor);
            ((end - limit).max(0), end.min(limit))
        }
        Anchor::Last => {
            let total = count_matching(db, view)? as i64;
            ((total - limit).max(0), limit)
        }
    };
    let mut params: Vec<Value> = Vec::new();
    let conditions = filter_conditions(db, view, &mut params)?;
    let order = view
        .sort
        .as_ref()
        .map(|s| format!(" ORDER BY {} {}", quote_ident(&s.column), s.direction.sql()))
        .unwrap_or_default();
    let select = select(&view.columns);
    let sql = format!(
        "SELECT {} FROM {}{}{order} LIMIT {take} OFFSET {offset}",
        select.join(", "),
        quote_ident(&view.table),
        where_clause(&conditions)
    );
    let found = db.query(&Statement::new(sql, params))?;
    let rows: Vec<PageRow> = found
        .rows
        .into_iter()
        .zip(offset..)
        .map(|(values, index)| PageRow {
            values,
            cursor: Cursor { sort_value: None, key: vec![Value::Integer(index)] },
        })
        .collect();
    let exhausted = match query.anchor {
        Anchor::Before(_) | Anchor::Last => offset == 0,
        _ => (rows.len() as i64) < take,
    };
    Ok(Page { rows, exhausted })
}

/// One statement reading every row of the view in display order (filters, search, sort, then
/// the row key), for a single streamed read such as an export: no paging, no `OFFSET`.
pub fn view_statement<B: Backend + ?Sized>(db: &B, view: &View) -> Result<(String, Vec<Value>)> {
    let mut params: Vec<Value> = Vec::new();
    let conditions = filter_conditions(db, view, &mut params)?;
    let direction = view.sort.as_ref().map_or(SortDirection::Asc, |s| s.direction);
    let order: Vec<String> = view
        .sort
        .iter()
        .map(|s| quote_ident(&s.column))
        .chain(view.key.exprs())
        .map(|e| format!("{e} {}", direction.sql()))
        .collect();
    let order = if order.is_empty() { String::new() } else { format!(" ORDER BY {}", order.join(", ")) };
    let select: Vec<String> = view.columns.iter().map(|c| quote_ident(c)).collect();
    let sql =
        format!("SELECT {} FROM {}{}{order}", select.join(", "), quote_ident(&view.table), where_clause(&conditions));
    Ok((sql, params))
}

/// Rows matching the view's filters and search. A full scan on big tables: run it in the
/// background, once per view.
pub fn count_matching<B: Backend + ?Sized>(db: &B, view: &View) -> Result<u64> {
    let mut params: Vec<Value> = Vec::new();
    let conditions = filter_conditions(db, view, &mut params)?;
    let sql = format!("SELECT count(*) FROM {}{}", quote_ident(&view.table), where_clause(&conditions));
    let rows = db.query(&Statement::new(sql, params))?;
    Ok(rows.rows.first().map_or(0, |row| super::schema::int_at(row, 0)).max(0) as u64)
}

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;

/// Input of [`fetch_window`].
pub struct WindowQuery<'a> {
    pub view: &'a View,
    /// The first row of the window as it was read before; `None` reads from the top.
    pub first: Option<&'a Cursor>,
    pub limit: usize,
}

/// Reads a window of rows again from where it started, so a grid stays in place after the
/// rows changed: from the row before `first` (whether or not `first` still exists), so rows
/// inserted between that row and `first` are included and a deleted first row leaves no hole.
pub fn fetch_window<B: Backend + ?Sized>(db: &B, query: &WindowQuery) -> Result<Page> {
    let anchor = match query.first {
        None => Anchor::First,
        Some(first) => {
            let before = Anchor::Before(first.clone());
            let previous = fetch_page(db, &PageQuery { view: query.view, anchor: &before, limit: 1 })?;
            match previous.rows.into_iter().next() {
                Some(row) => Anchor::After(row.cursor),
                None => Anchor::First,
            }
        }
    };
    fetch_page(db, &PageQuery { view: query.view, anchor: &anchor, limit: query.limit })
}
