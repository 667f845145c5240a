//! Staged rows that change or vanish underneath, through `update` over a real temp file: they
//! stay on screen marked, the review flags them before `y`, and a delete of a row already gone
//! says so.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::super::tests::{open_app, settle, users_db};
use crate::app::{Action, App, EditPopup, Overlay, PreviewLine};

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn ctrl(app: &mut App, conn: &mut Connection, c: char) {
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL) });
    settle(app, conn, effects);
}

fn other(dir: &tempfile::TempDir) -> Connection {
    Connection::open(dir.path().join("t.db")).unwrap()
}

fn external_change(app: &mut App, conn: &mut Connection) {
    let effects = app.update(Action::ExternalChange { schema: false });
    settle(app, conn, effects);
}

fn ids(app: &App) -> Vec<String> {
    app.active_tab().unwrap().window.rows.iter().map(|r| crate::db::value::raw_text(&r.values[0])).collect()
}

/// Stages `name = <old>!` on row `row` (ids start at u0000).
fn stage_name_edit(app: &mut App, conn: &mut Connection, row: usize) -> Vec<rusqlite::types::Value> {
    for _ in 0..row {
        press(app, conn, KeyCode::Char('j'));
    }
    let name = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "name").unwrap();
    app.active_tab_mut().unwrap().selected_col = name;
    press(app, conn, KeyCode::Char('e'));
    press(app, conn, KeyCode::Char('!'));
    press(app, conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    app.active_tab().unwrap().window.selected_row().unwrap().cursor.key.clone()
}

fn review_problems(app: &App) -> Vec<String> {
    let Overlay::Confirm(review) = &app.overlay else { panic!("the review is open: {:?}", app.status) };
    review
        .preview
        .iter()
        .filter_map(|l| match l {
            PreviewLine::Problem(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_staged_row_deleted_underneath_stays_shown_marked_until_undone() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    let key = stage_name_edit(&mut app, &mut conn, 4);
    other(&dir).execute("DELETE FROM user WHERE id = 'u0004'", []).unwrap();
    external_change(&mut app, &mut conn);
    assert!(ids(&app).contains(&"u0004".to_string()), "the staged row is still shown: {:?}", ids(&app));
    assert_eq!(ids(&app)[3..6], ["u0003", "u0004", "u0005"], "where it was");
    assert!(app.staged_row_gone("user", &key), "known to be gone");
    assert!(app.staged_conflict("user", &key), "marked !");
    assert_eq!(app.active_tab().unwrap().total, Some(19), "the count is the database's");
    let screen = crate::ui::tests::render(&app);
    assert!(screen.lines().any(|l| l.starts_with("▌× ")), "the gutter marks it gone:\n{screen}");
    // The review says it before y.
    ctrl(&mut app, &mut conn, 's');
    let problems = review_problems(&app);
    assert!(
        problems[0].contains("user id = 'u0004'") && problems[0].contains("deleted by someone else"),
        "{problems:?}"
    );
    press(&mut app, &mut conn, KeyCode::Esc);
    // Undone: nothing keeps it any more.
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert!(app.edits.staged.is_empty());
    assert!(!ids(&app).contains(&"u0004".to_string()), "{:?}", ids(&app));
}

#[test]
fn ctrl_r_keeps_a_staged_row_deleted_underneath_and_the_commit_reports_it_gone() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    let key = stage_name_edit(&mut app, &mut conn, 2);
    other(&dir).execute("DELETE FROM user WHERE id = 'u0002'", []).unwrap();
    ctrl(&mut app, &mut conn, 'r');
    assert!(ids(&app).contains(&"u0002".to_string()), "{:?}", ids(&app));
    assert!(app.staged_row_gone("user", &key), "Ctrl-r checked the kept row");
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let Overlay::Edit(EditPopup::Conflict { conflicts }) = &app.overlay else { panic!("{:?}", app.status) };
    assert!(!conflicts.rows[0].row_exists);
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("row gone: this row was deleted by someone else"), "{screen}");
    assert!(!screen.contains(" · now "), "no column-by-column conflict:\n{screen}");
    // d drops the change to the deleted row, and the row leaves the grid with it.
    press(&mut app, &mut conn, KeyCode::Char('d'));
    assert!(app.edits.staged.is_empty());
    assert!(!ids(&app).contains(&"u0002".to_string()));
}

#[test]
fn the_review_flags_rows_changed_underneath_with_both_values_before_yes() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    stage_name_edit(&mut app, &mut conn, 4);
    other(&dir).execute("UPDATE user SET name = 'Changed Under You' WHERE id = 'u0004'", []).unwrap();
    external_change(&mut app, &mut conn);
    ctrl(&mut app, &mut conn, 's');
    let problems = review_problems(&app);
    assert!(
        problems[0].contains("user id = 'u0004' changed underneath: name loaded 'User 4', now 'Changed Under You'"),
        "{problems:?}"
    );
    assert!(problems[1].contains("y writes nothing and offers reload or overwrite"), "{problems:?}");
    let Overlay::Confirm(review) = &app.overlay else { unreachable!() };
    assert!(review.preview.iter().any(|l| matches!(l, PreviewLine::Sql(_))), "the SQL is still shown");
}

