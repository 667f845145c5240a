//! Tests of the admin actions: what each writes, in both flavours and date formats, what it
//! records, and what previews show.

use chrono::{TimeDelta, TimeZone, Utc};
use rusqlite::types::Value;

use super::tests::{Dates, Fixture, Flavour, OLD_PASSWORD, db_error, every_fixture, fixture, now};
use super::*;
use crate::db::change::ChangeOp;
use crate::db::open::{OpenInput, OpenMode, open_database};
use crate::db::password::verify_password;

fn run(fx: &Fixture, user: &str, action: UserAction) -> ActionOutcome {
    run_action(&fx.conn, &RunAction { user, action: &action, now: now() })
        .unwrap_or_else(|err| panic!("{:?} {:?}: {err:#}", fx.flavour, fx.dates))
}

fn run_err(fx: &Fixture, user: &str, action: UserAction) -> DbError {
    db_error(run_action(&fx.conn, &RunAction { user, action: &action, now: now() }).unwrap_err())
}

/// `now` as the fixture stores dates.
fn stored_now(fx: &Fixture) -> Value {
    fx.date(now())
}

#[test]
fn ban_for_a_duration_writes_a_future_date_in_the_row_format_and_ends_sessions() {
    for fx in every_fixture() {
        let ban = UserAction::Ban { reason: None, expiry: BanExpiry::After(TimeDelta::days(7)) };
        let outcome = run(&fx, "alice@example.com", ban);
        assert_eq!(outcome.sessions_ended, 2);
        assert_eq!(fx.count("session", "userId", "u-alice"), 0);
        assert_eq!(fx.count("session", "userId", "u-bob"), 1, "other users keep their sessions");
        assert_eq!(fx.value("user", "u-alice", "banned"), Value::Integer(1));
        assert_eq!(fx.value("user", "u-alice", "banReason"), Value::Text(DEFAULT_BAN_REASON.into()));
        let expires = fx.value("user", "u-alice", "banExpires");
        assert_eq!(expires, fx.date(now() + TimeDelta::days(7)));
        if fx.dates == Dates::Millis {
            // Milliseconds, never seconds: better-auth would read seconds as January 1970.
            let Value::Integer(ms) = expires else { panic!("{expires:?}") };
            assert!(ms > 1_000_000_000_000, "{ms}");
        }
        assert_eq!(fx.value("user", "u-alice", "updatedAt"), stored_now(&fx));
        let after = outcome.after.unwrap();
        assert_eq!(after.ban.state, BanState::Banned);
        assert_eq!(after.ban.expires_at, Some(now() + TimeDelta::days(7)));
        assert_eq!(after.active_sessions, 0);
        let ops: Vec<(&str, ChangeOp)> = outcome.changes.iter().map(|c| (c.table.as_str(), c.op)).collect();
        assert_eq!(ops, [("user", ChangeOp::Update), ("session", ChangeOp::Delete), ("session", ChangeOp::Delete)]);
        let changed: Vec<&str> = outcome.changes[0].columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(changed, [fx.col("updatedAt"), fx.col("banned"), fx.col("banReason"), fx.col("banExpires")]);
    }
}

#[test]
fn ban_expiry_follows_the_row_when_the_column_is_empty() {
    // No user has a banExpires yet in this ISO database: the row's own ISO dates decide.
    let fx = fixture(Flavour::Snake, Dates::Iso);
    fx.conn.execute("UPDATE user SET ban_expires = NULL", []).unwrap();
    run(
        &fx,
        "u-carol",
        UserAction::Ban { reason: Some("spam".into()), expiry: BanExpiry::After(TimeDelta::minutes(30)) },
    );
    assert_eq!(fx.value("user", "u-carol", "banExpires"), Value::Text("2026-06-01T12:30:00.000Z".into()));
}

