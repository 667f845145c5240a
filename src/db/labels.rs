//! A short human label for a row (its email, name or title), used to annotate foreign keys.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use super::schema::{DescribeTable, describe_table, quote_ident};

/// Columns that make a good label, best first.
const LABEL_COLUMNS: [&str; 6] = ["email", "name", "title", "username", "slug", "identifier"];

/// The best label among these column names (`email`, else `name`, ...), by position.
pub fn label_column<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    let names: Vec<&str> = names.into_iter().collect();
    LABEL_COLUMNS.iter().find_map(|wanted| names.iter().position(|n| n.eq_ignore_ascii_case(wanted)))
}

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

/// Finds the referenced row and returns its best label column, or `None` when no row matches.
pub fn row_label(conn: &Connection, lookup: &LabelLookup) -> Result<Option<RowLabel>> {
    let info = describe_table(conn, &DescribeTable { name: &lookup.table })?;
    let Some(label_column) = LABEL_COLUMNS
        .iter()
        .find_map(|wanted| info.columns.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)))
        .map(|c| c.name.clone())
    else {
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

/// A row already loaded, named for a confirmation: its best label column (`alice@example.com`),
/// else its key (`id=s-1`). `values` are the row's columns, `key` its key columns.
pub fn loaded_row_label(values: &[(String, Value)], key: &[(String, Value)]) -> String {
    let label = LABEL_COLUMNS.iter().find_map(|wanted| {
        values.iter().find(|(column, value)| column.eq_ignore_ascii_case(wanted) && *value != Value::Null)
    });
    match label {
        Some((_, value)) => super::value::raw_text(value),
        None => key
            .iter()
            .map(|(column, value)| format!("{column}={}", super::value::raw_text(value)))
            .collect::<Vec<_>>()
            .join(" "),
    }
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

    #[test]
    fn a_loaded_row_is_named_by_its_label_or_its_key() {
        let text = |s: &str| Value::Text(s.into());
        let key = vec![("id".to_string(), text("u1"))];
        let user =
            vec![("id".to_string(), text("u1")), ("name".into(), text("Ada")), ("email".into(), text("ada@x.dev"))];
        assert_eq!(loaded_row_label(&user, &key), "ada@x.dev");
        let no_email =
            vec![("id".to_string(), text("u1")), ("Email".into(), Value::Null), ("name".into(), text("Ada"))];
        assert_eq!(loaded_row_label(&no_email, &key), "Ada");
        let session = vec![("id".to_string(), text("s-1")), ("token".into(), text("secret"))];
        let key = vec![("id".to_string(), text("s-1"))];
        assert_eq!(loaded_row_label(&session, &key), "id=s-1");
    }
}
