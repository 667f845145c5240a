//! The read side of `db/` on two backends: a local SQLite file, and `D1Rules` (D1's rules over
//! another copy of the same database: no interactive transactions, every statement a request).
//! Each read runs on both and must give the same answer; the request counts show the round trips
//! a remote would pay.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;
use squall::db::backend::Backend;
use squall::db::backend::rules::D1Rules;
use squall::db::kinds::{classify_column, infer_kinds};
use squall::db::labels::{FindByLabel, LabelLookup, find_by_label, row_label, row_labels};
use squall::db::page::{
    Anchor, Filter, FilterOp, Page, PageQuery, RowKey, Search, Sort, SortDirection, View, WindowQuery, count_matching,
    fetch_page, fetch_window, view_statement,
};
use squall::db::relations::{
    ListRelations, ReferencedRow, ReferencingRows, RelationOrigin, RowValues, kinds_with_inferred_references,
    list_relations, referenced_row, referencing_rows,
};
use squall::db::schema::{DescribeTable, ListTables, describe_schema, describe_table, list_tables};
use squall::db::users::{
    FindUser, ListImpersonations, ListUserLinks, ListUsers, UserCondition, UserStatuses, count_users, find_user,
    list_impersonations, list_roles, list_user_links, list_users, show_user, user_statuses,
};

/// The same demo database twice (built once, copied), opened as a local file and behind D1's rules.
struct Both {
    _dir: tempfile::TempDir,
    local: Connection,
    remote: D1Rules,
}

fn both() -> Both {
    let dir = tempfile::tempdir().expect("temp dir");
    let local_path = dir.path().join("local.sqlite");
    squall::demo::create_demo(squall::demo::DemoInput {
        path: &local_path,
        users: 120,
        force: false,
        progress: &mut |_| {},
    })
    .expect("demo database");
    let remote_path = dir.path().join("remote.sqlite");
    std::fs::copy(&local_path, &remote_path).expect("copy");
    Both { local: open(&local_path), remote: D1Rules::new(open(&remote_path)), _dir: dir }
}

fn open(path: &Path) -> Connection {
    Connection::open(path).expect("open")
}

/// The clock of one test: read once, so both sides judge sessions and bans alike.
fn now() -> DateTime<Utc> {
    Utc::now()
}

impl Both {
    /// Runs `read` on both backends, asserts the answers are equal and returns the local one.
    fn same<T: PartialEq + std::fmt::Debug>(&self, what: &str, read: impl Fn(&dyn Backend) -> T) -> T {
        let local = read(&self.local);
        let remote = read(&self.remote);
        assert_eq!(local, remote, "{what}: the local file and the D1-rules backend disagree");
        local
    }

    /// Requests the D1-rules backend makes for `read`.
    fn requests(&self, read: impl Fn(&dyn Backend)) -> u64 {
        let before = self.remote.requests();
        read(&self.remote);
        self.remote.requests() - before
    }
}

fn user_view(db: &dyn Backend) -> View {
    let info = describe_table(db, &DescribeTable { name: "user" }).expect("describe user");
    View {
        table: info.name.clone(),
        columns: info.columns.iter().map(|c| c.name.clone()).collect(),
        key: RowKey::for_table(&info),
        sort: None,
        filters: Vec::new(),
        search: None,
    }
}

fn page(db: &dyn Backend, view: &View, anchor: &Anchor, limit: usize) -> Page {
    fetch_page(db, &PageQuery { view, anchor, limit }).expect("page")
}

/// First page, next and previous pages by keyset, the last page, a window read again.
fn walk(db: &dyn Backend, view: &View) -> Vec<Page> {
    let first = page(db, view, &Anchor::First, 25);
    let after = Anchor::After(first.rows.last().expect("rows").cursor.clone());
    let next = page(db, view, &after, 25);
    let before = Anchor::Before(next.rows.first().expect("rows").cursor.clone());
    let back = page(db, view, &before, 25);
    let last = page(db, view, &Anchor::Last, 25);
    let window = fetch_window(db, &WindowQuery { view, first: next.rows.first().map(|r| &r.cursor), limit: 25 })
        .expect("window");
    vec![first, next, back, last, window]
}

