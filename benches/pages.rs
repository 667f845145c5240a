//! Page fetches through `db::page` against the same SQL run bare through rusqlite: the floor
//! squall's data layer is measured against (issue 8: within 2x of it).
//!
//! `cargo bench --bench pages` (see BENCHMARKS.md). Databases are made once by
//! `squall demo --users N` into `target/bench-data/` and reused; `SQUALL_BENCH_SIZES` picks N.
//! After criterion's own report, a table of medians and ratios is printed.

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};

use squall::db::kinds::{ColumnKind, infer_kinds};
use squall::db::open::{OpenInput, OpenMode, open_database};
use squall::db::page::{
    Anchor, Cursor, Filter, FilterOp, PageQuery, RowKey, Search, Sort, SortDirection, View, count_matching, fetch_page,
};
use squall::db::schema::{DescribeTable, TableInfo, describe_table};
use squall::db::users::{UserStatuses, user_statuses};

/// Rows per request, as the TUI asks for them (`PAGE_ROWS` in src/app/tab.rs).
const PAGE_ROWS: usize = 200;
/// Rows per request when the sort column has no index (`UNINDEXED_SORT_PAGE_ROWS`).
const UNINDEXED_SORT_PAGE_ROWS: usize = 1_000;
/// Text no demo row contains: the search and filter that match nothing.
const NOTHING: &str = "zq-no-such-text-qz";
/// A read slower than this is sampled flat (few long iterations) rather than linearly.
const SLOW: Duration = Duration::from_millis(20);

/// What a case asks of the database.
enum Work {
    Page(Anchor),
    Count,
    /// The user-status columns of the TUI: one query per page of user rows.
    Statuses(Vec<Value>),
}

/// One measured read: squall's call and the SQL it runs, written out by hand.
struct Case {
    name: &'static str,
    view: View,
    work: Work,
    /// The statement `fetch_page` / `count_matching` runs for this case: the floor.
    floor_sql: String,
    floor_params: Vec<Value>,
    /// Rows asked for.
    limit: usize,
}

/// The `user` table of a demo database, and rows to anchor deep pages on.
struct Fixture {
    conn: Connection,
    info: TableInfo,
    kinds: Vec<ColumnKind>,
    users: u64,
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1000))
        .nresamples(10_000)
        .output_directory(&common::bench_dir().join("criterion"))
        .configure_from_args();
    let mut rows: Vec<SummaryRow> = Vec::new();
    let sizes = common::sizes();
    for &users in &sizes {
        let fixture = open_fixture(users);
        let cases = cases(&fixture);
        if Some(&users) == sizes.last() {
            print_plans(&fixture.conn, &cases);
        }
        for case in &cases {
            rows.push(bench_case(&mut criterion, &fixture, case));
        }
    }
    criterion.final_summary();
    print_summary(&rows);
}

fn open_fixture(users: u64) -> Fixture {
    let path = common::demo_database(users);
    let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadOnly }).expect("open the demo database");
    // The page cache the TUI gives each of its connections (`TUI_CACHE_KIB` in src/tui/mod.rs).
    db.conn.pragma_update(None, "cache_size", -512).expect("cache_size");
    let info = describe_table(&db.conn, &DescribeTable { name: "user" }).expect("describe user");
    let kinds = infer_kinds(&db.conn, &info).expect("column kinds");
    Fixture { conn: db.conn, info, kinds, users }
}

/// The view the TUI builds for the `user` tab (src/app/tab.rs `TableTab::view`).
fn base_view(fixture: &Fixture) -> View {
    View {
        table: "user".into(),
        columns: fixture.info.columns.iter().map(|c| c.name.clone()).collect(),
        key: RowKey::for_table(&fixture.info),
        sort: None,
        filters: Vec::new(),
        search: None,
    }
}

/// The columns `/` searches: text-like kinds, as `TableTab::view` picks them.
fn search_columns(fixture: &Fixture) -> Vec<String> {
    fixture
        .info
        .columns
        .iter()
        .zip(&fixture.kinds)
        .filter(|(_, kind)| kind.is_searchable_text() || matches!(kind, ColumnKind::Text))
        .map(|(c, _)| c.name.clone())
        .collect()
}

