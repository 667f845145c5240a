use std::path::Path;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::*;
use crate::migrate::folder::split_statements;

/// Applies migration files of `tests/fixtures/<dir>` (read, never modified) to `conn`.
pub(crate) fn apply_fixture(conn: &Connection, dir: &str, files: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(dir);
    for file in files {
        let sql = std::fs::read_to_string(root.join(file)).unwrap();
        for statement in split_statements(&sql) {
            conn.execute_batch(&statement).unwrap();
        }
    }
}

/// A file database in a tempdir with the camelCase fixture's two migrations applied.
pub(crate) fn drizzle_fixture_db(dir: &tempfile::TempDir) -> Connection {
    let conn = Connection::open(dir.path().join("fixture.db")).unwrap();
    apply_fixture(&conn, "drizzle", &["0000_init.sql", "0001_audit_log_last_login.sql"]);
    conn
}

/// A demo database of `users` users in `dir`.
pub(crate) fn demo_db(dir: &tempfile::TempDir, users: u64) -> Connection {
    let path = dir.path().join("demo.db");
    crate::demo::create_demo(crate::demo::DemoInput { path: &path, users, force: false, progress: &mut |_| {} })
        .unwrap();
    Connection::open(&path).unwrap()
}

fn find<'a>(relations: &'a [Relation], from: &str, column: &str) -> Option<&'a Relation> {
    relations.iter().find(|r| r.from_table == from && r.from_columns == [column])
}

#[test]
fn fixture_relations_declared_and_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let conn = drizzle_fixture_db(&dir);
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    let session_user = find(&relations, "session", "userId").unwrap();
    assert_eq!(session_user.origin, RelationOrigin::Declared);
    assert_eq!((session_user.to_table.as_str(), session_user.to_columns.as_slice()), ("user", &["id".to_string()][..]));
    assert_eq!(session_user.on_delete.as_deref(), Some("CASCADE"));
    assert_eq!(session_user.cardinality, Cardinality::OneToMany);
    assert!(!session_user.optional);
    let audit = find(&relations, "audit_log", "userId").unwrap();
    assert_eq!(audit.on_delete.as_deref(), Some("SET NULL"));
    assert!(audit.optional);
    // Empty tables: the name alone suggests the relation, flagged as unverified.
    let impersonated = find(&relations, "session", "impersonatedBy").unwrap();
    assert_eq!(impersonated.origin, RelationOrigin::InferredUnverified);
    assert_eq!(impersonated.to_table, "user");
    assert_eq!(impersonated.on_delete, None);
    // `account.accountId` is the provider's id, not a self reference; `providerId` names no table.
    assert!(find(&relations, "account", "accountId").is_none());
    assert!(find(&relations, "account", "providerId").is_none());
    assert_eq!(relations.len(), 4, "{relations:#?}");
}

#[test]
fn snake_case_fixture_infers_impersonated_by() {
    let conn = Connection::open_in_memory().unwrap();
    apply_fixture(&conn, "drizzle-snake", &["0000_init.sql"]);
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    assert_eq!(find(&relations, "session", "user_id").unwrap().origin, RelationOrigin::Declared);
    assert_eq!(find(&relations, "session", "impersonated_by").unwrap().to_table, "user");
    assert!(find(&relations, "account", "account_id").is_none());
}