#[test]
fn pages_agree_first_next_sorted_filtered_and_searched() {
    let b = both();
    let plain = b.same("plain pages", |db| walk(db, &user_view(db)));
    assert_eq!(plain[0].rows.len(), 25);
    assert_eq!(plain[1].rows[0].cursor.key, vec![Value::Integer(26)], "the next page continues after the first");
    assert_eq!(plain[2], plain[0], "the page before the second is the first");

    let sorted = |direction, column: &'static str| {
        move |db: &dyn Backend| {
            let view = View { sort: Some(Sort { column: column.into(), direction, nullable: true }), ..user_view(db) };
            walk(db, &view)
        }
    };
    b.same("sorted by email, descending", sorted(SortDirection::Desc, "email"));
    // banReason is mostly NULL: paging crosses from the NULLs into the values.
    b.same("sorted by a nullable column", sorted(SortDirection::Asc, "banReason"));
    b.same("sorted by a nullable column, descending", sorted(SortDirection::Desc, "banReason"));

    let filtered = |db: &dyn Backend| {
        let view = View {
            filters: vec![Filter {
                column: "email".into(),
                op: FilterOp::Contains,
                values: vec![Value::Text("a".into())],
            }],
            search: Some(Search { text: "e".into(), columns: vec!["name".into(), "email".into()] }),
            sort: Some(Sort { column: "createdAt".into(), direction: SortDirection::Desc, nullable: false }),
            ..user_view(db)
        };
        (walk(db, &view), count_matching(db, &view).expect("count"), view_statement(db, &view).expect("statement"))
    };
    let (pages, count, _) = b.same("filtered and searched", filtered);
    assert!(count > 25 && pages[0].rows.len() == 25, "{count} rows match");

    let at = now();
    let banned = |db: &dyn Backend| {
        let view = View {
            filters: vec![Filter {
                column: "status".into(),
                op: FilterOp::Status(UserCondition::Banned),
                values: vec![Value::Integer(at.timestamp_millis())],
            }],
            ..user_view(db)
        };
        (page(db, &view, &Anchor::First, 50), count_matching(db, &view).expect("count"))
    };
    let (banned_page, banned_count) = b.same("computed status filter", banned);
    assert_eq!(banned_page.rows.len() as u64, banned_count.min(50));

    // A page is one request; a keyset page after a NULL sort value at most two.
    let view = user_view(&b.local);
    assert_eq!(b.requests(|db| drop(page(db, &view, &Anchor::First, 25))), 1);
}

#[test]
fn schema_and_kinds_agree() {
    let b = both();
    let tables = b.same("describe_schema", |db| describe_schema(db).expect("schema"));
    assert!(tables.iter().any(|t| t.name == "session"));
    b.same("list_tables", |db| list_tables(db, &ListTables { include_internal: true }).expect("tables"));
    for table in &tables {
        b.same(&format!("describe_table {}", table.name), |db| {
            describe_table(db, &DescribeTable { name: &table.name }).expect("describe")
        });
        // Locally every column is sampled; a remote (billed per row read) decides kinds from
        // names, declared types and keys alone.
        let local = infer_kinds(&b.local, table).expect("kinds");
        assert_eq!(local.len(), table.columns.len());
        let remote = infer_kinds(&b.remote, table).expect("kinds");
        let unsampled: Vec<_> =
            table.columns.iter().map(|c| classify_column(table, &c.name, &c.decl_type, &[])).collect();
        assert_eq!(remote, unsampled, "kinds of {} on the remote", table.name);
        kinds_with_inferred_references(&b.remote, table, remote).expect("references");
    }
    assert_eq!(b.requests(|db| drop(describe_schema(db))), 1, "the whole schema in one request");
    let user = &tables[0];
    assert_eq!(b.requests(|db| drop(infer_kinds(db, user))), 0, "no rows sampled on a remote");
}

#[test]
fn labels_agree_and_a_page_of_them_is_two_requests() {
    let b = both();
    let sessions = b.same("session ids", |db| {
        let info = describe_table(db, &DescribeTable { name: "session" }).expect("describe");
        let view = View {
            table: "session".into(),
            columns: vec!["userId".into(), "impersonatedBy".into()],
            key: RowKey::for_table(&info),
            sort: None,
            filters: Vec::new(),
            search: None,
        };
        page(db, &view, &Anchor::First, 40)
    });
    let mut lookups: Vec<LabelLookup> = sessions
        .rows
        .iter()
        .map(|r| LabelLookup { table: "user".into(), column: "id".into(), value: r.values[0].clone() })
        .collect();
    lookups.push(LabelLookup { table: "user".into(), column: "id".into(), value: Value::Text("nobody".into()) });
    let labels = b.same("row_labels", |db| row_labels(db, &lookups).expect("labels"));
    assert!(labels[..labels.len() - 1].iter().all(|l| l.as_ref().is_some_and(|l| l.column == "email")));
    assert_eq!(labels.last(), Some(&None));
    let one = b.same("row_label", |db| row_label(db, &lookups[0]).expect("label"));
    assert_eq!(one, labels[0]);
    assert_eq!(b.requests(|db| drop(row_labels(db, &lookups))), 2, "a page of labels is two requests");

    for text in ["a", "user", "zzz-nothing", "%", ""] {
        let input = FindByLabel { table: "user".into(), key_column: "id".into(), text: text.into(), limit: 8 };
        b.same(&format!("find_by_label {text:?}"), |db| find_by_label(db, &input).expect("find"));
    }
    let input = FindByLabel { table: "user".into(), key_column: "id".into(), text: "a".into(), limit: 8 };
    assert_eq!(b.requests(|db| drop(find_by_label(db, &input))), 2);
}

