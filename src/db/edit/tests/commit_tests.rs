use super::*;

#[test]
fn updated_at_is_written_in_the_format_each_row_uses() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u1")), "name", text("Ada Lovelace")),
        update(&conn, "user", ("id", text("u2")), "name", text("Bob Hope")),
    ];
    let report = commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(cell(&conn, "SELECT updatedAt FROM user WHERE id = 'u1'"), Value::Integer(now().timestamp_millis()));
    assert_eq!(cell(&conn, "SELECT updatedAt FROM user WHERE id = 'u2'"), text("2026-11-18T09:30:00.000Z"));
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u2'"), text("Bob Hope"));
    // createdAt is left alone, whatever its format.
    assert_eq!(cell(&conn, "SELECT createdAt FROM user WHERE id = 'u2'"), text("2025-11-24T16:00:00.000Z"));
    let stamp = report
        .applied
        .iter()
        .find(|a| a.key == [("id".to_string(), text("u1"))] && a.column.as_deref() == Some("updatedAt"));
    assert_eq!(
        stamp.map(|a| (&a.old, &a.new)),
        Some((&Value::Integer(1_764_000_000_000), &Value::Integer(now().timestamp_millis())))
    );
}

#[test]
fn snake_case_updated_at_is_written_too() {
    let db = test_db(&[SNAKE_SCHEMA, SNAKE_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u1")), "email_verified", Value::Integer(0)),
        update(&conn, "user", ("id", text("u2")), "email_verified", Value::Integer(1)),
    ];
    commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(cell(&conn, "SELECT updated_at FROM user WHERE id = 'u1'"), Value::Integer(now().timestamp_millis()));
    assert_eq!(cell(&conn, "SELECT updated_at FROM user WHERE id = 'u2'"), text("2026-11-18T09:30:00.000Z"));
    assert_eq!(cell(&conn, "SELECT email_verified FROM user WHERE id = 'u2'"), Value::Integer(1));
}

#[test]
fn preview_shows_the_sql_with_bound_values_and_writes_nothing() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u1")), "name", text("O'Brien")),
        delete(&conn, "session", ("id", text("s3"))),
    ];
    let preview = preview_changes(&conn, &input(&changes)).unwrap();
    let ms = now().timestamp_millis();
    assert_eq!(
        preview[0],
        format!(
            "UPDATE \"user\" SET \"name\" = 'O''Brien' /* ?1 */, \"updatedAt\" = {ms} /* ?2 */ \
             WHERE \"id\" = 'u1' /* ?3 */ AND \"name\" IS 'Ada' /* ?4 */ AND \"updatedAt\" IS 1764000000000 /* ?5 */;"
        )
    );
    assert!(preview[1].starts_with(
        "DELETE FROM \"session\" WHERE \"id\" = 's3' /* ?1 */ AND \"expiresAt\" IS 1765000000000 /* ?2 */"
    ));
    assert!(preview[1].contains("\"ipAddress\" IS NULL /* ?"), "{}", preview[1]);
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Ada"));
    commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("O'Brien"));
    assert_eq!(count(&conn, "SELECT count(*) FROM session WHERE id = 's3'"), 0);
}

#[test]
fn several_cells_of_one_row_become_one_update() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let changes = vec![
        update(&conn, "user", ("id", text("u3")), "name", text("Cyrus")),
        update(&conn, "user", ("id", text("u3")), "role", text("admin")),
        update(&conn, "user", ("id", text("u3")), "name", text("Cyril")),
    ];
    let preview = preview_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(preview.len(), 1, "{preview:?}");
    assert!(preview[0].contains("\"name\" IS 'Cy'"), "the first loaded value is checked: {}", preview[0]);
    let report = commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(report.statements, 1);
    let columns: Vec<_> = report.applied.iter().map(|a| a.column.clone().unwrap()).collect();
    assert_eq!(columns, ["name", "role", "updatedAt"]);
    assert_eq!(cell(&conn, "SELECT name || ',' || role FROM user WHERE id = 'u3'"), text("Cyril,admin"));
}

