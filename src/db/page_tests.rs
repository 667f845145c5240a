use proptest::prelude::*;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::*;

fn table_with(values: &[Option<i64>], without_rowid: bool) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    if without_rowid {
        conn.execute_batch(
            "CREATE TABLE t (a TEXT NOT NULL, b INTEGER NOT NULL, v INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID",
        )
        .unwrap();
    } else {
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); CREATE INDEX t_v ON t(v)").unwrap();
    }
    for (i, v) in values.iter().enumerate() {
        if without_rowid {
            conn.execute(
                "INSERT INTO t (a, b, v) VALUES (?1, ?2, ?3)",
                rusqlite::params![format!("k{}", i % 3), i as i64, v],
            )
            .unwrap();
        } else {
            conn.execute("INSERT INTO t (id, v) VALUES (?1, ?2)", rusqlite::params![i as i64 * 7 + 1, v]).unwrap();
        }
    }
    conn
}

fn view(without_rowid: bool, sort: Option<SortDirection>) -> View {
    View {
        table: "t".into(),
        columns: if without_rowid { vec!["a".into(), "b".into(), "v".into()] } else { vec!["id".into(), "v".into()] },
        key: if without_rowid { RowKey::Columns(vec!["a".into(), "b".into()]) } else { RowKey::Rowid },
        sort: sort.map(|direction| Sort { column: "v".into(), direction, nullable: true }),
        filters: Vec::new(),
        search: None,
    }
}

/// The order a single query gives, as the truth to compare paging with.
fn expected_order(conn: &Connection, view: &View) -> Vec<Vec<Value>> {
    fetch_page(conn, &PageQuery { view, anchor: &Anchor::First, limit: 100_000 })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.values)
        .collect()
}

fn page_forward(conn: &Connection, view: &View, limit: usize) -> Vec<Vec<Value>> {
    let mut seen = Vec::new();
    let mut anchor = Anchor::First;
    loop {
        let page = fetch_page(conn, &PageQuery { view, anchor: &anchor, limit }).unwrap();
        let Some(last) = page.rows.last() else { break };
        anchor = Anchor::After(last.cursor.clone());
        let exhausted = page.exhausted;
        seen.extend(page.rows.into_iter().map(|r| r.values));
        if exhausted {
            break;
        }
    }
    seen
}

fn page_backward(conn: &Connection, view: &View, limit: usize) -> Vec<Vec<Value>> {
    let mut seen: Vec<Vec<Value>> = Vec::new();
    let mut anchor = Anchor::Last;
    loop {
        let page = fetch_page(conn, &PageQuery { view, anchor: &anchor, limit }).unwrap();
        let Some(first) = page.rows.first() else { break };
        anchor = Anchor::Before(first.cursor.clone());
        let exhausted = page.exhausted;
        let mut chunk: Vec<Vec<Value>> = page.rows.into_iter().map(|r| r.values).collect();
        chunk.append(&mut seen);
        seen = chunk;
        if exhausted {
            break;
        }
    }
    seen
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn keyset_paging_visits_every_row_once_both_ways(
        values in prop::collection::vec(prop::option::of(0i64..5), 0..60),
        limit in 1usize..9,
        without_rowid in any::<bool>(),
        sort in prop::option::of(prop_oneof![Just(SortDirection::Asc), Just(SortDirection::Desc)]),
    ) {
        let conn = table_with(&values, without_rowid);
        let view = view(without_rowid, sort);
        let expected = expected_order(&conn, &view);
        prop_assert_eq!(expected.len(), values.len());
        prop_assert_eq!(&page_forward(&conn, &view, limit), &expected);
        prop_assert_eq!(&page_backward(&conn, &view, limit), &expected);
    }
}

