//! The migrations screen with `--migrations DIR`: apply reloads the schema, is audited, and the
//! hints it prints keep the `--db`/`--migrations` given.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::tests::{open_app, settle};
use super::*;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

/// A database with table `t (x)` recorded as wrangler's `0000_t.sql`, and a folder whose
/// `0001_y.sql` adds column `y`.
fn setup() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("mig");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("0000_t.sql"), "CREATE TABLE t (x integer);").unwrap();
    std::fs::write(folder.join("0001_y.sql"), "ALTER TABLE t ADD y integer;").unwrap();
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (x integer); INSERT INTO t VALUES (1);
         CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
         INSERT INTO d1_migrations (name) VALUES ('0000_t.sql');",
    )
    .unwrap();
    (dir, conn)
}

fn point_at(app: &mut App, dir: &std::path::Path) {
    let source = &mut app.source.migrations;
    source.db_path = dir.join("t.db");
    source.migrations_dir = Some(dir.join("mig"));
    source.backup_dir = dir.join("backups");
    source.audit_file = dir.join("audit.jsonl");
}

fn columns(app: &App) -> Vec<String> {
    let tab = app.tabs.iter().find(|t| t.name == "t").unwrap();
    tab.meta().map(|m| m.info.columns.iter().map(|c| c.name.clone()).collect()).unwrap_or_default()
}

/// Issue 12: after a migration applied in the TUI the tables show their new columns, and the
/// apply is in the audit log with the file name and the backup.
#[test]
fn apply_with_migrations_dir_reloads_columns_and_is_audited() {
    let (dir, mut conn) = setup();
    let mut app = open_app(&mut conn, 120, 30);
    point_at(&mut app, dir.path());
    let t = app.tabs.iter().position(|tab| tab.name == "t").unwrap();
    let effects = app.update(Action::SelectTab { index: t });
    settle(&mut app, &mut conn, effects);
    assert_eq!(columns(&app), ["x"]);
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(&mut app, &mut conn, effects);
    // The startup read used the default folder; read the one pointed at.
    press(&mut app, &mut conn, KeyCode::Char('r'));
    let overview = app.migrations.overview().unwrap();
    assert_eq!(overview.plan.to_apply.len(), 1, "{:?}", overview.plan.statuses);
    assert!(overview.reason.contains("(--migrations)"), "{}", overview.reason);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(app.migrations.log.iter().any(|l| l.contains("applied 1 migration")), "{:?}", app.migrations.log);
    let effects = app.update(Action::SelectTab { index: t });
    settle(&mut app, &mut conn, effects);
    assert_eq!(columns(&app), ["x", "y"]);

    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(audit.lines().next().unwrap()).unwrap();
    assert_eq!((entry["action"].as_str(), entry["key"]["name"].as_str()), (Some("migrate.apply"), Some("0001_y.sql")));
    let backup = entry["changes"][2]["new"].as_str().unwrap();
    assert!(backup.starts_with(dir.path().join("backups").to_str().unwrap()), "{backup}");
}

/// Issue 12: the `--force` hint repeats the database and the migrations folder.
#[test]
fn the_force_hint_keeps_db_and_migrations() {
    let (dir, mut conn) = setup();
    std::fs::write(dir.path().join("mig/0000_t.sql"), "CREATE TABLE t (x integer); -- edited").unwrap();
    // wrangler cannot see edits, so make the history inconsistent another way: a missing file.
    conn.execute("INSERT INTO d1_migrations (name) VALUES ('0000_gone.sql')", []).unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    point_at(&mut app, dir.path());
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(&mut app, &mut conn, effects);
    // The startup read used the default folder; read the one pointed at.
    press(&mut app, &mut conn, KeyCode::Char('r'));
    press(&mut app, &mut conn, KeyCode::Char('A'));
    let text = &app.status.as_ref().unwrap().text;
    let expected = format!(
        "run `squall migrate apply --force --db {} --migrations {}`",
        dir.path().join("t.db").display(),
        dir.path().join("mig").display()
    );
    assert!(text.contains(&expected), "{text}");
}

fn open_migrations(app: &mut App, conn: &mut Connection, dir: &std::path::Path) {
    point_at(app, dir);
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(app, conn, effects);
    press(app, conn, KeyCode::Char('r'));
}

