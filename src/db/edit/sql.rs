//! SQL text with its values kept apart, so the same statement can be bound for running
//! (`?1`, `?2`, ...) or written out with its values for the preview.

use rusqlite::types::Value;

use super::values::sql_literal;
use crate::db::schema::quote_ident;

/// SQL text with its values kept apart, so it can be bound (`?1`, `?2`, ...) or previewed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Sql {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Param(Value),
}

impl Sql {
    pub fn text(&mut self, text: &str) {
        match self.parts.last_mut() {
            Some(Part::Text(last)) => last.push_str(text),
            _ => self.parts.push(Part::Text(text.to_string())),
        }
    }

    pub fn ident(&mut self, name: &str) {
        self.text(&quote_ident(name));
    }

    pub fn param(&mut self, value: Value) {
        self.parts.push(Part::Param(value));
    }

    /// `"col" = ?`, or `"col" IS ?` for NULL, which `=` never matches.
    pub fn key_term(&mut self, column: &str, value: &Value) {
        self.ident(column);
        self.text(if matches!(value, Value::Null) { " IS " } else { " = " });
        self.param(value.clone());
    }

    /// `WHERE key AND "col" IS ? ...`: `IS` compares NULLs as equal, so a NULL that is still NULL passes.
    pub fn where_clause(&mut self, key: &[(String, Value)], checks: &[(String, Value)]) {
        self.text(" WHERE ");
        for (i, (column, value)) in key.iter().enumerate() {
            if i > 0 {
                self.text(" AND ");
            }
            self.key_term(column, value);
        }
        for (column, value) in checks {
            self.text(" AND ");
            self.ident(column);
            self.text(" IS ");
            self.param(value.clone());
        }
    }

    /// The statement with numbered placeholders, and the values to bind to them.
    pub fn bound(&self) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut params = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => sql.push_str(text),
                Part::Param(value) => {
                    params.push(value.clone());
                    sql.push_str(&format!("?{}", params.len()));
                }
            }
        }
        (sql, params)
    }

    /// The statement with each value written in place, its placeholder in a comment.
    pub fn preview(&self) -> String {
        let mut sql = String::new();
        let mut number = 0;
        for part in &self.parts {
            match part {
                Part::Text(text) => sql.push_str(text),
                Part::Param(value) => {
                    number += 1;
                    sql.push_str(&format!("{} /* ?{number} */", sql_literal(value)));
                }
            }
        }
        sql
    }
}
