//! A small stand-in for the D1 REST API, inside `cargo test`: `POST …/raw` and `…/query`
//! (`{sql, params}` or `{batch}`, all statements of a request in one transaction, as D1 runs
//! them) and `GET …/time_travel/bookmark` (a counter of write requests), over a local SQLite
//! file. Far less faithful than `scripts/d1-server` (workerd's own engine, checked against
//! wrangler); it lets the CLI's remote paths run without node. One request at a time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};
use serde_json::{Value as Json, json};

/// A running stub: its API base URL and the requests it answered (`METHOD last-path-part`).
pub struct D1Stub {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl D1Stub {
    /// Serves the SQLite file at `db` until the test process ends.
    pub fn start(db: &Path) -> D1Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/client/v4", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let conn = Connection::open(db).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        std::thread::spawn(move || {
            let mut writes = 0u64;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((method, path, body)) = read_request(&mut stream) else { continue };
                let last = path.rsplit('/').next().unwrap_or_default().to_string();
                seen.lock().unwrap().push(format!("{method} {last}"));
                let (status, answer) = if last == "bookmark" {
                    (200, envelope(json!({ "bookmark": format!("00000000-{writes:08x}-00004c6d-stub") })))
                } else {
                    let (status, answer, wrote) = run(&conn, &body, last == "raw");
                    writes += u64::from(wrote);
                    (status, answer)
                };
                let text = answer.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        D1Stub { base, requests }
    }

    /// The requests answered so far.
    pub fn seen(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<(String, String, String)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next()?.to_string();
    let path = words.next()?.split('?').next()?.to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, path, String::from_utf8(body).ok()?))
}

fn envelope(result: Json) -> Json {
    json!({ "success": true, "errors": [], "messages": [], "result": result })
}

fn bind(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => n.as_i64().map_or_else(|| Value::Real(n.as_f64().unwrap()), Value::Integer),
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(bytes) => Value::Blob(bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect()),
        Json::Object(_) => Value::Text(json.to_string()),
    }
}

fn cell(value: ValueRef) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!(f),
        ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => json!(b),
    }
}

/// Runs a request's statements in one transaction; returns the HTTP status, the answer and
/// whether it changed the database.
fn run(conn: &Connection, body: &str, raw: bool) -> (u16, Json, bool) {
    let body: Json = serde_json::from_str(body).unwrap();
    let statements: Vec<Json> = match body.get("batch") {
        Some(Json::Array(batch)) => batch.clone(),
        _ => vec![body],
    };
    let before = conn.total_changes();
    conn.execute_batch("BEGIN").unwrap();
    let mut results = Vec::new();
    for statement in &statements {
        match run_one(conn, statement, raw) {
            Ok(result) => results.push(result),
            Err(message) => {
                conn.execute_batch("ROLLBACK").unwrap();
                let error = json!({ "success": false, "errors": [{ "code": 7500, "message": message }], "messages": [], "result": null });
                return (400, error, false);
            }
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    (200, envelope(Json::Array(results)), conn.total_changes() != before)
}

fn run_one(conn: &Connection, statement: &Json, raw: bool) -> Result<Json, String> {
    let sql = statement["sql"].as_str().unwrap_or_default();
    let params: Vec<Value> = statement["params"].as_array().map(|p| p.iter().map(bind).collect()).unwrap_or_default();
    let fail = |err: rusqlite::Error| format!("{err}: SQLITE_ERROR");
    let mut prepared = conn.prepare(sql).map_err(fail)?;
    let columns: Vec<String> = prepared.column_names().into_iter().map(str::to_string).collect();
    // A read reports no changes (SQLite's changes() would still hold the last write's).
    let reads = prepared.readonly();
    let mut rows = prepared.query(rusqlite::params_from_iter(params)).map_err(fail)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(fail)? {
        let cells: Vec<Json> = (0..columns.len()).map(|i| cell(row.get_ref(i).unwrap())).collect();
        out.push(cells);
    }
    drop(rows);
    let results = if raw {
        json!({ "columns": columns, "rows": out })
    } else {
        Json::Array(out.into_iter().map(|cells| Json::Object(columns.iter().cloned().zip(cells).collect())).collect())
    };
    let meta = json!({ "changes": if reads { 0 } else { conn.changes() }, "last_row_id": conn.last_insert_rowid(), "rows_read": 0, "rows_written": 0, "duration": 0.1 });
    Ok(json!({ "success": true, "results": results, "meta": meta }))
}
