//! What a column means, beyond SQLite's storage class: decided once per table from the declared
//! type, the column's name (camelCase or snake_case) and a bounded sample of its values.
//!
//! The name rules are a table ([`NAME_RULES`]) rather than scattered conditions, so adding a
//! convention is one line.

use anyhow::Result;
use rusqlite::types::Value;
use serde::Serialize;

use super::backend::{Backend, Statement};
use super::instant::parse_iso_datetime;
use super::schema::{TableInfo, int_at, quote_ident};

/// How a timestamp column stores its instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// Integer epoch milliseconds (drizzle's `timestamp_ms`).
    Millis,
    /// Integer epoch seconds (drizzle's `timestamp`).
    Seconds,
    /// ISO-8601 text (better-auth's Kysely adapter).
    IsoText,
    /// Both integers and ISO text in one column.
    Mixed,
}

/// The meaning of a column, which drives display, parsing, filters and editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnKind {
    /// An instant, stored as `format`.
    Timestamp { format: TimeFormat },
    /// 0/1 integers.
    Boolean,
    /// Text from a small set of values (comma-joined sets allowed, as better-auth stores roles).
    Enum { values: Vec<String> },
    /// A row identifier (primary key or `*Id` column): UUID or random text.
    Id,
    /// A declared reference to another table's key.
    ForeignKey { table: String, column: String },
    /// Passwords, tokens and other values never shown unmasked by default.
    Secret,
    /// JSON objects or arrays stored as text.
    Json,
    /// Plain integer.
    Integer,
    /// Plain floating-point or numeric.
    Real,
    /// Plain text.
    Text,
    /// Raw bytes.
    Blob,
}

impl ColumnKind {
    /// Short label for grid headers and `tables` output.
    pub fn label(&self) -> &'static str {
        match self {
            ColumnKind::Timestamp { .. } => "timestamp",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Enum { .. } => "enum",
            ColumnKind::Id => "id",
            ColumnKind::ForeignKey { .. } => "fk",
            ColumnKind::Secret => "secret",
            ColumnKind::Json => "json",
            ColumnKind::Integer => "integer",
            ColumnKind::Real => "real",
            ColumnKind::Text => "text",
            ColumnKind::Blob => "blob",
        }
    }

    /// Whether free-text search should look inside this column.
    pub fn is_searchable_text(&self) -> bool {
        matches!(
            self,
            ColumnKind::Text
                | ColumnKind::Enum { .. }
                | ColumnKind::Id
                | ColumnKind::Json
                | ColumnKind::ForeignKey { .. }
        )
    }
}

/// SQLite's type affinity of a declared type (the rules of section 3.1 of its datatype docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

pub fn affinity(decl_type: &str) -> Affinity {
    let upper = decl_type.to_ascii_uppercase();
    if upper.contains("INT") {
        Affinity::Integer
    } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
        Affinity::Text
    } else if upper.contains("BLOB") || upper.is_empty() {
        Affinity::Blob
    } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// Splits `emailVerified`, `email_verified` and `Email Verified` alike into lower-case words.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch == '_' || ch == '-' || ch == ' ' || ch == '.' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// What a name suggests, before the values have their say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    /// Nothing special, although a later rule would match the name.
    Plain,
    Secret,
    Timestamp,
    Boolean,
    Enum,
}

/// How a rule matches a column name (always on its lower-case words).
#[derive(Debug, Clone, Copy)]
enum Matcher {
    /// All the words joined equal one of these (`emailverified`).
    Whole(&'static [&'static str]),
    /// Any word is one of these.
    AnyWord(&'static [&'static str]),
    /// The first word is one of these (`is_active`).
    FirstWord(&'static [&'static str]),
    /// The last word is one of these (`createdAt`, `ban_expires`).
    LastWord(&'static [&'static str]),
    /// This column of this table (`verification.value`).
    TableColumn(&'static str, &'static str),
}