/// Issue 12: in a drizzle-kit folder, a `.sql` file the journal does not list is pending (the
/// tracker is wrangler's) and the screen says the journal and the folder disagree.
#[test]
fn unlisted_files_are_pending_and_flagged_on_screen() {
    let (dir, mut conn) = setup();
    let journal = r#"{"version":"7","dialect":"sqlite","entries":[{"idx":0,"version":"6","when":1,"tag":"0000_t","breakpoints":true}]}"#;
    std::fs::create_dir(dir.path().join("mig/meta")).unwrap();
    std::fs::write(dir.path().join("mig/meta/_journal.json"), journal).unwrap();
    let mut app = open_app(&mut conn, 160, 24);
    open_migrations(&mut app, &mut conn, dir.path());
    let plan = &app.migrations.overview().unwrap().plan;
    assert_eq!(plan.to_apply.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["0001_y.sql"]);
    let screen = crate::ui::tests::render(&app);
    assert!(
        screen.contains("warning: 0001_y.sql is not in meta/_journal.json: wrangler applies it, drizzle ignores it"),
        "{screen}"
    );
    assert!(screen.contains("not in journal"), "{screen}");
}

/// Issue 18: the TUI refuses a migration with transaction control before running anything.
#[test]
fn transaction_control_is_refused_in_the_tui() {
    let (dir, mut conn) = setup();
    std::fs::write(dir.path().join("mig/0001_y.sql"), "ALTER TABLE t ADD y integer;\nCOMMIT;").unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    open_migrations(&mut app, &mut conn, dir.path());
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(!app.confirming(&Confirmed::ApplyMigrations));
    assert!(app.migrations.log.iter().any(|l| l.contains("0001_y.sql line 2: COMMIT")), "{:?}", app.migrations.log);
    let columns: i64 = conn.query_row("SELECT count(*) FROM pragma_table_info('t')", [], |r| r.get(0)).unwrap();
    assert_eq!(columns, 1);
    assert!(!dir.path().join("backups").exists());
}

/// A pending file with `BEGIN` shows on the screen as refused, naming file and line, before A
/// is pressed, and the header does not offer A.
#[test]
fn transaction_control_shows_on_the_screen_before_a() {
    let (dir, mut conn) = setup();
    std::fs::write(dir.path().join("mig/0001_y.sql"), "-- adds y\n\nBEGIN;\nALTER TABLE t ADD y integer;").unwrap();
    let mut app = open_app(&mut conn, 160, 30);
    open_migrations(&mut app, &mut conn, dir.path());
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("refused: 0001_y.sql line 3: BEGIN"), "{screen}");
    assert!(!screen.contains("A applies"), "{screen}");
}

/// The confirmation shows every statement that runs, the tracker's insert too.
#[test]
fn the_apply_confirmation_shows_the_tracker_insert() {
    let (dir, mut conn) = setup();
    let mut app = open_app(&mut conn, 160, 40);
    open_migrations(&mut app, &mut conn, dir.path());
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(app.confirming(&Confirmed::ApplyMigrations));
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("INSERT INTO d1_migrations (name) values ('0001_y.sql')"), "{screen}");
}

/// A database with no migrations folder anywhere: the migrations tab says so quietly, and
/// nothing is reported as an error.
#[test]
fn no_migrations_folder_is_a_note_on_the_tab_not_an_error() {
    let (dir, mut conn) = setup();
    let mut app = open_app(&mut conn, 120, 30);
    let source = &mut app.source.migrations;
    source.db_path = dir.path().join("t.db");
    source.cwd = dir.path().to_path_buf();
    source.migrations_dir = None;
    source.d1 = None;
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('r'));
    let missing = app.migrations.missing.clone().expect("a note that no folder was found");
    assert!(missing.contains("no migrations folder"), "{missing}");
    let errors: Vec<_> = app.messages.iter().filter(|m| m.level == Level::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// A table added by another writer: the drift is checked again without `r`.
#[test]
fn a_schema_change_checks_the_drift_again() {
    let (dir, mut conn) = setup();
    let mut app = open_app(&mut conn, 120, 30);
    open_migrations(&mut app, &mut conn, dir.path());
    let drift = |app: &App| app.migrations.overview().unwrap().drift.as_ref().unwrap().differences.len();
    assert_eq!(drift(&app), 0);
    conn.execute_batch("CREATE TABLE extra (a integer);").unwrap();
    let effects = app.update(Action::ExternalChange { schema: true });
    assert!(app.migrations.schema_changed, "stale until the drift is read again");
    settle(&mut app, &mut conn, effects);
    assert!(!app.migrations.schema_changed);
    assert_eq!(drift(&app), 1, "{:?}", app.migrations.overview().unwrap().drift);
}
