use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use serde_json::json;

use super::*;
use crate::db::backend::{Expect, GuardFailed};

const TOKEN: &str = "s3cr3t-token-value";

/// One request as the transport saw it: method, URL, body.
type Sent = (Method, String, Option<String>);

/// A transport that answers from a script and records what was sent.
#[derive(Default, Clone)]
struct Script {
    replies: Arc<Mutex<Vec<Result<Reply, Failure>>>>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl Script {
    fn new(replies: Vec<Result<Reply, Failure>>) -> Self {
        Script { replies: Arc::new(Mutex::new(replies)), sent: Default::default() }
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }
}

impl Transport for Script {
    fn send(&self, method: Method, url: &str, token: &str, body: Option<&str>) -> Result<Reply, Failure> {
        assert_eq!(token, TOKEN);
        self.sent.lock().unwrap().push((method, url.to_string(), body.map(str::to_string)));
        let mut replies = self.replies.lock().unwrap();
        assert!(!replies.is_empty(), "more requests than scripted: {url}");
        replies.remove(0)
    }
}

fn ok(status: u16, body: serde_json::Value) -> Result<Reply, Failure> {
    Ok(Reply { status, retry_after: None, body: body.to_string() })
}

fn envelope(result: serde_json::Value) -> Result<Reply, Failure> {
    ok(200, json!({"success": true, "errors": [], "messages": [], "result": result}))
}

fn failed(status: u16, code: u64, message: &str) -> Result<Reply, Failure> {
    ok(
        status,
        json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null}),
    )
}

fn raw(columns: serde_json::Value, rows: serde_json::Value, meta: serde_json::Value) -> serde_json::Value {
    json!({"success": true, "results": {"columns": columns, "rows": rows}, "meta": meta})
}

fn settings(read_only: bool) -> D1Settings {
    D1Settings {
        api_base: "https://api.example.test/client/v4/".into(),
        account_id: "acc".into(),
        database_id: "db-id".into(),
        name: Some("app-db".into()),
        token: ApiToken::new(TOKEN),
        read_only,
    }
}

fn backend(script: &Script, read_only: bool) -> D1Backend {
    D1Backend::with_transport(settings(read_only), Box::new(script.clone())).without_waiting()
}

#[test]
fn query_posts_to_raw_and_reads_rows_blobs_and_cost() {
    let script = Script::new(vec![envelope(json!([raw(
        json!(["id", "b", "r", "t", "n"]),
        json!([[1, [0, 1, 255], 1.5, "x", null]]),
        json!({"rows_read": 7, "rows_written": 0, "duration": 0.25, "changes": 0, "last_row_id": 0})
    )]))]);
    let db = backend(&script, true);
    let rows = db.query(&Statement::new("SELECT * FROM t WHERE id = ?1", vec![Value::Integer(1)])).unwrap();
    assert_eq!(rows.columns, ["id", "b", "r", "t", "n"]);
    assert_eq!(
        rows.rows,
        vec![vec![
            Value::Integer(1),
            Value::Blob(vec![0, 1, 255]),
            Value::Real(1.5),
            Value::Text("x".into()),
            Value::Null
        ]]
    );
    assert_eq!(rows.cost.rows_read, Some(7));
    let sent = script.sent();
    assert_eq!(sent[0].0, Method::Post);
    assert_eq!(sent[0].1, "https://api.example.test/client/v4/accounts/acc/d1/database/db-id/raw");
    let body: serde_json::Value = serde_json::from_str(sent[0].2.as_deref().unwrap()).unwrap();
    assert_eq!(body, json!({"sql": "SELECT * FROM t WHERE id = ?1", "params": [1]}));
    let cost = db.session_cost();
    assert_eq!((cost.requests, cost.total.rows_read, cost.last.rows_read), (1, Some(7), Some(7)));
}

