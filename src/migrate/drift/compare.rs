//! Comparing the live schema with the expected one. SQLite's and drizzle's spellings of the same
//! thing count as equal: types by SQLite's affinity rules, defaults token by token (case,
//! spacing, wrapping parentheses, `false`/`0`), foreign-key actions by case.

use serde::Serialize;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::model::{ColumnModel, ForeignKeyModel, IndexModel, SchemaModel, TableModel};

/// How the live schema differs from the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    /// The migrations have it, the database does not.
    Missing,
    /// The database has it, the migrations do not.
    Extra,
    /// Both have it, with different definitions.
    Different,
}

/// What kind of schema object differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    Column,
    Index,
    ForeignKey,
}

/// One difference, named so a person and a script can both act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub kind: DiffKind,
    pub object: ObjectKind,
    pub table: String,
    /// The column or index name, or the foreign key as `(cols) → parent(cols)`; `None` for tables.
    pub name: Option<String>,
    /// What differs, e.g. `type integer, expected text`; empty for missing and extra objects.
    pub detail: String,
}

impl Difference {
    /// `column user.nickname: extra (not in the migrations)`.
    pub fn describe(&self) -> String {
        let object = match self.object {
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Index => "index",
            ObjectKind::ForeignKey => "foreign key",
        };
        let what = match (&self.name, self.object) {
            (Some(name), ObjectKind::ForeignKey) => format!("{object} {} {name}", self.table),
            (Some(name), _) => format!("{object} {}.{name}", self.table),
            (None, _) => format!("{object} {}", self.table),
        };
        let how = match self.kind {
            DiffKind::Missing => "missing (the migrations create it, the database lacks it)".to_string(),
            DiffKind::Extra => "extra (the database has it, the migrations do not)".to_string(),
            DiffKind::Different => self.detail.clone(),
        };
        format!("{what}: {how}")
    }
}

/// Every difference between `expected` and `live`, tables in name order.
pub fn compare_schemas(expected: &SchemaModel, live: &SchemaModel) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut names: Vec<&str> = expected.tables.iter().chain(&live.tables).map(|t| t.name.as_str()).collect::<Vec<_>>();
    names.sort_by_key(|name| name.to_ascii_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    for name in names {
        let diff = |kind| Difference {
            kind,
            object: ObjectKind::Table,
            table: name.to_string(),
            name: None,
            detail: String::new(),
        };
        match (expected.table(name), live.table(name)) {
            (Some(want), Some(have)) => compare_tables(want, have, &mut out),
            (Some(_), None) => out.push(diff(DiffKind::Missing)),
            (None, Some(_)) => out.push(diff(DiffKind::Extra)),
            (None, None) => {}
        }
    }
    out
}

fn compare_tables(want: &TableModel, have: &TableModel, out: &mut Vec<Difference>) {
    let table = &have.name;
    let push = |out: &mut Vec<Difference>, kind, object, name: String, detail: String| {
        out.push(Difference { kind, object, table: table.clone(), name: Some(name), detail });
    };
    for column in &want.columns {
        match have.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&column.name)) {
            Some(found) => {
                let details = column_differences(column, found);
                if !details.is_empty() {
                    push(out, DiffKind::Different, ObjectKind::Column, column.name.clone(), details.join("; "));
                }
            }
            None => push(out, DiffKind::Missing, ObjectKind::Column, column.name.clone(), String::new()),
        }
    }
    for column in have.columns.iter().filter(|c| !want.columns.iter().any(|w| w.name.eq_ignore_ascii_case(&c.name))) {
        push(out, DiffKind::Extra, ObjectKind::Column, column.name.clone(), String::new());
    }

    for index in &want.indexes {
        match find_index(&have.indexes, index) {
            Some(found) if !same_columns(&index.columns, &found.columns) || index.unique != found.unique => {
                let detail = format!("{}, expected {}", describe_index(found), describe_index(index));
                push(out, DiffKind::Different, ObjectKind::Index, index.name.clone(), detail);
            }
            Some(_) => {}
            None => push(out, DiffKind::Missing, ObjectKind::Index, index.name.clone(), describe_index(index)),
        }
    }
    for index in have.indexes.iter().filter(|i| find_index(&want.indexes, i).is_none()) {
        push(out, DiffKind::Extra, ObjectKind::Index, index.name.clone(), describe_index(index));
    }

    for fk in &want.foreign_keys {
        match have.foreign_keys.iter().find(|h| same_reference(fk, h)) {
            Some(found) if !same_actions(fk, found) => {
                let detail = format!(
                    "on delete {} / on update {}, expected on delete {} / on update {}",
                    found.on_delete, found.on_update, fk.on_delete, fk.on_update
                );
                push(out, DiffKind::Different, ObjectKind::ForeignKey, fk.describe(), detail);
            }
            Some(_) => {}
            None => push(out, DiffKind::Missing, ObjectKind::ForeignKey, fk.describe(), String::new()),
        }
    }
    for fk in have.foreign_keys.iter().filter(|h| !want.foreign_keys.iter().any(|w| same_reference(w, h))) {
        push(out, DiffKind::Extra, ObjectKind::ForeignKey, fk.describe(), String::new());
    }
}

