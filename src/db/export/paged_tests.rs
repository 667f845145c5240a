//! A remote export writes the bytes a local one does: the same data exported from a file
//! (streamed) and through D1's rules (paged, every value through JSON) compared byte for byte.

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::super::{
    Cancelled, ExportFormat, ExportInput, ExportOptions, ExportSource, export_rows, plan_export, whole_table_view,
};
use super::*;
use crate::db::backend::rules::D1Rules;
use crate::db::backend::{Capabilities, Executed, Rows, Step, StepOutcome};
use crate::db::page::{Filter, FilterOp, Search, Sort, SortDirection};
use crate::db::schema::TableInfo;

/// D1's rules plus what its JSON does to REALs: a whole one arrives as an integer (`1.0` as
/// `1`), an infinite one as null (D1Rules already rounds integers past 2^53).
struct JsonWire(D1Rules);

fn through_wire(value: Value) -> Value {
    match value {
        Value::Real(f) if !f.is_finite() => Value::Null,
        Value::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Value::Integer(f as i64),
        other => other,
    }
}

impl Backend for JsonWire {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        let mut rows = self.0.query(statement)?;
        for row in &mut rows.rows {
            for value in row.iter_mut() {
                *value = through_wire(std::mem::replace(value, Value::Null));
            }
        }
        Ok(rows)
    }
    fn execute(&self, statement: &Statement) -> Result<Executed> {
        self.0.execute(statement)
    }
    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        self.0.atomic(steps)
    }
    fn describe(&self) -> Result<Vec<TableInfo>> {
        self.0.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn describe_target(&self) -> String {
        self.0.describe_target()
    }
}

/// The data: every storage class, the values JSON loses, CSV's hard text, and enough rows
/// (2,600) for several pages.
const DATA: &str = "
CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT, big INTEGER, ratio REAL, raw BLOB, anything,
    password TEXT, createdAt INTEGER);
INSERT INTO thing VALUES
  (1, 'plain', 9007199254740993, 1.0, x'00ff10', 1.0, 'salt:hash', 1700000000000),
  (2, 'comma, \"quote\" and
newline', -9007199254740993, 0.1, x'', 'text', NULL, NULL),
  (3, NULL, 9223372036854775807, 1e300, NULL, 1e999, 's', 1700000001000),
  (4, '', -9223372036854775808, -2.5e-308, x'41', -1e999, '', 0),
  (5, 'é ünïcode', 0, 123456789012.0, NULL, 9007199254740993, NULL, -1),
  (6, 'x', NULL, 3.0e20, NULL, 12345678901234567890, NULL, 1700000002000);
WITH RECURSIVE n(i) AS (SELECT 7 UNION ALL SELECT i + 1 FROM n WHERE i < 2600)
INSERT INTO thing SELECT i, 'row ' || i, i * 1000003, i / 7.0, CASE WHEN i % 5 = 0 THEN x'beef' END,
    CASE i % 3 WHEN 0 THEN i WHEN 1 THEN i * 0.5 ELSE 'v' || i END, 'p' || i, 1700000000000 + i FROM n;
CREATE TABLE tag (name TEXT PRIMARY KEY, weight REAL) WITHOUT ROWID;
INSERT INTO tag VALUES ('b', 2.0), ('a', NULL), ('c', 0.5);
CREATE VIEW heavy AS SELECT id, name, ratio FROM thing WHERE ratio > 100;
";

/// The same file, opened locally and through D1's rules and JSON.
fn both() -> (tempfile::TempDir, Connection, JsonWire) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let local = Connection::open(&path).unwrap();
    local.execute_batch(DATA).unwrap();
    let remote = JsonWire(D1Rules::new(Connection::open(&path).unwrap()).read_only());
    (dir, local, remote)
}

fn local_bytes(conn: &Connection, source: &ExportSource, options: &ExportOptions) -> Result<Vec<u8>> {
    let plan = plan_export(conn, source)?;
    let mut out = Vec::new();
    export_rows(conn, &ExportInput { plan: &plan, options }, &mut out, &mut |_| true)?;
    Ok(out)
}

