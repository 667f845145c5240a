//! Tests of reading users, on temporary databases made from the drizzle fixtures in both column
//! flavours and both date formats. The helpers are shared with `tests_actions`.

use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::*;
use crate::db::kinds::name_words;
use crate::db::password::hash_password;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavour {
    Camel,
    Snake,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dates {
    Millis,
    Iso,
}

pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub conn: Connection,
    pub flavour: Flavour,
    pub dates: Dates,
}

impl Fixture {
    /// The real name of a column written here in camelCase.
    pub fn col(&self, camel: &str) -> String {
        column_name(self.flavour, camel)
    }

    pub fn date(&self, instant: DateTime<Utc>) -> Value {
        match self.dates {
            Dates::Millis => Value::Integer(instant.timestamp_millis()),
            Dates::Iso => Value::Text(instant.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }

    pub fn insert(&self, table: &str, values: &[(&str, Value)]) {
        let columns: Vec<String> = values.iter().map(|(c, _)| format!("\"{}\"", self.col(c))).collect();
        let marks: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
        let sql = format!("INSERT INTO \"{table}\" ({}) VALUES ({})", columns.join(", "), marks.join(", "));
        self.conn.execute(&sql, params_from_iter(values.iter().map(|(_, v)| v))).unwrap();
    }

    /// One column of one row, read back by id.
    pub fn value(&self, table: &str, id: &str, camel: &str) -> Value {
        let sql = format!("SELECT \"{}\" FROM \"{table}\" WHERE id = ?1", self.col(camel));
        self.conn.query_row(&sql, [id], |r| r.get(0)).unwrap()
    }

    pub fn count(&self, table: &str, camel: &str, value: &str) -> i64 {
        let sql = format!("SELECT count(*) FROM \"{table}\" WHERE \"{}\" = ?1", self.col(camel));
        self.conn.query_row(&sql, [value], |r| r.get(0)).unwrap()
    }
}

pub(super) fn column_name(flavour: Flavour, camel: &str) -> String {
    match flavour {
        Flavour::Camel => camel.to_string(),
        Flavour::Snake => name_words(camel).join("_"),
    }
}

/// The fixed clock of these tests.
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// The old password of alice's credential account.
pub(super) const OLD_PASSWORD: &str = "old-password-1";

/// A temporary database with the fixture schema and four users:
/// - alice: admin, verified, credential account, 1 active + 1 expired session;
/// - bob: banned until yesterday (ban expired), 1 active session, github account;
/// - carol: role NULL, unverified, being impersonated by alice (1 active session);
/// - dave: banned permanently ("abuse"), no sessions, credential account.
pub(super) fn fixture(flavour: Flavour, dates: Dates) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let folder = match flavour {
        Flavour::Camel => "drizzle",
        Flavour::Snake => "drizzle-snake",
    };
    let init = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(folder).join("0000_init.sql"),
    )
    .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&init).unwrap();
    let fx = Fixture { _dir: dir, path, conn, flavour, dates };
    let t = now();
    let day = TimeDelta::days(1);
    let user = |id: &str,
                email: &str,
                verified: i64,
                role: Option<&str>,
                banned: i64,
                reason: Option<&str>,
                expires: Option<DateTime<Utc>>| {
        fx.insert(
            "user",
            &[
                ("id", Value::Text(id.into())),
                ("name", Value::Text(id.trim_start_matches("u-").into())),
                ("email", Value::Text(email.into())),
                ("emailVerified", Value::Integer(verified)),
                ("role", role.map_or(Value::Null, |r| Value::Text(r.into()))),
                ("banned", Value::Integer(banned)),
                ("banReason", reason.map_or(Value::Null, |r| Value::Text(r.into()))),
                ("banExpires", expires.map_or(Value::Null, |e| fx.date(e))),
                ("createdAt", fx.date(t - day * 100)),
                ("updatedAt", fx.date(t - day * 10)),
            ],
        );
    };
    user("u-alice", "alice@example.com", 1, Some("admin"), 0, None, None);
    user("u-bob", "bob@example.com", 1, Some("user"), 1, Some("spam"), Some(t - day));
    user("u-carol", "carol@example.com", 0, None, 0, None, None);
    user("u-dave", "dave@example.com", 1, Some("user"), 1, Some("abuse"), None);
    let session = |id: &str, user: &str, expires: DateTime<Utc>, by: Option<&str>| {
        fx.insert(
            "session",
            &[
                ("id", Value::Text(id.into())),
                ("expiresAt", fx.date(expires)),
                ("token", Value::Text(format!("token-{id}"))),
                ("createdAt", fx.date(expires - day * 7)),
                ("updatedAt", fx.date(expires - day * 7)),
                ("ipAddress", Value::Text("203.0.113.7".into())),
                ("userAgent", Value::Text("test-agent".into())),
                ("userId", Value::Text(user.into())),
                ("impersonatedBy", by.map_or(Value::Null, |b| Value::Text(b.into()))),
            ],
        );
    };
    session("s-alice-1", "u-alice", t + day * 3, None);
    session("s-alice-old", "u-alice", t - day * 2, None);
    session("s-bob-1", "u-bob", t + day, None);
    session("s-carol-imp", "u-carol", t + TimeDelta::hours(1), Some("u-alice"));
    let account = |id: &str, user: &str, provider: &str, password: Option<String>| {
        fx.insert(
            "account",
            &[
                ("id", Value::Text(id.into())),
                ("accountId", Value::Text(if provider == "credential" { user.into() } else { "gh-123".into() })),
                ("providerId", Value::Text(provider.into())),
                ("userId", Value::Text(user.into())),
                ("accessToken", if provider == "credential" { Value::Null } else { Value::Text("gho_secret".into()) }),
                ("password", password.map_or(Value::Null, Value::Text)),
                ("createdAt", fx.date(t - day * 100)),
                ("updatedAt", fx.date(t - day * 100)),
            ],
        );
    };
    let hash = hash_password(OLD_PASSWORD).unwrap();
    account("a-alice", "u-alice", "credential", Some(hash.clone()));
    account("a-bob", "u-bob", "github", None);
    account("a-dave", "u-dave", "credential", Some(hash));
    fx
}

