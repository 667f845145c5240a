// Checks, with the real better-auth (server API, admin plugin, email and password) on a
// better-sqlite3 database, that what `squall user ...` writes is what better-auth expects.
//
//   node verify.mjs --squall <squall binary> --db <file> --flavour camel|snake
//                   [--adapter kysely|drizzle] [--init-sql <0000_init.sql>]
//
// Without --init-sql the database is a `squall demo` (camelCase schema, epoch-ms dates, users'
// password `password123`). With it, a new database is made from that migration and its users are
// signed up through better-auth itself (ISO-8601 text dates with the Kysely adapter).
// --adapter kysely: better-auth's built-in adapter (snake_case via `fields` mappings);
// --adapter drizzle: drizzleAdapter over drizzle-orm tables from schema.mjs (`timestamp_ms`).
//
// Prints one PASS/FAIL/SKIP line per check and exits 1 when any check fails. See README.md.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { admin } from "better-auth/plugins";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { drizzle } from "drizzle-orm/better-sqlite3";

import { authSchema } from "./schema.mjs";

const { values: args } = parseArgs({
  options: {
    squall: { type: "string" },
    db: { type: "string" },
    flavour: { type: "string", default: "camel" },
    "init-sql": { type: "string" },
    adapter: { type: "string", default: "kysely" },
  },
});
if (!args.squall || !args.db || !["camel", "snake"].includes(args.flavour) || !["kysely", "drizzle"].includes(args.adapter)) {
  console.error("usage: node verify.mjs --squall BIN --db FILE --flavour camel|snake [--adapter kysely|drizzle] [--init-sql FILE]");
  process.exit(2);
}
const flavour = `${args.flavour}/${args.adapter}/${args["init-sql"] ? "fresh" : "demo"}`;
const snake = args.flavour === "snake";
const useDrizzle = args.adapter === "drizzle";
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------- reporting

let failures = 0;
function pass(name, detail = "") {
  console.log(`PASS [${flavour}] ${name}${detail ? ` (${detail})` : ""}`);
}
function fail(name, detail) {
  failures += 1;
  console.log(`FAIL [${flavour}] ${name}: ${detail}`);
}
class Skip {
  constructor(reason) {
    this.reason = reason;
  }
}
async function check(name, body) {
  try {
    const detail = await body();
    if (detail instanceof Skip) {
      console.log(`SKIP [${flavour}] ${name}: ${detail.reason}`);
      return;
    }
    pass(name, detail);
  } catch (err) {
    fail(name, err?.stack && !(err instanceof CheckError) ? err.stack : err.message);
  }
}
class CheckError extends Error {}
function ensure(condition, message) {
  if (!condition) throw new CheckError(message);
}

// ---------------------------------------------------------------- database and better-auth

const sqlite = new Database(args.db);
if (args["init-sql"]) {
  // drizzle-kit's `--> statement-breakpoint` markers are SQL comments: the file runs as one batch.
  sqlite.exec(readFileSync(args["init-sql"], "utf8"));
}

// Column names in the database, by better-auth field name.
const col = snake
  ? {
      emailVerified: "email_verified", createdAt: "created_at", updatedAt: "updated_at",
      banReason: "ban_reason", banExpires: "ban_expires", expiresAt: "expires_at",
      ipAddress: "ip_address", userAgent: "user_agent", userId: "user_id",
      impersonatedBy: "impersonated_by", accountId: "account_id", providerId: "provider_id",
      accessToken: "access_token", refreshToken: "refresh_token", idToken: "id_token",
      accessTokenExpiresAt: "access_token_expires_at", refreshTokenExpiresAt: "refresh_token_expires_at",
    }
  : new Proxy({}, { get: (_, name) => name });
// The Kysely adapter maps field names to column names itself; the drizzle adapter goes through
// the drizzle schema's property names (camelCase in both flavours), so it needs no mapping.
const mapped = snake && !useDrizzle;
const fields = (...names) => (mapped ? Object.fromEntries(names.map((n) => [n, col[n]])) : undefined);
// DATE_MODE=timestamp gives drizzle epoch-seconds date columns (an experiment, see README.md).
const dateMode = process.env.DATE_MODE ?? "timestamp_ms";
const tables = authSchema((field) => col[field] ?? field, dateMode);
const database = useDrizzle
  ? drizzleAdapter(drizzle(sqlite, { schema: tables }), { provider: "sqlite", schema: tables })
  : sqlite;

