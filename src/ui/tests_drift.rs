//! Drift on screen (issue 17): beside the migrations' status, and in a drifting table's row detail.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::render;
use crate::app::tests::{open_app, settle, users_db};
use crate::app::{Action, App};

fn key(app: &mut App, conn: &mut rusqlite::Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

#[test]
fn drift_shows_beside_the_status_and_in_the_row_detail() {
    let (_dir, mut conn) = users_db(3);
    conn.execute_batch("ALTER TABLE user ADD nickname text;").unwrap();
    let mut app = open_app(&mut conn, 150, 24);
    assert_eq!(app.active_tab().unwrap().name, "user");
    key(&mut app, &mut conn, KeyCode::Enter);
    let detail = render(&app);
    assert!(
        detail.contains("drift: column user.nickname: extra (the database has it, the migrations do not)"),
        "{detail}"
    );

    key(&mut app, &mut conn, KeyCode::Esc);
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    assert!(screen.contains("drift: 1 difference(s) (see below)"), "{screen}");
    assert!(screen.contains("column user.nickname: extra"), "{screen}");
}

#[test]
fn no_drift_says_so() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 150, 24);
    key(&mut app, &mut conn, KeyCode::Enter);
    assert!(!render(&app).contains("drift:"));
    key(&mut app, &mut conn, KeyCode::Esc);
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(&mut app, &mut conn, effects);
    assert!(render(&app).contains("no drift"), "{}", render(&app));
}

/// Defect: at 80 columns the header lines were cut without a mark (`binding D`, `· dr`).
#[test]
fn the_migrations_header_is_cut_with_an_ellipsis_at_80_columns() {
    let (_dir, mut conn) = users_db(3);
    conn.execute_batch("ALTER TABLE user ADD nickname text;").unwrap();
    let mut app = open_app(&mut conn, 80, 24);
    let effects =
        app.update(Action::SelectTab { index: app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap() });
    settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    let header: Vec<&str> = screen.lines().skip_while(|l| !l.contains("folder:")).take(2).collect();
    assert_eq!(header.len(), 2, "{screen}");
    for line in header {
        if crate::app::layout::text_width(line) >= 80 {
            assert!(line.ends_with('…'), "{line:?} in\n{screen}");
        }
    }
    // No snapshot: the screen shows the checkout's own path (where the migrations folder is), which
    // differs per clone and moves where the line is cut.
}