/// Name conventions of better-auth, drizzle and common app schemas. First match wins.
const NAME_RULES: &[(Matcher, Hint)] = &[
    // drizzle's tracker keeps each migration file's SHA-256: public, and needed to compare.
    (Matcher::TableColumn("__drizzle_migrations", "hash"), Hint::Plain),
    // Times first: `accessTokenExpiresAt` is when a token expires, not a token.
    (Matcher::LastWord(&["at", "expires", "date", "time", "timestamp", "until", "since"]), Hint::Timestamp),
    (Matcher::AnyWord(&["password", "passwd", "token", "secret", "apikey", "otp"]), Hint::Secret),
    (Matcher::Whole(&["privatekey", "clientsecret", "hash", "passwordhash"]), Hint::Secret),
    (Matcher::TableColumn("verification", "value"), Hint::Secret),
    (Matcher::Whole(&["created", "updated", "deleted", "expiry", "lastlogin", "lastseen"]), Hint::Timestamp),
    (Matcher::FirstWord(&["is", "has", "can", "should", "allow"]), Hint::Boolean),
    (
        Matcher::Whole(&[
            "banned",
            "emailverified",
            "phonenumberverified",
            "verified",
            "active",
            "enabled",
            "disabled",
            "archived",
            "twofactorenabled",
            "admin",
            "blocked",
            "locked",
        ]),
        Hint::Boolean,
    ),
    (Matcher::LastWord(&["role", "roles", "status", "state", "type", "kind", "level", "plan"]), Hint::Enum),
    (Matcher::Whole(&["providerid", "provider", "action"]), Hint::Enum),
];

fn name_hint(table: &str, column: &str) -> Option<Hint> {
    let words = name_words(column);
    let whole: String = words.concat();
    NAME_RULES.iter().find_map(|(matcher, hint)| {
        let hit = match matcher {
            Matcher::Whole(names) => names.contains(&whole.as_str()),
            Matcher::AnyWord(names) => words.iter().any(|w| names.contains(&w.as_str())),
            Matcher::FirstWord(names) => words.first().is_some_and(|w| names.contains(&w.as_str())),
            Matcher::LastWord(names) => words.last().is_some_and(|w| names.contains(&w.as_str())),
            Matcher::TableColumn(t, c) => table.eq_ignore_ascii_case(t) && column.eq_ignore_ascii_case(c),
        };
        hit.then_some(*hint)
    })
}

/// Whether a column's name marks it as secret (passwords, tokens, `verification.value`): what the
/// audit log and previews redact. Decided by name alone, so it works for rows no longer stored.
pub fn is_secret_name(table: &str, column: &str) -> bool {
    name_hint(table, column) == Some(Hint::Secret)
}

/// Values better-auth knows for a role column even when the table is empty.
const KNOWN_ROLES: [&str; 2] = ["admin", "user"];
/// Enums with more distinct values than this in the sample are treated as plain text.
const MAX_ENUM_VALUES: usize = 12;
/// Rows scanned per column for samples: bounds the work on tables of any size.
const SAMPLE_SCAN_ROWS: u32 = 5000;
/// Non-null values kept per column.
const SAMPLE_VALUES: u32 = 64;

/// Reads a bounded sample of non-null values of one column.
pub fn sample_column<B: Backend + ?Sized>(db: &B, table: &str, column: &str) -> Result<Vec<Value>> {
    let col = quote_ident(column);
    let sql = format!(
        "SELECT {col} FROM (SELECT {col} FROM {} LIMIT {SAMPLE_SCAN_ROWS}) WHERE {col} IS NOT NULL LIMIT {SAMPLE_VALUES}",
        quote_ident(table)
    );
    let rows = db.query(&Statement::plain(sql))?;
    Ok(rows.rows.into_iter().filter_map(|row| row.into_iter().next()).collect())
}

/// Columns sampled per statement: well under SQLite's limit of 500 terms in a compound SELECT.
const COLUMNS_PER_SAMPLE: usize = 100;

/// The same samples as [`sample_column`] for every column of `table`, in one statement (per
/// hundred columns) over its first rows, read once: a table with several mostly-NULL columns
/// (`banReason`, `banExpires`, `image`) is scanned once, not once per such column, and only the
/// samples travel back (at most [`SAMPLE_VALUES`] per column), which a remote pays for. Start-up
/// waits on this (BENCHMARKS.md).
pub fn sample_columns<B: Backend + ?Sized>(db: &B, table: &TableInfo) -> Result<Vec<Vec<Value>>> {
    let mut samples: Vec<Vec<Value>> = vec![Vec::new(); table.columns.len()];
    for (chunk, columns) in table.columns.chunks(COLUMNS_PER_SAMPLE).enumerate() {
        let first = chunk * COLUMNS_PER_SAMPLE;
        let rows = db.query(&sample_statement(&table.name, columns.iter().map(|c| c.name.as_str()), first))?;
        for row in rows.rows {
            let mut row = row.into_iter();
            let (Some(index), Some(value)) = (row.next(), row.next()) else { continue };
            if let Some(kept) = usize::try_from(int_at(&[index], 0)).ok().and_then(|i| samples.get_mut(i)) {
                kept.push(value);
            }
        }
    }
    Ok(samples)
}