fn remote_bytes(db: &JsonWire, source: &ExportSource, options: &ExportOptions) -> Result<Vec<u8>> {
    let plan = plan_paged_export(db, source)?;
    let mut out = Vec::new();
    export_pages(db, &plan, options, &mut out, &mut |_| true)?;
    Ok(out)
}

fn all_options() -> Vec<ExportOptions> {
    let mut all = Vec::new();
    for format in ExportFormat::ALL {
        for include_secrets in [false, true] {
            all.push(ExportOptions { format, include_secrets, iso_dates: false });
        }
        if format != ExportFormat::Sql {
            all.push(ExportOptions { format, include_secrets: false, iso_dates: true });
        }
    }
    all
}

/// Same bytes in every format, or (SQL of a view or a query) the same refusal.
fn assert_same(local: &Connection, remote: &JsonWire, source: &ExportSource) {
    for options in all_options() {
        let (want, got) = match (local_bytes(local, source, &options), remote_bytes(remote, source, &options)) {
            (Ok(want), Ok(got)) => (want, got),
            (Err(want), Err(got)) => {
                assert_eq!(format!("{want:#}"), format!("{got:#}"));
                continue;
            }
            (want, got) => panic!("{options:?} of {source:?}: local {want:?}, remote {got:?}"),
        };
        if want != got {
            let (want, got) = (String::from_utf8_lossy(&want), String::from_utf8_lossy(&got));
            let line = want.lines().zip(got.lines()).position(|(a, b)| a != b);
            let at = |text: &str| line.and_then(|l| text.lines().nth(l).map(str::to_string));
            panic!("{options:?} of {source:?} differs at line {line:?}:\n{:?}\n{:?}", at(&want), at(&got));
        }
    }
}

/// A CSV export through the remote.
fn remote_csv(remote: &JsonWire, source: &ExportSource) -> String {
    let options = ExportOptions { format: ExportFormat::Csv, include_secrets: false, iso_dates: false };
    String::from_utf8(remote_bytes(remote, source, &options).unwrap()).unwrap()
}

#[test]
fn a_remote_table_export_equals_the_local_one_in_every_format() {
    let (_dir, local, remote) = both();
    for table in ["thing", "tag", "heavy"] {
        let view = whole_table_view(&local, table).unwrap();
        assert_same(&local, &remote, &ExportSource::Table(view));
    }
    // The values JSON would lose are there, exactly.
    let csv = remote_csv(&remote, &ExportSource::Table(whole_table_view(&local, "thing").unwrap()));
    assert!(csv.contains("\n1,plain,9007199254740993,1.0,00ff10,1.0,[redacted],1700000000000\n"), "{}", &csv[..400]);
    assert!(csv.contains("\"comma, \"\"quote\"\" and\nnewline\""));
}

#[test]
fn a_remote_export_keeps_the_views_sort_filter_and_search() {
    let (_dir, local, remote) = both();
    let mut view = whole_table_view(&local, "thing").unwrap();
    view.sort = Some(Sort { column: "ratio".into(), direction: SortDirection::Desc, nullable: true });
    view.filters = vec![Filter { column: "id".into(), op: FilterOp::Gt, values: vec![Value::Integer(3)] }];
    view.search = Some(Search { text: "row 1".into(), columns: vec!["name".into()] });
    assert_same(&local, &remote, &ExportSource::Table(view.clone()));
    view.search = None;
    view.sort = Some(Sort { column: "raw".into(), direction: SortDirection::Asc, nullable: true });
    assert_same(&local, &remote, &ExportSource::Table(view));
}