fn sorted(fixture: &Fixture, view: &View, column: &str, direction: SortDirection) -> View {
    let nullable = fixture.info.column(column).is_some_and(|c| !c.not_null);
    View { sort: Some(Sort { column: column.into(), direction, nullable }), ..view.clone() }
}

/// The sort value and rowid of the row at `fraction` of the way through `column`'s order
/// (rowid order when `column` is `rowid`).
fn row_at(conn: &Connection, users: u64, column: &str, fraction: f64) -> (Value, i64) {
    let offset = (users as f64 * fraction) as i64;
    let sql = format!("SELECT {column}, rowid FROM user ORDER BY {column}, rowid LIMIT 1 OFFSET ?1");
    conn.query_row(&sql, [offset], |row| Ok((row.get::<_, Value>(0)?, row.get::<_, i64>(1)?)))
        .expect("a row deep in the table")
}

fn key_cursor(rowid: i64) -> Cursor {
    Cursor { sort_value: None, key: vec![Value::Integer(rowid)] }
}

fn sort_cursor(value: Value, rowid: i64) -> Cursor {
    Cursor { sort_value: Some(value), key: vec![Value::Integer(rowid)] }
}

/// Every case, with the SQL `src/db/page.rs` builds for it written out.
fn cases(fixture: &Fixture) -> Vec<Case> {
    let conn = &fixture.conn;
    let users = fixture.users;
    let view = base_view(fixture);
    let cols: Vec<String> = view.columns.iter().map(|c| format!("\"{c}\"")).collect();
    let cols = cols.join(", ");
    let (_, deep) = row_at(conn, users, "rowid", 0.9);
    let (_, shallow) = row_at(conn, users, "rowid", 0.1);
    let (email_deep, email_deep_id) = row_at(conn, users, "email", 0.9);
    let (email_shallow, email_shallow_id) = row_at(conn, users, "email", 0.1);
    let (created_deep, created_deep_id) = row_at(conn, users, "createdAt", 0.9);
    let by_email = sorted(fixture, &view, "email", SortDirection::Asc);
    let by_email_desc = sorted(fixture, &view, "email", SortDirection::Desc);
    let by_created = sorted(fixture, &view, "createdAt", SortDirection::Asc);
    let searched = search_columns(fixture);
    let search_sql: Vec<String> = searched.iter().map(|c| format!("\"{c}\" LIKE ? ESCAPE '\\'")).collect();
    let search_where = format!("({})", search_sql.join(" OR "));
    let pattern = Value::Text(format!("%{NOTHING}%"));
    let search_view = View { search: Some(Search { text: NOTHING.into(), columns: searched.clone() }), ..view.clone() };
    let filter_view = View {
        filters: vec![Filter { column: "name".into(), op: FilterOp::Eq, values: vec![Value::Text(NOTHING.into())] }],
        ..view.clone()
    };
    let page = |name, view: &View, anchor, floor_sql: String, floor_params, limit| Case {
        name,
        view: view.clone(),
        work: Work::Page(anchor),
        floor_sql,
        floor_params,
        limit,
    };
    vec![
        page(
            "first",
            &view,
            Anchor::First,
            format!("SELECT rowid, {cols} FROM \"user\" ORDER BY rowid ASC LIMIT {PAGE_ROWS}"),
            vec![],
            PAGE_ROWS,
        ),
        page(
            "after_90pct",
            &view,
            Anchor::After(key_cursor(deep)),
            format!("SELECT rowid, {cols} FROM \"user\" WHERE (rowid) > (?) ORDER BY rowid ASC LIMIT {PAGE_ROWS}"),
            vec![Value::Integer(deep)],
            PAGE_ROWS,
        ),
        page(
            "before_10pct",
            &view,
            Anchor::Before(key_cursor(shallow)),
            format!("SELECT rowid, {cols} FROM \"user\" WHERE (rowid) < (?) ORDER BY rowid DESC LIMIT {PAGE_ROWS}"),
            vec![Value::Integer(shallow)],
            PAGE_ROWS,
        ),
        page(
            "last",
            &view,
            Anchor::Last,
            format!("SELECT rowid, {cols} FROM \"user\" ORDER BY rowid DESC LIMIT {PAGE_ROWS}"),
            vec![],
            PAGE_ROWS,
        ),
        page(
            "email_first",
            &by_email,
            Anchor::First,
            format!(
                "SELECT rowid, \"email\", {cols} FROM \"user\" ORDER BY \"email\" ASC, rowid ASC LIMIT {PAGE_ROWS}"
            ),
            vec![],
            PAGE_ROWS,
        ),
        page(
            "email_after_90pct",
            &by_email,
            Anchor::After(sort_cursor(email_deep.clone(), email_deep_id)),
            format!(
                "SELECT rowid, \"email\", {cols} FROM \"user\" WHERE ((\"email\", rowid) > (?, ?)) \
                 ORDER BY \"email\" ASC, rowid ASC LIMIT {PAGE_ROWS}"
            ),
            vec![email_deep, Value::Integer(email_deep_id)],
            PAGE_ROWS,
        ),
        page(
            "email_before_10pct",
            &by_email,
            Anchor::Before(sort_cursor(email_shallow.clone(), email_shallow_id)),
            format!(
                "SELECT rowid, \"email\", {cols} FROM \"user\" WHERE (\"email\", rowid) < (?, ?) \
                 ORDER BY \"email\" DESC, rowid DESC LIMIT {PAGE_ROWS}"
            ),
            vec![email_shallow.clone(), Value::Integer(email_shallow_id)],
            PAGE_ROWS,
        ),
        page(
            "email_desc_after_90pct",
            &by_email_desc,
            // 10% along the ascending order is 90% down the descending one.
            Anchor::After(sort_cursor(email_shallow.clone(), email_shallow_id)),
            format!(
                "SELECT rowid, \"email\", {cols} FROM \"user\" WHERE (\"email\", rowid) < (?, ?) \
                 ORDER BY \"email\" DESC, rowid DESC LIMIT {PAGE_ROWS}"
            ),
            vec![email_shallow, Value::Integer(email_shallow_id)],
            PAGE_ROWS,
        ),
        page(
            "createdAt_first",
            &by_created,
            Anchor::First,
            format!(
                "SELECT rowid, \"createdAt\", {cols} FROM \"user\" ORDER BY \"createdAt\" ASC, rowid ASC LIMIT {UNINDEXED_SORT_PAGE_ROWS}"
            ),
            vec![],
            UNINDEXED_SORT_PAGE_ROWS,
        ),
        page(
            "createdAt_after_90pct",
            &by_created,
            Anchor::After(sort_cursor(created_deep.clone(), created_deep_id)),
            format!(
                "SELECT rowid, \"createdAt\", {cols} FROM \"user\" WHERE ((\"createdAt\", rowid) > (?, ?)) \
                 ORDER BY \"createdAt\" ASC, rowid ASC LIMIT {UNINDEXED_SORT_PAGE_ROWS}"
            ),
            vec![created_deep, Value::Integer(created_deep_id)],
            UNINDEXED_SORT_PAGE_ROWS,
        ),
        page(
            "filter_eq_nothing",
            &filter_view,
            Anchor::First,
            format!("SELECT rowid, {cols} FROM \"user\" WHERE \"name\" = ? ORDER BY rowid ASC LIMIT {PAGE_ROWS}"),
            vec![Value::Text(NOTHING.into())],
            PAGE_ROWS,
        ),
        page(
            "search_nothing",
            &search_view,
            Anchor::First,
            format!("SELECT rowid, {cols} FROM \"user\" WHERE {search_where} ORDER BY rowid ASC LIMIT {PAGE_ROWS}"),
            vec![pattern.clone(); searched.len()],
            PAGE_ROWS,
        ),
        statuses_case(conn, deep),
        Case {
            name: "count_all",
            view: view.clone(),
            work: Work::Count,
            floor_sql: "SELECT count(*) FROM \"user\"".into(),
            floor_params: vec![],
            limit: PAGE_ROWS,
        },
        Case {
            name: "count_search_nothing",
            view: search_view,
            work: Work::Count,
            floor_sql: format!("SELECT count(*) FROM \"user\" WHERE {search_where}"),
            floor_params: vec![pattern; searched.len()],
            limit: PAGE_ROWS,
        },
    ]
}

