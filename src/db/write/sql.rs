//! SQL text with its values kept apart, so the same statement can be bound for running
//! (`?1`, `?2`, ...) or written out with its values for the preview: what the confirm screen
//! shows and what runs come from one value, byte for byte.

use rusqlite::types::Value;

use super::literal;
use crate::db::backend::Statement;
use crate::db::change::REDACTED;
use crate::db::schema::quote_ident;

/// SQL text with its values kept apart, so it can be bound (`?1`, `?2`, ...) or previewed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sql {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    /// A bound value, and whether it is a secret (a password hash, a token) to redact in previews.
    Param(Value, bool),
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
        self.parts.push(Part::Param(value, false));
    }

    /// A bound value that previews show as `[redacted]` (NULL stays visible: it hides nothing).
    pub fn secret_param(&mut self, value: Value) {
        let secret = !matches!(value, Value::Null);
        self.parts.push(Part::Param(value, secret));
    }

    /// `"col" = ?`, or `"col" IS ?` for NULL, which `=` never matches.
    pub fn key_term(&mut self, column: &str, value: &Value) {
        self.ident(column);
        self.text(if matches!(value, Value::Null) { " IS " } else { " = " });
        self.param(value.clone());
    }

    /// `WHERE key AND "col" IS ? ...`: `IS` compares NULLs as equal, so a NULL that is still NULL passes.
    pub fn where_clause(&mut self, key: &[(String, Value)], checks: &[(String, Value)]) {
        self.where_clause_redacting(key, checks, &|_| false);
    }

    /// [`Sql::where_clause`], with the checked values of `secret` columns redacted in previews.
    pub fn where_clause_redacting(
        &mut self,
        key: &[(String, Value)],
        checks: &[(String, Value)],
        secret: &dyn Fn(&str) -> bool,
    ) {
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
            if secret(column) {
                self.secret_param(value.clone());
            } else {
                self.param(value.clone());
            }
        }
    }

    /// The statement with numbered placeholders, and the values to bind to them.
    pub fn bound(&self) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut params = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => sql.push_str(text),
                Part::Param(value, _) => {
                    params.push(value.clone());
                    sql.push_str(&format!("?{}", params.len()));
                }
            }
        }
        (sql, params)
    }

    /// The statement as the backend receives it.
    pub fn statement(&self) -> Statement {
        let (sql, params) = self.bound();
        Statement::new(sql, params)
    }

    /// The statement with each value written in place, its placeholder in a comment.
    pub fn preview(&self) -> String {
        let mut sql = String::new();
        let mut number = 0;
        for part in &self.parts {
            match part {
                Part::Text(text) => sql.push_str(text),
                Part::Param(value, secret) => {
                    number += 1;
                    sql.push_str(&format!("{} /* ?{number} */", shown(value, *secret)));
                }
            }
        }
        sql
    }

    /// The statement with each value written in place as a literal, without the placeholder
    /// comments of [`Sql::preview`] (a migration's tracker row as the confirmation lists it).
    pub fn inline(&self) -> String {
        let mut sql = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => sql.push_str(text),
                Part::Param(value, secret) => sql.push_str(&shown(value, *secret)),
            }
        }
        sql
    }

    /// The bound SQL (`?N` placeholders) and each value as shown to people, secrets redacted.
    pub fn listing(&self) -> (String, Vec<String>) {
        let (sql, _) = self.bound();
        let shown = self
            .parts
            .iter()
            .filter_map(|part| match part {
                Part::Param(value, secret) => Some(shown(value, *secret)),
                Part::Text(_) => None,
            })
            .collect();
        (sql, shown)
    }
}

fn shown(value: &Value, secret: bool) -> String {
    if secret { REDACTED.to_string() } else { literal(value) }
}