#[test]
fn big_integers_are_read_as_sent_and_bound_as_text() {
    // D1 sends 2^53 + 1 already rounded; what it sends is read digit for digit, and past i64 it
    // is a real (2^63 as JavaScript prints it).
    let reply = r#"{"success":true,"errors":[],"result":[{"results":{"columns":["a","b","c"],"rows":[[9007199254740992,-9007199254740993,9223372036854776000]]},"meta":{}}]}"#;
    let script = Script::new(vec![Ok(Reply { status: 200, retry_after: None, body: reply.into() })]);
    let db = backend(&script, true);
    let big = 9_007_199_254_740_993_i64;
    let rows = db.query(&Statement::new("SELECT ?1", vec![Value::Integer(big), Value::Integer(5)])).unwrap();
    assert_eq!(rows.rows[0][0], Value::Integer(9_007_199_254_740_992));
    assert_eq!(rows.rows[0][1], Value::Integer(-9_007_199_254_740_993));
    assert_eq!(rows.rows[0][2], Value::Real(9.223_372_036_854_776e18));
    let body = script.sent()[0].2.clone().unwrap();
    assert!(body.contains(r#""params":["9007199254740993",5]"#), "{body}");
    assert_eq!(wire::param_json(&Value::Blob(vec![1, 2])), json!([1, 2]));
    assert_eq!(wire::param_json(&Value::Real(f64::NAN)), json!(null));
}

#[test]
fn execute_takes_a_bookmark_first_and_reads_changes() {
    let script = Script::new(vec![
        envelope(json!({"bookmark": "00000001-bm"})),
        envelope(
            json!([{"success": true, "results": [], "meta": {"changes": 2, "last_row_id": 9, "rows_written": 4}}]),
        ),
    ]);
    let db = backend(&script, false);
    let done = db.execute(&Statement::new("UPDATE t SET a = ?1", vec![Value::Integer(1)])).unwrap();
    assert_eq!((done.changes, done.last_insert_rowid, done.cost.rows_written), (2, 9, Some(4)));
    let sent = script.sent();
    assert_eq!(sent[0].0, Method::Get);
    assert!(sent[0].1.ends_with("/d1/database/db-id/time_travel/bookmark"));
    assert!(sent[1].1.ends_with("/query"));
    assert_eq!(db.last_bookmark().as_deref(), Some("00000001-bm"));
    assert_eq!(db.restore_command().as_deref(), Some("wrangler d1 time-travel restore app-db --bookmark=00000001-bm"));
}

#[test]
fn read_only_refuses_writes_without_sending() {
    let script = Script::new(vec![]);
    let db = backend(&script, true);
    let err = db.execute(&Statement::plain("DELETE FROM t")).unwrap_err();
    assert!(matches!(err.downcast_ref::<DbError>(), Some(DbError::ReadOnly(_))));
    assert!(err.to_string().contains("--write"), "{err}");
    assert!(db.atomic(&[Step::any(Statement::plain("DELETE FROM t"))]).is_err());
    assert!(script.sent().is_empty());
}

#[test]
fn atomic_is_one_batch_with_guards_and_a_failing_guard_is_guard_failed() {
    let steps = [
        Step::guarded(Statement::new("UPDATE t SET a = 1 WHERE id = ?1", vec![Value::Integer(3)]), Expect::Changes(1)),
        Step::any(Statement::plain("INSERT INTO log VALUES (1)")),
    ];
    let meta = json!({"changes": 1, "last_row_id": 0});
    let script = Script::new(vec![
        envelope(json!({"bookmark": "b1"})),
        envelope(json!([
            raw(json!([]), json!([]), meta.clone()),
            raw(json!(["ok"]), json!([[1]]), json!({})),
            raw(json!([]), json!([]), json!({"changes": 1, "last_row_id": 12})),
        ])),
        envelope(json!({"bookmark": "b2"})),
        failed(400, 7500, "bad JSON path: 'squall guard step 0 changed 0': SQLITE_ERROR"),
    ]);
    let db = backend(&script, false);
    let outcomes = db.atomic(&steps).unwrap();
    assert_eq!(outcomes.len(), 2);
    assert_eq!((outcomes[0].changes, outcomes[1].last_insert_rowid), (1, 12));
    let sent = script.sent();
    let body: serde_json::Value = serde_json::from_str(sent[1].2.as_deref().unwrap()).unwrap();
    assert_eq!(body["batch"].as_array().unwrap().len(), 3, "step, its guard, step");
    assert!(sent[1].1.ends_with("/raw"));
    let err = db.atomic(&steps).unwrap_err();
    let failed = err.downcast_ref::<GuardFailed>().expect("a GuardFailed");
    assert_eq!((failed.step, failed.changes), (0, Some(0)));
    assert_eq!(db.last_bookmark().as_deref(), Some("b2"));
}

#[test]
fn rejected_token_says_so_and_never_shows_it() {
    for reply in [failed(403, 10000, "Authentication error"), failed(401, 10000, "Authentication error")] {
        let script = Script::new(vec![reply]);
        let err = backend(&script, true).query(&Statement::plain("SELECT 1")).unwrap_err();
        let text = format!("{err:#} {err:?}");
        assert!(text.contains("rejected the API token"), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }
    let db = backend(&Script::new(vec![]), true);
    let debug = format!("{db:?} {:?}", db.settings());
    assert!(!debug.contains(TOKEN) && debug.contains("ApiToken(…)"), "{debug}");
}

#[test]
fn sql_errors_carry_d1s_message_and_code() {
    let script = Script::new(vec![failed(400, 7500, "no such table: nope: SQLITE_ERROR")]);
    let err = backend(&script, true).query(&Statement::plain("SELECT * FROM nope")).unwrap_err();
    assert_eq!(err.to_string(), "D1: no such table: nope: SQLITE_ERROR [code 7500]");
    let script = Script::new(vec![failed(400, 7400, "params with multiple statements is not supported")]);
    let err = backend(&script, true).query(&Statement::plain("SELECT 1")).unwrap_err();
    assert!(err.to_string().contains("7400"), "{err}");
    let script = Script::new(vec![ok(502, json!("x")).map(|mut r| {
        r.body = "<html>bad gateway</html>".into();
        r
    })]);
    let err = backend(&script, true).query(&Statement::plain("SELECT 1")).unwrap_err();
    assert!(err.to_string().contains("HTTP 502") && err.to_string().contains("api.example.test"), "{err}");
}

#[test]
fn limits_are_refused_before_sending() {
    let script = Script::new(vec![]);
    let db = backend(&script, false);
    let many = Statement::new("SELECT 1", vec![Value::Null; MAX_PARAMS + 1]);
    assert!(db.query(&many).is_err());
    assert!(db.atomic(&[Step::any(many)]).is_err());
    assert!(script.sent().is_empty());
}

#[test]
fn rate_limited_reads_retry_and_writes_do_not() {
    let limited = || {
        Ok(Reply {
            status: 429,
            retry_after: Some(2),
            body: r#"{"success":false,"errors":[{"code":971,"message":"slow down"}]}"#.into(),
        })
    };
    let script = Script::new(vec![limited(), envelope(json!([raw(json!(["x"]), json!([[1]]), json!({}))]))]);
    let db = backend(&script, false);
    assert_eq!(db.query(&Statement::plain("SELECT 1")).unwrap().rows, vec![vec![Value::Integer(1)]]);
    assert_eq!(script.sent().len(), 2);

    let script = Script::new(vec![limited(), limited(), limited()]);
    let err = backend(&script, false).query(&Statement::plain("SELECT 1")).unwrap_err();
    assert!(err.to_string().contains("rate limit") && err.to_string().contains("retry after 2 s"), "{err}");
    assert_eq!(script.sent().len(), READ_ATTEMPTS as usize, "bounded");

    let script = Script::new(vec![envelope(json!({"bookmark": "b"})), limited()]);
    let err = backend(&script, false).execute(&Statement::plain("DELETE FROM t")).unwrap_err();
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(script.sent().len(), 2, "the write was not repeated");
}

#[test]
fn a_write_that_timed_out_has_an_unknown_outcome_and_network_errors_name_the_host() {
    let script = Script::new(vec![envelope(json!({"bookmark": "b"})), Err(Failure::Timeout("timeout: global".into()))]);
    let err = backend(&script, false).execute(&Statement::plain("DELETE FROM t")).unwrap_err();
    assert!(err.to_string().contains("outcome is unknown"), "{err}");
    assert_eq!(script.sent().len(), 2);
    let script = Script::new(vec![Err(Failure::Network("connection refused".into()))]);
    let db = backend(&script, true);
    let err = db.query(&Statement::plain("SELECT 1")).unwrap_err();
    assert_eq!(err.to_string(), "cannot reach the D1 API at api.example.test: connection refused");
    // Defect: a request that never reached the server was counted (208 here, 207 in its log).
    assert_eq!(db.session_cost().requests, 0, "no answer, not counted");
}

#[test]
fn a_request_without_an_answer_is_said_in_one_sentence_and_nothing_was_written_once() {
    let describe = crate::db::write::Describe { step: &|i| format!("step {i}"), kept: "kept", foreign_key: None };
    let steps = [Step::any(Statement::plain("DELETE FROM t"))];
    // The bookmark got no answer: nothing was sent, said once, without ureq's words.
    let script = Script::new(vec![Err(Failure::Timeout("timeout: global".into()))]);
    let err = crate::db::write::execute(&backend(&script, false), &steps, &describe).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "taking the time-travel bookmark before the write failed: D1 at api.example.test did not answer within 35 s; nothing was written"
    );
    // The batch was sent and got no answer: its outcome is unknown, and that is all it says.
    let script = Script::new(vec![envelope(json!({"bookmark": "b"})), Err(Failure::Timeout("timeout: global".into()))]);
    let err = crate::db::write::execute(&backend(&script, false), &steps, &describe).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "D1 at api.example.test did not answer within 35 s after the write was sent: its outcome is unknown; check the data before repeating it (squall did not repeat it)"
    );
    // A read says the same in its own words.
    let script = Script::new(vec![Err(Failure::Timeout("timeout: global".into()))]);
    let err = backend(&script, true).query(&Statement::plain("SELECT 1")).unwrap_err();
    assert_eq!(err.to_string(), "D1 at api.example.test did not answer within 35 s");
}

#[test]
fn no_bookmark_no_write() {
    let script = Script::new(vec![failed(500, 7500, "internal")]);
    let err = backend(&script, false).execute(&Statement::plain("DELETE FROM t")).unwrap_err();
    assert!(format!("{err:#}").contains("bookmark") && format!("{err:#}").contains("nothing was written"));
    assert_eq!(script.sent().len(), 1);
}

#[test]
fn envelope_parsing() {
    let envelope =
        wire::parse_envelope(r#"{"success":false,"errors":[{"code":7500,"message":"m"}],"result":null}"#).unwrap();
    assert!(!envelope.success);
    assert_eq!(envelope.errors, vec![wire::ApiError { code: 7500, message: "m".into() }]);
    assert!(wire::parse_envelope("<html>").unwrap_err().to_string().contains("<html>"));
    // /query's row objects are read too.
    let results =
        wire::statement_results(&json!([{"results": [{"a": 1}], "meta": {"rows_read": 1, "duration": 0.5}}])).unwrap();
    assert_eq!(
        (results[0].columns.clone(), results[0].rows.clone()),
        (vec!["a".to_string()], vec![vec![Value::Integer(1)]])
    );
    assert_eq!(results[0].cost.duration_ms, Some(0.5));
}

#[test]
fn the_backend_can_move_to_and_be_shared_by_worker_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<D1Backend>();
}
