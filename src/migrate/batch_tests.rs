//! A local migration is ONE atomic batch of the write pipeline, with its checks as steps.

use std::cell::Cell;
use std::path::Path;

use rusqlite::Connection;

use super::*;
use crate::db::backend::{Capabilities, Executed, Rows, Statement, Step, StepOutcome};
use crate::db::schema::TableInfo;
use crate::migrate::apply::{ApplyEvent, ApplyInput, apply_migrations, plan_migrations};
use crate::migrate::folder::{LoadFolder, MigrationFolder, load_folder};
use crate::migrate::status::{StatusInput, TrackerChoice};

/// A trigger whose body holds `;`, between drizzle-kit breakpoints.
const TRIGGER_FILE: &str = "CREATE TABLE z (id integer PRIMARY KEY, n integer);\n--> statement-breakpoint\nCREATE TABLE log (id integer);--> statement-breakpoint\nCREATE TRIGGER z_log AFTER INSERT ON z BEGIN\n  INSERT INTO log VALUES (new.id);\n  UPDATE z SET n = 1 WHERE id = new.id;\nEND;\n";

fn folder(dir: &Path, files: &[(&str, &str)]) -> MigrationFolder {
    let mig = dir.join("mig");
    std::fs::create_dir_all(&mig).unwrap();
    for (name, sql) in files {
        std::fs::write(mig.join(name), sql).unwrap();
    }
    load_folder(&LoadFolder { dir: &mig }).unwrap()
}

/// The local file behind the seam, counting what reaches it.
struct Counting<'a> {
    conn: &'a Connection,
    atomic: Cell<usize>,
    other: Cell<usize>,
}

impl Backend for Counting<'_> {
    fn query(&self, statement: &Statement) -> anyhow::Result<Rows> {
        self.other.set(self.other.get() + 1);
        Backend::query(self.conn, statement)
    }
    fn execute(&self, statement: &Statement) -> anyhow::Result<Executed> {
        self.other.set(self.other.get() + 1);
        Backend::execute(self.conn, statement)
    }
    fn atomic(&self, steps: &[Step]) -> anyhow::Result<Vec<StepOutcome>> {
        self.atomic.set(self.atomic.get() + 1);
        Backend::atomic(self.conn, steps)
    }
    fn describe(&self) -> anyhow::Result<Vec<TableInfo>> {
        self.conn.describe()
    }
    fn capabilities(&self) -> Capabilities {
        self.conn.capabilities()
    }
    fn describe_target(&self) -> String {
        self.conn.describe_target()
    }
}

#[test]
fn a_migration_is_its_statements_and_tracker_row_in_one_atomic_call() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder(dir.path(), &[("0000_z.sql", TRIGGER_FILE)]);
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    let status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let plan = plan_migrations(&conn, &status).unwrap();
    let migration = &plan.to_apply[0];
    // The trigger's body stays one statement.
    assert_eq!(migration.statements.len(), 3, "{:?}", migration.statements);
    assert!(migration.statements[2].starts_with("CREATE TRIGGER") && migration.statements[2].ends_with("END;"));

    let batch = plan_batch(&migration.statements, &folder.migrations[0], plan.tracker.kind, "d1_migrations", true);
    use Role::*;
    assert_eq!(
        batch.roles,
        [
            Open(1),
            Statement(1),
            Check(1),
            Open(2),
            Statement(2),
            Check(2),
            Open(3),
            Statement(3),
            Check(3),
            TrackerTable,
            TrackerRow,
            ForeignKeys
        ]
    );
    // What runs is bound; what the confirmation shows is the same value written out.
    let row = &batch.steps[10];
    assert_eq!(row.expect, Expect::Changes(1));
    assert_eq!(row.sql.statement().sql, "INSERT INTO d1_migrations (name) values (?1)");
    assert_eq!(row.sql.inline(), migration.tracker_sql);
    assert_eq!(migration.tracker_sql, "INSERT INTO d1_migrations (name) values ('0000_z.sql')");

    let counting = Counting { conn: &conn, atomic: Cell::new(0), other: Cell::new(0) };
    assert!(run_batch(&counting, &batch).is_ok());
    assert_eq!((counting.atomic.get(), counting.other.get()), (1, 0), "one atomic call, nothing outside it");
    conn.execute("INSERT INTO z (id) VALUES (5)", []).unwrap();
    let fired: (i64, i64) = conn
        .query_row("SELECT (SELECT count(*) FROM log), n FROM z WHERE id = 5", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(fired, (1, 1), "the whole trigger body runs");
    let recorded: String = conn.query_row("SELECT name FROM d1_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(recorded, "0000_z.sql");
}

/// Through `apply_migrations`: the backup first, then the batch; a trigger file applies whole.
#[test]
fn apply_runs_trigger_files_through_the_pipeline_after_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder(dir.path(), &[("0000_z.sql", TRIGGER_FILE), ("0001_n.sql", "ALTER TABLE z ADD m integer;")]);
    let mut conn = Connection::open(dir.path().join("t.db")).unwrap();
    let mut events = Vec::new();
    let mut progress = |event: &ApplyEvent| events.push(event.clone());
    let status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let input = ApplyInput {
        status,
        force: false,
        backup_dir: &dir.path().join("b"),
        backup_name: "t",
        progress: &mut progress,
    };
    let report = apply_migrations(&mut conn, input).unwrap();
    assert_eq!(report.applied, ["0000_z.sql", "0001_n.sql"]);
    assert!(matches!(events[0], ApplyEvent::BackedUp { .. }), "{events:?}");
    let triggers: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'", [], |r| r.get(0)).unwrap();
    assert_eq!(triggers, 1);
}

/// A statement that ends the transaction stops the batch at once: nothing after it runs (the old
/// hand-run transaction ran the rest in autocommit, one by one).
#[test]
fn nothing_runs_after_a_statement_that_ended_the_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder(dir.path(), &[("0000_x.sql", "CREATE TABLE t1 (x);\nCOMMIT;\nCREATE TABLE t2 (x);")]);
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    let status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let plan = plan_migrations(&conn, &status).unwrap();
    let batch =
        plan_batch(&plan.to_apply[0].statements, &folder.migrations[0], plan.tracker.kind, "d1_migrations", false);
    let Err(BatchFailure::EndedTransaction { number }) = run_batch(&conn, &batch) else {
        panic!("the COMMIT should be named")
    };
    assert_eq!(number, 2);
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(names, ["t1"], "t1 was committed by the file's COMMIT; t2 and the tracker never ran");
    assert!(conn.is_autocommit());
}

/// A statement that fails names SQLite's own message, also when SQLite refuses it while
/// preparing it (rusqlite's `SqlInputError`).
#[test]
fn a_failing_statement_names_sqlites_message() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder(dir.path(), &[("0000_x.sql", "CREATE TABLE t2 (x);\nCREATE TABLE t1 (x);")]);
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    conn.execute_batch("CREATE TABLE t1 (x);").unwrap();
    let status = StatusInput { folder: &folder, tracker: TrackerChoice::Wrangler, wrangler_table: "d1_migrations" };
    let plan = plan_migrations(&conn, &status).unwrap();
    let batch =
        plan_batch(&plan.to_apply[0].statements, &folder.migrations[0], plan.tracker.kind, "d1_migrations", false);
    let Err(BatchFailure::Statement { number, message }) = run_batch(&conn, &batch) else {
        panic!("statement 2 should fail")
    };
    assert_eq!((number, message.as_str()), (2, "table t1 already exists"));
    let t2: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 't2'", [], |r| r.get(0)).unwrap();
    assert_eq!(t2, 0, "nothing of the batch stays");
}
