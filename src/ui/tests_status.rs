//! The status and hint lines at 80 columns: the message gets the room, a cut one says `… (m)`,
//! what gives way goes whole (never a number cut mid-way, never the database named twice); a
//! popup's keys come before the staged counter, and `? help` is not offered where `?` types.

use crate::app::tests::{open_app, users_db};
use crate::app::{Level, RemoteSession, Status};
use crate::service::RemoteStats;

use super::tests::render;

fn status_row(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines[lines.len() - 2].to_string()
}

#[test]
fn a_long_message_gets_the_room_and_says_m_when_cut() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 80, 24);
    app.status = Some(Status {
        text: "1 change staged · Ctrl-s reviews and writes it, u undoes the last one, Esc keeps editing".into(),
        level: Level::Info,
    });
    let screen = render(&app);
    let row = status_row(&screen);
    assert!(row.contains("1 change staged · Ctrl-s reviews and writes it"), "{row}");
    assert!(row.contains("… (m)"), "{row}");
    assert!(!row.contains("m: whole"), "{row}");
    insta::assert_snapshot!(screen);
}

#[test]
fn a_message_that_fits_has_no_marker() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 80, 24);
    app.status = Some(Status { text: "ER diagram: 5 tables, 3 relations · arrows move".into(), level: Level::Info });
    let row = status_row(&render(&app));
    assert!(row.contains("ER diagram: 5 tables, 3 relations · arrows move"), "{row}");
    assert!(!row.contains("(m)"), "{row}");
}

#[test]
fn a_remote_status_drops_whole_parts_at_80_columns() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 80, 24);
    app.source.name = Some("app-db".into());
    app.source.read_only = Some(crate::db::open::ReadOnlyReason::Remote);
    let stats = RemoteStats { last_rows_read: 41, last_ms: 123, total_rows_read: 99_999_999, requests: 7 };
    app.remote = Some(RemoteSession { name: "app-db".into(), write: false, stats, ..Default::default() });
    app.status = Some(Status { text: "opened app-db over the REST API".into(), level: Level::Info });
    let screen = render(&app);
    let row = status_row(&screen);
    assert!(row.matches("app-db").count() <= 2, "the badge and the message only: {row}");
    assert!(!row.contains("99,9") || row.contains("99,999,999"), "a cut number: {row}");
    // The last key's cost keeps its place; the message is cut for it (`m` shows it whole).
    assert!(row.contains("read 99,999,999 rows, 7 req"), "{row}");
    assert!(row.contains("opened") && row.contains('…'), "{row}");
    insta::assert_snapshot!(screen);
}

fn hint_row(screen: &str) -> String {
    screen.lines().last().unwrap_or_default().to_string()
}

/// Defect: the quit question's hint line hid `n / Esc` and kept the staged counter.
#[test]
fn the_quit_question_shows_its_keys_before_the_staged_counter() {
    use crate::app::users_test_support::{admin_app, press};
    use ratatui::crossterm::event::KeyCode;
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    press(&mut app, &mut conn, KeyCode::Char('e'));
    press(&mut app, &mut conn, KeyCode::Char('!'));
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    press(&mut app, &mut conn, KeyCode::Char('q'));
    let screen = render(&app);
    let row = hint_row(&screen);
    assert!(row.contains("y quit, discarding staged") && row.contains("n / Esc stay"), "{row}");
    insta::assert_snapshot!(screen);
}

/// Defect: the ban form offered `? help`, but `?` is typed into its field there.
#[test]
fn a_form_that_takes_text_does_not_offer_help() {
    use crate::app::users_test_support::{admin_app, press};
    use ratatui::crossterm::event::KeyCode;
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(hint_row(&render(&app)).contains("? help"), "the action menu offers it");
    press(&mut app, &mut conn, KeyCode::Char('b'));
    let row = hint_row(&render(&app));
    assert!(!row.contains("? help"), "{row}");
}

/// Defect: a long message (the remote's open message) took the line and the last key's cost was
/// dropped for it, through every key after: the cost keeps its place, the message is cut.
#[test]
fn the_last_keys_cost_stays_beside_a_long_message_at_80_columns() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 80, 24);
    let stats = RemoteStats { last_rows_read: 41, last_ms: 123, total_rows_read: 703, requests: 3 };
    app.remote = Some(RemoteSession { name: "app-db".into(), write: false, stats, ..Default::default() });
    app.status = Some(Status {
        text: "opened D1 app-db (7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34) over the REST API, read-only (start with --write to change it)".into(),
        level: Level::Info,
    });
    let row = status_row(&render(&app));
    assert!(row.contains("│ read 703 rows, 3 req"), "{row}");
    assert!(row.contains("opened D1 app-db") && row.contains("(m)"), "{row}");
}

/// Defect: at 80 columns a long filter summary pushed the file's name off the line and ran off
/// its end with no `…`: it is cut, with `…`, and the name stays.
#[test]
fn a_long_filter_summary_is_cut_with_an_ellipsis_at_80_columns() {
    use crate::db::page::{Filter, FilterOp};
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 80, 24);
    let active = app.active;
    let tab = &mut app.tabs[active];
    for column in ["email", "name", "id"] {
        let values = vec![rusqlite::types::Value::Text("d81bb35d-0a4e-4f7b-9d1c-5e2a7b3c9f10".into())];
        tab.spec.filters.push(Filter { column: column.into(), op: FilterOp::Contains, values });
    }
    let row = status_row(&render(&app));
    assert!(row.contains('…'), "{row}");
    assert!(row.contains("t.db"), "the file stays: {row}");
    assert!(row.trim_end().chars().count() <= 80, "{row}");
}
