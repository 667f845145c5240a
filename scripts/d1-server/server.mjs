#!/usr/bin/env node
// A stand-in for Cloudflare's D1 REST API, for tests: answers the /client/v4 D1 endpoints over
// miniflare, which runs workerd's own D1 engine on a `.wrangler/state`-style folder.
// See README.md beside this file for what it serves and what it cannot imitate.
//
// node server.mjs --state DIR [--db NAME=UUID ...] [--port 0] [--token T] [--account ID]
//                 [--latency-ms N] [--rate-limit N/SECONDS] [--log FILE] [--log-sql] [--snapshots]

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { splitStatements } from "./sqlsplit.mjs";

const USAGE = `usage: node server.mjs --state DIR [options]
  --state DIR            the .wrangler/state folder to serve (D1 files under DIR/v3/d1); created if missing
  --db NAME=UUID         a database to serve (repeatable); default app-db=7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34
  --host H               default 127.0.0.1
  --port N               default 0: a free port; the first stdout line is "listening on http://H:PORT"
  --base PATH            API base path, default /client/v4
  --token T              the API token to accept (else $D1_SERVER_TOKEN, else $CLOUDFLARE_API_TOKEN, else "test-token")
  --account ID           the only account id to accept (default: any)
  --latency-ms N         sleep N ms before answering each request
  --rate-limit N/S       answer 429 (with Retry-After) past N requests in S seconds (e.g. 1200/300)
  --log FILE             one JSON line per request to FILE (default: stderr)
  --log-sql              also log each query request's JSON body
  --log-headers          also log each request's headers (the Authorization header left out)
  --snapshots            keep a dump per bookmark so time_travel/restore works (else it answers 501)`;