#[test]
fn filters_and_search_bind_their_values() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT, role TEXT, banned INTEGER);
         INSERT INTO u VALUES (1, 'ada@x.dev', 'admin', 0), (2, 'bob@y.dev', 'user', 1), (3, 'c_d%@z.dev', NULL, 0);",
    )
    .unwrap();
    let mut v = View {
        table: "u".into(),
        columns: vec!["id".into()],
        key: RowKey::Rowid,
        sort: None,
        filters: vec![Filter { column: "banned".into(), op: FilterOp::Eq, values: vec![Value::Integer(0)] }],
        search: None,
    };
    let ids = |v: &View| -> Vec<Value> {
        fetch_page(&conn, &PageQuery { view: v, anchor: &Anchor::First, limit: 10 })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.values[0].clone())
            .collect()
    };
    assert_eq!(ids(&v), [Value::Integer(1), Value::Integer(3)]);
    v.filters.push(Filter { column: "role".into(), op: FilterOp::IsNull, values: vec![] });
    assert_eq!(ids(&v), [Value::Integer(3)]);
    v.filters.clear();
    v.search = Some(Search { text: "_d%".into(), columns: vec!["email".into(), "role".into()] });
    assert_eq!(ids(&v), [Value::Integer(3)], "LIKE wildcards in the search text match literally");
    v.search = Some(Search { text: "'; DROP TABLE u; --".into(), columns: vec!["email".into()] });
    assert!(ids(&v).is_empty());
    v.search = None;
    v.filters = vec![Filter { column: "role".into(), op: FilterOp::Ne, values: vec![Value::Text("user".into())] }];
    assert_eq!(ids(&v), [Value::Integer(1), Value::Integer(3)], "≠ keeps NULLs");
    v.filters =
        vec![Filter { column: "id".into(), op: FilterOp::In, values: vec![Value::Integer(2), Value::Integer(3)] }];
    assert_eq!(ids(&v), [Value::Integer(2), Value::Integer(3)]);
    assert_eq!(count_matching(&conn, &v).unwrap(), 2);
}

#[test]
fn has_matches_one_item_of_a_comma_joined_list() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE u (id INTEGER PRIMARY KEY, role TEXT);
         INSERT INTO u VALUES (1, 'admin'), (2, 'admin,user'), (3, 'user, admin'), (4, 'superadmin'), (5, NULL), (6, 'user');",
    )
    .unwrap();
    let has = |role: &str| -> Vec<Value> {
        let v = View {
            table: "u".into(),
            columns: vec!["id".into()],
            key: RowKey::Rowid,
            sort: None,
            filters: vec![Filter { column: "role".into(), op: FilterOp::Has, values: vec![Value::Text(role.into())] }],
            search: None,
        };
        fetch_page(&conn, &PageQuery { view: &v, anchor: &Anchor::First, limit: 10 })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.values[0].clone())
            .collect()
    };
    assert_eq!(has("admin"), [Value::Integer(1), Value::Integer(2), Value::Integer(3)], "not superadmin");
    assert_eq!(has(" user "), [Value::Integer(2), Value::Integer(3), Value::Integer(6)]);
    assert!(has("%").is_empty(), "no wildcards");
}

#[test]
fn views_page_by_position() {
    let conn = table_with(&[Some(1), None, Some(3), Some(2), None], false);
    conn.execute_batch("CREATE VIEW tv AS SELECT id, v FROM t").unwrap();
    let view = View { table: "tv".into(), key: RowKey::Position, ..view(false, None) };
    let expected = expected_order(&conn, &view);
    assert_eq!(page_forward(&conn, &view, 2), expected);
    assert_eq!(page_backward(&conn, &view, 2), expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// NOT NULL sort columns skip the read of NULLs; paging must still see every row once.
    #[test]
    fn keyset_paging_on_a_not_null_column(
        values in prop::collection::vec(0i64..4, 0..50),
        limit in 1usize..7,
        desc in any::<bool>(),
    ) {
        let values: Vec<Option<i64>> = values.into_iter().map(Some).collect();
        let conn = table_with(&values, false);
        let mut view = view(false, Some(if desc { SortDirection::Desc } else { SortDirection::Asc }));
        if let Some(sort) = view.sort.as_mut() {
            sort.nullable = false;
        }
        let expected = expected_order(&conn, &view);
        prop_assert_eq!(&page_forward(&conn, &view, limit), &expected);
        prop_assert_eq!(&page_backward(&conn, &view, limit), &expected);
    }
}

#[test]
fn a_descending_read_deep_in_an_index_seeks_instead_of_scanning() {
    // The NULL rows are read as a second part, so the first part is a plain range SQLite seeks.
    let conn = table_with(&[Some(1), None, Some(2), Some(3)], false);
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT rowid, v FROM t WHERE (v, rowid) < (?, ?) ORDER BY v DESC, rowid DESC LIMIT 2",
        )
        .unwrap()
        .query_map(rusqlite::params![3, 100], |r| r.get::<_, String>(3))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(plan.iter().any(|step| step.starts_with("SEARCH")), "{plan:?}");
}

