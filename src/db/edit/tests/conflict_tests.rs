use super::*;

fn conflicts(err: anyhow::Error) -> RowConflicts {
    match db_error(err) {
        DbError::RowConflict(conflicts) => conflicts,
        other => panic!("expected a conflict, got {other}"),
    }
}

#[test]
fn a_row_changed_by_another_process_is_a_conflict_and_nothing_is_written() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u3")), "name", text("Cyrus")),
        update(&conn, "user", ("id", text("u1")), "name", text("Ada L.")),
    ];
    // Someone else (the app, better-auth) writes u1 between load and commit.
    other_connection(&db.path)
        .execute("UPDATE user SET name = 'Ada King', updatedAt = 1764000099999 WHERE id = 'u1'", [])
        .unwrap();
    let found = conflicts(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert_eq!(found.rows.len(), 1);
    let row = &found.rows[0];
    assert_eq!(
        (row.table.as_str(), row.key.clone(), row.changes.clone()),
        ("user", vec![("id".into(), text("u1"))], vec![1])
    );
    assert!(row.row_exists);
    assert_eq!(
        row.columns,
        [
            ColumnConflict { column: "name".into(), expected: text("Ada"), current: Some(text("Ada King")) },
            ColumnConflict {
                column: "updatedAt".into(),
                expected: Value::Integer(1_764_000_000_000),
                current: Some(Value::Integer(1_764_000_099_999))
            },
        ]
    );
    let message = found.to_string();
    assert!(message.contains("name was 'Ada', now 'Ada King'"), "{message}");
    // Nothing at all was written, not even the change to the untouched row u3.
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u3'"), text("Cy"));
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Ada King"));

    // The user chose to overwrite: the same staged changes go through without the checks.
    let overwrite = CommitInput { overwrite: true, ..input(&changes) };
    assert!(!preview_changes(&conn, &overwrite).unwrap()[1].contains(" IS "), "no checks when overwriting");
    let report = commit_changes(&conn, &overwrite).unwrap();
    assert_eq!(report.statements, 2);
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Ada L."));
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u3'"), text("Cyrus"));
    assert_eq!(cell(&conn, "SELECT updatedAt FROM user WHERE id = 'u1'"), Value::Integer(now().timestamp_millis()));
}

#[test]
fn an_unrelated_column_changed_meanwhile_is_caught_through_updated_at() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![update(&conn, "user", ("id", text("u2")), "name", text("Robert"))];
    other_connection(&db.path)
        .execute("UPDATE user SET banned = 1, updatedAt = '2026-01-01T00:00:00.000Z' WHERE id = 'u2'", [])
        .unwrap();
    let found = conflicts(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert_eq!(found.rows[0].columns.len(), 1);
    assert_eq!(found.rows[0].columns[0].column, "updatedAt");
    assert_eq!(found.rows[0].columns[0].current, Some(text("2026-01-01T00:00:00.000Z")));
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u2'"), text("Bob"));
}

#[test]
fn a_row_deleted_by_another_process_is_a_conflict() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        delete(&conn, "session", ("id", text("s1"))),
        update(&conn, "session", ("id", text("s3")), "ipAddress", text("10.0.0.1")),
    ];
    other_connection(&db.path).execute("DELETE FROM session WHERE id = 's3'", []).unwrap();
    let found = conflicts(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert_eq!(found.rows.len(), 1);
    assert!(!found.rows[0].row_exists);
    assert_eq!(
        found.rows[0].columns[0],
        ColumnConflict { column: "ipAddress".into(), expected: Value::Null, current: None }
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM session WHERE id = 's1'"), 1, "the delete was not written either");
    // Overwriting cannot bring the row back: the update says so and still writes nothing.
    let overwrite = CommitInput { overwrite: true, ..input(&changes) };
    let err = db_error(commit_changes(&conn, &overwrite).unwrap_err());
    assert!(matches!(&err, DbError::NotFound(m) if m.contains("no longer exists")), "{err}");
    assert_eq!(count(&conn, "SELECT count(*) FROM session WHERE id = 's1'"), 1);
}

#[test]
fn a_delete_checks_every_loaded_value() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![delete(&conn, "session", ("id", text("s2")))];
    other_connection(&db.path).execute("UPDATE session SET userAgent = 'curl' WHERE id = 's2'", []).unwrap();
    let found = conflicts(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert_eq!(
        found.rows[0].columns,
        [ColumnConflict { column: "userAgent".into(), expected: Value::Null, current: Some(text("curl")) }]
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM session WHERE id = 's2'"), 1);
}

#[test]
fn editing_then_deleting_a_row_in_one_batch_expects_its_own_writes() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u3")), "name", text("Gone soon")),
        delete(&conn, "user", ("id", text("u3"))),
    ];
    let report = commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM user WHERE id = 'u3'"), 0);
    assert_eq!(report.cascaded, [TableCount { table: "session".into(), rows: 1 }]);
}