pub(super) fn every_fixture() -> Vec<Fixture> {
    vec![
        fixture(Flavour::Camel, Dates::Millis),
        fixture(Flavour::Snake, Dates::Millis),
        fixture(Flavour::Camel, Dates::Iso),
    ]
}

pub(super) fn db_error(err: anyhow::Error) -> DbError {
    err.downcast::<DbError>().unwrap_or_else(|err| panic!("not a DbError: {err:#}"))
}

fn list(fx: &Fixture, input: ListUsers) -> Vec<UserSummary> {
    list_users(&fx.conn, &ListUsers { now: now(), ..input }).unwrap()
}

#[test]
fn finds_better_auth_columns_in_both_flavours() {
    let camel = fixture(Flavour::Camel, Dates::Millis);
    let snake = fixture(Flavour::Snake, Dates::Millis);
    let a = load_auth_schema(&camel.conn).unwrap();
    let b = load_auth_schema(&snake.conn).unwrap();
    assert_eq!(a.user.column("banExpires"), Some("banExpires"));
    assert_eq!(b.user.column("banExpires"), Some("ban_expires"));
    assert_eq!(b.session.column("impersonatedBy"), Some("impersonated_by"));
    assert_eq!(b.account.column("providerId"), Some("provider_id"));
    assert_eq!(a.user.column("lastLoginAt"), None);
    let err = db_error(a.user.require("twoFactorEnabled").unwrap_err());
    assert!(err.to_string().contains("twoFactorEnabled / two_factor_enabled"), "{err}");
}

#[test]
fn lists_users_with_ban_state_admin_flag_and_active_sessions() {
    for fx in every_fixture() {
        let users = list(&fx, ListUsers::default());
        let emails: Vec<&str> = users.iter().map(|u| u.email.as_str()).collect();
        assert_eq!(emails, ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]);
        let [alice, bob, carol, dave] = users.as_slice() else { unreachable!() };
        assert!(alice.is_admin && !bob.is_admin, "{:?}", fx.flavour);
        assert_eq!(alice.active_sessions, 1, "{:?} {:?}", fx.flavour, fx.dates);
        assert_eq!(alice.ban.state, BanState::NotBanned);
        assert_eq!(bob.ban.state, BanState::BanExpired);
        assert_eq!(bob.ban.reason.as_deref(), Some("spam"));
        assert_eq!(bob.ban.expires_at, Some(now() - TimeDelta::days(1)));
        assert_eq!(dave.ban, BanInfo { state: BanState::Banned, reason: Some("abuse".into()), expires_at: None });
        assert!(!carol.email_verified && alice.email_verified);
        assert_eq!(carol.role, None);
        assert_eq!(carol.roles, ["user"]);
        assert_eq!(carol.active_sessions, 1);
        assert_eq!(alice.created_at, Some(now() - TimeDelta::days(100)));
    }
}