#[test]
fn a_window_read_again_starts_where_it_did_even_when_its_first_row_is_gone() {
    let conn = table_with(&[Some(5), Some(1), Some(9), Some(3), Some(7), Some(2)], false);
    let sorted = view(false, Some(SortDirection::Asc));
    let first_page = fetch_page(&conn, &PageQuery { view: &sorted, anchor: &Anchor::First, limit: 6 }).unwrap();
    // The window held rows 3.. of the sorted order (v = 3, 5, 7).
    let window_first = first_page.rows[2].cursor.clone();
    let ids = |page: &Page| page.rows.iter().map(|r| r.values[1].clone()).collect::<Vec<_>>();
    let again = fetch_window(&conn, &WindowQuery { view: &sorted, first: Some(&window_first), limit: 3 }).unwrap();
    assert_eq!(ids(&again), vec![Value::Integer(3), Value::Integer(5), Value::Integer(7)]);
    // Someone deletes the first row of the window and inserts one just before it.
    conn.execute_batch("DELETE FROM t WHERE v = 3; INSERT INTO t (id, v) VALUES (100, 2)").unwrap();
    let again = fetch_window(&conn, &WindowQuery { view: &sorted, first: Some(&window_first), limit: 3 }).unwrap();
    assert_eq!(ids(&again), vec![Value::Integer(5), Value::Integer(7), Value::Integer(9)]);
    assert!(!again.exhausted);
    let top = fetch_window(&conn, &WindowQuery { view: &sorted, first: None, limit: 10 }).unwrap();
    assert_eq!(top.rows.len(), 6);
    assert!(top.exhausted);
}

/// A day filter is ranges `[start, end)`: `=` matches inside any, `≠` outside all and NULL (as
/// `≠` keeps NULLs), and an index on the column serves it (a search, not a scan).
#[test]
fn within_matches_half_open_ranges_and_seeks_an_index() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE u (id INTEGER PRIMARY KEY, at INTEGER);
         CREATE INDEX u_at ON u (at);
         INSERT INTO u VALUES (1, 100), (2, 199), (3, 200), (4, 300), (5, NULL), (6, 99);",
    )
    .unwrap();
    let view = |negated: bool, values: Vec<i64>| View {
        table: "u".into(),
        columns: vec!["id".into()],
        key: RowKey::Rowid,
        sort: None,
        filters: vec![Filter {
            column: "at".into(),
            op: FilterOp::Within { negated },
            values: values.into_iter().map(Value::Integer).collect(),
        }],
        search: None,
    };
    let ids = |v: &View| -> Vec<i64> {
        fetch_page(&conn, &PageQuery { view: v, anchor: &Anchor::First, limit: 10 })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| match r.values[0] {
                Value::Integer(n) => n,
                _ => panic!("an id"),
            })
            .collect()
    };
    assert_eq!(ids(&view(false, vec![100, 200])), [1, 2], "the end is excluded");
    assert_eq!(ids(&view(false, vec![100, 200, 300, 301])), [1, 2, 4]);
    assert_eq!(ids(&view(true, vec![100, 200])), [3, 4, 5, 6], "≠ keeps NULL");
    let mut params = Vec::new();
    let sql =
        format!("SELECT id FROM u WHERE {}", filter_condition(&view(false, vec![100, 200]).filters[0], &mut params));
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params_from_iter(params), |r| r.get::<_, String>(3))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(plan.iter().any(|p| p.contains("USING COVERING INDEX u_at") || p.contains("USING INDEX u_at")), "{plan:?}");
}
