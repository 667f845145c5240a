//! A user's row detail lists their sessions and accounts (read on the worker when it opens);
//! ↑↓ select one and Enter opens it in its table, Backspace comes back.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::users_test_support::{admin_app, press, select};
use super::*;
use crate::db::value::raw_text;

/// u0004 (2 active sessions, 1 ended) gets a github account.
pub fn detail_app(width: u16, height: u16) -> (tempfile::TempDir, Connection, App) {
    let (dir, mut conn, mut app) = admin_app(width, height);
    conn.execute(
        "INSERT INTO account (id, accountId, providerId, userId, createdAt, updatedAt)
         VALUES ('a-4', 'gh-4242', 'github', 'u0004', 1, 1)",
        [],
    )
    .unwrap();
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Enter);
    (dir, conn, app)
}

fn selected(app: &App) -> Option<usize> {
    app.detail_links().and_then(|l| l.selected)
}

#[test]
fn the_links_are_read_on_the_background_worker_when_the_detail_opens() {
    let (_dir, mut conn, mut app) = admin_app(120, 40);
    select(&mut app, &mut conn, "u0004");
    let effects = app.update(Action::OpenDetail);
    let links: Vec<&Effect> = effects
        .iter()
        .filter(|e| {
            matches!(e, Effect::Request { request, .. }
                if matches!(**request, DbRequest::Users(UsersRequest::Links { .. })))
        })
        .collect();
    assert_eq!(links.len(), 1, "one request: {effects:?}");
    assert!(matches!(links[0], Effect::Request { worker: Worker::Background, .. }));
    assert_eq!(app.detail_links().unwrap().loaded, None, "nothing read on the UI thread");
    super::tests::settle(&mut app, &mut conn, effects);
    let Some(Ok(loaded)) = &app.detail_links().unwrap().loaded else { panic!("the links arrive") };
    assert_eq!(loaded.sessions.len(), 3);
    assert_eq!(loaded.accounts.len(), 0);
    // Another table's detail asks for nothing.
    press(&mut app, &mut conn, KeyCode::Esc);
    let session = app.tabs.iter().position(|t| t.name == "session").unwrap();
    let effects = app.update(Action::SelectTab { index: session });
    super::tests::settle(&mut app, &mut conn, effects);
    let effects = app.update(Action::OpenDetail);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Request { request, .. }
        if matches!(**request, DbRequest::Users(_)))));
    assert!(app.detail_links().is_none());
}

#[test]
fn arrows_select_a_session_or_account_and_enter_opens_it_with_backspace_back() {
    let (_dir, mut conn, mut app) = detail_app(120, 40);
    assert_eq!(app.detail_links().unwrap().entries(), 4, "3 sessions and 1 account");
    assert_eq!(selected(&app), None);
    press(&mut app, &mut conn, KeyCode::Down);
    assert_eq!(selected(&app), Some(0));
    for _ in 0..5 {
        press(&mut app, &mut conn, KeyCode::Down);
    }
    assert_eq!(selected(&app), Some(3), "stops on the last entry, the account");
    press(&mut app, &mut conn, KeyCode::Up);
    assert_eq!(selected(&app), Some(2));
    press(&mut app, &mut conn, KeyCode::Down);

    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::None));
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "account");
    assert_eq!(tab.window.rows.len(), 1);
    assert_eq!(raw_text(&tab.window.rows[0].values[0]), "a-4");
    assert_eq!(app.trail.len(), 1);
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert_eq!(app.active_tab().unwrap().name, "user");
    assert_eq!(selected_id(&app), "u0004", "back on the same user");
    // Back where the jump was made: the user's detail, on the entry that was opened.
    assert!(matches!(app.overlay, Overlay::Detail { .. }), "the detail again: {:?}", app.overlay);
    assert_eq!(selected(&app), Some(3));

    // A session, the newest first.
    press(&mut app, &mut conn, KeyCode::Esc);
    press(&mut app, &mut conn, KeyCode::Enter);
    let first = match &app.detail_links().unwrap().loaded {
        Some(Ok(loaded)) => loaded.sessions[0].id.clone(),
        other => panic!("the links arrive: {other:?}"),
    };
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "session");
    assert_eq!(raw_text(&tab.window.rows[0].values[0]), first);
}

#[test]
fn scroll_keys_still_scroll_and_up_leaves_the_list() {
    // A short screen: the detail does not fit.
    let (_dir, mut conn, mut app) = detail_app(100, 14);
    let scroll = |app: &App| match &app.overlay {
        Overlay::Detail { scroll, .. } => *scroll,
        other => panic!("the detail is open: {other:?}"),
    };
    press(&mut app, &mut conn, KeyCode::PageDown);
    assert!(scroll(&app) > 0, "PgDn scrolls");
    press(&mut app, &mut conn, KeyCode::Home);
    assert_eq!(scroll(&app), 0);
    press(&mut app, &mut conn, KeyCode::Down);
    assert_eq!(selected(&app), Some(0));
    assert!(scroll(&app) > 0, "the selected session is scrolled into view");
    press(&mut app, &mut conn, KeyCode::Up);
    assert_eq!(selected(&app), None, "Up from the first entry leaves the list");
    let before = scroll(&app);
    press(&mut app, &mut conn, KeyCode::Up);
    assert_eq!(scroll(&app), before - 1, "and Up scrolls again");
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE) });
    assert!(effects.is_empty());
    assert_eq!(scroll(&app), before - 2, "k scrolls too");
}

fn selected_id(app: &App) -> String {
    raw_text(&app.selected_values().unwrap()[0])
}
