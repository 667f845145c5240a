use rusqlite::Connection;
use rusqlite::types::Value;

use super::*;
use crate::db::change::ChangeOp;

/// better-auth's tables (sessions and accounts cascade from their user), foreign keys on as
/// squall opens databases: one user with 3 sessions and 1 account, and a second user.
fn auth_db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("a.db")).unwrap();
    conn.execute_batch(include_str!("../../migrations/0000_init.sql")).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn.execute_batch(
        "INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt)
           VALUES ('u1', 'Ann', 'ann@x.io', 1, 0, 0), ('u2', 'Bob', 'bob@x.io', 0, 0, 0);
         INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId)
           VALUES ('s1', 0, 't1', 0, 0, 'u1'), ('s2', 0, 't2', 0, 0, 'u1'), ('s3', 0, 't3', 0, 0, 'u1'),
                  ('s4', 0, 't4', 0, 0, 'u2');
         INSERT INTO account (id, accountId, providerId, userId, password, createdAt, updatedAt)
           VALUES ('a1', 'u1', 'credential', 'u1', 'scrypt-hash', 0, 0);",
    )
    .unwrap();
    (dir, conn)
}

#[test]
fn a_delete_says_what_cascades_before_it_runs() {
    let (_dir, conn) = auth_db();
    let preview = preview_write(&conn, "delete from user where email = 'ann@x.io'").unwrap();
    assert_eq!(
        preview.describe(),
        "This DELETE removes the 1 row its WHERE matches: deletes 1 user, and in cascade 3 sessions, 1 account."
    );
    let all = preview_write(&conn, "update session set expiresAt = expiresAt").unwrap();
    assert_eq!(all.describe(), "This UPDATE matches every row (4).");
}

#[test]
fn a_delete_records_the_rows_it_and_its_cascade_removed() {
    let (_dir, mut conn) = auth_db();
    let report = execute_write(&mut conn, "delete from user where email = 'ann@x.io'").unwrap();
    assert_eq!(report.changes, Some(1));
    let tables: Vec<(&str, ChangeOp)> = report.rows.iter().map(|r| (r.table.as_str(), r.op)).collect();
    assert_eq!(tables[0], ("user", ChangeOp::Delete));
    assert_eq!(tables.iter().filter(|(t, _)| *t == "session").count(), 3);
    assert_eq!(tables.iter().filter(|(t, _)| *t == "account").count(), 1);
    assert_eq!(report.rows[0].key, vec![("id".to_string(), Value::Text("u1".into()))]);
    let email = report.rows[0].columns.iter().find(|c| c.column == "email").unwrap();
    assert_eq!(email.old, Value::Text("ann@x.io".into()));
    // The audit entries carry them, the account's password redacted.
    let entries = crate::audit::sql_entries(std::path::Path::new("a.db"), &report, chrono::Utc::now());
    assert_eq!(entries.len(), 6);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains("scrypt-hash"), "{text}");
}

#[test]
fn an_update_records_old_and_new_values_of_what_changed() {
    let (_dir, mut conn) = auth_db();
    let report = execute_write(&mut conn, "update user set name = 'Zed' where id = 'u2'").unwrap();
    assert_eq!(report.rows.len(), 1);
    let columns: Vec<(&str, &Value, &Value)> =
        report.rows[0].columns.iter().map(|c| (c.column.as_str(), &c.old, &c.new)).collect();
    assert_eq!(columns, [("name", &Value::Text("Bob".into()), &Value::Text("Zed".into()))]);
}

