//! Restore points of remote writes. A remote write that timed out after it was sent may have landed: its audit entry (what was
//! planned, of unknown outcome, with the bookmark) and its restore point must not be lost.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{handle, press, remote_app, type_text};
use crate::app::{Action, App, Effect};
use crate::audit::UNKNOWN_OUTCOME;
use crate::service::Db;
use crate::service::protocol::DbReply;

fn key(app: &mut App, db: &mut Db, code: KeyCode, modifiers: KeyModifiers) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, modifiers) });
    super::settle(app, db, effects);
}

fn said(app: &App) -> String {
    app.status.as_ref().expect("a status").text.clone()
}

const RESTORE: &str = "wrangler d1 time-travel restore app-db --bookmark=";

#[test]
fn an_edit_that_timed_out_after_it_was_sent_is_audited_and_names_its_restore_point() {
    let (dir, mut app, mut db, check, fake) = remote_app(false);
    let name = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "name");
    while Some(app.active_tab().unwrap().selected_col) != name {
        key(&mut app, &mut db, KeyCode::Char('l'), KeyModifiers::NONE);
    }
    key(&mut app, &mut db, KeyCode::Char('e'), KeyModifiers::NONE);
    key(&mut app, &mut db, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut app, &mut db, "Late");
    key(&mut app, &mut db, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut app, &mut db, KeyCode::Char('s'), KeyModifiers::CONTROL);
    fake.time_out_next_write();
    key(&mut app, &mut db, KeyCode::Char('y'), KeyModifiers::NONE);
    let landed: String = check.query_row("SELECT name FROM user WHERE id = 'u0000'", [], |r| r.get(0)).unwrap();
    assert_eq!(landed, "Late", "the write landed; only its reply was lost");
    let said = said(&app);
    assert!(said.contains("outcome is unknown") && said.contains(RESTORE), "{said}");
    assert!(said.contains("staged changes kept"), "{said}");
    let log = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    let entry = &log[0];
    assert_eq!(entry.outcome.as_deref(), Some(UNKNOWN_OUTCOME));
    assert_eq!((entry.action.as_str(), entry.table.as_str()), ("edit", "user"));
    let bookmark = entry.bookmark.as_deref().expect("the bookmark taken before it");
    assert!(said.contains(bookmark), "{said}");
    assert_eq!(entry.changes[0].new, serde_json::json!("Late"));
    let line = crate::cli::log::entry_line(entry, false);
    assert!(line.contains(&format!("outcome {UNKNOWN_OUTCOME}")) && line.contains(RESTORE), "{line}");
}

#[test]
fn a_ban_that_timed_out_after_it_was_sent_is_audited_and_names_its_restore_point() {
    let (dir, mut app, mut db, _check, fake) = remote_app(false);
    press(&mut app, &mut db, KeyCode::Char('A'));
    press(&mut app, &mut db, KeyCode::Char('b'));
    type_text(&mut app, &mut db, "spam");
    press(&mut app, &mut db, KeyCode::Enter);
    fake.time_out_next_write();
    press(&mut app, &mut db, KeyCode::Char('y'));
    let said = said(&app);
    assert!(said.contains("outcome is unknown") && said.contains(RESTORE), "{said}");
    let log = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    let entry = &log[0];
    assert_eq!((entry.action.as_str(), entry.table.as_str()), ("user.ban", "user"));
    assert_eq!(entry.outcome.as_deref(), Some(UNKNOWN_OUTCOME));
    assert!(entry.bookmark.is_some() && entry.restore.as_deref().is_some_and(|r| r.starts_with(RESTORE)));
    let planned = entry.changes[0].new.as_str().unwrap_or_default();
    assert!(planned.contains("UPDATE"), "what was planned: {planned}");
}

/// Defect: a committed cell edit on a remote named neither the database nor its restore point,
/// while user actions and SQL writes did.
#[test]
fn an_edit_on_a_remote_names_the_database_in_its_review_and_the_restore_point_once_committed() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(false);
    key(&mut app, &mut db, KeyCode::Char('l'), KeyModifiers::NONE);
    key(&mut app, &mut db, KeyCode::Char('e'), KeyModifiers::NONE);
    type_text(&mut app, &mut db, "x");
    key(&mut app, &mut db, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut app, &mut db, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let crate::app::Overlay::Confirm(review) = &app.overlay else { panic!("the review: {:?}", app.overlay) };
    let text = format!("{:?}", review.preview);
    assert!(text.contains("On the REMOTE database D1 app-db (7f3c2a9e)"), "{text}");
    assert!(text.contains("time-travel bookmark is taken first"), "{text}");
    key(&mut app, &mut db, KeyCode::Char('y'), KeyModifiers::NONE);
    let said = said(&app);
    assert!(said.starts_with("committed: 1 row updated; recorded in squall's log (squall log)"), "{said}");
    assert!(said.contains(RESTORE), "{said}");
}

/// Defect: Esc while a ban waited, then the server answered: the ban landed and was audited,
/// but the screen never said so and the row still showed the user not banned.
#[test]
fn the_reply_of_a_ban_no_longer_waited_for_says_it_finished_and_rereads_the_row() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(false);
    press(&mut app, &mut db, KeyCode::Char('A'));
    press(&mut app, &mut db, KeyCode::Char('b'));
    type_text(&mut app, &mut db, "spam");
    press(&mut app, &mut db, KeyCode::Enter);
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    let (id, request) = effects
        .into_iter()
        .find_map(|e| match e {
            Effect::Request { id, request, .. } => Some((id, request)),
            _ => None,
        })
        .expect("the ban is sent");
    // Esc: the screen stops waiting, the server goes on.
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE) });
    super::settle(&mut app, &mut db, effects);
    assert!(said(&app).starts_with("stopped waiting"), "{}", said(&app));
    let banned_shown = |app: &App| {
        let tab = app.active_tab().unwrap();
        let banned = tab.meta().unwrap().info.columns.iter().position(|c| c.name == "banned").unwrap();
        crate::db::value::raw_text(&tab.window.rows[0].values[banned])
    };
    assert_ne!(banned_shown(&app), "1", "not banned yet on screen");
    // The reply comes after all.
    let result = handle(&mut db, *request, &mut |_| {});
    let effects = app.update(Action::Reply { reply: DbReply { id, result } });
    let said_now = said(&app);
    assert!(said_now.starts_with("the user.ban you stopped waiting for finished: "), "{said_now}");
    assert!(said_now.contains(RESTORE), "{said_now}");
    assert!(!effects.is_empty(), "the rows are read again");
    super::settle(&mut app, &mut db, effects);
    assert_eq!(banned_shown(&app), "1", "the row shows the ban");
}
