//! A short human label for a row (its email, name or title), used to annotate foreign keys.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use super::schema::{ColumnInfo, DescribeTable, describe_table, quote_ident};

/// Columns that make a good label, best first.
const LABEL_COLUMNS: [&str; 6] = ["email", "name", "title", "username", "slug", "identifier"];

/// Which row to label: `table.column = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelLookup {
    pub table: String,
    pub column: String,
    pub value: Value,
}

/// The label found, and the column it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLabel {
    pub column: String,
    pub text: String,
}

/// The column that labels a row of a table with these columns, if one does.
pub fn label_column(columns: &[ColumnInfo]) -> Option<&ColumnInfo> {
    LABEL_COLUMNS.iter().find_map(|wanted| columns.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)))
}

/// Finds the referenced row and returns its best label column, or `None` when no row matches.
pub fn row_label(conn: &Connection, lookup: &LabelLookup) -> Result<Option<RowLabel>> {
    let info = describe_table(conn, &DescribeTable { name: &lookup.table })?;
    let Some(label_column) = label_column(&info.columns).map(|c| c.name.clone()) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = ?1 LIMIT 1",
        quote_ident(&label_column),
        quote_ident(&lookup.table),
        quote_ident(&lookup.column)
    );
    let text: Option<Value> = conn.query_row(&sql, params![lookup.value], |row| row.get(0)).optional()?;
    Ok(text.map(|value| RowLabel { column: label_column, text: super::value::raw_text(&value) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_a_user_by_email() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE \"user\"(id TEXT PRIMARY KEY, name TEXT, email TEXT); INSERT INTO \"user\" VALUES ('u1', 'Ada', 'ada@x.dev')")
            .unwrap();
        let lookup = LabelLookup { table: "user".into(), column: "id".into(), value: Value::Text("u1".into()) };
        assert_eq!(
            row_label(&conn, &lookup).unwrap(),
            Some(RowLabel { column: "email".into(), text: "ada@x.dev".into() })
        );
        let missing = LabelLookup { value: Value::Text("nope".into()), ..lookup };
        assert_eq!(row_label(&conn, &missing).unwrap(), None);
    }
}