#[test]
fn permanent_ban_sets_null_and_dates_in_the_past_are_refused() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    run(&fx, "bob@example.com", UserAction::Ban { reason: Some("  chargebacks ".into()), expiry: BanExpiry::Never });
    assert_eq!(fx.value("user", "u-bob", "banExpires"), Value::Null);
    assert_eq!(fx.value("user", "u-bob", "banReason"), Value::Text("chargebacks".into()));
    let until = Utc.with_ymd_and_hms(2026, 12, 24, 18, 0, 0).unwrap();
    run(&fx, "u-carol", UserAction::Ban { reason: None, expiry: BanExpiry::At(until) });
    assert_eq!(fx.value("user", "u-carol", "banExpires"), Value::Integer(until.timestamp_millis()));
    let past = BanExpiry::At(now() - TimeDelta::hours(1));
    assert!(matches!(run_err(&fx, "u-alice", UserAction::Ban { reason: None, expiry: past }), DbError::BadInput(_)));
    assert_eq!(fx.count("session", "userId", "u-alice"), 2, "a refused ban changes nothing");
}

#[test]
fn parses_ban_expiries() {
    let ctx = crate::db::value::DisplayContext { now: now(), offset: chrono::FixedOffset::east_opt(0).unwrap() };
    assert_eq!(parse_ban_expiry("7d", &ctx), Ok(BanExpiry::After(TimeDelta::days(7))));
    assert_eq!(parse_ban_expiry("+30m", &ctx), Ok(BanExpiry::After(TimeDelta::minutes(30))));
    assert_eq!(parse_ban_expiry("permanent", &ctx), Ok(BanExpiry::Never));
    assert_eq!(
        parse_ban_expiry("2026-12-01 12:00", &ctx),
        Ok(BanExpiry::At(Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()))
    );
    assert!(parse_ban_expiry("next tuesday", &ctx).is_err());
}

#[test]
fn unban_clears_the_ban_and_shows_expired_bans_as_such_before() {
    for fx in every_fixture() {
        let outcome = run(&fx, "bob@example.com", UserAction::Unban);
        assert_eq!(outcome.before.ban.state, BanState::BanExpired);
        assert_eq!(outcome.after.unwrap().ban.state, BanState::NotBanned);
        assert_eq!(fx.value("user", "u-bob", "banned"), Value::Integer(0));
        assert_eq!(fx.value("user", "u-bob", "banReason"), Value::Null);
        assert_eq!(fx.value("user", "u-bob", "banExpires"), Value::Null);
        assert_eq!(fx.value("user", "u-bob", "updatedAt"), stored_now(&fx));
        assert_eq!(fx.count("session", "userId", "u-bob"), 1, "unban leaves sessions alone");
    }
}

#[test]
fn set_role_validates_and_joins_roles() {
    for fx in every_fixture() {
        let outcome = run(&fx, "u-carol", UserAction::SetRole { role: " admin, user ,admin".into() });
        assert_eq!(fx.value("user", "u-carol", "role"), Value::Text("admin,user".into()));
        assert!(outcome.after.unwrap().is_admin);
        assert_eq!(fx.value("user", "u-carol", "updatedAt"), stored_now(&fx));
        for bad in ["", "  ", "admin,,user"] {
            assert!(matches!(run_err(&fx, "u-carol", UserAction::SetRole { role: bad.into() }), DbError::BadInput(_)));
        }
    }
}

#[test]
fn revokes_all_or_chosen_sessions() {
    for fx in every_fixture() {
        let chosen = UserAction::RevokeSessions { session_ids: vec!["s-alice-old".into()] };
        assert_eq!(run(&fx, "u-alice", chosen).sessions_ended, 1);
        assert_eq!(fx.count("session", "id", "s-alice-1"), 1);
        let foreign = UserAction::RevokeSessions { session_ids: vec!["s-bob-1".into()] };
        assert!(matches!(run_err(&fx, "u-alice", foreign), DbError::NotFound(m) if m.contains("s-bob-1")));
        assert_eq!(fx.count("session", "id", "s-bob-1"), 1);
        let all = run(&fx, "u-alice", UserAction::RevokeSessions { session_ids: Vec::new() });
        assert_eq!(all.sessions_ended, 1);
        assert_eq!(fx.count("session", "userId", "u-alice"), 0);
    }
}

