//! Keys while a commit waits on another process's lock (issue 18): Esc cancels the wait, other
//! keys say busy instead of vanishing, and the staged changes survive.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::tests::{open_app, settle, users_db};
use super::*;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

#[test]
fn keys_during_a_commit_say_busy_and_esc_cancels_it() {
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    let name = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "name").unwrap();
    app.active_tab_mut().unwrap().selected_col = name;
    press(&mut app, &mut conn, KeyCode::Char('e'));
    press(&mut app, &mut conn, KeyCode::Char('!'));
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    settle(&mut app, &mut conn, effects);
    // `y` commits: the request goes to the worker, which (here) has not answered yet.
    let commit = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    assert_eq!(commit.len(), 1);
    let row_before = app.active_tab().unwrap().window.selected;
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE) });
    assert!(effects.is_empty());
    assert!(app.status.as_ref().unwrap().text.contains("busy"), "{:?}", app.status);
    assert_eq!(app.active_tab().unwrap().window.selected, row_before, "nothing moves under the commit");
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE) });
    assert_eq!(effects, vec![Effect::Interrupt { worker: Worker::Foreground, id: commit_id(&commit) }]);
    // The worker answers that the wait was cancelled: the staged edit is still there.
    let Effect::Request { id, .. } = &commit[0] else { panic!("a request: {commit:?}") };
    let message =
        ReplyError::new(ErrorKind::Busy, "the wait for another process's lock was cancelled; nothing was written");
    let effects = app.update(Action::Reply { reply: DbReply { id: *id, result: Err(message) } });
    settle(&mut app, &mut conn, effects);
    assert!(!app.edits.committing);
    assert_eq!(app.edits.staged.len(), 1, "staged changes are kept");
    press(&mut app, &mut conn, KeyCode::Char('j'));
    assert_eq!(app.active_tab().unwrap().window.selected, row_before + 1, "keys work again");
}

/// The id of the one request in `effects`.
fn commit_id(effects: &[Effect]) -> RequestId {
    match effects {
        [Effect::Request { id, .. }] => *id,
        other => panic!("one request: {other:?}"),
    }
}

/// Walkthrough: a background ER read failing on another process's lock said so in the status
/// line of the user grid; it stays off unrelated screens and is read again when the diagram opens.
#[test]
fn a_failed_diagram_read_is_not_shown_on_another_screen() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 140, 40);
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Request { id, request, .. } if matches!(**request, DbRequest::Er { .. }) => Some(*id),
            _ => None,
        })
        .unwrap();
    let back = app.update(Action::SelectTab { index: 0 });
    settle(&mut app, &mut conn, back);
    let busy = ReplyError::new(ErrorKind::Busy, "database is busy");
    let effects = app.update(Action::Reply { reply: DbReply { id, result: Err(busy) } });
    settle(&mut app, &mut conn, effects);
    assert!(!app.status.as_ref().is_some_and(|s| s.text.contains("diagram")), "{:?}", app.status);
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    assert!(app.er.view().is_some(), "read again when the diagram opens");
}

/// Walkthrough: a count that met another process's lock left `row 1 of …` for good; it is
/// asked for again, with the lock said once.
#[test]
fn a_count_that_meets_a_lock_is_asked_again() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    let table = app.active_tab().unwrap().name.clone();
    app.pending.insert(999, Waiting::Count { table });
    let busy = ReplyError::new(ErrorKind::Busy, "database is busy");
    let effects = app.update(Action::Reply { reply: DbReply { id: 999, result: Err(busy) } });
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::Count { .. }))),
        "{effects:?}"
    );
    assert!(app.status.as_ref().unwrap().text.contains("locked"), "{:?}", app.status);
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.active_tab().unwrap().total, Some(3));
}
