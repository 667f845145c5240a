use rusqlite::Connection;

use super::*;
use crate::db::relations::RelationOrigin;
use crate::db::relations::tests::{apply_fixture, demo_db, drizzle_fixture_db};

fn model_of(conn: &Connection) -> ErModel {
    load_er_model(conn, &LoadErModel { include_internal: false, include_trackers: false, count_rows: true }).unwrap()
}

fn adjacent(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0.abs_diff(b.0) + a.1.abs_diff(b.1) == 1
}

fn on_side(rect: &Rect, (x, y): (usize, usize)) -> bool {
    let corner = (x == rect.x || x + 1 == rect.right()) && (y == rect.y || y + 1 == rect.bottom());
    rect.on_border(x, y) && !corner
}

/// The layout's promises: boxes inside the canvas and apart from each other, every relation
/// drawn, and every line a connected path outside the boxes from its child's frame to its
/// parent's frame (or to an earlier line into the same parent key).
fn check_diagram(model: &ErModel, diagram: &ErDiagram) {
    let canvas = &diagram.canvas;
    assert_eq!(diagram.boxes.len(), model.tables.len());
    for (i, placed) in diagram.boxes.iter().enumerate() {
        assert_eq!(placed.table, model.tables[i].name);
        assert!(placed.rect.right() <= canvas.width() && placed.rect.bottom() <= canvas.height());
        for other in &diagram.boxes[i + 1..] {
            let grown = Rect {
                x: placed.rect.x - 1,
                y: placed.rect.y - 1,
                width: placed.rect.width + 2,
                height: placed.rect.height + 2,
            };
            assert!(!grown.intersects(&other.rect), "{} overlaps or touches {}", placed.table, other.table);
        }
    }
    assert!(diagram.undrawn.is_empty(), "undrawn: {:?}", diagram.undrawn);
    assert_eq!(diagram.edges.len(), model.relations.len());
    for (e, edge) in diagram.edges.iter().enumerate() {
        let relation = &model.relations[edge.relation];
        let child = &diagram.boxes[model.table_index(&relation.from_table).unwrap()].rect;
        let parent = &diagram.boxes[model.table_index(&relation.to_table).unwrap()].rect;
        assert!(on_side(child, edge.from_port), "{}: start not on the child's frame", relation.describe());
        assert!(on_side(parent, edge.to_port), "{}: end not on the parent's frame", relation.describe());
        assert!(adjacent(edge.cells[0], edge.from_port));
        for pair in edge.cells.windows(2) {
            assert!(adjacent(pair[0], pair[1]), "{}: the line jumps", relation.describe());
        }
        for &(x, y) in &edge.cells {
            assert!(diagram.box_at(x, y).is_none(), "{}: the line crosses a box at {x},{y}", relation.describe());
        }
        let last = *edge.cells.last().unwrap();
        let reaches_parent = adjacent(last, edge.to_port);
        let joins_earlier =
            diagram.edges[..e].iter().any(|earlier| earlier.to_port == edge.to_port && earlier.cells.contains(&last));
        assert!(reaches_parent || joins_earlier, "{}: the line ends nowhere", relation.describe());
        let junction = canvas.get(edge.from_port.0, edge.from_port.1).unwrap();
        assert!("┤├┴┬".contains(junction.ch), "{}: no junction where the line starts", relation.describe());
        let (mx, my) = edge.cells[0];
        assert_eq!(canvas.get(mx, my).unwrap().style, CellStyle::Cardinality);
    }
}

fn render(model: &ErModel, detail: Detail) -> (ErDiagram, String) {
    let diagram = layout_er(model, &LayoutOptions { detail });
    check_diagram(model, &diagram);
    let text = render_text(&diagram, model);
    (diagram, text)
}

#[test]
fn drizzle_fixture_layout() {
    let dir = tempfile::tempdir().unwrap();
    let conn = drizzle_fixture_db(&dir);
    let model = model_of(&conn);
    let names: Vec<&str> = model.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["user", "session", "account", "verification", "audit_log"]);
    let (diagram, full) = render(&model, Detail::Full);
    // Parents left of their children; the inferred line dashed, the declared ones solid.
    let user = diagram.boxes[0].rect;
    assert!(diagram.boxes[1..3].iter().all(|b| b.rect.x > user.right()));
    let styles: Vec<CellStyle> =
        (0..diagram.canvas.height()).flat_map(|y| diagram.canvas.segments(y, 0, usize::MAX)).map(|s| s.style).collect();
    assert!(styles.contains(&CellStyle::EdgeInferred) && styles.contains(&CellStyle::EdgeDeclared));
    assert!(full.contains("┄") && full.contains("fk impersonatedBy"));
    insta::assert_snapshot!("drizzle_full", full);
    let (_, compact) = render(&model, Detail::Compact);
    insta::assert_snapshot!("drizzle_compact", compact);
}

#[test]
fn snake_case_fixture_layout() {
    let conn = Connection::open_in_memory().unwrap();
    apply_fixture(&conn, "drizzle-snake", &["0000_init.sql"]);
    let model = model_of(&conn);
    assert_eq!(model.relations.len(), 3);
    let (_, full) = render(&model, Detail::Full);
    insta::assert_snapshot!("snake_full", full);
    render(&model, Detail::Compact);
}

