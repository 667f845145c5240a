//! `--remote` on the command line without a server: flags that need `--remote`, commands not
//! yet supported there, and missing settings, each refused before any request (exit 2 for bad
//! usage, 1 for a missing setting). The checks against a real D1 engine are in
//! `scripts/d1-server/squall-remote.sh`.

use assert_cmd::Command;
use predicates::prelude::*;

/// A database id as D1 makes them (a UUID): anything else is refused before a request.
const DB_ID: &str = "7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34";

const VARS: [&str; 7] = [
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_D1_TOKEN",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_DATABASE_ID",
    "CLOUDFLARE_D1_DATABASE_ID",
    "CLOUDFLARE_API_BASE_URL",
    "PATH",
];

/// `squall ARGS` in an empty folder with no Cloudflare settings and no wrangler on PATH.
fn squall(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("squall").unwrap();
    for var in VARS {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir).env("SQUALL_DATA_DIR", dir.join("data")).env("HOME", dir).args(args).write_stdin("");
    cmd
}

#[test]
fn flags_that_need_remote_and_commands_not_yet_remote_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    squall(dir.path(), &["tables", "--write"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--write only applies to a remote database"));
    squall(dir.path(), &["--database-id", "x", "tables"]).assert().code(2);
    // Not a UUID: said before any request (the API base is unreachable, and never tried).
    squall(dir.path(), &["tables", "--remote", "--database-id", "nope"])
        .env("CLOUDFLARE_ACCOUNT_ID", "acc")
        .env("CLOUDFLARE_API_TOKEN", "t")
        .env("CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9/client/v4")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--database-id \"nope\" is not a D1 database id: it is a UUID"))
        .stderr(predicate::str::contains("cannot reach").not());
    squall(dir.path(), &["demo", "--remote"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not yet supported on a remote database"));
}

#[test]
fn missing_settings_name_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    squall(dir.path(), &["tables", "--remote"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--database-id").and(predicate::str::contains("CLOUDFLARE_DATABASE_ID")));
    squall(dir.path(), &["tables", "--remote", "--database-id", DB_ID])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("CLOUDFLARE_ACCOUNT_ID"));
    squall(dir.path(), &["sql", "--remote", "--database-id", DB_ID, "select 1"])
        .env("CLOUDFLARE_ACCOUNT_ID", "acc")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("CLOUDFLARE_API_TOKEN"));
}

#[test]
fn an_unreachable_api_names_its_host_and_never_the_token() {
    let dir = tempfile::tempdir().unwrap();
    squall(dir.path(), &["tables", "--remote", "--database-id", DB_ID])
        .env("CLOUDFLARE_ACCOUNT_ID", "acc")
        .env("CLOUDFLARE_API_TOKEN", "very-secret-token")
        .env("CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9/client/v4")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot reach the D1 API at 127.0.0.1:9"))
        .stderr(predicate::str::contains("very-secret-token").not());
}

#[path = "common/d1_stub.rs"]
mod d1_stub;

