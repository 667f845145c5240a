use super::*;
use crate::demo::{DemoInput, create_demo};

#[test]
fn demo_user_deletion_counts_match_what_sqlite_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    create_demo(DemoInput { path: &path, users: 60, force: false, progress: &mut |_| {} }).unwrap();
    let conn = open(&path);
    // The user with the most sessions and accounts, and one more with some.
    let users: Vec<(String, i64, i64)> = conn
        .prepare(
            "SELECT u.id, (SELECT count(*) FROM session s WHERE s.userId = u.id) AS s,
                    (SELECT count(*) FROM account a WHERE a.userId = u.id) AS a
             FROM user u ORDER BY s + a DESC, u.id LIMIT 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let (sessions, accounts) = (users[0].1 + users[1].1, users[0].2 + users[1].2);
    assert!(sessions > 1 && accounts > 1, "the demo gives users sessions and accounts: {users:?}");
    let keys: Vec<ColumnValues> = users.iter().map(|(id, _, _)| vec![("id".to_string(), text(id))]).collect();
    let preview = cascade_preview(&conn, &CascadeInput { table: "user", keys: &keys }).unwrap();
    assert!(preview.foreign_keys_enforced);
    assert_eq!(
        preview.deletes,
        [
            TableCount { table: "user".into(), rows: 2 },
            TableCount { table: "session".into(), rows: sessions as u64 },
            TableCount { table: "account".into(), rows: accounts as u64 },
        ]
    );
    assert_eq!(preview.summary(), format!("deletes 2 users, {sessions} sessions, {accounts} accounts"));
    assert!(preview.set_null.is_empty() && preview.blocked.is_empty());

    let before = count(&conn, "SELECT (SELECT count(*) FROM session) + (SELECT count(*) FROM account)");
    let changes: Vec<StagedChange> = users.iter().map(|(id, _, _)| delete(&conn, "user", ("id", text(id)))).collect();
    let report = commit_changes(&conn, &input(&changes)).unwrap();
    let after = count(&conn, "SELECT (SELECT count(*) FROM session) + (SELECT count(*) FROM account)");
    assert_eq!(before - after, sessions + accounts);
    assert_eq!(
        report.cascaded,
        [
            TableCount { table: "session".into(), rows: sessions as u64 },
            TableCount { table: "account".into(), rows: accounts as u64 }
        ]
    );
}

const TEAMS: &str = "
CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE member (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES team(id) ON DELETE CASCADE,
                     mentor_id INTEGER REFERENCES member(id) ON DELETE SET NULL);
CREATE TABLE post (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES member(id) ON DELETE CASCADE);
CREATE TABLE comment (id INTEGER PRIMARY KEY, post_id INTEGER REFERENCES post(id) ON DELETE CASCADE,
                      parent_id INTEGER REFERENCES comment(id) ON DELETE CASCADE);
CREATE TABLE invoice (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES team(id));
CREATE TABLE badge (member_id INTEGER REFERENCES member(id) ON DELETE RESTRICT);
INSERT INTO team VALUES (1, 'a'), (2, 'b');
INSERT INTO member VALUES (1, 1, NULL), (2, 1, 1), (3, 2, 1), (4, 2, NULL);
INSERT INTO post VALUES (1, 1), (2, 3);
INSERT INTO comment VALUES (1, 1, NULL), (2, 2, 1), (3, 2, 2), (4, 2, NULL);
INSERT INTO invoice VALUES (1, 1);
INSERT INTO badge VALUES (2), (4);
";

