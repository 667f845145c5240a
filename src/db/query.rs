//! Statements typed by a person (the SQL console, `squall sql`): split a script into statements,
//! tell reads from writes (SQLite's own `sqlite3_stmt_readonly`), stream rows, count what a write
//! would touch, run a write in one transaction, and read the query plan.
//!
//! The user's SQL is run as written: that is the point of a console. What squall adds around it
//! (the count of matching rows, EXPLAIN) reuses the user's own text, re-rendered by `sqlparser`,
//! and quotes every name it adds.

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::change::ChangeOp;
use super::kinds::{ColumnKind, classify_column};
use super::schema::{RelationType, TableInfo, quote_ident};

/// One statement of a script: byte range in the script, ending before its `;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementSpan {
    pub start: usize,
    pub end: usize,
}

/// Byte offset of a tokenizer location (1-based line, 1-based column in characters).
fn byte_offset(line_starts: &[usize], text: &str, line: u64, column: u64) -> usize {
    let Some(&start) = line_starts.get((line as usize).saturating_sub(1)) else { return text.len() };
    text[start..].char_indices().nth((column as usize).saturating_sub(1)).map_or(text.len(), |(i, _)| start + i)
}

/// The statements of a script, split on `;` outside strings, identifiers and comments. Pieces
/// holding nothing but blanks and comments are left out. A script the tokenizer cannot read (an
/// unterminated string) is one statement, so SQLite gets to say what is wrong with it.
pub fn split_statements(script: &str) -> Vec<StatementSpan> {
    let dialect = SQLiteDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, script).with_unescape(false).tokenize_with_location() else {
        return if script.trim().is_empty() { Vec::new() } else { vec![StatementSpan { start: 0, end: script.len() }] };
    };
    let mut line_starts = vec![0];
    line_starts.extend(script.match_indices('\n').map(|(i, _)| i + 1));
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    for token in &tokens {
        let from = byte_offset(&line_starts, script, token.span.start.line, token.span.start.column);
        let to = byte_offset(&line_starts, script, token.span.end.line, token.span.end.column);
        match &token.token {
            Token::SemiColon | Token::EOF => {
                if let Some(s) = start.take() {
                    spans.push(StatementSpan { start: s, end });
                }
            }
            Token::Whitespace(_) => {}
            _ => {
                start.get_or_insert(from);
                end = to;
            }
        }
    }
    if let Some(s) = start {
        spans.push(StatementSpan { start: s, end });
    }
    spans
}

/// The statement the cursor (a byte offset) is in or just after; the last one past the end.
pub fn statement_at(script: &str, cursor: usize) -> Option<StatementSpan> {
    let spans = split_statements(script);
    spans.iter().find(|s| cursor <= s.end).or(spans.last()).copied()
}

/// Prepares a statement a person typed. A statement SQLite cannot read fails with SQLite's own
/// message and where in the text it stopped, without the statement echoed back.
pub fn prepare_typed<'c>(conn: &'c Connection, sql: &str) -> Result<rusqlite::Statement<'c>> {
    conn.prepare(sql).map_err(|err| match err {
        rusqlite::Error::SqlInputError { msg, offset, .. } if offset >= 0 => {
            anyhow::anyhow!("{msg} (at byte {offset} of the statement)")
        }
        rusqlite::Error::SqliteFailure(_, Some(msg)) => anyhow::anyhow!(msg),
        other => other.into(),
    })
}

/// Whether a statement only reads (SQLite's `sqlite3_stmt_readonly`). Fails with SQLite's message
/// when the statement does not prepare.
pub fn is_read_only(conn: &Connection, sql: &str) -> Result<bool> {
    let stmt = prepare_typed(conn, sql)?;
    Ok(stmt.readonly())
}

/// A result column: its name and declared type (empty for expressions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultColumn {
    pub name: String,
    pub decl_type: String,
}

/// The columns a statement returns.
pub fn result_columns(stmt: &rusqlite::Statement) -> Vec<ResultColumn> {
    stmt.columns()
        .iter()
        .map(|c| ResultColumn { name: c.name().to_string(), decl_type: c.decl_type().unwrap_or_default().to_string() })
        .collect()
}

/// Reads one row's values.
pub fn row_values(row: &rusqlite::Row, width: usize) -> rusqlite::Result<Vec<Value>> {
    (0..width).map(|i| row.get::<_, Value>(i)).collect()
}

/// Input of [`stream_rows`].
pub struct StreamRows<'a> {
    pub sql: &'a str,
}

