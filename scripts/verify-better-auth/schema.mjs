// Drizzle table definitions matching squall's `migrations/0000_init.sql` (camelCase columns) and
// `tests/fixtures/drizzle-snake/0000_init.sql` (snake_case columns): better-auth + admin plugin,
// dates as `integer({ mode: "timestamp_ms" })`, booleans as `integer({ mode: "boolean" })`.
// Used only when verify.mjs runs with `--adapter drizzle` (how D1 apps wire better-auth).

import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The four better-auth tables; `name(field)` gives the column name for a camelCase field. */
export function authSchema(name, dateMode = "timestamp_ms") {
  const date = (field) => integer(name(field), { mode: dateMode });
  const bool = (field) => integer(name(field), { mode: "boolean" });
  const user = sqliteTable("user", {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    email: text("email").notNull().unique(),
    emailVerified: bool("emailVerified").notNull().default(false),
    image: text("image"),
    createdAt: date("createdAt").notNull(),
    updatedAt: date("updatedAt").notNull(),
    role: text("role"),
    banned: bool("banned").default(false),
    banReason: text(name("banReason")),
    banExpires: date("banExpires"),
  });
  const session = sqliteTable("session", {
    id: text("id").primaryKey(),
    expiresAt: date("expiresAt").notNull(),
    token: text("token").notNull().unique(),
    createdAt: date("createdAt").notNull(),
    updatedAt: date("updatedAt").notNull(),
    ipAddress: text(name("ipAddress")),
    userAgent: text(name("userAgent")),
    userId: text(name("userId")).notNull().references(() => user.id, { onDelete: "cascade" }),
    impersonatedBy: text(name("impersonatedBy")),
  });
  const account = sqliteTable("account", {
    id: text("id").primaryKey(),
    accountId: text(name("accountId")).notNull(),
    providerId: text(name("providerId")).notNull(),
    userId: text(name("userId")).notNull().references(() => user.id, { onDelete: "cascade" }),
    accessToken: text(name("accessToken")),
    refreshToken: text(name("refreshToken")),
    idToken: text(name("idToken")),
    accessTokenExpiresAt: date("accessTokenExpiresAt"),
    refreshTokenExpiresAt: date("refreshTokenExpiresAt"),
    scope: text("scope"),
    password: text("password"),
    createdAt: date("createdAt").notNull(),
    updatedAt: date("updatedAt").notNull(),
  });
  const verification = sqliteTable("verification", {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: date("expiresAt").notNull(),
    createdAt: date("createdAt").notNull(),
    updatedAt: date("updatedAt").notNull(),
  });
  return { user, session, account, verification };
}