function parseArgs(argv) {
  const o = { dbs: [], host: "127.0.0.1", port: 0, base: "/client/v4", latency: 0, snapshots: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--state": o.state = val(); break;
      case "--db": {
        const v = val();
        const eq = v.indexOf("=");
        if (eq < 1) die(`--db wants NAME=UUID, got ${v}`);
        o.dbs.push({ name: v.slice(0, eq), uuid: v.slice(eq + 1) });
        break;
      }
      case "--host": o.host = val(); break;
      case "--port": o.port = Number(val()); break;
      case "--base": o.base = val().replace(/\/+$/, ""); break;
      case "--token": o.token = val(); break;
      case "--account": o.account = val(); break;
      case "--latency-ms": o.latency = Number(val()); break;
      case "--rate-limit": {
        const m = /^(\d+)(?:\/(\d+))?$/.exec(val());
        if (!m) die("--rate-limit wants N or N/SECONDS");
        o.rateLimit = { n: Number(m[1]), seconds: Number(m[2] ?? 300) };
        break;
      }
      case "--log": o.log = val(); break;
      case "--snapshots": o.snapshots = true; break;
      case "--log-sql": o.logSql = true; break;
      case "--log-headers": o.logHeaders = true; break;
      case "-h": case "--help": console.log(USAGE); process.exit(0);
      default: die(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (!o.state) die(`--state is required\n${USAGE}`);
  if (o.dbs.length === 0) o.dbs.push({ name: "app-db", uuid: "7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34" });
  o.token ??= process.env.D1_SERVER_TOKEN || process.env.CLOUDFLARE_API_TOKEN || "test-token";
  return o;
}

function die(msg) {
  console.error(`d1-server: ${msg}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const logStream = opts.log ? fs.createWriteStream(opts.log, { flags: "a" }) : process.stderr;
const log = (entry) => logStream.write(JSON.stringify({ t: new Date().toISOString(), ...entry }) + "\n");

// ---------------------------------------------------------------------------------------------
// The engine: one worker with a D1 binding per database. The binding's own `query()` RPC
// (compatibility flag d1_binding_jsrpc) sends a list of statements to workerd's D1 object,
// which runs them in one storage transaction and answers rows-and-columns with D1's meta.

const bindingOf = (i) => `DB${i}`;
const WORKER = `
export default {
  async fetch(req, env) {
    const { binding, queries, bookmark } = await req.json();
    try {
      return Response.json({ ok: true, ...(await env[binding].query({ queries, bookmark })) });
    } catch (e) {
      return Response.json({ ok: false, message: String(e && e.message || e) });
    }
  },
};`;

fs.mkdirSync(opts.state, { recursive: true });
const mf = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: WORKER,
    compatibilityDate: "2025-01-01",
    compatibilityFlags: ["d1_binding_jsrpc"],
    // Same layout as wrangler: <state>/v3/d1/miniflare-D1DatabaseObject/<hash of uuid>.sqlite,
    // so `wrangler d1 execute --local` in a project whose state this is sees the same data.
    resourcePersistencePath: path.join(opts.state, "v3"),
    d1Databases: Object.fromEntries(opts.dbs.map((db, i) => [bindingOf(i), db.uuid])),
  }),
);
// Talk to workerd's own HTTP socket: much faster than mf.dispatchFetch (~5 ms against ~50 ms).
const engineUrl = await mf.ready;

async function engine(dbIndex, queries, bookmark) {
  const res = await fetch(engineUrl, {
    method: "POST",
    body: JSON.stringify({ binding: bindingOf(dbIndex), queries, bookmark }),
  });
  return res.json();
}

// Asking the Durable Object for its session bookmark once makes workerd create `_cf_METADATA`, as
// every database that D1 (and wrangler's local mode) has used holds. Production D1 files also hold
// `_cf_KV`; only Durable Object KV storage creates that, and D1's object never uses it.
for (let i = 0; i < opts.dbs.length; i++) {
  const r = await engine(i, [{ sql: "SELECT 1" }], "first-primary");
  if (!r.ok) die(`cannot open ${opts.dbs[i].name}: ${r.message}`);
}

// ---------------------------------------------------------------------------------------------
// Bookmarks (a test stand-in for time travel): a counter of write requests per database, kept in
// <state>/d1-server.json with the time each bookmark began, so `?timestamp=` can be answered.

const metaFile = path.join(opts.state, "d1-server.json");
const meta = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, "utf8")) : {};
const createdAt = new Date().toISOString();
for (const db of opts.dbs) {
  meta[db.uuid] ??= { created_at: createdAt, writes: 0, history: [{ writes: 0, at: createdAt }] };
}
const saveMeta = () => fs.writeFileSync(metaFile, JSON.stringify(meta, null, 1));
saveMeta();

const hex8 = (n) => n.toString(16).padStart(8, "0");
function bookmarkOf(uuid, writes) {
  // Shaped like D1's (four dash-separated hex groups); the second group counts write requests.
  const tail = crypto.createHash("sha256").update(`${uuid}:${writes}`).digest("hex").slice(0, 32);
  return `00000000-${hex8(writes)}-00004c6d-${tail}`;
}
function writesOfBookmark(uuid, bookmark) {
  const m = /^[0-9a-f]{8}-([0-9a-f]{8})-[0-9a-f]{8}-[0-9a-f]{32}$/.exec(bookmark ?? "");
  if (!m) return null;
  const writes = parseInt(m[1], 16);
  return bookmarkOf(uuid, writes) === bookmark && writes <= meta[uuid].writes ? writes : null;
}

// With --snapshots: the dump (miniflare's D1 export) of each bookmark's state, in memory.
const snapshots = new Map(); // `${uuid}:${writes}` -> string[]
async function takeSnapshot(dbIndex) {
  const db = opts.dbs[dbIndex];
  const r = await engine(dbIndex, [{ sql: "PRAGMA miniflare_d1_export(?,?,?);", params: [0, 0] }]);
  if (!r.ok) throw new Error(`snapshot failed: ${r.message}`);
  snapshots.set(`${db.uuid}:${meta[db.uuid].writes}`, r.results[0].data.rows[0]);
}
if (opts.snapshots) for (let i = 0; i < opts.dbs.length; i++) await takeSnapshot(i);

async function recordWrite(dbIndex) {
  const m = meta[opts.dbs[dbIndex].uuid];
  m.writes += 1;
  m.history.push({ writes: m.writes, at: new Date().toISOString() });
  saveMeta();
  if (opts.snapshots) await takeSnapshot(dbIndex);
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

class ApiError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const envelope = (result, extra = {}) => ({ result, success: true, errors: [], messages: [], ...extra });

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 7400, "The request is malformed: body is not valid JSON");
  }
}

const rateWindow = []; // request times (ms) within the window
function rateLimited() {
  if (!opts.rateLimit) return null;
  const now = Date.now();
  const windowMs = opts.rateLimit.seconds * 1000;
  while (rateWindow.length && rateWindow[0] <= now - windowMs) rateWindow.shift();
  if (rateWindow.length >= opts.rateLimit.n) {
    return Math.max(1, Math.ceil((rateWindow[0] + windowMs - now) / 1000));
  }
  rateWindow.push(now);
  return null;
}

function checkAuth(req) {
  const h = req.headers.authorization;
  if (!h) throw new ApiError(401, 10000, "Authentication error");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m || m[1] !== opts.token) throw new ApiError(403, 10000, "Authentication error");
}

function findDb(idOrName) {
  const i = opts.dbs.findIndex((d) => d.uuid === idOrName || d.name === idOrName);
  if (i < 0) throw new ApiError(404, 7404, "The database could not be found");
  return i;
}

async function dbInfo(i) {
  const db = opts.dbs[i];
  const r = await engine(i, [
    { sql: "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'" },
  ]);
  if (!r.ok) throw new ApiError(500, 7500, r.message);
  const res = r.results[0];
  return {
    uuid: db.uuid,
    name: db.name,
    version: "production",
    num_tables: res.data.rows[0][0],
    file_size: res.meta.size_after,
    created_at: meta[db.uuid].created_at,
    read_replication: { mode: "disabled" },
  };
}

// ---------------------------------------------------------------------------------------------
// /query and /raw

function normaliseParam(p) {
  if (typeof p === "boolean") return p ? 1 : 0;
  return p;
}

function planQueries(body) {
  if (!body || typeof body !== "object") throw new ApiError(400, 7400, "The request is malformed: expected a JSON object");
  const items = Array.isArray(body.batch) ? body.batch : [body];
  if (items.length === 0) throw new ApiError(400, 7400, "The request is malformed: batch is empty");
  const queries = [];
  for (const item of items) {
    if (!item || typeof item.sql !== "string") throw new ApiError(400, 7400, "The request is malformed: sql must be a string");
    const params = item.params == null ? [] : item.params;
    if (!Array.isArray(params)) throw new ApiError(400, 7400, "The request is malformed: params must be an array");
    const stmts = splitStatements(item.sql);
    if (stmts.length > 1 && params.length > 0) {
      throw new ApiError(400, 7400, "params with multiple statements is not supported");
    }
    if (stmts.length <= 1) queries.push({ sql: item.sql, params: params.map(normaliseParam) });
    else for (const s of stmts) queries.push({ sql: s, params: [] });
  }
  return queries;
}

async function runQuery(i, body, raw, logEntry) {
  if (opts.logSql) logEntry.body = body;
  const queries = planQueries(body);
  logEntry.statements = queries.length;
  const started = performance.now();
  const r = await engine(i, queries);
  if (!r.ok) {
    const message = r.message.replace(/^D1_ERROR:\s*/, "");
    throw new ApiError(400, 7500, message);
  }
  const result = r.results.map(({ meta: m, data }) => {
    const results = raw
      ? { columns: data.columns, rows: data.rows }
      : data.rows.map((row) => Object.fromEntries(data.columns.map((c, k) => [c, row[k]])));
    return {
      success: true,
      results,
      meta: {
        served_by: "d1-server (miniflare)",
        served_by_region: "LOCAL",
        served_by_primary: true,
        timings: { sql_duration_ms: m.timings?.sql_duration_ms ?? m.duration },
        duration: m.duration,
        changes: m.changes,
        last_row_id: m.last_row_id,
        changed_db: m.changed_db,
        size_after: m.size_after,
        rows_read: m.rows_read,
        rows_written: m.rows_written,
      },
    };
  });
  if (result.some((s) => s.meta.changed_db)) await recordWrite(i);
  const stats = {
    rows_read: result.reduce((a, s) => a + s.meta.rows_read, 0),
    rows_written: result.reduce((a, s) => a + s.meta.rows_written, 0),
    engine_ms: Math.round((performance.now() - started) * 100) / 100,
  };
  return { result, stats };
}

// ---------------------------------------------------------------------------------------------
// /import: how `wrangler d1 execute --remote --file` (and `wrangler d1 import`) send a file.
// init {etag} -> {upload_url, filename}; PUT the file there (answers its MD5 as ETag);
// ingest {filename, etag} -> the file runs as one atomic request -> {status: "complete", result}.
// D1 uploads to R2 and ingests in the background; here it all happens at `ingest`.

const uploads = new Map(); // etag -> file text

async function runImport(i, body, req, logEntry) {
  const action = body?.action;
  if (action === "init") {
    if (uploads.has(body.etag)) return ingest(i, body.etag, logEntry);
    const host = req.headers.host ?? `${opts.host}`;
    return { upload_url: `http://${host}/__upload/${encodeURIComponent(body.etag)}`, filename: `${body.etag}.sql` };
  }
  if (action === "ingest" || action === "poll") return ingest(i, body.etag ?? String(body.filename ?? "").replace(/\.sql$/, ""), logEntry);
  throw new ApiError(400, 7400, `The request is malformed: unknown import action ${action}`);
}

async function ingest(i, etag, logEntry) {
  const text = uploads.get(etag);
  if (text === undefined) return { success: false, error: `No uploaded file for etag ${etag}` };
  uploads.delete(etag);
  const queries = splitStatements(text).map((sql) => ({ sql, params: [] }));
  logEntry.statements = queries.length;
  if (queries.length === 0) return { success: false, error: "No SQL statements detected." };
  const started = performance.now();
  const r = await engine(i, queries);
  if (!r.ok) return { success: false, error: r.message.replace(/^D1_ERROR:\s*/, "") };
  const sum = (k) => r.results.reduce((a, x) => a + x.meta[k], 0);
  if (r.results.some((x) => x.meta.changed_db)) await recordWrite(i);
  logEntry.rows_read = sum("rows_read");
  logEntry.rows_written = sum("rows_written");
  const db = opts.dbs[i];
  return {
    success: true,
    type: "import",
    status: "complete",
    at_bookmark: bookmarkOf(db.uuid, meta[db.uuid].writes),
    messages: [],
    errors: [],
    result: {
      success: true,
      num_queries: queries.length,
      final_bookmark: bookmarkOf(db.uuid, meta[db.uuid].writes),
      meta: {
        duration: performance.now() - started,
        rows_read: logEntry.rows_read,
        rows_written: logEntry.rows_written,
        changes: sum("changes"),
        changed_db: r.results.some((x) => x.meta.changed_db),
        size_after: r.results.at(-1).meta.size_after,
      },
    },
  };
}

async function receiveUpload(req, etag) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const buf = Buffer.concat(chunks);
  const md5 = crypto.createHash("md5").update(buf).digest("hex");
  uploads.set(etag, buf.toString("utf8"));
  return md5;
}

// ---------------------------------------------------------------------------------------------
// time travel

function bookmarkAt(i, timestamp) {
  const db = opts.dbs[i];
  const m = meta[db.uuid];
  if (!timestamp) return bookmarkOf(db.uuid, m.writes);
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) throw new ApiError(400, 7400, `Invalid timestamp: ${timestamp}`);
  let best = null;
  for (const h of m.history) if (Date.parse(h.at) <= t) best = h;
  if (!best) throw new ApiError(400, 7400, "The requested timestamp is before the database's earliest bookmark");
  return bookmarkOf(db.uuid, best.writes);
}