#[test]
fn inserts_take_defaults_and_report_their_key() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let user = meta(&conn, "user");
    let template =
        insert_template(&conn, &InsertTemplate { info: &user.info, kinds: &user.kinds, now: now() }).unwrap();
    let mut fields = template.clone();
    for (column, value) in &mut fields {
        match column.as_str() {
            "name" => *value = Some(text("Dee")),
            "email" => *value = Some(text("dee@example.com")),
            _ => {}
        }
    }
    let change = stage_insert(&user.info, &user.kinds, &fields).unwrap();
    let report = commit_changes(&conn, &input(std::slice::from_ref(&change))).unwrap();
    let id = match &template[0] {
        (name, Some(Value::Text(id))) if name == "id" => id.clone(),
        other => panic!("a text id first, got {other:?}"),
    };
    assert_eq!(report.applied[0].key, [("id".to_string(), text(&id))]);
    let row: (String, i64, i64) = conn
        .query_row("SELECT name, emailVerified, typeof(createdAt) = 'integer' FROM user WHERE id = ?1", [&id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(row, ("Dee".to_string(), 0, 1), "DEFAULTs filled emailVerified and createdAt");
}

#[test]
fn rowid_tables_are_keyed_by_rowid() {
    let db = test_db(&[
        "CREATE TABLE note (body TEXT, tag TEXT); INSERT INTO note VALUES ('same', 'a'), ('same', 'b'), ('same', 'c');",
    ]);
    let conn = open(&db.path);
    let note = meta(&conn, "note");
    assert_eq!(row_identity(&note.info), Ok(RowIdentity::Rowid));
    let row = load_row(&conn, &note, "tag", text("b"));
    let edit = stage_update(&note.info, &note.kinds, &loaded(&note, &row), "body", text("changed")).unwrap();
    assert_eq!(
        edit,
        StagedChange::Update {
            table: "note".into(),
            key: vec![("rowid".into(), Value::Integer(2))],
            column: "body".into(),
            old: text("same"),
            new: text("changed"),
            expected: vec![],
        }
    );
    let gone = stage_delete(&note.info, &loaded(&note, &load_row(&conn, &note, "tag", text("c")))).unwrap();
    let added = StagedChange::Insert { table: "note".into(), values: vec![("body".into(), text("new"))] };
    let report = commit_changes(&conn, &input(&[edit, gone, added])).unwrap();
    let bodies: Vec<String> = conn
        .prepare("SELECT body FROM note ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(bodies, ["same", "changed", "new"]);
    // SQLite reuses the largest rowid + 1, which the delete just freed.
    assert_eq!(report.applied.last().unwrap().key, [("rowid".to_string(), Value::Integer(3))]);
}

#[test]
fn without_rowid_tables_are_keyed_by_their_primary_key() {
    let db =
        test_db(&["CREATE TABLE kv (k TEXT NOT NULL, n INTEGER NOT NULL, v TEXT, PRIMARY KEY (k, n)) WITHOUT ROWID;
         INSERT INTO kv VALUES ('a', 1, 'x'), ('a', 2, 'y'), ('b', 1, 'z');"]);
    let conn = open(&db.path);
    let kv = meta(&conn, "kv");
    assert_eq!(row_identity(&kv.info), Ok(RowIdentity::PrimaryKey(vec!["k".into(), "n".into()])));
    let row = load_row(&conn, &kv, "v", text("y"));
    let change = stage_update(&kv.info, &kv.kinds, &loaded(&kv, &row), "v", text("Y")).unwrap();
    commit_changes(&conn, &input(&[change])).unwrap();
    assert_eq!(cell(&conn, "SELECT group_concat(v, '') FROM (SELECT v FROM kv ORDER BY k, n)"), text("xYz"));
}

#[test]
fn views_are_read_only_with_a_reason() {
    let db =
        test_db(&[CAMEL_SCHEMA, CAMEL_ROWS, "CREATE VIEW admins AS SELECT id, name FROM user WHERE role = 'admin'"]);
    let conn = open(&db.path);
    let admins = meta(&conn, "admins");
    assert!(row_identity(&admins.info).unwrap_err().contains("view"));
    let row = load_row(&conn, &admins, "id", text("u1"));
    assert!(
        stage_update(&admins.info, &admins.kinds, &loaded(&admins, &row), "name", text("x"))
            .unwrap_err()
            .contains("view")
    );
    // A change built by hand is refused at commit too.
    let forged = StagedChange::Update {
        table: "admins".into(),
        key: vec![("id".into(), text("u1"))],
        column: "name".into(),
        old: text("Ada"),
        new: text("x"),
        expected: vec![],
    };
    let err = db_error(commit_changes(&conn, &input(&[forged])).unwrap_err());
    assert!(matches!(&err, DbError::Invalid(m) if m.contains("view")), "{err}");
}

#[test]
fn read_only_databases_are_refused_and_left_untouched() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let before = std::fs::read(&db.path).unwrap();
    let conn = open_database(&OpenInput { path: &db.path, mode: OpenMode::ReadOnly }).unwrap().conn;
    let changes = vec![update(&conn, "user", ("id", text("u1")), "name", text("Eve"))];
    let err = db_error(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert!(matches!(&err, DbError::ReadOnly(m) if m.contains("read-only")), "{err}");
    drop(conn);
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
}

#[test]
fn a_locked_database_is_reported_busy_and_the_changes_can_be_retried() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    conn.busy_timeout(std::time::Duration::from_millis(50)).unwrap();
    let changes = vec![update(&conn, "user", ("id", text("u1")), "name", text("Eve"))];
    let holder = other_connection(&db.path);
    holder.execute_batch("BEGIN IMMEDIATE; UPDATE session SET token = token;").unwrap();
    let err = db_error(commit_changes(&conn, &input(&changes)).unwrap_err());
    assert!(matches!(&err, DbError::Busy(m) if m.contains("locked") && m.contains("staged changes are kept")), "{err}");
    holder.execute_batch("COMMIT").unwrap();
    commit_changes(&conn, &input(&changes)).unwrap();
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Eve"));
}

#[test]
fn the_whole_batch_rolls_back_when_the_third_change_breaks_a_unique_constraint() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS]);
    let conn = open(&db.path);
    let insert = StagedChange::Insert {
        table: "user".into(),
        values: vec![
            ("id".into(), text("u9")),
            ("name".into(), text("Nine")),
            ("email".into(), text("nine@example.com")),
        ],
    };
    let changes = vec![
        update(&conn, "user", ("id", text("u1")), "name", text("Changed")),
        insert,
        update(&conn, "user", ("id", text("u3")), "email", text("ada@example.com")),
    ];
    let err = db_error(commit_changes(&conn, &input(&changes)).unwrap_err());
    let DbError::Invalid(message) = &err else { panic!("{err}") };
    assert!(message.contains("change 3 of 3"), "{message}");
    assert!(message.contains("UNIQUE constraint failed: user.email"), "{message}");
    assert!(message.contains("nothing was written"), "{message}");
    assert_eq!(cell(&conn, "SELECT name FROM user WHERE id = 'u1'"), text("Ada"));
    assert_eq!(count(&conn, "SELECT count(*) FROM user WHERE id = 'u9'"), 0);
    assert_eq!(cell(&conn, "SELECT updatedAt FROM user WHERE id = 'u1'"), Value::Integer(1_764_000_000_000));
    // And the connection is usable afterwards: no transaction left open.
    assert!(conn.is_autocommit());
}