/// What differs between two definitions of one column, one phrase each.
fn column_differences(want: &ColumnModel, have: &ColumnModel) -> Vec<String> {
    let mut details = Vec::new();
    if affinity(&want.declared_type) != affinity(&have.declared_type) {
        details.push(format!("type {}, expected {}", shown(&have.declared_type), shown(&want.declared_type)));
    }
    if want.not_null != have.not_null {
        let spell = |not_null: bool| if not_null { "NOT NULL" } else { "nullable" };
        details.push(format!("{}, expected {}", spell(have.not_null), spell(want.not_null)));
    }
    let (want_default, have_default) =
        (want.default.as_deref().map(normalize_sql), have.default.as_deref().map(normalize_sql));
    if want_default != have_default {
        let spell =
            |d: &Option<String>| d.as_deref().map_or_else(|| "no default".to_string(), |d| format!("default {d}"));
        details.push(format!("{}, expected {}", spell(&have.default), spell(&want.default)));
    }
    if want.primary_key != have.primary_key {
        let spell = |pk: bool| if pk { "primary key" } else { "not in the primary key" };
        details.push(format!("{}, expected {}", spell(have.primary_key), spell(want.primary_key)));
    }
    details
}

fn shown(declared: &str) -> &str {
    if declared.is_empty() { "(none)" } else { declared }
}

/// SQLite's column affinity for a declared type (section 3.1 of "Datatypes In SQLite").
pub fn affinity(declared: &str) -> &'static str {
    let upper = declared.to_ascii_uppercase();
    if upper.contains("INT") {
        "INTEGER"
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|s| upper.contains(s)) {
        "TEXT"
    } else if upper.contains("BLOB") || upper.trim().is_empty() {
        "BLOB"
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|s| upper.contains(s)) {
        "REAL"
    } else {
        "NUMERIC"
    }
}

/// A default expression reduced to its tokens: keywords and names lower-cased, spacing and
/// parentheses around the whole dropped, `true`/`false` as SQLite stores them (1/0). String
/// literals are kept exactly.
pub fn normalize_sql(sql: &str) -> String {
    let Ok(tokens) = Tokenizer::new(&SQLiteDialect {}, sql).tokenize() else {
        return sql.trim().to_string();
    };
    let mut words: Vec<String> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .map(|t| match t {
            Token::Word(word) => match word.value.to_ascii_lowercase().as_str() {
                "true" => "1".to_string(),
                "false" => "0".to_string(),
                other => other.to_string(),
            },
            other => other.to_string(),
        })
        .collect();
    while words.len() >= 2 && words[0] == "(" && words[words.len() - 1] == ")" && wraps_whole(&words) {
        words.remove(0);
        words.pop();
    }
    words.join(" ")
}

/// Whether the opening parenthesis at 0 closes at the very end.
fn wraps_whole(words: &[String]) -> bool {
    let mut depth = 0usize;
    for (i, word) in words.iter().enumerate() {
        match word.as_str() {
            "(" => depth += 1,
            ")" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == words.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Indexes match by name; a `UNIQUE` table constraint (whose name SQLite makes up) by columns.
fn find_index<'a>(list: &'a [IndexModel], index: &IndexModel) -> Option<&'a IndexModel> {
    if index.constraint {
        return list.iter().find(|i| i.unique && same_columns(&i.columns, &index.columns));
    }
    list.iter().find(|i| i.name.eq_ignore_ascii_case(&index.name))
}

fn describe_index(index: &IndexModel) -> String {
    format!("{}on ({})", if index.unique { "unique " } else { "" }, index.columns.join(", "))
}

fn same_columns(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn same_reference(a: &ForeignKeyModel, b: &ForeignKeyModel) -> bool {
    same_columns(&a.columns, &b.columns)
        && a.parent.eq_ignore_ascii_case(&b.parent)
        && same_columns(&a.parent_columns, &b.parent_columns)
}

fn same_actions(a: &ForeignKeyModel, b: &ForeignKeyModel) -> bool {
    a.on_delete.eq_ignore_ascii_case(&b.on_delete) && a.on_update.eq_ignore_ascii_case(&b.on_update)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_the_same_default_are_equal() {
        let drizzle = "(cast(unixepoch('subsecond') * 1000 as integer))";
        assert_eq!(normalize_sql(drizzle), normalize_sql("CAST( unixepoch('subsecond')*1000 AS INTEGER )"));
        assert_eq!(normalize_sql("false"), normalize_sql("0"));
        assert_eq!(normalize_sql("('user')"), normalize_sql("'user'"));
        assert_ne!(normalize_sql("'User'"), normalize_sql("'user'"));
        assert_ne!(normalize_sql("(1) + (2)"), normalize_sql("1) + (2"));
    }

    #[test]
    fn types_compare_by_affinity() {
        assert_eq!(affinity("integer"), affinity("INT"));
        assert_eq!(affinity("text"), affinity("VARCHAR(20)"));
        assert_ne!(affinity("text"), affinity("integer"));
        assert_eq!(affinity(""), "BLOB");
        assert_eq!(affinity("numeric"), "NUMERIC");
    }
}
