//! `--remote` on the command line without a server: flags that need `--remote`, commands not
//! yet supported there, and missing settings, each refused before any request (exit 2 for bad
//! usage, 1 for a missing setting). The checks against a real D1 engine are in
//! `scripts/d1-server/squall-remote.sh`.

use assert_cmd::Command;
use predicates::prelude::*;

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
    for (args, name) in [
        (&["export", "user", "--remote"][..], "squall export"),
        (&["migrate", "drift", "--remote"][..], "squall migrate drift"),
    ] {
        squall(dir.path(), args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{name} is not yet supported on a remote database")));
    }
}

#[test]
fn missing_settings_name_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    squall(dir.path(), &["tables", "--remote"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--database-id").and(predicate::str::contains("CLOUDFLARE_DATABASE_ID")));
    squall(dir.path(), &["tables", "--remote", "--database-id", "db"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("CLOUDFLARE_ACCOUNT_ID"));
    squall(dir.path(), &["sql", "--remote", "--database-id", "db", "select 1"])
        .env("CLOUDFLARE_ACCOUNT_ID", "acc")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("CLOUDFLARE_API_TOKEN"));
}

#[test]
fn an_unreachable_api_names_its_host_and_never_the_token() {
    let dir = tempfile::tempdir().unwrap();
    squall(dir.path(), &["tables", "--remote", "--database-id", "db"])
        .env("CLOUDFLARE_ACCOUNT_ID", "acc")
        .env("CLOUDFLARE_API_TOKEN", "very-secret-token")
        .env("CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9/client/v4")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot reach the D1 API at 127.0.0.1:9"))
        .stderr(predicate::str::contains("very-secret-token").not());
}