#[test]
fn relations_agree() {
    let b = both();
    // The same relations; on a remote an inferred one is taken from its name without sampling
    // values (each would be a billed row read), so only its origin differs: unverified.
    let shape = |db: &dyn Backend| {
        let mut relations = list_relations(db, &ListRelations::default()).expect("relations");
        for relation in &mut relations {
            if relation.origin == RelationOrigin::Inferred {
                relation.origin = RelationOrigin::InferredUnverified;
            }
        }
        relations
    };
    b.same("list_relations", shape);
    let relations = list_relations(&b.local, &ListRelations::default()).expect("relations");
    let remote = list_relations(&b.remote, &ListRelations::default()).expect("relations");
    assert!(remote.iter().all(|r| r.origin != RelationOrigin::Inferred), "a remote samples nothing");
    assert!(relations.iter().any(|r| r.from_table == "session" && r.from_columns == ["impersonatedBy"]));
    let user = b.same("first user", |db| page(db, &user_view(db), &Anchor::First, 1));
    let columns = user_view(&b.local).columns;
    let row = RowValues { table: "user", columns: &columns, values: &user.rows[0].values };
    let groups = b.same("referencing_rows", |db| {
        referencing_rows(db, &ReferencingRows { relations: &relations, row }).expect("gr")
    });
    assert!(groups.iter().any(|g| g.target.table == "session"));
    assert_eq!(b.requests(|db| drop(referencing_rows(db, &ReferencingRows { relations: &relations, row }))), 2);

    let session = b.same("a session", |db| {
        let info = describe_table(db, &DescribeTable { name: "session" }).expect("describe");
        let view = View {
            table: "session".into(),
            columns: info.columns.iter().map(|c| c.name.clone()).collect(),
            key: RowKey::for_table(&info),
            sort: None,
            filters: Vec::new(),
            search: None,
        };
        (view.columns.clone(), page(db, &view, &Anchor::First, 1))
    });
    let row = RowValues { table: "session", columns: &session.0, values: &session.1.rows[0].values };
    let target = b.same("referenced_row", |db| {
        referenced_row(db, &ReferencedRow { relations: &relations, row, column: "userId" }).expect("gd")
    });
    assert!(target.is_some_and(|t| t.exists && t.table == "user"));
}

#[test]
fn user_reads_agree() {
    let b = both();
    let at = now();
    let all = b.same("list_users", |db| list_users(db, &ListUsers { now: at, ..Default::default() }).expect("list"));
    let banned = ListUsers { banned_only: true, now: at, ..Default::default() };
    b.same("list_users banned", |db| list_users(db, &banned).expect("list"));
    let admins = ListUsers {
        role: Some("admin".into()),
        search: Some("a".into()),
        limit: Some(5),
        now: at,
        ..Default::default()
    };
    b.same("list_users admins", |db| {
        (list_users(db, &admins).expect("list"), count_users(db, &admins).expect("count"))
    });
    let someone = &all[3];
    let shouted = someone.email.to_uppercase();
    for query in [someone.id.as_str(), someone.email.as_str(), shouted.as_str()] {
        let found =
            b.same(&format!("find_user {query}"), |db| find_user(db, &FindUser { query, now: at }).expect("find"));
        assert_eq!(found.id, someone.id);
        b.same(&format!("show_user {query}"), |db| show_user(db, &FindUser { query, now: at }).expect("show"));
    }
    b.same("find_user nobody", |db| find_user(db, &FindUser { query: "nobody@nowhere", now: at }).is_err());
    assert_eq!(b.requests(|db| drop(find_user(db, &FindUser { query: &shouted, now: at }))), 2);

    let ids: Vec<Value> = all.iter().take(40).map(|u| Value::Text(u.id.clone())).collect();
    let statuses = b.same("user_statuses", |db| {
        let mut users = user_statuses(db, &UserStatuses { ids: &ids, now: at }).expect("statuses");
        users.sort_by(|a, b| a.id.cmp(&b.id));
        users
    });
    assert_eq!(statuses.len(), 40);
    assert_eq!(b.requests(|db| drop(user_statuses(db, &UserStatuses { ids: &ids, now: at }))), 2);

    let id = Value::Text(someone.id.clone());
    b.same("list_user_links", |db| {
        list_user_links(db, &ListUserLinks { user_id: &id, now: at, limit: 3 }).expect("links")
    });
    let every = ListImpersonations { active_only: false, user: None, now: at };
    b.same("list_impersonations", |db| list_impersonations(db, &every).expect("impersonations"));
    b.same("list_roles", |db| list_roles(db).expect("roles"));
}