#[test]
fn cascades_are_followed_recursively_with_set_null_and_blockers_apart() {
    let db = test_db(&[TEAMS]);
    let conn = open(&db.path);
    let team_one = vec![vec![("id".to_string(), Value::Integer(1))]];
    let preview = cascade_preview(&conn, &CascadeInput { table: "team", keys: &team_one }).unwrap();
    assert_eq!(
        preview.summary(),
        "deletes 1 team, 2 members, 1 post, 3 comments; sets NULL in 1 member row (mentor_id); \
         blocked by 1 invoice row (team_id), 1 badge row (member_id)"
    );
    let blocked: Vec<&str> = preview.blocked.iter().map(|b| b.action.as_str()).collect();
    assert_eq!(blocked, ["NO ACTION", "RESTRICT"]);
    let change = delete(&conn, "team", ("id", Value::Integer(1)));
    let problems = check_change(&conn, &CheckChange { change: &change }).unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[1].contains("1 row of badge still references it (member_id, ON DELETE RESTRICT)"), "{problems:?}");
    let message = db_error(commit_changes(&conn, &input(std::slice::from_ref(&change))).unwrap_err()).to_string();
    assert!(message.contains("FOREIGN KEY constraint failed"), "{message}");
    assert_eq!(count(&conn, "SELECT count(*) FROM comment"), 4, "nothing was deleted");

    // Without the blockers the same delete goes through, and SQLite agrees with the preview.
    conn.execute_batch("DELETE FROM invoice; DELETE FROM badge WHERE member_id = 2;").unwrap();
    let preview = cascade_preview(&conn, &CascadeInput { table: "team", keys: &team_one }).unwrap();
    assert!(preview.blocked.is_empty());
    assert_eq!(preview.total_deleted(), 7);
    let report = commit_changes(&conn, &input(&[change])).unwrap();
    assert_eq!(
        report.cascaded,
        [
            TableCount { table: "member".into(), rows: 2 },
            TableCount { table: "post".into(), rows: 1 },
            TableCount { table: "comment".into(), rows: 3 },
        ]
    );
    assert_eq!(report.set_null.len(), 1);
    let left = count(
        &conn,
        "SELECT (SELECT count(*) FROM member) * 100 + (SELECT count(*) FROM post) * 10 + (SELECT count(*) FROM comment)",
    );
    assert_eq!(left, 211);
    assert_eq!(cell(&conn, "SELECT mentor_id FROM member WHERE id = 3"), Value::Null);
}

#[test]
fn nothing_cascades_when_foreign_keys_are_off() {
    let db = test_db(&[TEAMS]);
    let conn = other_connection(&db.path);
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    let keys = vec![vec![("id".to_string(), Value::Integer(1))]];
    let preview = cascade_preview(&conn, &CascadeInput { table: "team", keys: &keys }).unwrap();
    assert!(!preview.foreign_keys_enforced);
    assert_eq!(preview.summary(), "deletes 1 team");
}

#[test]
fn rows_that_do_not_exist_count_zero() {
    let db = test_db(&[TEAMS]);
    let conn = open(&db.path);
    let keys = vec![vec![("id".to_string(), Value::Integer(99))]];
    let preview = cascade_preview(&conn, &CascadeInput { table: "team", keys: &keys }).unwrap();
    assert_eq!(preview.deletes, [TableCount { table: "team".into(), rows: 0 }]);
}

/// Defect: the review of a delete listed only `DELETE FROM "user"`; what cascades first showed
/// after the commit. Each delete's statement says what it takes with it.
#[test]
fn the_review_says_beside_each_delete_what_it_cascades_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    create_demo(DemoInput { path: &path, users: 60, force: false, progress: &mut |_| {} }).unwrap();
    let conn = open(&path);
    let (id, sessions, accounts): (String, i64, i64) = conn
        .query_row(
            "SELECT u.id, (SELECT count(*) FROM session s WHERE s.userId = u.id) AS s,
                    (SELECT count(*) FROM account a WHERE a.userId = u.id) AS a
             FROM user u WHERE s > 1 ORDER BY u.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let changes = vec![delete(&conn, "user", ("id", text(&id)))];
    let preview = preview_changes(&conn, &input(&changes)).unwrap();
    let accounts = if accounts == 1 { "1 account".to_string() } else { format!("{accounts} accounts") };
    assert!(
        preview[0].ends_with(&format!("; -- also deletes {sessions} sessions, {accounts} (ON DELETE CASCADE)")),
        "{}",
        preview[0]
    );
}

/// The insert form's check at Enter runs on a remote too: the UNIQUE and foreign-key lookups
/// go through the key or a UNIQUE index, so a few rows are read, not the tables.
#[test]
fn a_new_rows_check_on_a_remote_reads_a_few_rows_not_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    create_demo(DemoInput { path: &path, users: 300, force: false, progress: &mut |_| {} }).unwrap();
    let conn = open(&path);
    let email: String = conn.query_row("SELECT email FROM user LIMIT 1", [], |r| r.get(0)).unwrap();
    let d1 = crate::db::backend::rules::D1Rules::new(conn);
    let session = StagedChange::Insert {
        table: "session".into(),
        values: vec![("id".into(), text("s-new")), ("token".into(), text("t")), ("userId".into(), text(&email))],
    };
    let user = StagedChange::Insert {
        table: "user".into(),
        values: vec![("id".into(), text("u-new")), ("name".into(), text("Twin")), ("email".into(), text(&email))],
    };
    let mut problems = check_row(&d1, &CheckRow { change: &session, remote: true }).unwrap();
    problems.extend(check_row(&d1, &CheckRow { change: &user, remote: true }).unwrap());
    assert!(problems.iter().any(|p| p.contains("matches no row of user (id)")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains(&format!("email = '{email}' (UNIQUE)"))), "{problems:?}");
    assert!(d1.rows_read() < 60, "read {} rows of 300 users and their sessions", d1.rows_read());
}
