//! A short human label for a row (its email, name or title), used to annotate foreign keys.

use anyhow::Result;
use rusqlite::types::Value;

use super::backend::{Backend, Statement};
use super::schema::{ColumnInfo, quote_ident, text_at};

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
pub fn row_label<B: Backend + ?Sized>(db: &B, lookup: &LabelLookup) -> Result<Option<RowLabel>> {
    Ok(row_labels(db, std::slice::from_ref(lookup))?.into_iter().next().flatten())
}

/// Lookups bound per statement: D1 binds at most 100 parameters (a screen of rows fits in one).
const LOOKUPS_PER_QUERY: usize = 100;

/// [`row_label`] for many lookups (the foreign keys on screen), in order: two statements
/// whatever their number, one naming the label column of each table involved, one reading
/// every label.
pub fn row_labels<B: Backend + ?Sized>(db: &B, lookups: &[LabelLookup]) -> Result<Vec<Option<RowLabel>>> {
    let mut labels: Vec<Option<RowLabel>> = vec![None; lookups.len()];
    if lookups.is_empty() {
        return Ok(labels);
    }
    let mut tables: Vec<&str> = lookups.iter().map(|l| l.table.as_str()).collect();
    tables.sort_unstable();
    tables.dedup();
    let columns = label_columns(db, &tables)?;
    let label_of = |table: &str| columns.iter().find(|(t, _)| t == table).map(|(_, c)| c.as_str());
    let wanted: Vec<(usize, &LabelLookup, &str)> =
        lookups.iter().enumerate().filter_map(|(i, l)| Some((i, l, label_of(&l.table)?))).collect();
    for chunk in wanted.chunks(LOOKUPS_PER_QUERY) {
        let parts: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(n, (i, lookup, label))| {
                format!(
                    "SELECT * FROM (SELECT {i} AS i, {} FROM {} WHERE {} = ?{} LIMIT 1)",
                    quote_ident(label),
                    quote_ident(&lookup.table),
                    quote_ident(&lookup.column),
                    n + 1
                )
            })
            .collect();
        let params = chunk.iter().map(|(_, lookup, _)| lookup.value.clone()).collect();
        let found = db.query(&Statement::new(parts.join(" UNION ALL "), params))?;
        for row in &found.rows {
            let Some(i) = usize::try_from(super::schema::int_at(row, 0)).ok() else { continue };
            let Some(column) = lookups.get(i).and_then(|l| label_of(&l.table)) else { continue };
            let text = super::value::raw_text(row.get(1).unwrap_or(&Value::Null));
            labels[i] = Some(RowLabel { column: column.to_string(), text });
        }
    }
    Ok(labels)
}

/// The label column of each of `tables` that has one, read in one statement (column names only).
fn label_columns<B: Backend + ?Sized>(db: &B, tables: &[&str]) -> Result<Vec<(String, String)>> {
    let marks: Vec<String> = (1..=tables.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "SELECT m.name, x.name FROM pragma_table_list AS m JOIN pragma_table_xinfo(m.name) AS x \
         WHERE m.schema = 'main' AND m.name IN ({}) AND x.hidden <> 1 ORDER BY m.name, x.cid",
        marks.join(", ")
    );
    let params = tables.iter().map(|t| Value::Text(t.to_string())).collect();
    let rows = db.query(&Statement::new(sql, params))?;
    let mut found = Vec::new();
    for table in tables {
        let names: Vec<String> = rows.rows.iter().filter(|r| text_at(r, 0) == *table).map(|r| text_at(r, 1)).collect();
        if let Some(at) = label_position(names.iter().map(String::as_str)) {
            found.push((table.to_string(), names[at].clone()));
        }
    }
    Ok(found)
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
///
/// One statement for the schema and one for the rows: the three ways of matching run together,
/// and the scan for labels containing the text is skipped when labels starting with it already
/// fill the list (its gate is the outer table of a CROSS JOIN, which SQLite never reorders).
pub fn find_by_label<B: Backend + ?Sized>(db: &B, input: &FindByLabel) -> Result<Vec<LabelMatch>> {
    let columns = label_columns(db, &[input.table.as_str()])?;
    let label = columns.first().map_or(input.key_column.clone(), |(_, c)| c.clone());
    let (table, key, label) = (quote_ident(&input.table), quote_ident(&input.key_column), quote_ident(&label));
    let escaped = input.text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let starts = format!(
        "SELECT {key} AS k, {label} AS l FROM {table} WHERE {label} >= ?1 AND {label} < ?1 || char(1114111) ORDER BY {label} LIMIT ?2"
    );
    let sql = format!(
        "SELECT 0, * FROM ({starts}) \
         UNION ALL SELECT 1, * FROM (SELECT t.{key}, t.{label} \
           FROM (SELECT 1 WHERE (SELECT count(*) FROM ({starts})) < ?2) AS g CROSS JOIN {table} AS t \
           WHERE t.{label} LIKE ?3 ESCAPE '\\' LIMIT ?2) \
         UNION ALL SELECT 2, * FROM (SELECT {key}, {label} FROM {table} WHERE {key} = ?1 LIMIT ?2)"
    );
    let params =
        vec![Value::Text(input.text.clone()), Value::Integer(input.limit as i64), Value::Text(format!("%{escaped}%"))];
    let mut rows = db.query(&Statement::new(sql, params))?.rows;
    // SQLite returns the parts of a UNION ALL in order; the stable sort keeps that order within
    // each part should a backend not.
    rows.sort_by_key(|row| super::schema::int_at(row, 0));
    let mut found: Vec<LabelMatch> = Vec::new();
    for row in rows {
        let key = row.get(1).cloned().unwrap_or(Value::Null);
        if found.len() < input.limit && !found.iter().any(|f| f.key == key) {
            let label = super::value::raw_text(row.get(2).unwrap_or(&Value::Null));
            found.push(LabelMatch { key, label });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_a_user_by_email() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
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
        let conn = rusqlite::Connection::open_in_memory().unwrap();
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
