//! Values written as SQL literals, for previews and messages (never for SQL that runs: values
//! are always bound). A leaf, so errors and previews can both use it.

use rusqlite::types::Value;

/// A value as an SQL literal, for previews and messages: `'O''Brien'`, `42`, `1.5`, `NULL`, `X'00ff'`.
pub fn sql_literal(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(n) => n.to_string(),
        // SQLite stores NaN as NULL and reads 9e999 as infinity.
        Value::Real(f) if f.is_nan() => "NULL".into(),
        Value::Real(f) if f.is_infinite() => if *f > 0.0 { "9e999" } else { "-9e999" }.into(),
        // Debug keeps a `.0` on whole numbers, so the literal stays a REAL.
        Value::Real(f) => format!("{f:?}"),
        Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
        Value::Blob(bytes) => format!("X'{}'", hex::encode(bytes)),
    }
}

/// `id = 'u1'` or `a = 1, b = 2`: a row key for messages.
pub fn describe_key(key: &[(String, Value)]) -> String {
    key.iter().map(|(column, value)| format!("{column} = {}", sql_literal(value))).collect::<Vec<_>>().join(", ")
}