#[test]
fn demo_infers_impersonated_by_from_values() {
    let dir = tempfile::tempdir().unwrap();
    let conn = demo_db(&dir, 200);
    let impersonations: i64 =
        conn.query_row("SELECT count(*) FROM session WHERE impersonatedBy IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert!(impersonations > 0, "the demo should hold impersonation sessions");
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    let rel = find(&relations, "session", "impersonatedBy").unwrap();
    assert_eq!(rel.origin, RelationOrigin::Inferred);
    assert_eq!(rel.describe(), "session.impersonatedBy → user.id");
    assert_eq!(rel.mermaid_line("SESSION", "USER"), "SESSION }o--o| USER : \"impersonated by\"");

    // Values that exist nowhere in `user` unmake the relation.
    conn.execute("UPDATE session SET impersonatedBy = 'ghost-' || id WHERE impersonatedBy IS NOT NULL", []).unwrap();
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    assert!(find(&relations, "session", "impersonatedBy").is_none());
}

#[test]
fn name_rules_singular_plural_and_actor() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE users(id INTEGER PRIMARY KEY);
         CREATE TABLE categories(id TEXT PRIMARY KEY, parent_category_id TEXT);
         CREATE TABLE post(id TEXT PRIMARY KEY, user_id INTEGER, categoryId TEXT UNIQUE, createdBy INTEGER, sortBy TEXT);
         INSERT INTO users VALUES (1), (2);
         INSERT INTO categories VALUES ('c1', NULL), ('c2', 'c1');
         INSERT INTO post VALUES ('p1', 1, 'c1', 2, 'date'), ('p2', 2, 'c2', 1, 'name');",
    )
    .unwrap();
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    assert_eq!(find(&relations, "post", "user_id").unwrap().to_table, "users");
    let category = find(&relations, "post", "categoryId").unwrap();
    assert_eq!(category.to_table, "categories");
    assert_eq!(category.cardinality, Cardinality::OneToOne);
    assert_eq!(category.mermaid_line("POST", "CATEGORIES"), "CATEGORIES |o--o| POST : \"has posts\"");
    assert_eq!(find(&relations, "post", "createdBy").unwrap().to_table, "users");
    assert!(find(&relations, "post", "sortBy").is_none());
    // A table's own `<name>Id` column is skipped, so `parent_category_id` must not self-match.
    assert!(find(&relations, "categories", "parent_category_id").is_none());
}

#[test]
fn plural_phrases() {
    assert_eq!(plural_phrase("session"), "sessions");
    assert_eq!(plural_phrase("audit_log"), "audit logs");
    assert_eq!(plural_phrase("category"), "categories");
    assert_eq!(plural_phrase("address"), "addresses");
    assert_eq!(plural_phrase("users"), "users");
    assert_eq!(plural_phrase("survey"), "surveys");
    assert!(same_noun("categories", "category") && same_noun("Users", "user") && !same_noun("use", "user"));
}

fn row_of(conn: &Connection, table: &str, id: &str) -> (Vec<String>, Vec<Value>) {
    let sql = format!("SELECT * FROM {} WHERE id = ?1", crate::db::schema::quote_ident(table));
    let mut stmt = conn.prepare(&sql).unwrap();
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let values = stmt
        .query_row([id], |row| (0..columns.len()).map(|i| row.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>())
        .unwrap();
    (columns, values)
}

#[test]
fn referencing_rows_count_sessions_accounts_and_impersonations() {
    let dir = tempfile::tempdir().unwrap();
    let conn = demo_db(&dir, 200);
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    let admin: String = conn
        .query_row(
            "SELECT impersonatedBy FROM session WHERE impersonatedBy IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (columns, values) = row_of(&conn, "user", &admin);
    let row = RowValues { table: "user", columns: &columns, values: &values };
    let groups = referencing_rows(&conn, &ReferencingRows { relations: &relations, row }).unwrap();
    let count_of = |table: &str, column: &str| -> i64 {
        let sql = format!("SELECT count(*) FROM {table} WHERE {column} = ?1");
        conn.query_row(&sql, [&admin], |r| r.get(0)).unwrap()
    };
    let labels: Vec<(&str, u64)> = groups.iter().map(|g| (g.label.as_str(), g.count)).collect();
    assert_eq!(
        labels,
        [
            ("sessions via userId", count_of("session", "userId") as u64),
            ("accounts via userId", count_of("account", "userId") as u64),
            ("sessions via impersonatedBy", count_of("session", "impersonatedBy") as u64),
        ]
    );
    assert!(groups[2].count >= 1 && groups[2].target.origin == RelationOrigin::Inferred);
    assert!(groups[0].indexed && !groups[2].indexed);
    assert_eq!(groups[1].target.columns, ["userId"]);
    assert_eq!(groups[1].target.values, [Value::Text(admin.clone())]);

    // And back: from an impersonation session's cell to its admin.
    let session_id: String =
        conn.query_row("SELECT id FROM session WHERE impersonatedBy = ?1 LIMIT 1", [&admin], |r| r.get(0)).unwrap();
    let (columns, values) = row_of(&conn, "session", &session_id);
    let row = RowValues { table: "session", columns: &columns, values: &values };
    let target = referenced_row(&conn, &ReferencedRow { relations: &relations, row, column: "impersonatedBy" })
        .unwrap()
        .unwrap();
    assert_eq!((target.table.as_str(), target.exists), ("user", true));
    assert_eq!(target.values, [Value::Text(admin)]);
    // A plain column is no reference; a NULL reference leads nowhere.
    assert!(referenced_row(&conn, &ReferencedRow { relations: &relations, row, column: "token" }).unwrap().is_none());
    let (columns, mut values) = row_of(&conn, "session", &session_id);
    let at = columns.iter().position(|c| c == "impersonatedBy").unwrap();
    values[at] = Value::Null;
    let row = RowValues { table: "session", columns: &columns, values: &values };
    assert!(
        referenced_row(&conn, &ReferencedRow { relations: &relations, row, column: "impersonatedBy" })
            .unwrap()
            .is_none()
    );
}

#[test]
fn referenced_row_reports_dangling_references() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE team(id INTEGER PRIMARY KEY);
         CREATE TABLE member(id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES team(id));",
    )
    .unwrap();
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    let columns = vec!["id".to_string(), "team_id".to_string()];
    let values = vec![Value::Integer(1), Value::Integer(7)];
    let row = RowValues { table: "member", columns: &columns, values: &values };
    let target =
        referenced_row(&conn, &ReferencedRow { relations: &relations, row, column: "team_id" }).unwrap().unwrap();
    assert!(!target.exists);
    let missing = RowValues { table: "member", columns: &columns[..1], values: &values[..1] };
    let err = referenced_row(&conn, &ReferencedRow { relations: &relations, row: missing, column: "team_id" });
    assert!(matches!(
        err.unwrap_err().downcast::<crate::db::error::DbError>(),
        Ok(crate::db::error::DbError::Invalid(_))
    ));
}

