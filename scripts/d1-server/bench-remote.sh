#!/usr/bin/env bash
# The remote D1 benchmark (BENCHMARKS.md, "Remote D1"): the terminal UI on a 10,000-user demo
# database served by server.mjs with 100 ms of latency per request, driven in tmux.
# Prints: launch to first rows, the requests before them, PageDown, G, and rows read.
# Usage: scripts/d1-server/bench-remote.sh   (SQUALL_BIN=path/to/squall; LATENCY_MS=100)
# Needs node (>= 20 for the server), npm ci done in scripts/d1-server, tmux, python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
SQUALL="${SQUALL_BIN:-$repo/target/release/squall}"
LATENCY="${LATENCY_MS:-100}"
NODE="$(command -v node)"
DB_ID="7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34"
# The file miniflare keeps that database in (wrangler's layout: a hash of the id).
HASH="4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43"

work="$(mktemp -d)"
session="squall-bench-remote-$$"
server_pid=""
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export SQUALL_DATA_DIR="$work/data" HOME="$work/home"
mkdir -p "$HOME" "$work/state/v3/d1/miniflare-D1DatabaseObject"
"$SQUALL" demo --users 10000 --out "$work/state/v3/d1/miniflare-D1DatabaseObject/$HASH.sqlite" --force >/dev/null 2>&1

"$NODE" "$here/server.mjs" --state "$work/state" --port 0 --token bench --db "app-db=$DB_ID" \
  --latency-ms "$LATENCY" --log "$work/requests.log" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 240); do [ -s "$work/server.out" ] && break; sleep 0.25; done
base="$(head -1 "$work/server.out" | sed 's/^listening on //')/client/v4"

mkdir -p "$work/proj"
printf '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "app-db"\ndatabase_id = "%s"\n' "$DB_ID" >"$work/proj/wrangler.toml"

now_ms() { date +%s%3N; }
screen() { tmux capture-pane -p -t "$session"; }
# Waits until the screen shows `pattern` (a grep -E pattern); prints the ms waited.
wait_for() {
  local start pattern="$1"
  start="$(now_ms)"
  for _ in $(seq 3000); do
    if screen | grep -qE "$pattern"; then echo $(($(now_ms) - start)); return; fi
    sleep 0.005
  done
  echo "timeout waiting for $pattern" >&2
  exit 1
}
log_lines() { wc -l <"$work/requests.log" | tr -d ' '; }
rows_read_since() { tail -n +"$(($1 + 1))" "$work/requests.log" | python3 -c '
import json, sys
print(sum(json.loads(l).get("rows_read") or 0 for l in sys.stdin if l.strip()))'; }

tmux new -d -s "$session" -x 160 -y 45
tmux send-keys -t "$session" "cd $work/proj && export CLOUDFLARE_API_BASE_URL=$base CLOUDFLARE_API_TOKEN=bench CLOUDFLARE_ACCOUNT_ID=bench && clear" Enter
sleep 0.5
# Warm the server (workerd opens the database file on its first request): not squall's time.
(cd "$work/proj" && CLOUDFLARE_API_BASE_URL=$base CLOUDFLARE_API_TOKEN=bench CLOUDFLARE_ACCOUNT_ID=bench \
  "$SQUALL" sql --remote "SELECT 1" >/dev/null 2>&1)
: >"$work/requests.log"
start="$(now_ms)"
tmux send-keys -t "$session" "$SQUALL --remote" Enter
first_rows="$(wait_for '@[a-z]+\.')"
first_rows=$(($(now_ms) - start))
before_rows="$(log_lines)"
sleep 3
opened="$(log_lines)"
echo "launch to first rows: ${first_rows} ms (latency ${LATENCY} ms per request; includes process start)"
echo "requests when the first rows showed: ${before_rows}"
echo "opening the user table: $opened requests, $(rows_read_since 0) rows read"

# PageDown: the first presses stay in the window held; paging on reads ahead.
times=()
for i in $(seq 1 12); do
  mark="$(screen | grep -oE 'row [0-9,]+ of' | head -1)"
  t0="$(now_ms)"
  tmux send-keys -t "$session" PageDown
  for _ in $(seq 2000); do
    now="$(screen | grep -oE 'row [0-9,]+ of' | head -1)"
    [ "$now" != "$mark" ] && break
    sleep 0.002
  done
  times+=($(($(now_ms) - t0)))
  sleep 0.4
done
echo "PageDown x12 (ms, screen to screen through tmux): ${times[*]}"

sleep 1
before="$(log_lines)"
t0="$(now_ms)"
tmux send-keys -t "$session" G
wait_for 'row 10,000 of' >/dev/null
echo "G: $(($(now_ms) - t0)) ms"
sleep 3
echo "G: $(($(log_lines) - before)) requests, $(rows_read_since "$before") rows read (page, read-ahead, statuses)"
echo "session: $(log_lines) requests, $(rows_read_since 0) rows read"
tmux send-keys -t "$session" q
