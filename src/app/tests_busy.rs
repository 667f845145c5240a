//! A page read that stays locked out (after the worker's retries) says so and keeps the rows
//! on screen: Ctrl-r tries again.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::browser::BUSY_READ;
use super::tests::{open_app, users_db};
use super::{Action, App, DbReply, DbRequest, Effect, ErrorKind, Level};
use crate::service::ReplyError;

fn ids(app: &App) -> Vec<String> {
    app.active_tab().unwrap().window.rows.iter().map(|r| crate::db::value::raw_text(&r.values[0])).collect()
}

/// The page read among `effects`.
fn page_read(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Request { id, request, .. }
                if matches!(**request, DbRequest::FetchPage { .. } | DbRequest::ReloadWindow { .. }) =>
            {
                Some(*id)
            }
            _ => None,
        })
        .expect("a page read")
}

fn locked(app: &mut App, id: u64) {
    let error = ReplyError::new(ErrorKind::Busy, "reading the rows: database is locked");
    app.update(Action::Reply { reply: DbReply { id, result: Err(error) } });
}

#[test]
fn a_locked_page_read_keeps_the_old_page_and_says_ctrl_r_retries() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 120, 20);
    let before = ids(&app);
    // A sort whose read meets the lock.
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE) });
    locked(&mut app, page_read(&effects));
    let status = app.status.clone().unwrap();
    assert_eq!((status.text.as_str(), status.level), (BUSY_READ, Level::Error));
    assert_eq!(ids(&app), before, "the rows from before stay");
    assert!(app.active_tab().unwrap().spec.sort.is_none(), "the sort that could not be read is undone");
    assert!(matches!(app.overlay, super::Overlay::None), "no message log over the screen");
    // A read in place (Ctrl-r) that meets it too.
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL) });
    locked(&mut app, page_read(&effects));
    assert_eq!(app.status.as_ref().unwrap().text, BUSY_READ);
    assert_eq!(ids(&app), before);
}
