#!/usr/bin/env node
// REST-level checks of a running d1-server (see run.sh): D1's rules as the server answers them.
// Prints PASS/FAIL lines (and FACT lines for what the engine does that D1's docs leave open).
// usage: node check.mjs --base http://127.0.0.1:PORT/client/v4 --token T --account A --db NAME
//                       [--snapshots] [--log FILE]
// Creates tables in the database it is given: point it at a scratch database.

import fs from "node:fs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith("--") ? all[i + 1] : true]);
    return acc;
  }, []),
);
const base = args.base;
const token = args.token;
const dbUrl = `${base}/accounts/${args.account}/d1/database/${args.db}`;
let passed = 0;
let failed = 0;

function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${ok || !detail ? "" : `: ${detail}`}`);
}
const fact = (text) => console.log(`FACT ${text}`);

async function call(method, url, body, headers = { authorization: `Bearer ${token}` }) {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { unparsed: text };
  }
  return { status: res.status, headers: res.headers, body: json };
}
const query = (body) => call("POST", `${dbUrl}/query`, body);
const raw = (body) => call("POST", `${dbUrl}/raw`, body);
const show = (r) => JSON.stringify(r.body).slice(0, 300);
const err = (r) => r.body?.errors?.[0] ?? {};

// --- limits mode: a server started with --latency-ms and --rate-limit N/S
if (args["expect-latency"]) {
  const want = Number(args["expect-latency"]);
  const t0 = performance.now();
  const r = await raw({ sql: "SELECT 1" });
  const ms = performance.now() - t0;
  check(`--latency-ms ${want}: a request takes at least ${want} ms`, r.status === 200 && ms >= want, `${r.status} in ${ms.toFixed(1)} ms`);
  const n = Number(args["expect-rate-limit"]);
  const statuses = [r.status];
  let limited;
  for (let k = 1; k <= n; k++) {
    const x = await raw({ sql: "SELECT 1" });
    statuses.push(x.status);
    if (x.status === 429) limited = x;
  }
  check(
    `--rate-limit ${n}: request ${n + 1} answers 429 with Retry-After`,
    statuses.slice(0, n).every((s) => s === 200) && statuses[n] === 429 && Number(limited?.headers.get("retry-after")) > 0,
    `${statuses} ${limited ? show(limited) : ""}`,
  );
  console.log(`# check.mjs finished: ${passed} pass, ${failed} fail`);
  process.exit(failed ? 1 : 0);
}

// --- auth
{
  const none = await call("GET", `${base}/accounts/${args.account}/d1/database`, undefined, {});
  check("no Authorization header: 401 code 10000", none.status === 401 && err(none).code === 10000, show(none));
  const bad = await call("GET", `${base}/accounts/${args.account}/d1/database`, undefined, { authorization: "Bearer wrong" });
  check("wrong token: 403 code 10000", bad.status === 403 && err(bad).code === 10000, show(bad));
}

// --- database list and info
{
  const list = await call("GET", `${base}/accounts/${args.account}/d1/database?name=${encodeURIComponent(args.db)}`);
  const row = list.body.result?.[0];
  check("list ?name= finds the database", list.status === 200 && list.body.result?.length === 1 && row.name === args.db, show(list));
  const info = await call("GET", `${base}/accounts/${args.account}/d1/database/${row?.uuid}`);
  const r = info.body.result ?? {};
  check(
    "database info has uuid, name, num_tables, file_size, version, created_at",
    ["uuid", "name", "num_tables", "file_size", "version", "created_at"].every((k) => k in r),
    show(info),
  );
}