#[test]
fn constraint_failures_name_the_column_or_constraint() {
    let db = test_db(&[CAMEL_SCHEMA, CAMEL_ROWS, "CREATE TABLE credit (n INTEGER CONSTRAINT positive CHECK (n > 0))"]);
    let conn = open(&db.path);
    // Left out of the INSERT, so only SQLite can notice.
    let no_name = StagedChange::Insert {
        table: "user".into(),
        values: vec![("id".into(), text("u8")), ("email".into(), text("x@example.com"))],
    };
    let message = db_error(commit_changes(&conn, &input(&[no_name])).unwrap_err()).to_string();
    assert!(message.contains("NOT NULL constraint failed: user.name"), "{message}");
    let orphan = StagedChange::Insert {
        table: "session".into(),
        values: vec![
            ("id".into(), text("s9")),
            ("expiresAt".into(), Value::Integer(1_765_000_000_000)),
            ("token".into(), text("t9")),
            ("updatedAt".into(), Value::Integer(1_765_000_000_000)),
            ("userId".into(), text("ghost")),
        ],
    };
    let message = db_error(commit_changes(&conn, &input(&[orphan])).unwrap_err()).to_string();
    assert!(message.contains("FOREIGN KEY constraint failed"), "{message}");
    assert!(message.contains("userId = 'ghost' matches no row of user (id)"), "{message}");
    let negative = StagedChange::Insert { table: "credit".into(), values: vec![("n".into(), Value::Integer(-1))] };
    let message = db_error(commit_changes(&conn, &input(&[negative])).unwrap_err()).to_string();
    assert!(message.contains("CHECK constraint failed: positive"), "{message}");
    // Caught before SQLite sees it: NULL in a NOT NULL column.
    let null_name = update(&conn, "user", ("id", text("u1")), "email", text("x"));
    let StagedChange::Update { key, expected, .. } = null_name else { unreachable!() };
    let forged = StagedChange::Update {
        table: "user".into(),
        key,
        column: "name".into(),
        old: text("Ada"),
        new: Value::Null,
        expected,
    };
    let message = db_error(commit_changes(&conn, &input(&[forged])).unwrap_err()).to_string();
    assert!(message.contains("name cannot be NULL"), "{message}");
}