fn password(fx: &Fixture, account_id: &str) -> String {
    match fx.value("account", account_id, "password") {
        Value::Text(hash) => hash,
        other => panic!("{other:?}"),
    }
}

#[test]
fn set_password_updates_the_credential_account() {
    for fx in every_fixture() {
        let outcome = run(&fx, "alice@example.com", UserAction::SetPassword { password: Password::new("n3w-Secret") });
        let hash = password(&fx, "a-alice");
        assert_eq!(hash.len(), 161);
        assert!(verify_password("n3w-Secret", &hash).unwrap());
        assert!(!verify_password(OLD_PASSWORD, &hash).unwrap());
        assert_eq!(fx.value("account", "a-alice", "updatedAt"), stored_now(&fx));
        assert_eq!(outcome.effects.len(), 1);
        assert_eq!((outcome.effects[0].table.as_str(), outcome.effects[0].op), ("account", ChangeOp::Update));
        assert!(verify_password(OLD_PASSWORD, &password(&fx, "a-dave")).unwrap(), "other users untouched");
    }
}

#[test]
fn set_password_creates_a_credential_account_when_there_is_none() {
    for fx in every_fixture() {
        run(&fx, "bob@example.com", UserAction::SetPassword { password: Password::new("hunter22") });
        let sql = format!(
            "SELECT id, \"{}\", \"{}\", password FROM account WHERE \"{}\" = 'u-bob' AND \"{}\" = 'credential'",
            fx.col("accountId"),
            fx.col("createdAt"),
            fx.col("userId"),
            fx.col("providerId")
        );
        let (id, account_id, created, hash): (String, String, Value, String) =
            fx.conn.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
        assert_eq!(account_id, "u-bob");
        assert_eq!(created, stored_now(&fx));
        assert_eq!(fx.value("account", &id, "updatedAt"), stored_now(&fx));
        assert!(verify_password("hunter22", &hash).unwrap());
        assert_eq!(fx.count("account", "userId", "u-bob"), 2, "the github account stays");
    }
}

#[test]
fn remove_deletes_sessions_accounts_and_the_user() {
    for fx in every_fixture() {
        let preview =
            preview_action(&fx.conn, &RunAction { user: "u-alice", action: &UserAction::Remove, now: now() }).unwrap();
        assert_eq!(
            (preview.deleted_from("session"), preview.deleted_from("account"), preview.deleted_from("user")),
            (2, 1, 1)
        );
        let outcome = run(&fx, "u-alice", UserAction::Remove);
        assert!(outcome.after.is_none());
        let counts: Vec<(&str, ChangeOp, u64)> =
            outcome.effects.iter().map(|e| (e.table.as_str(), e.op, e.rows)).collect();
        assert_eq!(
            counts,
            [("session", ChangeOp::Delete, 2), ("account", ChangeOp::Delete, 1), ("user", ChangeOp::Delete, 1)]
        );
        assert_eq!(fx.count("user", "id", "u-alice"), 0);
        assert_eq!(fx.count("account", "userId", "u-alice"), 0);
        assert_eq!(fx.count("session", "userId", "u-carol"), 1, "sessions alice impersonated are carol's");
        assert!(matches!(run_err(&fx, "u-alice", UserAction::Remove), DbError::NotFound(_)));
    }
}