// --- envelope and meta
await query({ sql: "DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS child; DROP TABLE IF EXISTS parent" });
{
  const r = await query({ sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB)" });
  const b = r.body;
  check("envelope {success, errors, messages, result}", b.success === true && Array.isArray(b.errors) && Array.isArray(b.messages) && Array.isArray(b.result), show(r));
  const m = b.result?.[0]?.meta ?? {};
  const keys = ["rows_read", "rows_written", "changes", "last_row_id", "duration", "changed_db", "size_after", "served_by_region", "served_by_primary"];
  check("meta has " + keys.join(", "), keys.every((k) => k in m), JSON.stringify(m));
}

// --- query and raw
{
  const ins = await query({ sql: "INSERT INTO t(v) VALUES (?), (?)", params: ["a", "b"] });
  check("insert with params: changes 2, last_row_id 2", ins.body.result?.[0]?.meta?.changes === 2 && ins.body.result[0].meta.last_row_id === 2, show(ins));
  const q = await query({ sql: "SELECT id, v FROM t ORDER BY id" });
  check("/query rows as objects", JSON.stringify(q.body.result?.[0]?.results) === '[{"id":1,"v":"a"},{"id":2,"v":"b"}]', show(q));
  const r = await raw({ sql: "SELECT id, v FROM t ORDER BY id" });
  check("/raw rows as {columns, rows}", JSON.stringify(r.body.result?.[0]?.results) === '{"columns":["id","v"],"rows":[[1,"a"],[2,"b"]]}', show(r));
  const e = await raw({ sql: "SELECT id, v FROM t WHERE 0" });
  check("/raw on no rows still names the columns", JSON.stringify(e.body.result?.[0]?.results) === '{"columns":["id","v"],"rows":[]}', show(e));
  const n = await query({ sql: "SELECT count(*) AS n FROM t WHERE v = ?", params: ["a"] });
  check("params bind (string)", n.body.result?.[0]?.results?.[0]?.n === 1, show(n));
}

// --- several statements in one sql
{
  const r = await query({ sql: "INSERT INTO t(v) VALUES ('c'); SELECT count(*) AS n FROM t; SELECT 'x;y' AS s" });
  const res = r.body.result ?? [];
  check("multi-statement sql: one result per statement", res.length === 3 && res[1].results[0].n === 3 && res[2].results[0].s === "x;y", show(r));
  const p = await query({ sql: "SELECT ?; SELECT 2", params: [1] });
  check(
    'params with several statements: 400 code 7400 "params with multiple statements is not supported"',
    p.status === 400 && err(p).code === 7400 && err(p).message === "params with multiple statements is not supported",
    show(p),
  );
  const atomic = await query({ sql: "INSERT INTO t(v) VALUES ('d'); INSERT INTO missing VALUES (1)" });
  const after = await query({ sql: "SELECT count(*) AS n FROM t" });
  check("multi-statement sql is atomic (failure keeps nothing)", atomic.status === 400 && after.body.result?.[0]?.results?.[0]?.n === 3, show(atomic) + " / " + show(after));
  const batch = await query({ batch: [{ sql: "INSERT INTO t(v) VALUES (?)", params: ["e"] }, { sql: "SELECT count(*) AS n FROM t" }] });
  check("batch: results per statement", batch.body.result?.length === 2 && batch.body.result[1].results[0].n === 4, show(batch));
  const bad = await query({ batch: [{ sql: "INSERT INTO t(v) VALUES (?)", params: ["f"] }, { sql: "SELECT nope FROM t" }] });
  const after2 = await query({ sql: "SELECT count(*) AS n FROM t" });
  check("batch is atomic", bad.status === 400 && after2.body.result?.[0]?.results?.[0]?.n === 4, show(bad));
}

// --- errors
{
  const r = await query({ sql: "SELECT * FROM no_such_table" });
  check("SQL error: 400 code 7500 with SQLite's message", r.status === 400 && err(r).code === 7500 && /no such table: no_such_table: SQLITE_ERROR/.test(err(r).message), show(r));
  for (const sql of ["BEGIN", "BEGIN TRANSACTION", "COMMIT", "ROLLBACK", "SAVEPOINT sp", "RELEASE sp"]) {
    const b = await query({ sql });
    check(`${sql} refused`, b.status === 400 && err(b).code === 7500, show(b));
    if (sql === "BEGIN") fact(`BEGIN is refused by workerd's D1 engine itself: "${err(b).message}"`);
  }
  const many = await raw({ sql: `SELECT ${Array(101).fill("?").join(",")}`, params: Array.from({ length: 101 }, (_, i) => i) });
  check("101 bound parameters refused (limit 100)", many.status === 400 && /too many SQL variables/.test(err(many).message), show(many));
  const ok100 = await raw({ sql: `SELECT ${Array(100).fill("?").join(",")}`, params: Array.from({ length: 100 }, (_, i) => i) });
  check("100 bound parameters accepted", ok100.status === 200, show(ok100));
  const long = await raw({ sql: `SELECT '${"x".repeat(101 * 1024)}'` });
  check("statement over 100 KB refused (SQLITE_TOOBIG)", long.status === 400 && /SQLITE_TOOBIG/.test(err(long).message), show(long));
}

// --- numbers and blobs
{
  const big = await raw({ sql: "SELECT 9007199254740993 AS n, CAST(9007199254740993 AS TEXT) AS s" });
  const row = big.body.result?.[0]?.results?.rows?.[0] ?? [];
  check("integer past 2^53 comes back as a double (9007199254740993 -> 9007199254740992)", row[0] === 9007199254740992, show(big));
  check("CAST(... AS TEXT) reads it exactly", row[1] === "9007199254740993", show(big));
  const bound = await raw({ sql: "SELECT CAST(? AS INTEGER) - 9007199254740992 AS d", params: ["9007199254740993"] });
  check("bound as text with a cast, it is exact", bound.body.result?.[0]?.results?.rows?.[0]?.[0] === 1, show(bound));
  const blob = await raw({ sql: "SELECT x'0001ff' AS b" });
  check("BLOBs come back as arrays of byte values", JSON.stringify(blob.body.result?.[0]?.results?.rows?.[0]?.[0]) === "[0,1,255]", show(blob));
  const pb = await raw({ sql: "SELECT typeof(?) AS t, hex(?1) AS h", params: [[1, 2, 255]] });
  fact(`a JSON array of numbers as a param binds as ${JSON.stringify(pb.body.result?.[0]?.results?.rows?.[0] ?? err(pb))} (miniflare's engine; the REST API's docs only promise strings)`);
  const pbool = await raw({ sql: "SELECT ? AS t", params: [true] });
  fact(`a JSON boolean param reaches the engine as ${JSON.stringify(pbool.body.result?.[0]?.results?.rows?.[0] ?? err(pbool))} (this server turns true/false into 1/0)`);
}

// --- internal tables and pragmas
{
  const cf = await raw({ sql: "SELECT name FROM sqlite_master WHERE name LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name" });
  const names = (cf.body.result?.[0]?.results?.rows ?? []).map((r) => r[0]);
  check("_cf_METADATA is listed in sqlite_master", names.includes("_cf_METADATA"), show(cf));
  fact(`_cf_ tables listed in sqlite_master: ${JSON.stringify(names)} (miniflare has no _cf_KV unless the object used KV storage)`);
  const read = await raw({ sql: "SELECT * FROM _cf_METADATA" });
  check("_cf_METADATA cannot be read (SQLITE_AUTH)", read.status === 400 && /SQLITE_AUTH/.test(err(read).message), show(read));
  const allTables = await raw({ sql: "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'" });
  check("pragma_table_info() over every table (with _cf_METADATA) refused: SQLITE_AUTH", allTables.status === 400 && /SQLITE_AUTH/.test(err(allTables).message), show(allTables));
  const userTables = await raw({
    sql: "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND m.name = 't'",
  });
  check("pragma_table_info() join works when _cf_% tables are excluded", userTables.status === 200 && userTables.body.result[0].results.rows.length === 3, show(userTables));
  for (const p of ["PRAGMA table_info(t)", "PRAGMA table_xinfo(t)", "PRAGMA table_list", "PRAGMA index_list(t)", "PRAGMA foreign_key_list(t)", "PRAGMA quick_check", "PRAGMA foreign_key_check", "PRAGMA defer_foreign_keys"]) {
    const r = await raw({ sql: p });
    check(`${p} allowed`, r.status === 200, show(r));
  }
  for (const p of ["PRAGMA journal_mode", "PRAGMA user_version", "SELECT sqlite_version()", "ATTACH DATABASE ':memory:' AS x"]) {
    const r = await raw({ sql: p });
    fact(`${p}: ${r.status === 200 ? "allowed" : `refused, ${err(r).message}`}`);
  }
  const dv = await raw({ sql: "PRAGMA data_version" });
  fact(`PRAGMA data_version: ${dv.status === 200 ? "allowed here" : `refused, ${err(dv).message}`} (undocumented on D1: don't rely on it)`);
  const fk = await raw({ sql: "PRAGMA foreign_keys = OFF; PRAGMA foreign_keys" });
  check("PRAGMA foreign_keys = OFF is silently ignored (still 1)", fk.status === 200 && fk.body.result?.[1]?.results?.rows?.[0]?.[0] === 1, show(fk));
  await query({ sql: "CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id))" });
  const fkErr = await query({ sql: "INSERT INTO child VALUES (1, 99)" });
  check("foreign keys are enforced", fkErr.status === 400 && /FOREIGN KEY constraint failed/.test(err(fkErr).message), show(fkErr));
  const deferred = await query({ sql: "PRAGMA defer_foreign_keys = ON; INSERT INTO child VALUES (1, 7); INSERT INTO parent VALUES (7)" });
  check("PRAGMA defer_foreign_keys = ON in the same request defers the check", deferred.status === 200, show(deferred));
}

// --- rows_read
{
  await query({ sql: "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500) INSERT INTO t(v) SELECT 'r' || i FROM c" });
  const mx = await raw({ sql: "SELECT max(rowid) FROM t" });
  check("max(rowid) reads 1 row", mx.body.result?.[0]?.meta?.rows_read === 1, show(mx));
  const cnt = await raw({ sql: "SELECT count(*) FROM t" });
  check("count(*) reads every row", cnt.body.result?.[0]?.meta?.rows_read === 504, show(cnt));
  await query({ sql: "DROP TABLE IF EXISTS ix; CREATE TABLE ix(id INTEGER PRIMARY KEY, v TEXT UNIQUE, w TEXT); CREATE INDEX ix_w ON ix(w)" });
  const ixw = await raw({ sql: "INSERT INTO ix(v, w) VALUES ('a', 'b')" });
  check("rows_written counts index rows (1 row + 2 index entries = 3)", ixw.body.result?.[0]?.meta?.rows_written === 3, show(ixw));
  await query({ sql: "DROP TABLE ix" });
  const page = await raw({ sql: "SELECT * FROM t WHERE id > ? ORDER BY id LIMIT 50", params: [100] });
  check("a keyset page reads about the page size", (page.body.result?.[0]?.meta?.rows_read ?? 999) <= 51, show(page));
}

// --- bookmarks
{
  const bm = async () => (await call("GET", `${dbUrl}/time_travel/bookmark`)).body.result?.bookmark;
  const b1 = await bm();
  await raw({ sql: "SELECT count(*) FROM t" });
  const b2 = await bm();
  await query({ sql: "UPDATE t SET v = 'z' WHERE id = 1" });
  const b3 = await bm();
  check("bookmark is unchanged by a read", b1 && b1 === b2, `${b1} ${b2}`);
  check("bookmark changes after a write", b3 && b3 !== b2, `${b2} ${b3}`);
  const past = await call("GET", `${dbUrl}/time_travel/bookmark?timestamp=${encodeURIComponent(new Date().toISOString())}`);
  check("bookmark ?timestamp= answers", past.status === 200 && past.body.result?.bookmark === b3, show(past));
  const restore = await call("POST", `${dbUrl}/time_travel/restore?bookmark=${b2}`);
  if (args.snapshots) {
    const v = await raw({ sql: "SELECT v FROM t WHERE id = 1" });
    check(
      "restore to a bookmark brings the data back and returns previous_bookmark",
      restore.status === 200 && restore.body.result?.previous_bookmark === b3 && v.body.result?.[0]?.results?.rows?.[0]?.[0] === "a",
      show(restore) + " " + show(v),
    );
  } else {
    check("restore without --snapshots: 501", restore.status === 501, show(restore));
  }
}

// --- request log
if (args.log) {
  const lines = fs.readFileSync(args.log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const q = lines.filter((l) => l.path.endsWith("/query") || l.path.endsWith("/raw"));
  check("request log: one JSON line per request with statements and rows_read", q.length > 20 && q.some((l) => l.statements === 3 && "rows_read" in l), `${q.length} query lines`);
}

await query({ sql: "DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS child; DROP TABLE IF EXISTS parent" });
console.log(`# check.mjs finished: ${passed} pass, ${failed} fail`);
process.exit(failed ? 1 : 0);
