#!/usr/bin/env bash
# Verifies `squall user ...` against the real better-auth (see README.md).
# Usage: scripts/verify-better-auth/run.sh        (from anywhere; needs cargo, node >= 20, npm)
# Prints PASS/FAIL/SKIP lines; exits non-zero when any check fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
squall="$target_dir/release/squall"

echo "# building squall (cargo build --release)"
(cd "$repo" && cargo build --release --quiet)

echo "# installing better-auth, better-sqlite3, drizzle-orm (npm ci)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# squall's audit log and other data go to the temp dir, not the user's data dir.
export SQUALL_DATA_DIR="$work/squall-data"

"$squall" demo --users 300 --out "$work/demo.sqlite" >/dev/null
cp "$work/demo.sqlite" "$work/demo-drizzle.sqlite"

status=0
run() {
  node "$here/verify.mjs" --squall "$squall" "$@" || status=1
}
camel_sql="$repo/migrations/0000_init.sql"
snake_sql="$repo/tests/fixtures/drizzle-snake/0000_init.sql"
# better-auth's built-in Kysely adapter (writes dates as ISO-8601 text):
# camelCase schema, epoch-ms dates, squall's demo users and hashes.
run --adapter kysely --flavour camel --db "$work/demo.sqlite"
# camelCase schema, fresh, users signed up by better-auth: every date is ISO-8601 text.
run --adapter kysely --flavour camel --db "$work/camel-iso.sqlite" --init-sql "$camel_sql"
# snake_case schema (better-auth CLI default), fresh, ISO-8601 text dates.
run --adapter kysely --flavour snake --db "$work/snake-iso.sqlite" --init-sql "$snake_sql"
# better-auth's drizzle adapter with drizzle-orm `timestamp_ms` columns (how D1 apps wire it):
run --adapter drizzle --flavour camel --db "$work/demo-drizzle.sqlite"
run --adapter drizzle --flavour snake --db "$work/snake-ms.sqlite" --init-sql "$snake_sql"

if [ "$status" -eq 0 ]; then echo "# ALL PASSED"; else echo "# SOME CHECKS FAILED"; fi
exit "$status"
