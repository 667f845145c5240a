//! Messages go when what they spoke of is over: a failure or a cancel once a later read of the
//! rows succeeds, a progress message once its work ends, a tab's message when the user leaves it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{open_app, settle, users_db};
use super::{Action, App, DbReply, Effect, ErrorKind, Level};
use crate::service::ReplyError;

fn key(code: KeyCode) -> Action {
    Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) }
}

fn text(app: &App) -> Option<String> {
    app.status.as_ref().map(|s| s.text.clone())
}

/// The page request among `effects`, answered with `error` instead of rows.
fn fail_page(app: &mut App, effects: Vec<Effect>, error: ReplyError) {
    for effect in effects {
        if let Effect::Request { id, .. } = effect {
            app.update(Action::Reply { reply: DbReply { id, result: Err(error.clone()) } });
        }
    }
}

/// Defect: after a read that failed, and after a cancelled one, a later read that succeeded
/// (G, gg) left `reading user failed: …` / `query cancelled; …` on the status line.
#[test]
fn a_failed_or_cancelled_read_message_goes_when_a_later_read_succeeds() {
    let (_dir, mut conn) = users_db(300);
    let mut app = open_app(&mut conn, 120, 30);
    for (kind, said) in [
        (ErrorKind::Other, "reading user failed"),
        (ErrorKind::Interrupted, "query cancelled; showing the rows from before"),
    ] {
        for code in [KeyCode::Char('g'), KeyCode::Char('g')] {
            let effects = app.update(key(code));
            settle(&mut app, &mut conn, effects);
        }
        let effects = app.update(key(KeyCode::Char('G')));
        fail_page(&mut app, effects, ReplyError::new(kind, "D1 did not answer within 35 s"));
        assert!(text(&app).is_some_and(|t| t.starts_with(said)), "{:?}", app.status);
        let effects = app.update(key(KeyCode::Char('G')));
        settle(&mut app, &mut conn, effects);
        assert_eq!(text(&app), None, "the read succeeded: {said:?} is over");
    }
}

/// A message said by the key whose rows arrive stays (what the read found, what it cost).
#[test]
fn a_message_of_the_key_whose_rows_arrive_stays() {
    let (_dir, mut conn) = users_db(300);
    let mut app = open_app(&mut conn, 120, 30);
    let effects = app.update(key(KeyCode::Char('G')));
    app.say(Level::Info, "user: the first page read 300 rows (D1 rows_read)");
    settle(&mut app, &mut conn, effects);
    assert_eq!(text(&app).as_deref(), Some("user: the first page read 300 rows (D1 rows_read)"));
}

/// Defect: `…: reading…` stayed after the read was over and its picker open.
#[test]
fn a_progress_message_goes_when_nothing_is_waited_for() {
    let (_dir, mut conn) = users_db(300);
    let mut app = open_app(&mut conn, 120, 30);
    let effects = app.update(key(KeyCode::Char('G')));
    app.say(Level::Info, "user.impersonatedBy: reading…");
    settle(&mut app, &mut conn, effects);
    assert_eq!(text(&app), None);
}

/// Defect: after switching tabs the status kept `filters and search cleared` from the other tab.
#[test]
fn a_tabs_message_goes_when_the_user_leaves_the_tab() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 120, 30);
    app.say(Level::Info, "filters and search cleared");
    let before = app.active;
    let effects = app.update(key(KeyCode::Tab));
    settle(&mut app, &mut conn, effects);
    assert_ne!(app.active, before);
    assert_eq!(text(&app), None);
    // A message the switch itself says stays.
    app.say(Level::Info, "said on this tab");
    let effects = app.update(key(KeyCode::Char('j')));
    settle(&mut app, &mut conn, effects);
    assert_eq!(text(&app).as_deref(), Some("said on this tab"));
}

/// Walkthrough: the user tab showed all users while the status line said `id = d81bb35d-…`, a
/// filter left from an earlier `gd`: going back restored the tab's view but not the view its
/// rows on screen were read with, so a later read that failed or was cancelled "restored" the
/// jump's filter. The status line describes the rows on screen.
#[test]
fn a_failed_read_after_a_jump_and_back_keeps_the_view_on_screen() {
    let (_dir, mut conn) = users_db(5);
    super::tests::add_sessions(&conn);
    let mut app = open_app(&mut conn, 120, 30);
    for code in [KeyCode::Tab, KeyCode::Char('j'), KeyCode::Char('$'), KeyCode::Char('g'), KeyCode::Char('d')] {
        let effects = app.update(key(code));
        settle(&mut app, &mut conn, effects);
    }
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert!(!app.active_tab().unwrap().spec.filters.is_empty(), "the jump's filter");
    for code in [KeyCode::Backspace, KeyCode::BackTab] {
        let effects = app.update(key(code));
        settle(&mut app, &mut conn, effects);
    }
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert!(app.active_tab().unwrap().spec.filters.is_empty());
    // A new read (a sort) that fails: back to the view on screen, which has no filter.
    let effects = app.update(key(KeyCode::Char('s')));
    fail_page(&mut app, effects, ReplyError::new(ErrorKind::Interrupted, "interrupted"));
    let tab = app.active_tab().unwrap();
    assert!(tab.spec.filters.is_empty(), "the rows on screen are all users: {:?}", tab.spec);
}