/// The user statuses of the 200 users of the page 90% down, as the TUI reads them after each
/// page of user rows; the floor is the statement `db::users::user_statuses` runs, written out.
fn statuses_case(conn: &Connection, after: i64) -> Case {
    let ids: Vec<Value> = conn
        .prepare(&format!("SELECT id FROM \"user\" WHERE rowid > ?1 ORDER BY rowid LIMIT {PAGE_ROWS}"))
        .and_then(|mut stmt| stmt.query_map([after], |row| row.get::<_, Value>(0))?.collect())
        .expect("ids of a page");
    let expires = "s.\"expiresAt\"";
    let expires_ms = format!(
        "(CASE WHEN typeof({expires}) IN ('integer', 'real') THEN \
           (CASE WHEN abs({expires}) >= 100000000000 THEN {expires} ELSE {expires} * 1000 END) \
         WHEN typeof({expires}) = 'text' THEN CAST(unixepoch({expires}, 'subsec') * 1000 AS INTEGER) END)"
    );
    let marks: Vec<String> = (2..ids.len() + 2).map(|i| format!("?{i}")).collect();
    let floor_sql = format!(
        "SELECT u.*, (SELECT count(*) FROM \"session\" s WHERE s.\"userId\" = u.\"id\" AND {expires_ms} > ?1) \
         AS \"activeSessions\" FROM \"user\" u WHERE u.\"id\" IN ({})",
        marks.join(", ")
    );
    let mut floor_params = vec![Value::Integer(chrono::Utc::now().timestamp_millis())];
    floor_params.extend(ids.iter().cloned());
    Case {
        name: "user_statuses_200",
        view: View {
            table: "user".into(),
            columns: Vec::new(),
            key: RowKey::Rowid,
            sort: None,
            filters: Vec::new(),
            search: None,
        },
        work: Work::Statuses(ids),
        floor_sql,
        floor_params,
        limit: PAGE_ROWS,
    }
}