/// `WITH s AS MATERIALIZED (first rows) SELECT i, value FROM s ... UNION ALL ...`: the first
/// [`SAMPLE_SCAN_ROWS`] rows are read once, then each column keeps its first non-null values, in
/// the same order [`sample_column`] sees them. Rows come back as (column position, value).
fn sample_statement<'a>(table: &str, columns: impl Iterator<Item = &'a str>, first: usize) -> Statement {
    let columns: Vec<String> = columns.map(quote_ident).collect();
    let parts: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            format!(
                "SELECT * FROM (SELECT {} AS i, {col} AS v FROM s WHERE {col} IS NOT NULL LIMIT {SAMPLE_VALUES})",
                first + i
            )
        })
        .collect();
    Statement::plain(format!(
        "WITH s AS MATERIALIZED (SELECT {} FROM {} LIMIT {SAMPLE_SCAN_ROWS}) {}",
        columns.join(", "),
        quote_ident(table),
        parts.join(" UNION ALL ")
    ))
}

/// The kind of every column of `table`, in column order. On a remote backend the kinds come from
/// names, declared types and keys alone: D1 bills every sampled row (5,000 per table), and its
/// engine refuses a compound SELECT of one term per column.
pub fn infer_kinds<B: Backend + ?Sized>(db: &B, table: &TableInfo) -> Result<Vec<ColumnKind>> {
    let samples = match db.capabilities().remote {
        true => vec![Vec::new(); table.columns.len()],
        false => sample_columns(db, table)?,
    };
    Ok(table
        .columns
        .iter()
        .zip(samples)
        .map(|(column, samples)| classify_column(table, &column.name, &column.decl_type, &samples))
        .collect())
}

/// Decides one column's kind. Pure, so tests can feed it samples directly.
pub fn classify_column(table: &TableInfo, column: &str, decl_type: &str, samples: &[Value]) -> ColumnKind {
    if let Some(fk) = table.foreign_key_of(column) {
        return ColumnKind::ForeignKey {
            table: fk.ref_table.clone(),
            column: fk.ref_columns.first().cloned().unwrap_or_default(),
        };
    }
    let hint = name_hint(&table.name, column);
    if hint == Some(Hint::Secret) {
        return ColumnKind::Secret;
    }
    let decl = decl_type.to_ascii_uppercase();
    let affinity = affinity(decl_type);
    let integer_like = matches!(affinity, Affinity::Integer | Affinity::Numeric);
    if decl.starts_with("BOOL") || (hint == Some(Hint::Boolean) && integer_like && all_zero_or_one(samples)) {
        return ColumnKind::Boolean;
    }
    let declared_time = ["DATE", "TIME"].iter().any(|t| decl.contains(t));
    // A declared TIMESTAMP / DATETIME / DATE (not an integer) or a CURRENT_TIMESTAMP default is
    // SQLite's own text dates (`2026-11-28 06:20:15`): with no samples to say otherwise (a
    // remote), the column is read as ISO text, not epoch milliseconds.
    let current_default =
        table.columns.iter().find(|c| c.name == column).and_then(|c| c.default.as_deref()).is_some_and(|default| {
            ["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"]
                .iter()
                .any(|d| default.to_ascii_uppercase().contains(d))
        });
    let text_dates = (declared_time && affinity != Affinity::Integer) || current_default;
    let empty_as = if text_dates { Affinity::Text } else { affinity };
    if (declared_time || current_default || hint == Some(Hint::Timestamp))
        && let Some(format) = timestamp_format(empty_as, samples)
    {
        return ColumnKind::Timestamp { format };
    }
    let is_key = table.primary_key.len() == 1 && table.primary_key[0] == column;
    if hint == Some(Hint::Enum)
        && affinity == Affinity::Text
        && !is_key
        && let Some(values) = enum_values(column, samples)
    {
        // No value seen (an empty table): nothing to offer, so plain text until there is one.
        return if values.is_empty() { ColumnKind::Text } else { ColumnKind::Enum { values } };
    }
    let words = name_words(column);
    if is_key || words.last().is_some_and(|w| w == "id") && words.len() > 1 || column.eq_ignore_ascii_case("id") {
        return ColumnKind::Id;
    }
    if decl.contains("JSON")
        || (matches!(affinity, Affinity::Text | Affinity::Blob | Affinity::Numeric) && looks_like_json(samples))
    {
        return ColumnKind::Json;
    }
    match affinity {
        Affinity::Integer => ColumnKind::Integer,
        Affinity::Real | Affinity::Numeric => ColumnKind::Real,
        Affinity::Text => ColumnKind::Text,
        Affinity::Blob => fallback_from_samples(samples),
    }
}