#[test]
fn demo_layout_marks_inferred_column() {
    let dir = tempfile::tempdir().unwrap();
    let conn = demo_db(&dir, 200);
    let model = model_of(&conn);
    let session = &model.tables[model.table_index("session").unwrap()];
    let column = session.columns.iter().find(|c| c.name == "impersonatedBy").unwrap();
    assert_eq!(column.reference, Some(RelationOrigin::Inferred));
    assert_eq!(column.markers(), ["fk"]);
    assert_eq!(model.tables[0].rows, Some(200));
    let (diagram, text) = render(&model, Detail::Full);
    assert!(text.contains("─ user ─") && text.contains(" 200 ─┐"));
    assert!(text.contains("session.impersonatedBy → user.id  many-to-one  inferred\n"));
    // Selecting boxes: by cell, by name, and moving right from user reaches a child.
    let user = diagram.box_of("user").unwrap();
    let rect = diagram.boxes[user].rect;
    assert_eq!(diagram.box_at(rect.x + 1, rect.y + 1), Some(user));
    let right = diagram.neighbour(user, Direction::Right).unwrap();
    assert!(["session", "account"].contains(&diagram.boxes[right].table.as_str()));
    assert_eq!(diagram.neighbour(user, Direction::Left), None);
    assert_eq!(diagram.edges_touching(&model, "user").count(), 3);
    assert_eq!(diagram.edges_touching(&model, "verification").count(), 0);
}

/// A schema of `n` tables: chains and fan-outs of declared keys, names that imply inferred
/// references, a self reference, a one-to-one, and some tables with no relation at all.
pub(crate) fn synthetic_schema(n: usize) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    let mut sql = String::new();
    for i in 0..n {
        let mut columns =
            vec![format!("id INTEGER PRIMARY KEY"), format!("name_{i} TEXT"), "createdAt INTEGER".to_string()];
        if i % 7 != 6 && i > 0 {
            // A hub (like `user`) for every fourth table, else a tree; every third table has a
            // second parent.
            let parent = if i % 4 == 0 { 0 } else { i / 3 };
            columns.push(format!("p{parent}_id INTEGER REFERENCES t{parent:02}(id) ON DELETE CASCADE"));
            if i % 3 == 0 && i > 4 {
                columns.push(format!("other_ref INTEGER REFERENCES t{:02}(id)", i / 2));
            }
        }
        if i % 5 == 2 && i > 2 {
            // No FK, but the name points at a table: an inferred (unverified, empty) relation.
            columns.push(format!("t{:02}Id INTEGER", i - 2));
        }
        if i == 4 {
            columns.push("parent_id INTEGER REFERENCES t04(id)".to_string());
            columns.push("t01_id INTEGER UNIQUE REFERENCES t01(id)".to_string());
        }
        sql.push_str(&format!("CREATE TABLE t{i:02} ({});\n", columns.join(", ")));
    }
    conn.execute_batch(&sql).unwrap();
    conn
}

#[test]
fn synthetic_thirty_tables_never_overlap() {
    let conn = synthetic_schema(30);
    let model = model_of(&conn);
    assert_eq!(model.tables.len(), 30);
    assert!(model.relations.iter().any(|r| r.origin == RelationOrigin::InferredUnverified));
    assert!(model.relations.iter().any(|r| r.is_self_reference()));
    for detail in [Detail::Full, Detail::Compact] {
        let (diagram, _) = render(&model, detail);
        // Readable on a screen: the drawing is neither a tall strip nor a long ribbon.
        let (w, h) = (diagram.canvas.width(), diagram.canvas.height());
        assert!(w < 12 * h && h < 2 * w, "{detail:?}: {w}×{h}");
    }
}

#[test]
fn small_and_large_schemas_lay_out() {
    for n in [1, 4, 50] {
        let model = model_of(&synthetic_schema(n));
        render(&model, Detail::Full);
        render(&model, Detail::Compact);
    }
    let empty = model_of(&Connection::open_in_memory().unwrap());
    let (_, text) = render(&empty, Detail::Full);
    assert_eq!(text, "(no tables)\n");
}

#[test]
fn mermaid_matches_the_hand_checked_file() {
    let dir = tempfile::tempdir().unwrap();
    let conn = drizzle_fixture_db(&dir);
    let model =
        load_er_model(&conn, &LoadErModel { include_internal: false, include_trackers: false, count_rows: false })
            .unwrap();
    let expected = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected/drizzle-er.mmd"),
    )
    .unwrap();
    assert_eq!(render_mermaid(&model), expected);
}

/// On a remote database the model costs two requests (schema, counts: inferred relations are taken
/// from their names, unverified, reading nothing), counts are `~N` estimates from max(rowid), and
/// the same tables and relations come out.
#[test]
fn a_remote_model_estimates_counts_in_few_requests() {
    use crate::db::backend::rules::D1Rules;
    let dir = tempfile::tempdir().unwrap();
    let local = demo_db(&dir, 30);
    let expected = model_of(&local);
    let db = D1Rules::new(Connection::open(dir.path().join("demo.db")).unwrap());
    let input = LoadErModel { include_internal: false, include_trackers: false, count_rows: true };
    let remote = load_er_model(&db, &input).unwrap();
    assert_eq!(db.requests(), 2);
    let names = |m: &ErModel| m.tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&remote), names(&expected));
    assert_eq!(remote.relations.len(), expected.relations.len());
    let user = &remote.tables[remote.table_index("user").unwrap()];
    assert!(user.rows_estimated);
    assert_eq!(user.rows, Some(30), "max(rowid) of a table never deleted from is its count");
    let exact = load_er_model_counted(&db, &input, RemoteCounts::Exact).unwrap();
    assert!(!exact.tables[0].rows_estimated);
    let (_, text) = render(&remote, Detail::Compact);
    assert!(text.contains("user  ~30"), "{text}");
}