/// squall's read: the rowids (or the count) it returned.
fn run_squall(conn: &Connection, case: &Case) -> Vec<i64> {
    match &case.work {
        Work::Page(anchor) => {
            let page =
                fetch_page(conn, &PageQuery { view: &case.view, anchor, limit: case.limit }).expect("fetch_page");
            page.rows
                .iter()
                .map(|row| match row.cursor.key.first() {
                    Some(Value::Integer(id)) => *id,
                    _ => -1,
                })
                .collect()
        }
        Work::Count => vec![count_matching(conn, &case.view).expect("count_matching") as i64],
        // The floor reads text ids as -1: compare how many users came back.
        Work::Statuses(ids) => {
            let found = user_statuses(conn, &UserStatuses { ids, now: chrono::Utc::now() }).expect("user_statuses");
            vec![-1; found.len()]
        }
    }
}

/// How the bare read treats each column of each row.
#[derive(Clone, Copy)]
enum Read {
    /// Looked at where SQLite keeps it, never copied: SQLite's own work and nothing else.
    InPlace,
    /// Copied out into an owned `Value`, as any caller that keeps rows beyond the statement
    /// (a page sent to the UI thread) must.
    Owned,
}

/// The bare read: the statement stepped to its end, every column read as `read` says.
/// Returns the first column of each row (the rowid, or the count).
fn run_floor(conn: &Connection, sql: &str, params: &[Value], read: Read) -> Vec<i64> {
    let mut stmt = conn.prepare_cached(sql).expect("prepare the floor SQL");
    let width = stmt.column_count();
    let mut rows = stmt.query(params_from_iter(params.iter())).expect("query");
    let mut firsts = Vec::new();
    let mut kept: Vec<Vec<Value>> = Vec::new();
    while let Some(row) = rows.next().expect("step") {
        match read {
            Read::InPlace => {
                for i in 1..width {
                    black_box(row.get_ref(i).unwrap_or(ValueRef::Null));
                }
            }
            Read::Owned => kept.push((1..width).map(|i| row.get::<_, Value>(i).unwrap_or(Value::Null)).collect()),
        }
        firsts.push(row.get::<_, i64>(0).unwrap_or(-1));
    }
    black_box(kept);
    firsts
}