#[test]
fn list_filters_by_search_ban_and_role() {
    for fx in every_fixture() {
        let emails = |input: ListUsers| list(&fx, input).into_iter().map(|u| u.email).collect::<Vec<_>>();
        assert_eq!(emails(ListUsers { search: Some("ALI".into()), ..Default::default() }), ["alice@example.com"]);
        assert_eq!(emails(ListUsers { search: Some("u-bob".into()), ..Default::default() }), ["bob@example.com"]);
        assert_eq!(emails(ListUsers { search: Some("%".into()), ..Default::default() }), Vec::<String>::new());
        assert_eq!(
            emails(ListUsers { banned_only: true, ..Default::default() }),
            ["bob@example.com", "dave@example.com"]
        );
        assert_eq!(emails(ListUsers { role: Some("admin".into()), ..Default::default() }), ["alice@example.com"]);
        assert_eq!(
            emails(ListUsers { role: Some("user".into()), ..Default::default() }),
            ["bob@example.com", "carol@example.com", "dave@example.com"]
        );
        assert_eq!(emails(ListUsers { limit: Some(2), ..Default::default() }).len(), 2);
    }
}

#[test]
fn finds_users_by_id_or_email_and_says_when_there_is_none() {
    let fx = fixture(Flavour::Snake, Dates::Millis);
    let by_email = find_user(&fx.conn, &FindUser { query: "Alice@Example.com", now: now() }).unwrap();
    assert_eq!(by_email.id, "u-alice");
    let by_id = find_user(&fx.conn, &FindUser { query: "u-dave", now: now() }).unwrap();
    assert_eq!(by_id.email, "dave@example.com");
    let err = db_error(find_user(&fx.conn, &FindUser { query: "nobody@example.com", now: now() }).unwrap_err());
    assert!(matches!(&err, DbError::NotFound(m) if m.contains("nobody@example.com")), "{err}");
}

#[test]
fn shows_sessions_and_accounts_without_secrets() {
    for fx in every_fixture() {
        let detail = show_user(&fx.conn, &FindUser { query: "carol@example.com", now: now() }).unwrap();
        assert_eq!(detail.sessions.len(), 1);
        let session = &detail.sessions[0];
        assert!(session.active);
        assert_eq!(session.impersonated_by.as_deref(), Some("u-alice"));
        assert_eq!(session.impersonator_email.as_deref(), Some("alice@example.com"));
        let alice = show_user(&fx.conn, &FindUser { query: "u-alice", now: now() }).unwrap();
        assert_eq!(alice.sessions.iter().map(|s| s.active).collect::<Vec<_>>(), [true, false]);
        assert_eq!(alice.accounts.len(), 1);
        assert!(alice.accounts[0].has_password);
        assert_eq!(alice.accounts[0].provider_id, "credential");
        let json = serde_json::to_string(&alice).unwrap()
            + &serde_json::to_string(&show_user(&fx.conn, &FindUser { query: "u-bob", now: now() }).unwrap()).unwrap();
        assert!(!json.contains("token-") && !json.contains("gho_secret") && !json.contains(OLD_PASSWORD), "{json}");
        let Value::Text(hash) = fx.value("account", "a-alice", "password") else { panic!("no hash") };
        assert!(!json.contains(&hash[..20]));
    }
}

#[test]
fn lists_impersonations_with_the_admin_email_and_roles_in_use() {
    for fx in every_fixture() {
        let all =
            list_impersonations(&fx.conn, &ListImpersonations { active_only: false, user: None, now: now() }).unwrap();
        assert_eq!(all.len(), 1);
        let imp = &all[0];
        assert_eq!(
            (imp.user_email.as_deref(), imp.admin_email.as_deref()),
            (Some("carol@example.com"), Some("alice@example.com"))
        );
        assert!(imp.active);
        assert_eq!(imp.expires_at, Some(now() + TimeDelta::hours(1)));
        let later = list_impersonations(
            &fx.conn,
            &ListImpersonations { active_only: true, user: None, now: now() + TimeDelta::hours(2) },
        )
        .unwrap();
        assert!(later.is_empty());
    }
    let fx = fixture(Flavour::Camel, Dates::Millis);
    fx.conn.execute("UPDATE user SET role = 'support, admin' WHERE id = 'u-carol'", []).unwrap();
    assert_eq!(list_roles(&fx.conn).unwrap(), ["admin", "support", "user"]);
}