#[test]
fn remove_records_foreign_key_cascades_and_refuses_blocking_keys() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    let migration = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle/0001_audit_log_last_login.sql"),
    )
    .unwrap();
    fx.conn.execute_batch(&migration).unwrap();
    fx.conn
        .execute_batch("INSERT INTO audit_log (userId, action) VALUES ('u-alice', 'login'), ('u-alice', 'logout')")
        .unwrap();
    fx.conn.execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY, author TEXT REFERENCES user(id))").unwrap();
    fx.conn.execute_batch("INSERT INTO note (author) VALUES ('u-bob')").unwrap();
    fx.conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let preview =
        preview_action(&fx.conn, &RunAction { user: "u-alice", action: &UserAction::Remove, now: now() }).unwrap();
    let via: Vec<(&str, u64)> = preview.effects.iter().filter_map(|e| e.via.as_deref().map(|v| (v, e.rows))).collect();
    assert_eq!(via, [("foreign key audit_log.userId ON DELETE SET NULL", 2)]);
    let outcome = run(&fx, "u-alice", UserAction::Remove);
    let nulled: Vec<&RowChange> = outcome.changes.iter().filter(|c| c.table == "audit_log").collect();
    assert_eq!(nulled.len(), 2);
    assert_eq!(nulled[0].op, ChangeOp::Update);
    assert_eq!(nulled[0].columns[0].old, Value::Text("u-alice".into()));
    assert_eq!(nulled[0].columns[0].new, Value::Null);
    // note.author has no ON DELETE rule: removing bob would fail, so it is refused with a reason.
    let err = run_err(&fx, "u-bob", UserAction::Remove);
    assert!(matches!(&err, DbError::Invalid(m) if m.contains("\"note\"") && m.contains("NO ACTION")), "{err}");
    assert_eq!(fx.count("user", "id", "u-bob"), 1);
}

#[test]
fn previews_show_counts_and_bound_values_and_change_nothing() {
    let fx = fixture(Flavour::Snake, Dates::Millis);
    let ban = UserAction::Ban { reason: None, expiry: BanExpiry::After(TimeDelta::days(7)) };
    let preview = preview_action(&fx.conn, &RunAction { user: "alice@example.com", action: &ban, now: now() }).unwrap();
    assert_eq!(preview.deleted_from("session"), 2);
    assert_eq!(preview.statements.len(), 2);
    assert_eq!(
        preview.statements[0].sql,
        "UPDATE \"user\" SET \"banned\" = ?1, \"ban_reason\" = ?2, \"ban_expires\" = ?3, \"updated_at\" = ?4 WHERE \"id\" = ?5"
    );
    let week = (now() + TimeDelta::days(7)).timestamp_millis().to_string();
    assert_eq!(
        preview.statements[0].params,
        ["1", "'No reason'", week.as_str(), &now().timestamp_millis().to_string(), "'u-alice'"]
    );
    assert_eq!(preview.statements[1].to_text(), "DELETE FROM \"session\" WHERE \"user_id\" = ?1\n  ?1 = 'u-alice'");
    assert_eq!(fx.count("session", "userId", "u-alice"), 2);
    assert_eq!(fx.value("user", "u-alice", "banned"), Value::Integer(0));
    let set = UserAction::SetPassword { password: Password::new("abc12345") };
    let preview = preview_action(&fx.conn, &RunAction { user: "u-alice", action: &set, now: now() }).unwrap();
    assert_eq!(preview.statements[0].params[0], crate::db::change::REDACTED);
    assert!(verify_password(OLD_PASSWORD, &password(&fx, "a-alice")).unwrap());
    assert_eq!(format!("{set:?}"), "SetPassword { password: Password([redacted]) }");
}

#[test]
fn read_only_databases_refuse_every_action() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    let before = std::fs::read(&fx.path).unwrap();
    let db = open_database(&OpenInput { path: &fx.path, mode: OpenMode::ReadOnly }).unwrap();
    for action in [UserAction::Unban, UserAction::Remove, UserAction::SetRole { role: "admin".into() }] {
        let err = run_action(&db.conn, &RunAction { user: "u-bob", action: &action, now: now() }).unwrap_err();
        assert!(matches!(db_error(err), DbError::ReadOnly(_)));
    }
    drop(db);
    assert_eq!(before, std::fs::read(&fx.path).unwrap());
}

#[test]
fn bans_past_the_last_storable_date_are_refused_and_change_nothing() {
    for fx in every_fixture() {
        let forever = BanExpiry::After(TimeDelta::days(365 * 300_000));
        let err = run_err(&fx, "u-alice", UserAction::Ban { reason: None, expiry: forever });
        assert!(matches!(&err, DbError::BadInput(message) if message.contains("too long")), "{err:?}");
        // 9000 years fits an epoch number, but not ISO-8601 text.
        let long = UserAction::Ban { reason: None, expiry: BanExpiry::After(TimeDelta::days(365 * 9_000)) };
        if fx.dates == Dates::Iso {
            assert!(matches!(run_err(&fx, "u-alice", long), DbError::Invalid(m) if m.contains("9999")));
            assert_eq!(fx.count("session", "userId", "u-alice"), 2, "a refused ban changes nothing");
        }
    }
}