/// Backward reads come back from SQLite in reverse; squall turns them round.
fn same_rows(squall: &[i64], floor: &[i64]) -> bool {
    squall == floor || squall.iter().rev().eq(floor.iter())
}

struct SummaryRow {
    group: String,
    squall: f64,
    floor: f64,
    owned: f64,
}

fn bench_case(criterion: &mut Criterion, fixture: &Fixture, case: &Case) -> SummaryRow {
    let conn = &fixture.conn;
    // Check the hand-written SQL really is what squall runs, and time one read to pick a mode.
    let started = Instant::now();
    let squall_rows = run_squall(conn, case);
    let once = started.elapsed();
    let floor_rows = run_floor(conn, &case.floor_sql, &case.floor_params, Read::InPlace);
    assert!(
        same_rows(&squall_rows, &floor_rows),
        "{}: the floor SQL reads other rows than fetch_page ({} vs {})",
        case.name,
        squall_rows.len(),
        floor_rows.len()
    );
    let group_name = format!("{}/{}", common::size_label(fixture.users), case.name);
    let mut group = criterion.benchmark_group(&group_name);
    if once > SLOW {
        group.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(2));
    }
    group.bench_function("squall", |b| b.iter(|| run_squall(conn, case)));
    let (sql, params) = (&case.floor_sql, &case.floor_params);
    group.bench_function("sqlite", |b| b.iter(|| run_floor(conn, sql, params, Read::InPlace)));
    group.bench_function("sqlite_owned", |b| b.iter(|| run_floor(conn, sql, params, Read::Owned)));
    group.finish();
    let dir = common::bench_dir().join("criterion").join(group_name.replace('/', "_"));
    SummaryRow {
        group: group_name,
        squall: median_ns(&dir.join("squall")),
        floor: median_ns(&dir.join("sqlite")),
        owned: median_ns(&dir.join("sqlite_owned")),
    }
}

/// Criterion's median estimate for one function, in nanoseconds (NaN when it is missing).
fn median_ns(dir: &Path) -> f64 {
    let read = std::fs::read_to_string(dir.join("new").join("estimates.json")).ok();
    let json: Option<serde_json::Value> = read.and_then(|text| serde_json::from_str(&text).ok());
    json.and_then(|j| j["median"]["point_estimate"].as_f64()).unwrap_or(f64::NAN)
}

fn print_plans(conn: &Connection, cases: &[Case]) {
    println!("\nQuery plans (EXPLAIN QUERY PLAN, largest database):");
    for case in cases {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", case.floor_sql)).expect("explain");
        let details: Vec<String> = stmt
            .query_map(params_from_iter(case.floor_params.iter()), |row| row.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("plan rows");
        println!("  {}: {}", case.name, details.join("; "));
    }
    println!();
}

fn format_ms(ns: f64) -> String {
    let ms = ns / 1e6;
    if ms < 1.0 { format!("{ms:.3} ms") } else { format!("{ms:.1} ms") }
}

fn print_summary(rows: &[SummaryRow]) {
    println!("\n| case | squall | SQLite, in place | ratio | SQLite, values copied | ratio |");
    println!("|---|---:|---:|---:|---:|---:|");
    // Cases left out by a criterion filter have no estimates.
    for row in rows.iter().filter(|row| !row.squall.is_nan()) {
        let ratio = |floor: f64| {
            let ratio = row.squall / floor;
            if ratio <= 2.0 { format!("{ratio:.2}") } else { format!("**{ratio:.2}**") }
        };
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            row.group,
            format_ms(row.squall),
            format_ms(row.floor),
            ratio(row.floor),
            format_ms(row.owned),
            ratio(row.owned),
        );
    }
    println!("\n(medians; a ratio in bold misses the 2x target)");
}