fn all_zero_or_one(samples: &[Value]) -> bool {
    samples.iter().all(|v| matches!(v, Value::Integer(0 | 1)))
}

/// Epoch values at or above this are milliseconds (1e11 s would be the year 5138).
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

fn timestamp_format(affinity: Affinity, samples: &[Value]) -> Option<TimeFormat> {
    let (mut millis, mut seconds, mut iso) = (0, 0, 0);
    for value in samples {
        match value {
            Value::Integer(n) if n.unsigned_abs() >= MILLIS_THRESHOLD as u64 => millis += 1,
            Value::Integer(_) => seconds += 1,
            Value::Real(f) if f.abs() >= MILLIS_THRESHOLD as f64 => millis += 1,
            Value::Real(_) => seconds += 1,
            Value::Text(text) if parse_iso_datetime(text).is_some() => iso += 1,
            _ => return None,
        }
    }
    let numeric = match (millis, seconds) {
        (0, 0) => None,
        (_, 0) => Some(TimeFormat::Millis),
        (0, _) => Some(TimeFormat::Seconds),
        // Seconds and milliseconds together: the larger group is the convention.
        (m, s) => Some(if m >= s { TimeFormat::Millis } else { TimeFormat::Seconds }),
    };
    match (numeric, iso) {
        (Some(_), n) if n > 0 => Some(TimeFormat::Mixed),
        (Some(format), _) => Some(format),
        (None, n) if n > 0 => Some(TimeFormat::IsoText),
        // Empty column: drizzle stores `integer` timestamps as ms, text ones as ISO.
        (None, _) => Some(if affinity == Affinity::Text { TimeFormat::IsoText } else { TimeFormat::Millis }),
    }
}

fn enum_values(column: &str, samples: &[Value]) -> Option<Vec<String>> {
    let mut values: Vec<String> = Vec::new();
    let is_role = name_words(column).last().is_some_and(|w| w.starts_with("role"));
    if is_role {
        values.extend(KNOWN_ROLES.iter().map(|r| r.to_string()));
    }
    for sample in samples {
        let Value::Text(text) = sample else {
            return None;
        };
        let parts: Vec<&str> = if is_role { text.split(',').map(str::trim).collect() } else { vec![text.as_str()] };
        for part in parts {
            if !part.is_empty() && !values.iter().any(|v| v == part) {
                values.push(part.to_string());
            }
        }
    }
    values.sort();
    (values.len() <= MAX_ENUM_VALUES).then_some(values)
}

fn looks_like_json(samples: &[Value]) -> bool {
    !samples.is_empty()
        && samples.iter().all(|v| match v {
            Value::Text(text) => {
                let trimmed = text.trim_start();
                (trimmed.starts_with('{') || trimmed.starts_with('['))
                    && serde_json::from_str::<serde_json::Value>(text).is_ok()
            }
            _ => false,
        })
}