#[test]
fn an_inferred_reference_gets_the_foreign_key_kind() {
    use crate::db::kinds::{ColumnKind, infer_kinds};
    use crate::db::schema::{DescribeTable, describe_table};
    let dir = tempfile::tempdir().unwrap();
    let conn = demo_db(&dir, 30);
    let info = describe_table(&conn, &DescribeTable { name: "session" }).unwrap();
    let kinds = kinds_with_inferred_references(&conn, &info, infer_kinds(&conn, &info).unwrap()).unwrap();
    let at = |name: &str| info.columns.iter().position(|c| c.name == name).unwrap();
    let fk = ColumnKind::ForeignKey { table: "user".into(), column: "id".into() };
    assert_eq!(kinds[at("impersonatedBy")], fk);
    assert_eq!(kinds[at("userId")], fk, "declared, as before");
    assert_eq!(kinds[at("token")], ColumnKind::Secret);
}

/// Before a key changes: every table pointing at the row with its count; without counting
/// unindexed references (a remote), `session.impersonatedBy` (no index) is left uncounted.
#[test]
fn key_references_count_through_indexes_and_leave_unindexed_uncounted_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let conn = demo_db(&dir, 200);
    let relations = list_relations(&conn, &ListRelations::default()).unwrap();
    let admin: String = conn
        .query_row(
            "SELECT impersonatedBy FROM session WHERE impersonatedBy IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (columns, values) = row_of(&conn, "user", &admin);
    let row = RowValues { table: "user", columns: &columns, values: &values };
    let count_of = |table: &str, column: &str| -> u64 {
        let sql = format!("SELECT count(*) FROM {table} WHERE {column} = ?1");
        conn.query_row(&sql, [&admin], |r| r.get::<_, i64>(0)).unwrap() as u64
    };
    let summary = |count_unindexed| -> Vec<(String, Option<u64>)> {
        let input = KeyReferences { relations: &relations, row, column: "id", count_unindexed };
        key_references(&conn, &input)
            .unwrap()
            .into_iter()
            .map(|r| (format!("{}.{}", r.table, r.columns.join(",")), r.count))
            .collect()
    };
    let local = summary(true);
    assert!(local.contains(&("session.userId".into(), Some(count_of("session", "userId")))), "{local:?}");
    assert!(
        local.contains(&("session.impersonatedBy".into(), Some(count_of("session", "impersonatedBy")))),
        "{local:?}"
    );
    let remote = summary(false);
    assert!(remote.contains(&("session.userId".into(), Some(count_of("session", "userId")))), "{remote:?}");
    assert!(remote.contains(&("session.impersonatedBy".into(), None)), "not counted (no index): {remote:?}");
}