/// `squall ARGS --remote --database-id db` against the in-process D1 stand-in.
fn remote(dir: &std::path::Path, stub: &d1_stub::D1Stub, args: &[&str]) -> Command {
    let mut cmd = squall(dir, args);
    cmd.args(["--remote", "--database-id", DB_ID])
        .env("CLOUDFLARE_ACCOUNT_ID", "acc")
        .env("CLOUDFLARE_API_TOKEN", "stub-token")
        .env("CLOUDFLARE_API_BASE_URL", &stub.base);
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn a_remote_ban_is_one_request_after_a_bookmark_and_the_log_keeps_its_undo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.sqlite");
    squall(dir.path(), &["demo", "--users", "20", "--out", path.to_str().unwrap()]).assert().success();
    let stub = d1_stub::D1Stub::start(&path);
    let list = stdout_of(&mut remote(dir.path(), &stub, &["user", "list", "--json"]));
    let users: serde_json::Value = serde_json::from_str(&list).unwrap();
    let email = users[0]["email"].as_str().unwrap().to_string();

    // Defect: a one-off command was told to "start squall with --remote --write", and its cost
    // line came before the error: the error first, then the cost, and "add --write".
    let refused = remote(dir.path(), &stub, &["user", "ban", &email, "--reason", "spam", "--for", "7d", "--yes"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let refused = String::from_utf8(refused).unwrap();
    assert!(refused.contains("add --write") && !refused.contains("start squall"), "{refused}");
    let error_at = refused.find("squall: ").expect("an error line");
    let cost_at = refused.find(" read, ").expect("a cost line");
    assert!(error_at < cost_at, "the error first: {refused}");
    remote(dir.path(), &stub, &["user", "ban", &email, "--write", "--reason", "spam"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --yes"));
    let before = stub.seen().len();
    let out = stdout_of(&mut remote(
        dir.path(),
        &stub,
        &["user", "ban", &email, "--write", "--yes", "--reason", "spam", "--for", "7d"],
    ));
    assert!(out.contains(&format!("banned {email} until")) && out.contains("(in 7d), reason \"spam\""), "{out}");
    assert!(
        out.contains(&format!(
            "restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore {DB_ID} --bookmark=00000000-"
        )),
        "{out}"
    );
    let seen = stub.seen();
    assert_eq!(seen[seen.len() - 2..], ["GET bookmark", "POST raw"], "{:?}", &seen[before..]);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let (banned, reason): (i64, String) = conn
        .query_row("SELECT banned, banReason FROM user WHERE email = ?1", [&email], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((banned, reason.as_str()), (1, "spam"));

    let log = stdout_of(&mut remote(dir.path(), &stub, &["log"]));
    assert!(
        log.contains("user.ban")
            && log.contains(&format!("losing later writes): wrangler d1 time-travel restore {DB_ID} --bookmark=")),
        "{log}"
    );
    let json = stdout_of(&mut remote(dir.path(), &stub, &["log", "--json"]));
    assert!(json.contains("\"bookmark\"") && json.contains("\"restore\""), "{json}");
}

#[test]
fn remote_migrations_apply_as_wrangler_records_them_and_er_estimates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.sqlite");
    rusqlite::Connection::open(&path).unwrap();
    let folder = dir.path().join("drizzle");
    std::fs::create_dir_all(folder.join("meta")).unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle");
    for name in ["0000_init.sql", "0001_audit_log_last_login.sql", "meta/_journal.json"] {
        std::fs::copy(fixtures.join(name), folder.join(name)).unwrap();
    }
    let stub = d1_stub::D1Stub::start(&path);
    let status = remote(dir.path(), &stub, &["migrate", "status", "--migrations", "drizzle", "--json"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(status).unwrap().matches("\"pending\"").count() == 2);
    remote(dir.path(), &stub, &["migrate", "apply", "--migrations", "drizzle", "--yes"]).assert().code(2);
    let out =
        stdout_of(&mut remote(dir.path(), &stub, &["migrate", "apply", "--migrations", "drizzle", "--write", "--yes"]));
    assert!(out.contains("applied 2 migrations"), "{out}");
    assert_eq!(stub.seen().iter().filter(|r| *r == "GET bookmark").count(), 2, "one bookmark per migration");
    remote(dir.path(), &stub, &["migrate", "status", "--migrations", "drizzle"]).assert().success();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let names: String =
        conn.query_row("SELECT group_concat(name, ' ') FROM d1_migrations ORDER BY id", [], |r| r.get(0)).unwrap();
    assert_eq!(names, "0000_init.sql 0001_audit_log_last_login.sql");

    let er = stdout_of(&mut remote(dir.path(), &stub, &["er", "--compact"]));
    assert!(er.contains("user  ~0"), "{er}");
}

#[test]
fn a_remote_export_writes_the_bytes_a_local_one_does_and_says_what_it_cost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.sqlite");
    squall(dir.path(), &["demo", "--users", "40", "--out", path.to_str().unwrap()]).assert().success();
    let stub = d1_stub::D1Stub::start(&path);
    for format in ["csv", "json", "ndjson", "sql"] {
        for table in ["user", "session"] {
            let local = stdout_of(&mut squall(
                dir.path(),
                &["export", table, "--format", format, "--db", path.to_str().unwrap()],
            ));
            let before = stub.seen().len();
            let assert = remote(dir.path(), &stub, &["export", table, "--format", format]).assert().success();
            let out = assert.get_output();
            assert_eq!(String::from_utf8_lossy(&out.stdout), local, "{table} as {format}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let made = stub.seen().len() - before;
            assert!(stderr.contains(&format!("{made} requests, ")) && stderr.contains(" read"), "{stderr}");
        }
    }
}