fn fallback_from_samples(samples: &[Value]) -> ColumnKind {
    match samples.first() {
        Some(Value::Integer(_)) => ColumnKind::Integer,
        Some(Value::Real(_)) => ColumnKind::Real,
        Some(Value::Text(_)) => ColumnKind::Text,
        _ => ColumnKind::Blob,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enum_named_column_with_no_values_seen_is_text() {
        let table = TableInfo {
            name: "audit_log".into(),
            relation: crate::db::schema::RelationType::Table,
            without_rowid: false,
            columns: Vec::new(),
            primary_key: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
        };
        assert_eq!(classify_column(&table, "action", "TEXT", &[]), ColumnKind::Text);
        assert_eq!(classify_column(&table, "providerId", "TEXT", &[]), ColumnKind::Text);
        let seen = [Value::Text("login".into())];
        assert_eq!(classify_column(&table, "action", "TEXT", &seen), ColumnKind::Enum { values: vec!["login".into()] });
        assert_eq!(
            classify_column(&table, "role", "TEXT", &[]),
            ColumnKind::Enum { values: vec!["admin".into(), "user".into()] }
        );
    }

    #[test]
    fn splits_both_naming_flavours() {
        assert_eq!(name_words("emailVerified"), ["email", "verified"]);
        assert_eq!(name_words("email_verified"), ["email", "verified"]);
        assert_eq!(name_words("accessTokenExpiresAt"), ["access", "token", "expires", "at"]);
        assert_eq!(name_words("ID"), ["id"]);
    }

    #[test]
    fn name_rules_cover_better_auth_columns() {
        assert_eq!(name_hint("session", "token"), Some(Hint::Secret));
        assert_eq!(name_hint("account", "id_token"), Some(Hint::Secret));
        assert_eq!(name_hint("verification", "value"), Some(Hint::Secret));
        assert!(!is_secret_name("__drizzle_migrations", "hash"), "a migration's hash is no secret");
        assert!(is_secret_name("apikey", "hash"));
        assert_eq!(name_hint("settings", "value"), None);
        assert_eq!(name_hint("user", "banExpires"), Some(Hint::Timestamp));
        assert_eq!(name_hint("account", "accessTokenExpiresAt"), Some(Hint::Timestamp));
        assert_eq!(name_hint("user", "ban_expires"), Some(Hint::Timestamp));
        assert_eq!(name_hint("user", "email_verified"), Some(Hint::Boolean));
        assert_eq!(name_hint("user", "role"), Some(Hint::Enum));
        assert_eq!(name_hint("user", "name"), None);
        assert_eq!(name_hint("account", "provider_id"), Some(Hint::Enum));
    }

    #[test]
    fn timestamp_formats_from_samples() {
        use Value::*;
        let ms = Integer(1_795_846_739_167);
        let s = Integer(1_795_846_739);
        let iso = Text("2026-11-28T06:22:01.200Z".into());
        assert_eq!(timestamp_format(Affinity::Integer, std::slice::from_ref(&ms)), Some(TimeFormat::Millis));
        assert_eq!(timestamp_format(Affinity::Integer, &[s]), Some(TimeFormat::Seconds));
        assert_eq!(timestamp_format(Affinity::Integer, std::slice::from_ref(&iso)), Some(TimeFormat::IsoText));
        assert_eq!(timestamp_format(Affinity::Integer, &[ms, iso]), Some(TimeFormat::Mixed));
        assert_eq!(timestamp_format(Affinity::Integer, &[]), Some(TimeFormat::Millis));
        assert_eq!(timestamp_format(Affinity::Text, &[Text("soon".into())]), None);
    }

    /// Defect: on a remote (no samples) `d1_migrations.applied_at`, declared `TIMESTAMP` with
    /// `DEFAULT CURRENT_TIMESTAMP`, was read as epoch milliseconds: it holds SQLite text dates.
    #[test]
    fn declared_sqlite_dates_with_no_samples_are_iso_text() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
               applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, seen DATETIME, day DATE,
               stamped NUMERIC DEFAULT (CURRENT_TIMESTAMP), createdAt INTEGER)",
        )
        .unwrap();
        let info =
            crate::db::schema::describe_table(&conn, &crate::db::schema::DescribeTable { name: "d1_migrations" })
                .unwrap();
        let kind = |name: &str| {
            let column = info.columns.iter().find(|c| c.name == name).unwrap();
            classify_column(&info, name, &column.decl_type, &[])
        };
        let iso = ColumnKind::Timestamp { format: TimeFormat::IsoText };
        for name in ["applied_at", "seen", "day"] {
            assert_eq!(kind(name), iso, "{name}");
        }
        assert_eq!(kind("createdAt"), ColumnKind::Timestamp { format: TimeFormat::Millis }, "drizzle's integer ms");
        assert_eq!(kind("stamped"), iso);
    }

    #[test]
    fn one_pass_samples_equal_the_per_column_ones() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, dense TEXT, sparse INTEGER, empty TEXT)").unwrap();
        for i in 0..300 {
            let sparse = (i % 97 == 0).then_some(i);
            conn.execute("INSERT INTO t (dense, sparse) VALUES (?1, ?2)", rusqlite::params![format!("v{i}"), sparse])
                .unwrap();
        }
        let info = crate::db::schema::describe_table(&conn, &crate::db::schema::DescribeTable { name: "t" }).unwrap();
        let together = sample_columns(&conn, &info).unwrap();
        for (column, samples) in info.columns.iter().zip(&together) {
            assert_eq!(samples, &sample_column(&conn, "t", &column.name).unwrap(), "{}", column.name);
        }
        assert_eq!(together[1].len(), SAMPLE_VALUES as usize);
        assert_eq!(together[2].len(), 4, "0, 97, 194, 291");
        assert!(together[3].is_empty());
    }
}