#[test]
fn a_planned_action_runs_as_previewed_and_is_refused_when_its_user_is_gone() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    let action = UserAction::SetRole { role: "admin".into() };
    let preview =
        preview_action(&fx.conn, &RunAction { user: "alice@example.com", action: &action, now: now() }).unwrap();
    let outcome = run_planned(&fx.conn, &preview.plan).unwrap();
    assert_eq!(outcome.statements, preview.statements, "what runs is what was shown");
    let unban = UserAction::Unban;
    let plan = preview_action(&fx.conn, &RunAction { user: "bob@example.com", action: &unban, now: now() }).unwrap();
    fx.conn.execute("DELETE FROM session WHERE userId = 'u-bob'", []).unwrap();
    fx.conn.execute("DELETE FROM account WHERE userId = 'u-bob'", []).unwrap();
    fx.conn.execute("DELETE FROM user WHERE id = 'u-bob'", []).unwrap();
    let err = run_planned(&fx.conn, &plan.plan).unwrap_err();
    assert!(matches!(db_error(err), DbError::NotFound(_) | DbError::Conflict(_)));
}

/// Issue 13: on a remote, previews read by index only. `session.impersonatedBy` has no index,
/// so a removal's preview does not count the sessions naming the user there (that read every
/// session: 7,249 rows on the walkthrough's stand-in); it says so. Rows read are counted on
/// D1's rules over 3,000 sessions.
#[test]
fn remote_previews_read_by_index_only_and_say_what_they_skipped() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    fx.conn
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId)
             SELECT 'filler-' || i, 0, 'tok-' || i, 0, 0, 'u-bob' FROM n",
        )
        .unwrap();
    let d1 = crate::db::backend::rules::D1Rules::new(rusqlite::Connection::open(&fx.path).unwrap());
    let ban = UserAction::Ban { reason: None, expiry: BanExpiry::After(TimeDelta::days(7)) };
    for action in [ban, UserAction::Remove] {
        let before = d1.rows_read();
        let preview = preview_action(&d1, &RunAction { user: "u-alice", action: &action, now: now() }).unwrap();
        let read = d1.rows_read() - before;
        eprintln!("{}: {read} rows read", action.name());
        assert!(read < 300, "{}: {read} rows read", action.name());
        assert_eq!(preview.deleted_from("session"), 2, "{}", action.name());
    }
    let remove = |db: &dyn crate::db::backend::Backend| {
        preview_action(db, &RunAction { user: "u-alice", action: &UserAction::Remove, now: now() }).unwrap()
    };
    let preview = remove(&d1);
    assert_eq!(preview.impersonations_left, Impersonations::NotCounted);
    let said = impersonations_left_text(&preview).unwrap();
    assert!(said.contains("not counted (no index on it"), "{said}");
    // Locally a scan bills nothing: counted as before.
    assert_eq!(remove(&fx.conn).impersonations_left, Impersonations::Counted(1));
    // With an index it is one lookup on the remote too.
    fx.conn.execute_batch("CREATE INDEX session_impersonatedBy_idx ON session (impersonatedBy)").unwrap();
    let d1 = crate::db::backend::rules::D1Rules::new(rusqlite::Connection::open(&fx.path).unwrap());
    let preview = remove(&d1);
    assert_eq!(preview.impersonations_left, Impersonations::Counted(1));
    assert!(d1.rows_read() < 300, "{} rows read", d1.rows_read());
}