#[test]
fn secret_literals_are_redacted_in_the_logged_sql() {
    let (_dir, mut conn) = auth_db();
    let report = execute_write(&mut conn, "update account set password='hunter2-plain' where id = 'a1'").unwrap();
    assert!(!report.audit_sql.contains("hunter2"), "{}", report.audit_sql);
    assert!(report.audit_sql.contains("[redacted]"), "{}", report.audit_sql);
    let named = "insert into account (id, accountId, providerId, userId, password, updatedAt) values ('a3', 'u2', 'credential', 'u2', 'named-pw', 0)";
    assert!(!redact_sql(&conn, named).contains("named-pw"));
    let positional = "insert into account values ('a2', 'u2', 'credential', 'u2', null, null, null, null, null, null, 'pw-plain', 0, 0)";
    assert!(!redact_sql(&conn, positional).contains("pw-plain"));
    let plain = "update user set name = 'Zed'";
    assert_eq!(redact_sql(&conn, plain), plain, "nothing secret: logged as typed");
}

#[test]
fn returning_rows_are_kept_and_ddl_counts_no_rows() {
    let (_dir, mut conn) = auth_db();
    let report = execute_write(&mut conn, "update user set name = 'Zed' returning id, name").unwrap();
    let returned = report.returned.unwrap();
    let names: Vec<&str> = returned.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "name"]);
    assert_eq!(returned.rows.len(), 2);
    assert_eq!(returned.total, 2);
    let created = execute_write(&mut conn, "create table note (id integer primary key)").unwrap();
    assert_eq!(created.changes, None, "a CREATE after an UPDATE changed no rows");
    assert!(created.returned.is_none());
}

/// A console write is one batch of the write pipeline: an UPDATE that moves its rows out of its
/// own WHERE is still audited old and new (the keys are noted inside the batch), and a statement
/// that fails leaves nothing behind, not even the batch's temp table.
#[test]
fn a_console_write_is_one_batch_that_notes_its_rows_inside_it() {
    let (_dir, mut conn) = auth_db();
    let report = execute_write(&mut conn, "update user set emailVerified = 1 where emailVerified = 0").unwrap();
    assert_eq!(report.changes, Some(1));
    assert_eq!(report.rows.len(), 1);
    let change = &report.rows[0].columns[0];
    assert_eq!(
        (change.column.as_str(), &change.old, &change.new),
        ("emailVerified", &Value::Integer(0), &Value::Integer(1))
    );
    let err = execute_write(&mut conn, "update user set email = 'same'").unwrap_err();
    assert!(format!("{err:#}").contains("UNIQUE constraint failed"), "{err:#}");
    let emails: Vec<String> = conn
        .prepare("select email from user order by id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(emails, ["ann@x.io", "bob@x.io"], "nothing written");
    let temp: i64 = conn.query_row("select count(*) from temp.sqlite_master", [], |r| r.get(0)).unwrap();
    assert_eq!(temp, 0, "no temp table left behind");
}

/// Defect: `UPDATE user SET banReason = NULL WHERE ... banReason IS NULL` was said to change the
/// rows it matched ("2 rows changed") and logged a line per row reading `unchanged`.
#[test]
fn an_update_that_changes_nothing_says_so_and_logs_one_summary_line() {
    let (dir, mut conn) = auth_db();
    let sql = "update user set image = null where image is null";
    assert_eq!(preview_write(&conn, sql).unwrap().describe(), "This UPDATE matches 2 rows.");
    let report = execute_write(&mut conn, sql).unwrap();
    assert_eq!(report.changes, Some(2), "SQLite's count: rows matched");
    assert_eq!(report.text(), "2 rows matched, none changed");
    assert!(report.rows.is_empty(), "no per-row entries: {:?}", report.rows);
    let entries = crate::audit::sql_entries(&dir.path().join("a.db"), &report, chrono::Utc::now());
    assert_eq!(entries.len(), 1);
    let line = crate::cli::log::entry_line(&entries[0], false);
    assert!(line.ends_with("rows: 2, unchanged: 2"), "{line}");

    let some = execute_write(&mut conn, "update user set name = 'Ann' where id in ('u1', 'u2')").unwrap();
    assert_eq!(some.text(), "2 rows matched, 1 changed");
    assert_eq!(some.rows.len(), 1);
    let all = execute_write(&mut conn, "update user set name = 'Zed' where id in ('u1', 'u2')").unwrap();
    assert_eq!(all.text(), "2 rows changed");
}