/// Where [`stream_rows`] hands what it reads.
pub trait RowSink {
    /// The result's columns, before any row.
    fn columns(&mut self, columns: &[ResultColumn]) -> Result<()>;
    /// One row; false stops the statement.
    fn row(&mut self, values: Vec<Value>) -> Result<bool>;
}

/// Runs a reading statement and hands its columns, then each row, to `sink` as SQLite yields
/// them (nothing is collected). Returns the rows handed over.
pub fn stream_rows(conn: &Connection, input: &StreamRows, sink: &mut dyn RowSink) -> Result<u64> {
    let mut stmt = prepare_typed(conn, input.sql)?;
    let columns = result_columns(&stmt);
    sink.columns(&columns)?;
    let mut rows = stmt.query([])?;
    let mut seen = 0u64;
    while let Some(row) = rows.next()? {
        seen += 1;
        if !sink.row(row_values(row, columns.len())?)? {
            break;
        }
    }
    Ok(seen)
}

/// What kind of change a statement makes, from its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Insert,
    Update,
    Delete,
    /// CREATE, DROP, ALTER: the schema changes.
    Schema,
    /// Anything else that writes (PRAGMA, VACUUM, ...).
    Other,
}

impl WriteKind {
    /// The audit log's operation for it.
    pub fn audit_op(self) -> ChangeOp {
        match self {
            WriteKind::Insert => ChangeOp::Insert,
            WriteKind::Delete => ChangeOp::Delete,
            _ => ChangeOp::Update,
        }
    }
}

/// The first word of a statement, upper-cased, comments skipped. A write led by a CTE
/// (`WITH ... UPDATE`) is [`WriteKind::Other`]: still confirmed and audited, just not counted.
fn first_word(sql: &str) -> String {
    let dialect = SQLiteDialect {};
    let tokens = Tokenizer::new(&dialect, sql).tokenize().unwrap_or_default();
    tokens
        .iter()
        .find_map(|t| match t {
            Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab) => None,
            Token::Whitespace(_) => None,
            Token::Word(w) => Some(w.value.to_ascii_uppercase()),
            _ => Some(String::new()),
        })
        .unwrap_or_default()
}

/// What kind of write a statement is.
pub fn write_kind(sql: &str) -> WriteKind {
    match first_word(sql).as_str() {
        "INSERT" | "REPLACE" => WriteKind::Insert,
        "UPDATE" => WriteKind::Update,
        "DELETE" => WriteKind::Delete,
        "CREATE" | "DROP" | "ALTER" => WriteKind::Schema,
        _ => WriteKind::Other,
    }
}

#[path = "query_write.rs"]
mod write;
pub use write::*;

#[path = "query_plain.rs"]
mod plain;
pub use plain::{TableRead, one_table_read, plain_table_read};

/// One line of `EXPLAIN QUERY PLAN`, with its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanNode {
    pub id: i64,
    pub parent: i64,
    pub detail: String,
    /// Depth in the tree (0 for top-level steps).
    pub depth: usize,
    /// For a full scan of a table holding at least [`LARGE_TABLE_ROWS`] rows: an index to consider.
    pub warning: Option<String>,
    /// A remark that is not a problem (a full read of a big table with no filter: it was asked for).
    pub note: Option<String>,
}

/// A full scan of a table at least this big is flagged.
pub const LARGE_TABLE_ROWS: u64 = 10_000;

/// The query plan of a statement as a tree (depth-first order), full scans of large tables
/// flagged with an index that would help (from the columns the statement compares).
pub fn explain_plan(conn: &Connection, sql: &str) -> Result<Vec<PlanNode>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let raw: Vec<(i64, i64, String)> =
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(3)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut nodes = Vec::new();
    fn walk(raw: &[(i64, i64, String)], parent: i64, depth: usize, out: &mut Vec<PlanNode>) {
        for (id, p, detail) in raw.iter().filter(|(_, p, _)| *p == parent) {
            out.push(PlanNode { id: *id, parent: *p, detail: detail.clone(), depth, warning: None, note: None });
            walk(raw, *id, depth + 1, out);
        }
    }
    walk(&raw, 0, 0, &mut nodes);
    let filtered = compared_columns(sql);
    for node in &mut nodes {
        let Some(table) = scanned_table(&node.detail) else { continue };
        let rows = table_row_estimate(conn, &table)?;
        if rows < LARGE_TABLE_ROWS {
            continue;
        }
        let columns = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")?
            .query_map([&table], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let wanted = filtered.iter().find(|c| columns.iter().any(|name| name.eq_ignore_ascii_case(c)));
        if wanted.is_none() && !filters_joins_or_sorts(sql) {
            // A read of every row (no WHERE, JOIN, ORDER BY): the scan is what was asked for.
            node.note = Some(format!("reads every row ({})", crate::present::group_thousands(rows)));
            continue;
        }
        node.warning = Some(match wanted {
            Some(column) => format!(
                "full scan of {} rows: CREATE INDEX {} ON {} ({})",
                crate::present::group_thousands(rows),
                quote_ident(&format!("{table}_{column}_idx")),
                quote_ident(&table),
                quote_ident(column)
            ),
            None => format!(
                "full scan of {} rows: an index on the columns it filters or joins on would help",
                crate::present::group_thousands(rows)
            ),
        });
    }
    Ok(nodes)
}