#[test]
fn a_remote_query_export_pages_by_offset_and_equals_the_local_one() {
    let (_dir, local, remote) = both();
    let sql = "SELECT t.id, t.big, t.anything, g.name, g.weight, t.id AS id FROM thing t \
               LEFT JOIN tag g ON g.name = substr(t.name, 1, 1) ORDER BY t.ratio DESC, t.id;";
    assert_same(&local, &remote, &ExportSource::Query { sql: sql.into() });
    let csv = remote_csv(&remote, &ExportSource::Query { sql: sql.into() });
    assert!(csv.starts_with("id,big,anything,name,weight,id\n"), "repeated names kept");
    let write = ExportSource::Query { sql: "DELETE FROM thing".into() };
    let err = plan_paged_export(&remote, &write).unwrap_err();
    assert!(format!("{err:#}").contains("one statement that reads"), "{err:#}");
}

/// A page that ends on an integer past 2^53 continues from its exact value: through JSON alone
/// the cursor would be rounded and the next page would repeat or skip rows.
#[test]
fn a_page_ending_on_a_big_integer_continues_exactly() {
    let (dir, local, _) = both();
    local
        .execute_batch(
            "CREATE TABLE ids (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
             WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2100)
             INSERT INTO ids SELECT i, 9007199254740993 + 2 * i FROM k;
             CREATE TABLE wide (a INTEGER, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
             INSERT INTO wide SELECT n, 'x' FROM ids;",
        )
        .unwrap();
    let remote = JsonWire(D1Rules::new(Connection::open(dir.path().join("t.sqlite")).unwrap()));
    let mut sorted = whole_table_view(&local, "ids").unwrap();
    sorted.sort = Some(Sort { column: "n".into(), direction: SortDirection::Desc, nullable: false });
    let keyed = whole_table_view(&local, "wide").unwrap();
    for source in [ExportSource::Table(sorted), ExportSource::Table(keyed)] {
        let csv = remote_csv(&remote, &source);
        assert_eq!(csv.lines().count(), 2101, "every row once");
        assert_same(&local, &remote, &source);
    }
}

#[test]
fn pages_are_large_and_few() {
    let (_dir, local, remote) = both();
    let source = ExportSource::Table(whole_table_view(&local, "thing").unwrap());
    let plan = plan_paged_export(&remote, &source).unwrap();
    let before = remote.0.requests();
    let options = ExportOptions { format: ExportFormat::Csv, include_secrets: false, iso_dates: false };
    let mut reports = Vec::new();
    let summary = export_pages(&remote, &plan, &options, &mut Vec::new(), &mut |rows| {
        reports.push(rows);
        true
    })
    .unwrap();
    assert_eq!(summary.rows, 2600);
    // 1,000 rows first, then up to 5,000 a request: two requests for 2,600 narrow rows.
    assert_eq!(remote.0.requests() - before, 2);
    assert_eq!(reports, vec![1000, 2600, 2600], "after each request, then at the end");
}

#[test]
fn a_cancel_stops_between_two_requests() {
    let (_dir, local, remote) = both();
    let source = ExportSource::Table(whole_table_view(&local, "thing").unwrap());
    let plan = plan_paged_export(&remote, &source).unwrap();
    let before = remote.0.requests();
    let options = ExportOptions { format: ExportFormat::Ndjson, include_secrets: false, iso_dates: false };
    let err = export_pages(&remote, &plan, &options, &mut Vec::new(), &mut |_| false).unwrap_err();
    assert!(err.downcast_ref::<Cancelled>().is_some(), "{err:#}");
    assert_eq!(remote.0.requests() - before, 1, "no request after the cancel");
}

#[test]
fn page_size_follows_the_rows_weight() {
    let mut size = PageSize::default();
    assert_eq!(size.rows, FIRST_PAGE_ROWS);
    size.learn(1000, 1000 * 100);
    assert_eq!(size.rows, MAX_PAGE_ROWS);
    size.learn(10, 10 * 1024 * 1024);
    assert_eq!(size.rows, MIN_PAGE_ROWS);
    size.learn(0, 0);
    assert_eq!(size.rows, MIN_PAGE_ROWS, "an empty page teaches nothing");
    assert_eq!(display_names(&["id".into(), "id:1".into(), "a:1".into(), "id:2".into()]), ["id", "id", "a:1", "id"]);
}