const auth = betterAuth({
  secret: "squall-verify-better-auth-secret-0123456789",
  baseURL: "http://localhost:3000",
  database,
  emailAndPassword: { enabled: true },
  user: { fields: fields("emailVerified", "createdAt", "updatedAt") },
  session: { fields: fields("expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId") },
  account: {
    fields: fields(
      "accountId", "providerId", "userId", "accessToken", "refreshToken", "idToken",
      "accessTokenExpiresAt", "refreshTokenExpiresAt", "createdAt", "updatedAt",
    ),
  },
  verification: { fields: fields("expiresAt", "createdAt", "updatedAt") },
  plugins: [
    admin(
      mapped
        ? {
            schema: {
              user: { fields: { banReason: col.banReason, banExpires: col.banExpires } },
              session: { fields: { impersonatedBy: col.impersonatedBy } },
            },
          }
        : undefined,
    ),
  ],
  telemetry: { enabled: false },
  logger: { disabled: true },
});
const context = await auth.$context;

// ---------------------------------------------------------------- helpers

const DEMO_PASSWORD = "password123";

function squall(argv, { input, allowFailure = false } = {}) {
  const result = spawnSync(args.squall, [...argv, "--db", args.db], { input, encoding: "utf8" });
  if (!allowFailure && result.status !== 0) {
    throw new CheckError(`squall ${argv.join(" ")} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result;
}
function squallJson(argv) {
  return JSON.parse(squall([...argv, "--json"]).stdout);
}

/** Signs in through better-auth; returns { ok, status, code, token, cookie }. */
async function signIn(email, password) {
  try {
    const { headers, response } = await auth.api.signInEmail({
      body: { email, password },
      returnHeaders: true,
    });
    const setCookie = headers.get("set-cookie") ?? "";
    const cookie = setCookie.split(";")[0];
    return { ok: true, token: response.token, cookie, user: response.user };
  } catch (err) {
    if (err?.statusCode === undefined) throw err;
    return { ok: false, status: err.statusCode, code: err.body?.code, message: err.body?.message };
  }
}
function describe(result) {
  return result.ok ? "signed in" : `${result.status} ${result.code}`;
}

const q = (name) => `"${name}"`;
function userRow(email) {
  return sqlite.prepare(`SELECT * FROM "user" WHERE email = ?`).get(email);
}
function countFor(table, userId) {
  return sqlite.prepare(`SELECT count(*) AS n FROM ${q(table)} WHERE ${q(col.userId)} = ?`).get(userId).n;
}

/** Users to act on: credential accounts, not admin, not banned (distinct per check). */
function pickUsers(n) {
  const rows = sqlite
    .prepare(
      `SELECT u.email FROM "user" u JOIN account a ON a.${q(col.userId)} = u.id
       WHERE a.${q(col.providerId)} = 'credential' AND coalesce(u.role, 'user') = 'user'
         AND coalesce(u.banned, 0) = 0
       ORDER BY u.email LIMIT ?`,
    )
    .all(n);
  if (rows.length < n) throw new Error(`the database has only ${rows.length} plain credential users, need ${n}`);
  return rows.map((r) => r.email);
}

function installedVersion(name) {
  const path = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(path, "utf8")).version;
}

// ---------------------------------------------------------------- setup

const fresh = Boolean(args["init-sql"]);
if (fresh) {
  // Users made by better-auth itself: better-auth's own hashes and ISO-text dates.
  for (let i = 0; i < 6; i += 1) {
    await auth.api.signUpEmail({
      body: { email: `user${i}@example.com`, password: DEMO_PASSWORD, name: `User ${i}` },
    });
  }
}

const [subject, expiredBanUser, roleUser, removedUser] = pickUsers(4);
console.log(
  `# better-auth ${installedVersion("better-auth")}, ` +
    `better-sqlite3 ${installedVersion("better-sqlite3")}, SQLite ${sqlite.prepare("select sqlite_version() v").get().v}, flavour ${flavour}${useDrizzle ? `, drizzle-orm ${installedVersion("drizzle-orm")}` : ""}, db ${args.db}`,
);

// ---------------------------------------------------------------- checks

const NEW_PASSWORD = "n3w-Passw0rd-from-squall";

await check(`1. ${fresh ? "a signed-up" : "a demo"} credential user signs in with ${DEMO_PASSWORD}`, async () => {
  const result = await signIn(subject, DEMO_PASSWORD);
  ensure(result.ok, `${subject}: ${describe(result)}`);
  return subject;
});

await check("8. a session better-auth created is read by `squall user show --json` (expiresAt in the future)", async () => {
  const result = await signIn(subject, DEMO_PASSWORD);
  ensure(result.ok, `sign-in: ${describe(result)}`);
  const stored = sqlite.prepare(`SELECT * FROM session WHERE token = ?`).get(result.token);
  ensure(stored, "better-auth's session row is not in the database");
  const session = await auth.api.getSession({ headers: new Headers({ cookie: result.cookie }) });
  ensure(session?.session?.id === stored.id, "better-auth does not find its own session via the cookie");
  const expected = new Date(session.session.expiresAt).getTime();
  const detail = squallJson(["user", "show", subject]);
  const shown = detail.sessions.find((s) => s.id === stored.id);
  ensure(shown, `squall does not list session ${stored.id}`);
  const shownMs = Date.parse(shown.expires_at);
  ensure(shownMs === expected, `squall reads expiresAt ${shown.expires_at}, better-auth ${new Date(expected).toISOString()}`);
  ensure(shownMs > Date.now() + 6 * DAY_MS, `expiresAt ${shown.expires_at} is not ~7 days ahead`);
  ensure(shown.active === true, "squall shows the session as not active");
  return `stored ${JSON.stringify(stored[col.expiresAt])}, squall ${shown.expires_at}, active`;
});

await check("2. `squall user set-password` (stdin): new password signs in, old one fails", async () => {
  squall(["user", "set-password", subject], { input: `${NEW_PASSWORD}\n` });
  const fresh = await signIn(subject, NEW_PASSWORD);
  ensure(fresh.ok, `new password: ${describe(fresh)}`);
  const old = await signIn(subject, DEMO_PASSWORD);
  ensure(!old.ok && old.status === 401, `old password: ${describe(old)}`);
  return `new: signed in, old: ${describe(old)}`;
});

await check("2b. `squall user set-password` for a user without a credential account creates one that signs in", async () => {
  const email = `no-password-${Date.now()}@example.com`;
  const created = await context.internalAdapter.createUser({ email, name: "No Password", emailVerified: true });
  ensure(countFor("account", created.id) === 0, "precondition: no account");
  squall(["user", "set-password", email], { input: `${NEW_PASSWORD}\n` });
  const result = await signIn(email, NEW_PASSWORD);
  ensure(result.ok, `sign-in: ${describe(result)}`);
  const account = sqlite.prepare(`SELECT * FROM account WHERE ${q(col.userId)} = ?`).get(created.id);
  return `account ${col.accountId}=${account[col.accountId] === created.id ? "user id" : account[col.accountId]}, ` +
    `${col.createdAt}=${JSON.stringify(account[col.createdAt])} (user's ${JSON.stringify(userRow(email)[col.createdAt])})`;
});

await check("2c. a Unicode password with spaces (NFKC-normalised by both) set by squall signs in", async () => {
  // Fullwidth letter, decomposed umlaut, circled digit, ligature, leading and trailing spaces.
  const unicode = "  \uFF30a\u0308ssw\u00F6rd\u2460-\uFB01 x  ";
  squall(["user", "set-password", subject], { input: `${unicode}\n` });
  const same = await signIn(subject, unicode);
  ensure(same.ok, `same string: ${describe(same)}`);
  const normalised = await signIn(subject, unicode.normalize("NFKC"));
  ensure(normalised.ok, `NFKC form: ${describe(normalised)}`);
  const trimmed = await signIn(subject, unicode.trim());
  ensure(!trimmed.ok, "the password without its spaces also signs in: squall trimmed it");
  squall(["user", "set-password", subject], { input: `${NEW_PASSWORD}\n` });
  return "same string and its NFKC form sign in, the trimmed one does not";
});

await check("3. `squall user ban --reason R --for 7d`: sign-in fails 403 BANNED_USER, banExpires read as now+7d", async () => {
  const before = Date.now();
  ensure(countFor("session", userRow(subject).id) > 0, "precondition: the user should have sessions");
  squall(["user", "ban", subject, "--reason", "spam from squall", "--for", "7d"]);
  const after = Date.now();
  const id = userRow(subject).id;
  ensure(countFor("session", id) === 0, "the ban left sessions behind");
  const result = await signIn(subject, NEW_PASSWORD);
  ensure(!result.ok && result.status === 403 && result.code === "BANNED_USER", `sign-in: ${describe(result)}`);
  const user = await context.internalAdapter.findUserById(id);
  ensure(user.banned === true || user.banned === 1, `better-auth reads banned = ${JSON.stringify(user.banned)}`);
  ensure(user.banReason === "spam from squall", `banReason = ${JSON.stringify(user.banReason)}`);
  // What the admin plugin's sign-in hook does with it: new Date(banExpires).getTime().
  const expires = new Date(user.banExpires);
  const ms = expires.getTime();
  ensure(ms >= before + 7 * DAY_MS - 1000 && ms <= after + 7 * DAY_MS + 1000,
    `banExpires ${JSON.stringify(user.banExpires)} reads as ${expires.toISOString()}, not now+7d`);
  ensure(countFor("session", id) === 0, "the failed sign-in left a session");
  return `stored ${JSON.stringify(userRow(subject)[col.banExpires])}, better-auth reads ${expires.toISOString()}`;
});

await check("3b. `squall user ban --until <date>` and a permanent ban: BANNED_USER, expiry read back exactly", async () => {
  squall(["user", "unban", subject]);
  const until = new Date(Date.now() + 30 * DAY_MS);
  until.setUTCMilliseconds(0);
  squall(["user", "ban", subject, "--until", until.toISOString()]);
  const timed = await signIn(subject, NEW_PASSWORD);
  ensure(timed.code === "BANNED_USER", `timed ban: ${describe(timed)}`);
  const id = userRow(subject).id;
  const read = new Date((await context.internalAdapter.findUserById(id)).banExpires).getTime();
  ensure(read === until.getTime(), `better-auth reads ${new Date(read).toISOString()}, asked ${until.toISOString()}`);
  squall(["user", "ban", subject]);
  const permanent = await signIn(subject, NEW_PASSWORD);
  ensure(permanent.code === "BANNED_USER", `permanent ban: ${describe(permanent)}`);
  const user = await context.internalAdapter.findUserById(id);
  ensure(user.banExpires == null && user.banReason === "No reason", `permanent ban read as ${JSON.stringify(user)}`);
  return `--until ${until.toISOString()} read back exactly; permanent: banExpires null, reason "No reason"`;
});

await check("4. `squall user unban`: sign-in works again", async () => {
  squall(["user", "unban", subject]);
  const result = await signIn(subject, NEW_PASSWORD);
  ensure(result.ok, `sign-in: ${describe(result)}`);
  const user = await context.internalAdapter.findUserById(userRow(subject).id);
  ensure(!user.banned && user.banReason == null && user.banExpires == null, `user after unban: ${JSON.stringify(user)}`);
  return "signed in";
});

await check("5. a ban whose expiry is past is lifted by better-auth at sign-in", async () => {
  // squall refuses to write a ban that has already ended ...
  const refused = squall(["user", "ban", expiredBanUser, "--until", "2020-01-01"], { allowFailure: true });
  ensure(refused.status === 1, `squall ban --until 2020-01-01 exited ${refused.status}`);
  // ... so squall writes a 2-second ban and the check waits it out: the stored date is squall's.
  squall(["user", "ban", expiredBanUser, "--reason", "short", "--for", "2s"]);
  const blocked = await signIn(expiredBanUser, DEMO_PASSWORD);
  ensure(!blocked.ok && blocked.code === "BANNED_USER", `sign-in during the ban: ${describe(blocked)}`);
  const stored = userRow(expiredBanUser)[col.banExpires];
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const shown = squallJson(["user", "show", expiredBanUser]).user.ban.state;
  ensure(shown === "ban_expired", `squall shows the ended ban as ${shown}`);
  const result = await signIn(expiredBanUser, DEMO_PASSWORD);
  ensure(result.ok, `sign-in after the ban ended: ${describe(result)}`);
  const row = userRow(expiredBanUser);
  ensure(!row.banned && row[col.banExpires] == null, `better-auth did not lift the ban: ${JSON.stringify(row)}`);
  return `squall refuses --until 2020-01-01 (exit 1); squall's 2s ban stored ${JSON.stringify(stored)}: ` +
    `BANNED_USER during, squall shows ban_expired after, better-auth lifts it and signs in`;
});

await check("5b. an expired ban written in SQL as past epoch ms is lifted at sign-in", async () => {
  const other = pickUsers(5)[4];
  const past = Date.now() - DAY_MS;
  sqlite
    .prepare(`UPDATE "user" SET banned = 1, ${q(col.banReason)} = 'old', ${q(col.banExpires)} = ? WHERE email = ?`)
    .run(useDrizzle && dateMode === "timestamp" ? Math.floor(past / 1000) : past, other);
  const list = squallJson(["user", "list", "--banned", "--search", other]);
  ensure(list.length === 1 && list[0].ban.state === "ban_expired", `squall lists ${JSON.stringify(list.map((u) => u.ban))}`);
  const result = await signIn(other, DEMO_PASSWORD);
  ensure(result.ok, `sign-in: ${describe(result)}`);
  ensure(!userRow(other).banned, "better-auth did not clear banned");
  return "squall lists it as ban_expired; better-auth lifts it and signs in";
});

await check("6. `squall user set-role admin`: better-auth's admin plugin treats the user as admin", async () => {
  const asUser = await signIn(roleUser, DEMO_PASSWORD);
  ensure(asUser.ok, `sign-in: ${describe(asUser)}`);
  const denied = await auth.api
    .listUsers({ headers: new Headers({ cookie: asUser.cookie }), query: { limit: 1 } })
    .then(() => "allowed", (err) => `${err.statusCode}`);
  ensure(denied === "403", `listUsers as a plain user: ${denied}`);
  squall(["user", "set-role", roleUser, "admin"]);
  // The role is read from the user row when the session is looked up: the same cookie now works.
  const headers = new Headers({ cookie: asUser.cookie });
  const list = await auth.api.listUsers({ headers, query: { searchField: "email", searchValue: subject } });
  ensure(list.users.length === 1, `listUsers found ${list.users.length} users for ${subject}`);
  const perm = await auth.api.userHasPermission({
    body: { userId: userRow(roleUser).id, permissions: { user: ["ban"] } },
  });
  ensure(perm.success === true, `userHasPermission(user:ban) = ${JSON.stringify(perm)}`);
  // And a fresh admin session can ban and unban through better-auth on squall's data.
  const fresh = await signIn(roleUser, DEMO_PASSWORD);
  const adminHeaders = new Headers({ cookie: fresh.cookie });
  const banned = await auth.api.banUser({
    headers: adminHeaders,
    body: { userId: userRow(subject).id, banExpiresIn: 3600 },
  });
  const theirs = new Date(banned.user.banExpires).getTime();
  const seen = squallJson(["user", "show", subject]).user.ban;
  const raw = userRow(subject)[col.banExpires];
  await auth.api.unbanUser({ headers: adminHeaders, body: { userId: userRow(subject).id } });
  ensure(seen.state === "banned" && Date.parse(seen.expires_at) === theirs,
    `better-auth's banUser wrote ${JSON.stringify(raw)}; squall reads ${JSON.stringify(seen)}`);
  return "before: listUsers 403; after: listUsers ok, user:ban permitted; the new admin's banUser is read back by squall";
});

await check("6b. impersonation by that admin is listed by `squall user impersonations --json`", async () => {
  const adminIn = await signIn(roleUser, DEMO_PASSWORD);
  ensure(adminIn.ok, `admin sign-in: ${describe(adminIn)}`);
  const target = userRow(removedUser);
  const { session } = await auth.api.impersonateUser({
    headers: new Headers({ cookie: adminIn.cookie }),
    body: { userId: target.id },
  });
  const list = squallJson(["user", "impersonations", "--active"]);
  const shown = list.find((i) => i.session_id === session.id);
  ensure(shown, `squall does not list impersonation session ${session.id}: ${JSON.stringify(list)}`);
  ensure(shown.admin_email === roleUser && shown.user_email === removedUser, `listed as ${JSON.stringify(shown)}`);
  const expected = new Date(session.expiresAt).getTime();
  ensure(Date.parse(shown.expires_at) === expected, `expires ${shown.expires_at}, better-auth ${new Date(expected).toISOString()}`);
  ensure(expected > Date.now() + 3500_000 && shown.active, "not an active ~1h impersonation");
  return `${roleUser} -> ${removedUser} until ${shown.expires_at}`;
});

await check("6c. `squall user set-role \"user, admin\"` (stored comma-joined) keeps admin; `set-role user` removes it", async () => {
  const userId = userRow(roleUser).id;
  const canBan = async () =>
    (await auth.api.userHasPermission({ body: { userId, permissions: { user: ["ban"] } } })).success;
  squall(["user", "set-role", roleUser, "user, admin"]);
  const stored = userRow(roleUser).role;
  ensure(stored === "user,admin", `stored role ${JSON.stringify(stored)}`);
  ensure((await canBan()) === true, "better-auth denies user:ban to role user,admin");
  const asAdmin = await signIn(roleUser, DEMO_PASSWORD);
  await auth.api.listUsers({ headers: new Headers({ cookie: asAdmin.cookie }), query: { limit: 1 } });
  squall(["user", "set-role", roleUser, "user"]);
  ensure((await canBan()) === false, "better-auth still grants user:ban after set-role user");
  const denied = await auth.api
    .listUsers({ headers: new Headers({ cookie: asAdmin.cookie }), query: { limit: 1 } })
    .then(() => "allowed", (err) => `${err.statusCode}`);
  ensure(denied === "403", `listUsers after demotion: ${denied}`);
  return `stored "user,admin": admin; after set-role user: listUsers ${denied}`;
});

await check("7a. `squall user revoke-sessions`: better-auth no longer finds the sessions", async () => {
  const one = await signIn(subject, NEW_PASSWORD);
  const two = await signIn(subject, NEW_PASSWORD);
  ensure(one.ok && two.ok, "sign-in");
  const sessionId = sqlite.prepare(`SELECT id FROM session WHERE token = ?`).get(one.token).id;
  squall(["user", "revoke-sessions", subject, "--session", sessionId]);
  const gone = await auth.api.getSession({ headers: new Headers({ cookie: one.cookie }) });
  const kept = await auth.api.getSession({ headers: new Headers({ cookie: two.cookie }) });
  ensure(gone === null && kept !== null, `after revoking one: first ${gone ? "alive" : "gone"}, second ${kept ? "alive" : "gone"}`);
  squall(["user", "revoke-sessions", subject]);
  const all = await auth.api.getSession({ headers: new Headers({ cookie: two.cookie }) });
  ensure(all === null, "the second session survives revoking all");
  return "one session, then all: their cookies no longer resolve";
});

await check("7. `squall user remove --yes`: sign-in fails (no user), no sessions or accounts remain", async () => {
  const signedIn = await signIn(removedUser, DEMO_PASSWORD);
  ensure(signedIn.ok, `sign-in before: ${describe(signedIn)}`);
  const id = userRow(removedUser).id;
  ensure(countFor("session", id) > 0 && countFor("account", id) > 0, "precondition: sessions and accounts");
  squall(["user", "remove", removedUser, "--yes"]);
  ensure(!userRow(removedUser), "the user row is still there");
  ensure(countFor("session", id) === 0, "sessions remain");
  ensure(countFor("account", id) === 0, "accounts remain");
  const result = await signIn(removedUser, DEMO_PASSWORD);
  ensure(!result.ok && result.status === 401, `sign-in: ${describe(result)}`);
  const session = await auth.api.getSession({ headers: new Headers({ cookie: signedIn.cookie }) });
  ensure(session === null, "the old session cookie still resolves");
  return `sign-in: ${describe(result)}; old cookie: no session`;
});

if (!fresh) {
  await check("demo data: an actively banned demo user gets 403 BANNED_USER, an expired-ban one signs in", async () => {
    const base = `SELECT u.email FROM "user" u JOIN account a ON a.userId = u.id AND a.providerId = 'credential'
                  WHERE u.banned = 1 AND `;
    const active = sqlite.prepare(`${base} (u.banExpires IS NULL OR u.banExpires > ?) LIMIT 1`).get(Date.now());
    const expired = sqlite.prepare(`${base} u.banExpires IS NOT NULL AND u.banExpires < ? LIMIT 1`).get(Date.now());
    const parts = [];
    if (active) {
      const r = await signIn(active.email, DEMO_PASSWORD);
      ensure(!r.ok && r.code === "BANNED_USER", `${active.email}: ${describe(r)}`);
      parts.push(`active ban: ${describe(r)}`);
    }
    if (expired) {
      const r = await signIn(expired.email, DEMO_PASSWORD);
      ensure(r.ok, `${expired.email}: ${describe(r)}`);
      parts.push("expired ban: signed in");
    }
    if (parts.length === 0) return new Skip("this demo has no banned credential users");
    return parts.join(", ");
  });
}

sqlite.close();
console.log(failures === 0 ? `# ${flavour}: all checks passed` : `# ${flavour}: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
