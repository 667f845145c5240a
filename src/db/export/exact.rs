//! Reading values exactly through a remote's JSON, so a remote export writes the bytes a local
//! one does.
//!
//! D1 answers in JSON, where every number is a double: an integer past 2^53 arrives rounded,
//! and a REAL holding a whole number (`1.0`) arrives as `1`, read back as an integer (CSV would
//! print `1` where sqlite3 prints `1.0`). So each column is read as an expression that keeps
//! what JSON would lose (integers as their decimal text, infinite REALs as `Inf`), and one more
//! column per row holds every cell's storage type, one letter each (`typeof`'s first letter:
//! `i`nteger, `r`eal, `t`ext, `b`lob, `n`ull), from which the values are put back as stored.

use anyhow::{Context, Result, bail};
use rusqlite::types::Value;

use crate::db::schema::quote_ident;

/// The expressions that read `columns` exactly: the row's type letters, then one per column.
pub fn exact_select(columns: &[String]) -> Vec<String> {
    let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let tag = if quoted.is_empty() {
        "''".to_string()
    } else {
        quoted.iter().map(|q| format!("substr(typeof({q}), 1, 1)")).collect::<Vec<_>>().join(" || ")
    };
    // `1e999` is SQLite's infinity: every finite REAL is below it.
    std::iter::once(tag)
        .chain(quoted.iter().map(|q| {
            format!(
                "CASE typeof({q}) WHEN 'integer' THEN CAST({q} AS TEXT) \
                 WHEN 'real' THEN CASE WHEN abs({q}) < 1e999 THEN {q} ELSE CAST({q} AS TEXT) END \
                 ELSE {q} END"
            )
        }))
        .collect()
}

/// One row read through [`exact_select`], back to the values as stored.
pub fn decode_exact(mut values: Vec<Value>) -> Result<Vec<Value>> {
    if values.is_empty() {
        bail!("a row without its type letters");
    }
    let tag = match values.remove(0) {
        Value::Text(tag) => tag,
        other => bail!("a row's type letters arrived as {other:?}"),
    };
    if tag.len() != values.len() {
        bail!("a row of {} values arrived with {} type letters ({tag:?})", values.len(), tag.len());
    }
    tag.bytes().zip(values).map(|(kind, value)| decode_cell(kind, value)).collect()
}

fn decode_cell(kind: u8, value: Value) -> Result<Value> {
    Ok(match (kind, value) {
        (b'n', _) => Value::Null,
        (b'i', Value::Text(text)) => {
            Value::Integer(text.parse().with_context(|| format!("an integer arrived as {text:?}"))?)
        }
        // A whole REAL arrives as a JSON integer: its digits are the double's exact value.
        (b'r', Value::Integer(i)) => Value::Real(i as f64),
        (b'r', Value::Text(text)) => Value::Real(match text.as_str() {
            "Inf" | "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse().with_context(|| format!("a REAL arrived as {other:?}"))?,
        }),
        (_, value) => value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_letters_put_back_what_json_loses() {
        let row = vec![
            Value::Text("irrtbn".into()),
            Value::Text("9007199254740993".into()),
            Value::Integer(1),
            Value::Text("-Inf".into()),
            Value::Text("42".into()),
            Value::Blob(vec![0, 255]),
            Value::Null,
        ];
        assert_eq!(
            decode_exact(row).unwrap(),
            vec![
                Value::Integer(9_007_199_254_740_993),
                Value::Real(1.0),
                Value::Real(f64::NEG_INFINITY),
                Value::Text("42".into()),
                Value::Blob(vec![0, 255]),
                Value::Null,
            ]
        );
        assert!(decode_exact(vec![Value::Text("ii".into()), Value::Text("1".into())]).is_err());
        assert!(decode_exact(vec![Value::Text("i".into()), Value::Text("x".into())]).is_err());
    }

    #[test]
    fn the_select_reads_each_storage_class_through_sqlite() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (v); INSERT INTO t VALUES (9223372036854775807), (1.0), (1e999), ('x'), (x'00'), (NULL);",
        )
        .unwrap();
        let sql = format!("SELECT {} FROM t ORDER BY rowid", exact_select(&["v".to_string()]).join(", "));
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows: Vec<Vec<Value>> = stmt
            .query_map([], |row| Ok(vec![row.get(0)?, row.get(1)?]))
            .unwrap()
            .map(|row| decode_exact(row.unwrap()).unwrap())
            .collect();
        assert_eq!(
            rows,
            vec![
                vec![Value::Integer(i64::MAX)],
                vec![Value::Real(1.0)],
                vec![Value::Real(f64::INFINITY)],
                vec![Value::Text("x".into())],
                vec![Value::Blob(vec![0])],
                vec![Value::Null],
            ]
        );
    }
}