/// The walkthrough's ban for 7 days read 4,490 rows on the remote: the format of `banExpires`
/// was sampled from the table, where most users have none. On a remote the row's own dates
/// decide (better-auth writes a row's dates alike); rows read are counted on D1's rules over
/// 3,000 users without a ban.
#[test]
fn a_remote_ban_preview_reads_no_sample_of_the_expiry_column() {
    for dates in [Dates::Millis, Dates::Iso] {
        let fx = fixture(Flavour::Camel, dates);
        let stamp = match fx.date(now()) {
            Value::Integer(ms) => ms.to_string(),
            Value::Text(text) => format!("'{text}'"),
            other => panic!("{other:?}"),
        };
        fx.conn
            .execute_batch(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
                 INSERT INTO user (id, name, email, emailVerified, banned, createdAt, updatedAt)
                 SELECT 'filler-' || i, 'f', 'f' || i || '@example.com', 0, 0, {stamp}, {stamp} FROM n"
            ))
            .unwrap();
        let d1 = crate::db::backend::rules::D1Rules::new(rusqlite::Connection::open(&fx.path).unwrap());
        let ban = UserAction::Ban { reason: None, expiry: BanExpiry::After(TimeDelta::days(7)) };
        for action in [ban, UserAction::Ban { reason: None, expiry: BanExpiry::Never }] {
            let before = d1.rows_read();
            let preview = preview_action(&d1, &RunAction { user: "u-alice", action: &action, now: now() }).unwrap();
            let read = d1.rows_read() - before;
            assert!(read < 100, "{dates:?}: {read} rows read");
            // What it writes is what the local file's sampling would write.
            let local = preview_action(&fx.conn, &RunAction { user: "u-alice", action: &action, now: now() }).unwrap();
            assert_eq!(preview.statements, local.statements, "{dates:?}");
        }
    }
}

/// The CLI's confirmation showed `?3 = 1796621238213` where the TUI shows the date beside it.
#[test]
fn the_preview_text_shows_the_date_beside_an_epoch_value() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    let ban = UserAction::Ban { reason: None, expiry: BanExpiry::After(TimeDelta::days(7)) };
    let preview = preview_action(&fx.conn, &RunAction { user: "u-alice", action: &ban, now: now() }).unwrap();
    let ctx = crate::db::value::DisplayContext { now: now(), offset: chrono::FixedOffset::east_opt(0).unwrap() };
    let text = preview_text(&preview, &ctx);
    let expires = (now() + TimeDelta::days(7)).format("%Y-%m-%d %H:%M").to_string();
    let line = text.lines().find(|l| l.contains(&expires)).unwrap_or_default();
    assert!(line.starts_with("  ?") && line.ends_with(&format!("→ {expires} (in 7d)")), "{text}");
    assert!(text.contains("= 'u-alice'\n") || text.ends_with("= 'u-alice'"), "no date beside an id: {text}");
}

/// Defect (remote walkthrough): `squall user list --remote --limit 3` read 20,451 rows: the list
/// was sorted ignoring case (every user through the sorter), then counted. On a remote the
/// unique index on email orders it, so a limit reads about that many rows, in the same order.
#[test]
fn a_limited_user_list_on_a_remote_reads_by_the_email_index() {
    let fx = fixture(Flavour::Camel, Dates::Millis);
    fx.conn
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt)
             SELECT 'filler-' || i, 'Filler', 'z' || i || '@example.com', 1, 0, 0 FROM n",
        )
        .unwrap();
    let input = ListUsers { search: None, banned_only: false, role: None, limit: Some(3), now: now() };
    let d1 = crate::db::backend::rules::D1Rules::new(rusqlite::Connection::open(&fx.path).unwrap());
    let before = d1.rows_read();
    let remote = list_users(&d1, &input).unwrap();
    let read = d1.rows_read() - before;
    assert!(read < 100, "{read} rows read for 3 users");
    let local = list_users(&fx.conn, &input).unwrap();
    let emails = |users: &[UserSummary]| users.iter().map(|u| u.email.clone()).collect::<Vec<_>>();
    assert_eq!(emails(&remote), emails(&local), "the same users in the same order");
    assert_eq!(emails(&remote), ["alice@example.com", "bob@example.com", "carol@example.com"]);
}