async function restore(i, bookmark, timestamp) {
  const db = opts.dbs[i];
  const m = meta[db.uuid];
  if (!opts.snapshots) {
    throw new ApiError(501, 7501, "time travel restore is not implemented by this test server (start it with --snapshots)");
  }
  const target = bookmark ?? (timestamp ? bookmarkAt(i, timestamp) : null);
  if (!target) throw new ApiError(400, 7400, "bookmark or timestamp is required");
  const writes = writesOfBookmark(db.uuid, target);
  const dump = writes == null ? undefined : snapshots.get(`${db.uuid}:${writes}`);
  if (!dump) throw new ApiError(400, 7400, `Unknown bookmark: ${target}`);
  const previous = bookmarkOf(db.uuid, m.writes);
  // Drop every user object, then replay the dump, in one atomic request.
  const objs = await engine(i, [
    { sql: "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND type IN ('table','view','trigger')" },
  ]);
  if (!objs.ok) throw new ApiError(500, 7500, objs.message);
  const q = (s) => '"' + s.replace(/"/g, '""') + '"';
  const drops = objs.results[0].data.rows
    .sort((a, b) => (a[0] === "table") - (b[0] === "table"))
    .map(([type, name]) => ({ sql: `DROP ${type.toUpperCase()} IF EXISTS ${q(name)}` }));
  const queries = [{ sql: "PRAGMA defer_foreign_keys = ON" }, ...drops, ...dump.map((sql) => ({ sql }))];
  const r = await engine(i, queries);
  if (!r.ok) throw new ApiError(500, 7500, `restore failed: ${r.message}`);
  await recordWrite(i);
  // The restored state is also the new bookmark's snapshot (recordWrite took it).
  return {
    bookmark: bookmarkOf(db.uuid, m.writes),
    previous_bookmark: previous,
    message: `Restored to ${target}`,
  };
}

// ---------------------------------------------------------------------------------------------
// routing

const ACCOUNT = { id: opts.account ?? "0123456789abcdef0123456789abcdef", name: "d1-server test account" };

async function route(req, url, logEntry) {
  const base = opts.base;
  if (!url.pathname.startsWith(base + "/")) throw new ApiError(404, 7000, "No route for that URI");
  const p = url.pathname.slice(base.length);
  const method = req.method;
  checkAuth(req);

  // Endpoints wrangler asks about around its D1 commands.
  if (method === "GET" && p === "/user/tokens/verify") {
    return envelope({ id: "d1-server-token", status: "active" });
  }
  if (method === "GET" && p === "/user") {
    return envelope({ id: "d1-server-user", email: "test@example.com" });
  }
  if (method === "GET" && p === "/memberships") {
    return envelope([{ id: "m1", account: ACCOUNT, status: "accepted" }], {
      result_info: { page: 1, per_page: 20, count: 1, total_count: 1 },
    });
  }
  if (method === "GET" && p === "/accounts") {
    return envelope([ACCOUNT], { result_info: { page: 1, per_page: 20, count: 1, total_count: 1 } });
  }

  if (method === "POST" && p === "/graphql") {
    // `wrangler d1 info` asks the analytics API for 24-hour counts; there are none to give.
    return { data: { viewer: { accounts: [{ d1AnalyticsAdaptiveGroups: [] }] } }, errors: null };
  }

  const m = /^\/accounts\/([^/]+)\/d1\/database(?:\/([^/]+)(\/.*)?)?$/.exec(p);
  if (!m) throw new ApiError(404, 7000, "No route for that URI");
  const [, account, idOrName, rest] = m;
  if (opts.account && account !== opts.account) {
    throw new ApiError(403, 7403, "The given account is not valid or is not authorized to access this service");
  }
  if (!idOrName) {
    if (method !== "GET") throw new ApiError(405, 7001, "Method not allowed (this test server cannot create databases)");
    const name = url.searchParams.get("name");
    const perPage = Number(url.searchParams.get("per_page") ?? 1000) || 1000;
    const page = Number(url.searchParams.get("page") ?? 1) || 1;
    const all = [];
    for (let i = 0; i < opts.dbs.length; i++) {
      if (name && opts.dbs[i].name !== name) continue;
      all.push(await dbInfo(i));
    }
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return envelope(slice, { result_info: { page, per_page: perPage, count: slice.length, total_count: all.length } });
  }
  const i = findDb(decodeURIComponent(idOrName));
  logEntry.db = opts.dbs[i].name;
  if (!rest) {
    if (method !== "GET") throw new ApiError(405, 7001, "Method not allowed");
    return envelope(await dbInfo(i));
  }
  if (method === "POST" && (rest === "/query" || rest === "/raw")) {
    const { result, stats } = await runQuery(i, await readJson(req), rest === "/raw", logEntry);
    Object.assign(logEntry, stats);
    return envelope(result);
  }
  if (method === "POST" && rest === "/import") {
    return envelope(await runImport(i, await readJson(req), req, logEntry));
  }
  if (method === "GET" && rest === "/time_travel/bookmark") {
    return envelope({ bookmark: bookmarkAt(i, url.searchParams.get("timestamp")) });
  }
  if (method === "POST" && rest === "/time_travel/restore") {
    return envelope(await restore(i, url.searchParams.get("bookmark"), url.searchParams.get("timestamp")));
  }
  throw new ApiError(404, 7000, "No route for that URI");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Requests to one database run one at a time (D1 is single-threaded per database too).
let chain = Promise.resolve();
function serialised(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const logEntry = { method: req.method, path: url.pathname + url.search };
  if (opts.logHeaders) {
    logEntry.headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "authorization"));
  }
  const started = performance.now();
  const finish = (status, body, headers) => {
    logEntry.status = status;
    logEntry.ms = Math.round((performance.now() - started) * 100) / 100;
    if (!body.success) logEntry.error = body.errors?.[0];
    log(logEntry);
    send(res, status, body, headers);
  };
  const upload = /^\/__upload\/([^/]+)$/.exec(url.pathname);
  if (req.method === "PUT" && upload) {
    // The "signed URL" /import hands out (R2 on Cloudflare): no token, answers the body's MD5 as ETag.
    receiveUpload(req, decodeURIComponent(upload[1])).then((md5) => {
      log({ ...logEntry, status: 200, bytes: Number(req.headers["content-length"] ?? 0) });
      res.writeHead(200, { etag: `"${md5}"` });
      res.end();
    }, (e) => {
      log({ ...logEntry, status: 500, error: String(e) });
      res.writeHead(500);
      res.end();
    });
    return;
  }
  (async () => {
    if (opts.latency > 0) await sleep(opts.latency);
    const retryAfter = rateLimited();
    if (retryAfter != null) {
      throw new ApiError(429, 971, "Please wait and consider throttling your request speed", {
        "retry-after": String(retryAfter),
      });
    }
    return serialised(() => route(req, url, logEntry));
  })().then(
    (body) => finish(200, body),
    (e) => {
      if (e instanceof ApiError) {
        finish(e.status, { result: null, success: false, errors: [{ code: e.code, message: e.message }], messages: [] }, e.headers);
      } else {
        finish(500, { result: null, success: false, errors: [{ code: 7500, message: String(e?.stack ?? e) }], messages: [] });
      }
    },
  );
});

server.listen(opts.port, opts.host, () => {
  const { port } = server.address();
  process.stdout.write(`listening on http://${opts.host}:${port}\n`);
  process.stdout.write(`api base http://${opts.host}:${port}${opts.base}\n`);
});

const stop = async () => {
  server.close();
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
