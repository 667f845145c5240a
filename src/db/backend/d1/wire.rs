//! What travels over the wire to and from D1's REST API: request bodies, the Cloudflare envelope
//! `{success, errors, messages, result}`, and values as JSON. Pure functions, tested without a
//! server.
//!
//! Numbers: D1 answers JSON, and its engine turns every number into a double before it does, so
//! an integer past 2^53 arrives already rounded (9007199254740993 reads as 9007199254740992).
//! What arrives is read exactly: an integer literal that fits `i64` becomes `Value::Integer`
//! with the very digits sent (serde_json parses integers without going through a double); one
//! past `i64` (D1 writes 2^63 as `9223372036854776000`) becomes `Value::Real`. A REAL column
//! holding a whole number (`1.0`) arrives as `1` and reads as an integer. To read a big integer
//! exactly, select it as text (`CAST(col AS TEXT)`). Going the other way, an integer parameter
//! past 2^53 is sent as a JSON string, which SQLite's column affinity stores and compares as the
//! exact integer (or `CAST(? AS INTEGER)` makes it one anywhere else).

use anyhow::{Result, anyhow};
use rusqlite::types::Value;
use serde_json::{Map, Value as Json};

use crate::db::backend::{Cost, Statement};

/// The largest integer a double holds exactly: past it, D1 rounds.
pub const EXACT_JSON_INTEGER: i64 = 1 << 53;

/// One statement as D1 wants it: `{"sql": ..., "params": [...]}`.
pub fn statement_json(statement: &Statement) -> Json {
    let mut object = Map::new();
    object.insert("sql".into(), Json::String(statement.sql.clone()));
    object.insert("params".into(), Json::Array(statement.params.iter().map(param_json).collect()));
    Json::Object(object)
}

/// Several statements run atomically in one request: `{"batch": [...]}`.
pub fn batch_json(statements: &[Statement]) -> Json {
    let mut object = Map::new();
    object.insert("batch".into(), Json::Array(statements.iter().map(statement_json).collect()));
    Json::Object(object)
}

/// A bound value as JSON: big integers as text (a double would round them), BLOBs as arrays of
/// byte values (what D1 takes and gives back), non-finite reals as NULL (JSON has no NaN).
pub fn param_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Integer(i) if i.unsigned_abs() > EXACT_JSON_INTEGER as u64 => Json::String(i.to_string()),
        Value::Integer(i) => Json::from(*i),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Text(text) => Json::String(text.clone()),
        Value::Blob(bytes) => Json::Array(bytes.iter().map(|b| Json::from(*b)).collect()),
    }
}

/// A result value from JSON (see the module's note on numbers).
pub fn value_of_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(items) => match items.iter().map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok())).collect() {
            Some(bytes) => Value::Blob(bytes),
            None => Value::Text(json.to_string()),
        },
        Json::Object(_) => Value::Text(json.to_string()),
    }
}

/// An error object of the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: u64,
    pub message: String,
}

/// The envelope, split into what went right and what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub success: bool,
    pub errors: Vec<ApiError>,
    pub result: Json,
}

/// Reads the envelope of a reply body. A body that is not one (a proxy's HTML page) is an error
/// that quotes its start.
pub fn parse_envelope(body: &str) -> Result<Envelope> {
    let json: Json =
        serde_json::from_str(body).map_err(|_| anyhow!("not a Cloudflare API answer: {}", snippet(body)))?;
    let Some(object) = json.as_object() else {
        return Err(anyhow!("not a Cloudflare API answer: {}", snippet(body)));
    };
    let errors = object
        .get("errors")
        .and_then(Json::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| ApiError {
                    code: e.get("code").and_then(Json::as_u64).unwrap_or(0),
                    message: e.get("message").and_then(Json::as_str).unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Envelope {
        success: object.get("success").and_then(Json::as_bool).unwrap_or(false),
        errors,
        result: object.get("result").cloned().unwrap_or(Json::Null),
    })
}

/// The first 200 characters of a body, for messages.
fn snippet(body: &str) -> String {
    let cut: String = body.chars().take(200).collect();
    if cut.len() < body.len() { format!("{cut}…") } else { cut }
}

/// What one statement of a request gave back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub changes: u64,
    pub last_row_id: i64,
    pub cost: Cost,
}

/// The per-statement results of a `/raw` or `/query` answer (`result` is an array with one entry
/// per statement). `/raw` gives `results: {columns, rows}`; `/query` gives row objects.
pub fn statement_results(result: &Json) -> Result<Vec<StatementResult>> {
    let items = result.as_array().ok_or_else(|| anyhow!("D1 answered without per-statement results"))?;
    items.iter().map(statement_result).collect()
}

fn statement_result(item: &Json) -> Result<StatementResult> {
    let meta = item.get("meta").cloned().unwrap_or(Json::Null);
    let num = |key: &str| meta.get(key).and_then(Json::as_u64);
    let cost = Cost {
        rows_read: num("rows_read"),
        rows_written: num("rows_written"),
        duration_ms: meta.get("duration").and_then(Json::as_f64),
    };
    let mut out = StatementResult {
        changes: num("changes").unwrap_or(0),
        last_row_id: meta.get("last_row_id").and_then(Json::as_i64).unwrap_or(0),
        cost,
        ..Default::default()
    };
    match item.get("results") {
        Some(Json::Object(raw)) => {
            out.columns = raw
                .get("columns")
                .and_then(Json::as_array)
                .map(|c| c.iter().map(|c| c.as_str().unwrap_or("").to_string()).collect())
                .unwrap_or_default();
            if let Some(rows) = raw.get("rows").and_then(Json::as_array) {
                for row in rows {
                    let row = row.as_array().ok_or_else(|| anyhow!("D1 answered a row that is not an array"))?;
                    out.rows.push(row.iter().map(value_of_json).collect());
                }
            }
        }
        Some(Json::Array(objects)) => {
            // `/query` rows are objects; their keys are the columns (serde_json keeps no order
            // here, so this shape is only used where columns are looked up by name).
            if let Some(Json::Object(first)) = objects.first() {
                out.columns = first.keys().cloned().collect();
            }
            for object in objects {
                out.rows
                    .push(out.columns.iter().map(|c| value_of_json(object.get(c).unwrap_or(&Json::Null))).collect());
            }
        }
        _ => {}
    }
    Ok(out)
}

/// The sum of several statements' costs (absent numbers count as absent, not zero).
pub fn add_cost(total: Cost, more: Cost) -> Cost {
    let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    };
    Cost {
        rows_read: add(total.rows_read, more.rows_read),
        rows_written: add(total.rows_written, more.rows_written),
        duration_ms: match (total.duration_ms, more.duration_ms) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        },
    }
}
