//! A short human label for a row (its email, name or title), used to annotate foreign keys.

use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use super::schema::{ColumnInfo, DescribeTable, describe_table, quote_ident};

/// Columns that make a good label, best first.
const LABEL_COLUMNS: [&str; 6] = ["email", "name", "title", "username", "slug", "identifier"];

/// The best label among these column names (`email`, else `name`, ...), by position.
pub fn label_position<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<usize> {
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

/// Rows of `table` to pick from by their label: for choosing what a foreign key points at.
#[derive(Debug, Clone, PartialEq)]
pub struct FindByLabel {
    pub table: String,
    /// The referenced column (what the foreign key stores).
    pub key_column: String,
    /// Typed text: a label's start or any part of it, or a whole key.
    pub text: String,
    pub limit: usize,
}

/// A row found by [`find_by_label`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatch {
    pub key: Value,
    pub label: String,
}

/// Rows whose label starts with the text (read along the label's index when it has one), then
/// rows whose label contains it, then the row whose key is the text; at most `limit`, labels
/// in order. A table without a label column is searched by its key.
pub fn find_by_label(conn: &Connection, input: &FindByLabel) -> Result<Vec<LabelMatch>> {
    let info = describe_table(conn, &DescribeTable { name: &input.table })?;
    let label = label_column(&info.columns).map_or(input.key_column.clone(), |c| c.name.clone());
    let (table, key, label) = (quote_ident(&input.table), quote_ident(&input.key_column), quote_ident(&label));
    let limit = input.limit as i64;
    let escaped = input.text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let queries = [
        (
            format!(
                "SELECT {key}, {label} FROM {table} WHERE {label} >= ?1 AND {label} < ?1 || char(1114111) ORDER BY {label} LIMIT ?2"
            ),
            Value::Text(input.text.clone()),
        ),
        (
            format!("SELECT {key}, {label} FROM {table} WHERE {label} LIKE ?1 ESCAPE '\\' LIMIT ?2"),
            Value::Text(format!("%{escaped}%")),
        ),
        (format!("SELECT {key}, {label} FROM {table} WHERE {key} = ?1 LIMIT ?2"), Value::Text(input.text.clone())),
    ];
    let mut found: Vec<LabelMatch> = Vec::new();
    for (sql, value) in queries {
        if found.len() >= input.limit {
            break;
        }
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map(params![value, limit], |row| {
            let key: Value = row.get(0)?;
            let label: Value = row.get(1)?;
            Ok(LabelMatch { key, label: super::value::raw_text(&label) })
        })?;
        for row in rows {
            let row = row?;
            if found.len() < input.limit && !found.iter().any(|f| f.key == row.key) {
                found.push(row);
            }
        }
    }
    Ok(found)
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

    #[test]
    fn finds_rows_by_label_start_part_or_key() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE \"user\"(id TEXT PRIMARY KEY, name TEXT, email TEXT UNIQUE);
             INSERT INTO \"user\" VALUES ('u1', 'Ada', 'ada@x.dev'), ('u2', 'Bob', 'bob@ada.dev'), ('u3', 'Cy', 'c_y@z.dev')",
        )
        .unwrap();
        let find = |text: &str, limit| {
            let input = FindByLabel { table: "user".into(), key_column: "id".into(), text: text.into(), limit };
            find_by_label(&conn, &input).unwrap().into_iter().map(|m| m.label).collect::<Vec<_>>()
        };
        assert_eq!(find("ada", 10), ["ada@x.dev", "bob@ada.dev"], "starts with first, then contains");
        assert_eq!(find("ada", 1), ["ada@x.dev"]);
        assert_eq!(find("u3", 10), ["c_y@z.dev"], "a whole key finds its row");
        assert_eq!(find("_", 10), ["c_y@z.dev"], "LIKE wildcards match literally");
        assert_eq!(find("", 2).len(), 2);
        assert!(find("'; DROP TABLE user; --", 10).is_empty());
    }
}