#[test]
fn deleting_a_row_that_an_earlier_delete_cascaded_to_is_not_a_conflict() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![delete(&conn, "user", ("id", text("u1"))), delete(&conn, "session", ("id", text("s1")))];
    let report = commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM session WHERE userId = 'u1'"), 0);
    assert!(report.applied.iter().any(|a| a.table == "session" && a.action == ChangeAction::Delete));
}

#[test]
fn an_update_whose_where_matches_nothing_rolls_back_the_whole_batch() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    // The user's delete cascades to s1 before the edit of s1 runs: its UPDATE affects 0 rows.
    let changes = vec![
        update(&conn, "user", ("id", text("u3")), "name", text("Cyrus")),
        delete(&conn, "user", ("id", text("u1"))),
        update(&conn, "session", ("id", text("s1")), "userAgent", text("curl")),
    ];
    let err = db_error(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert!(
        matches!(&err, DbError::Invalid(m) if m.contains("change 3 of 3") && m.contains("earlier change")),
        "{err}"
    );
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u3'"), text("Cy"));
    assert_eq!(count(&conn, "SELECT count(*) FROM session WHERE userId = 'u1'"), 2);
}

#[test]
fn staged_rows_changed_underneath_are_found_before_commit_without_writing() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u3")), "name", text("Cyrus")),
        update(&conn, "user", ("id", text("u1")), "name", text("Ada L.")),
    ];
    assert!(find_staged_conflicts(&conn, &changes).unwrap().is_empty(), "nothing changed yet");
    other_connection(&db.path)
        .execute("UPDATE user SET name = 'Ada King', updatedAt = 1764000099999 WHERE id = 'u1'", [])
        .unwrap();
    let found = find_staged_conflicts(&conn, &changes).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].key.clone(), found[0].changes.clone()), (vec![("id".into(), text("u1"))], vec![1]));
    assert!(found[0].row_exists);
    other_connection(&db.path).execute_batch("DELETE FROM session; DELETE FROM user WHERE id = 'u3'").unwrap();
    let found = find_staged_conflicts(&conn, &changes).unwrap();
    assert_eq!(found.len(), 2);
    assert!(!found[0].row_exists, "u3 is gone");
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Ada King"), "nothing was written");
}

/// Walkthrough: after a conflict overwrite the audit said old = the loaded value; it must be
/// the value the batch actually replaced.
#[test]
fn an_overwrite_records_the_value_it_replaced_as_old() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![update(&conn, "user", ("id", text("u1")), "name", text("Ada L."))];
    other_connection(&db.path).execute("UPDATE user SET name = 'Ada King' WHERE id = 'u1'", []).unwrap();
    let report = commit_changes(&conn, &CommitInput { overwrite: true, ..input(&changes) }).unwrap();
    let rows = report.row_changes();
    let name = rows[0].columns.iter().find(|c| c.column == "name").unwrap();
    assert_eq!((name.old.clone(), name.new.clone()), (text("Ada King"), text("Ada L.")));
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Ada L."));
}

#[test]
fn a_staged_delete_of_a_row_already_gone_says_so_and_lists_no_columns() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![delete(&conn, "session", ("id", text("s2")))];
    other_connection(&db.path).execute("DELETE FROM session WHERE id = 's2'", []).unwrap();
    let found = conflicts(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert_eq!(found.rows.len(), 1);
    assert!(!found.rows[0].row_exists);
    assert!(found.rows[0].columns.is_empty(), "nothing to compare: {:?}", found.rows[0].columns);
    let message = found.to_string();
    assert!(message.contains("deleted by someone else (nothing to delete)"), "{message}");
    assert!(!message.contains("now"), "no column-by-column conflict: {message}");
    // The live check says the same as the commit.
    let live = find_staged_conflicts(&conn, &changes).unwrap();
    assert!(live[0].columns.is_empty());
}