#[test]
fn a_staged_delete_of_a_row_already_gone_says_it_was_deleted_not_every_column() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    for _ in 0..5 {
        press(&mut app, &mut conn, KeyCode::Char('j'));
    }
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.status);
    other(&dir).execute("DELETE FROM user WHERE id = 'u0005'", []).unwrap();
    external_change(&mut app, &mut conn);
    ctrl(&mut app, &mut conn, 's');
    let problems = review_problems(&app);
    assert!(problems[0].ends_with("user id = 'u0005': deleted by someone else (nothing to delete)"), "{problems:?}");
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let Overlay::Edit(EditPopup::Conflict { conflicts }) = &app.overlay else { panic!("{:?}", app.status) };
    assert!(conflicts.rows[0].columns.is_empty(), "no column-by-column conflict");
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("this row was deleted by someone else: nothing to delete"), "{screen}");
    assert!(!screen.contains(" · now "), "no column-by-column conflict:\n{screen}");
}

/// The id of the request among `effects` (the one the test answers by hand).
fn request_id(effects: &[crate::app::Effect]) -> crate::service::protocol::RequestId {
    effects
        .iter()
        .find_map(|e| match e {
            crate::app::Effect::Request { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a request")
}

fn answer(app: &mut App, id: u64, result: Result<crate::app::DbResult, crate::service::ReplyError>) {
    app.update(Action::Reply { reply: crate::app::DbReply { id, result } });
}

fn busy() -> crate::service::ReplyError {
    crate::service::ReplyError::new(crate::app::ErrorKind::Busy, "the database is locked by another process")
}

#[test]
fn a_lock_wait_is_said_at_once_and_its_timeout_says_nothing_was_written() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    stage_name_edit(&mut app, &mut conn, 2);
    // The review waits on another writer's lock: it says so at once, and Esc lets go of it.
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    let review = request_id(&effects);
    answer(&mut app, review, Ok(crate::app::DbResult::LockWait));
    assert_eq!(app.status.as_ref().unwrap().text, super::super::edit_replies::LOCK_WAIT);
    let Overlay::Confirm(open) = &app.overlay else { panic!("the review stays open") };
    assert!(matches!(&open.preview[0], PreviewLine::Note(t) if t.starts_with("Waiting for the database lock")));
    assert!(app.is_busy(), "the spinner turns while it waits");
    assert_eq!(crate::app::hints(&app), vec![("Esc", "cancel")], "the hint line says how to stop the wait");
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE) });
    assert!(
        effects.iter().any(|e| matches!(e, crate::app::Effect::Interrupt { id, .. } if *id == review)),
        "Esc stops the wait: {effects:?}"
    );
    answer(&mut app, review, Err(busy()));
    assert!(matches!(app.overlay, Overlay::None), "a let-go review's reply is dropped");
    assert_eq!(app.edits.staged.len(), 1);

    // The commit waits, says so, and times out: nothing was written, and that is said in a line.
    ctrl(&mut app, &mut conn, 's');
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    let commit = request_id(&effects);
    answer(&mut app, commit, Ok(crate::app::DbResult::LockWait));
    assert_eq!(app.status.as_ref().unwrap().text, super::super::edit_replies::LOCK_WAIT);
    assert!(app.edits.committing, "still committing: keys other than Esc say busy");
    assert_eq!(crate::app::hints(&app), vec![("Esc", "cancel")], "not the grid's keys");
    answer(&mut app, commit, Err(busy()));
    let status = app.status.clone().unwrap();
    assert_eq!(
        status.text,
        "another writer held the lock for 5 s: nothing written, changes still staged · Ctrl-s retries"
    );
    assert!(matches!(app.overlay, Overlay::None), "one line that fits, no message log over the screen");
    assert_eq!(app.edits.staged.len(), 1);
}

/// Defect (squall-remote.sh, a remote's review takes a request): a `y` typed while the review
/// was still preparing its SQL was dropped without a word, and the user waited for a commit that
/// never ran. It is refused aloud, nothing is sent, and `y` once the SQL shows commits.
#[test]
fn y_before_the_review_shows_its_sql_is_refused_aloud_and_y_after_commits() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    stage_name_edit(&mut app, &mut conn, 2);
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    let effects_of_y = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    assert!(effects_of_y.is_empty(), "nothing runs before the SQL shows: {effects_of_y:?}");
    assert_eq!(app.status.as_ref().unwrap().text, "still preparing what will run: y once it shows");
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(app.edits.staged.is_empty(), "committed once the SQL showed: {:?}", app.status);
}