/// `SCAN user` / `SCAN user USING ...` / `SCAN u` (an alias) → the table, when it is one.
fn scanned_table(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("SCAN ")?;
    if rest.contains("USING COVERING INDEX") || rest.starts_with("CONSTANT") || rest.starts_with('(') {
        return None;
    }
    Some(rest.split_whitespace().next()?.trim_matches('"').to_string())
}

/// Rows of `table`, or 0 when it is not a table (an alias, a view, a subquery).
fn table_row_estimate(conn: &Connection, table: &str) -> Result<u64> {
    let exists: bool =
        conn.query_row("SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1", [table], |row| {
            row.get(0)
        })?;
    if !exists {
        return Ok(0);
    }
    let count: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", quote_ident(table)), [], |row| row.get(0))?;
    Ok(count.max(0) as u64)
}

/// Whether the statement has a WHERE, JOIN, ORDER BY or GROUP BY: clauses an index can serve.
fn filters_joins_or_sorts(sql: &str) -> bool {
    let dialect = SQLiteDialect {};
    Tokenizer::new(&dialect, sql).tokenize().unwrap_or_default().iter().any(|t| {
        matches!(t, Token::Word(w) if matches!(
            w.keyword,
            sqlparser::keywords::Keyword::WHERE
                | sqlparser::keywords::Keyword::JOIN
                | sqlparser::keywords::Keyword::ORDER
                | sqlparser::keywords::Keyword::GROUP
                | sqlparser::keywords::Keyword::ON
        ))
    })
}

/// Column names the statement compares to something (`WHERE email = ...`, `ON a.id = b.userId`),
/// in order of appearance: the index candidates.
fn compared_columns(sql: &str) -> Vec<String> {
    let dialect = SQLiteDialect {};
    let tokens: Vec<Token> = Tokenizer::new(&dialect, sql)
        .tokenize()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut names = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let comparison = matches!(
            token,
            Token::Eq | Token::DoubleEq | Token::Lt | Token::Gt | Token::LtEq | Token::GtEq | Token::Neq
        );
        if !comparison || i == 0 {
            continue;
        }
        // Any word, keyword or not (`name` is one to sqlparser): only the table's columns count.
        let Token::Word(word) = &tokens[i - 1] else { continue };
        if !names.contains(&word.value) {
            names.push(word.value.clone());
        }
    }
    names
}

/// The kind of each result column, decided as a table's are: from the name, the declared type
/// (when the column comes straight from a table) and a sample of the first rows.
pub fn result_kinds(columns: &[ResultColumn], rows: &[Vec<Value>]) -> Vec<ColumnKind> {
    let info = result_table_info(columns);
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let samples: Vec<Value> =
                rows.iter().filter_map(|r| r.get(i)).filter(|v| **v != Value::Null).take(64).cloned().collect();
            match classify_column(&info, &column.name, &column.decl_type, &samples) {
                // A result has no key of its own: an `id` is only an id.
                ColumnKind::ForeignKey { .. } => ColumnKind::Id,
                kind => kind,
            }
        })
        .collect()
}

/// A stand-in table for a result, so the grid can draw it as it draws tables.
pub fn result_table_info(columns: &[ResultColumn]) -> TableInfo {
    TableInfo {
        name: String::new(),
        relation: RelationType::View,
        without_rowid: false,
        columns: columns
            .iter()
            .map(|c| super::schema::ColumnInfo {
                name: c.name.clone(),
                decl_type: c.decl_type.clone(),
                not_null: false,
                default: None,
                pk_position: 0,
                generated: false,
            })
            .collect(),
        primary_key: Vec::new(),
        foreign_keys: Vec::new(),
        indexes: Vec::new(),
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
