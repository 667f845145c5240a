//! Reading the rows on screen again in place through `update`: live refresh, Ctrl-r and after
//! a commit keep the cursor on its row; changed cells flash; staged rows that changed are marked.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::super::tests::{open_app, settle, users_db};
use super::*;
use crate::app::Action;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn ctrl(app: &mut App, conn: &mut Connection, c: char) {
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL) });
    settle(app, conn, effects);
}

fn down(app: &mut App, conn: &mut Connection, rows: usize) {
    for _ in 0..rows {
        press(app, conn, KeyCode::Char('j'));
    }
}

fn selected_id(app: &App) -> String {
    crate::db::value::raw_text(&app.selected_values().unwrap()[0])
}

fn column(app: &App, name: &str) -> usize {
    app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == name).unwrap()
}

fn cell(app: &App, id: &str, name: &str) -> String {
    let tab = app.active_tab().unwrap();
    let row = tab.window.rows.iter().find(|r| crate::db::value::raw_text(&r.values[0]) == id).unwrap();
    crate::db::value::raw_text(&row.values[column(app, name)])
}

/// Another process: its own connection to the same file.
fn other(dir: &tempfile::TempDir) -> Connection {
    Connection::open(dir.path().join("t.db")).unwrap()
}

/// What the worker's watch reports, answered like the event loop would.
fn external_change(app: &mut App, conn: &mut Connection) {
    let effects = app.update(Action::ExternalChange { schema: false });
    settle(app, conn, effects);
}

fn requests(effects: &[Effect]) -> Vec<&DbRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request { request, .. } => Some(request.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_external_update_shows_in_place_the_cursor_stays_and_the_cell_flashes_for_a_moment() {
    let (dir, mut conn) = users_db(50);
    let mut app = open_app(&mut conn, 120, 30);
    down(&mut app, &mut conn, 10);
    let line = app.active_tab().unwrap().window.selected - app.active_tab().unwrap().window.top;
    other(&dir).execute("UPDATE user SET name = 'Renamed Elsewhere' WHERE id = 'u0010'", []).unwrap();
    external_change(&mut app, &mut conn);
    assert_eq!(selected_id(&app), "u0010");
    assert_eq!(cell(&app, "u0010", "name"), "Renamed Elsewhere");
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.window.selected - tab.window.top, line, "the row stays on the same line of the screen");
    assert_eq!(tab.total, Some(50));
    let key = tab.window.selected_row().unwrap().cursor.key.clone();
    let flash = tab.flash.as_ref().expect("the changed cell is highlighted");
    assert!(flash.covers(&key, column(&app, "name")));
    assert!(!flash.covers(&key, column(&app, "email")), "only the cell that changed");
    assert_eq!(flash.rows.len(), 1);
    assert!(app.wants_tick(), "ticks are wanted while the highlight fades");
    for _ in 0..FLASH_TICKS {
        assert!(app.update(Action::Tick { now: app.ctx.now }).is_empty());
    }
    assert!(app.active_tab().unwrap().flash.is_none(), "the highlight is gone after a moment");
    assert!(!app.wants_tick(), "idle again: no ticks, no redraws");
}

#[test]
fn a_deleted_row_hands_the_cursor_to_its_neighbour_and_inserts_are_counted_and_flashed() {
    let (dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 120, 40);
    down(&mut app, &mut conn, 10);
    other(&dir).execute("DELETE FROM user WHERE id = 'u0010'", []).unwrap();
    external_change(&mut app, &mut conn);
    assert_eq!(selected_id(&app), "u0011", "the next row takes the cursor");
    assert_eq!(app.active_tab().unwrap().total, Some(29), "the count is read again");
    press(&mut app, &mut conn, KeyCode::Char('G'));
    assert_eq!(selected_id(&app), "u0029");
    other(&dir).execute("DELETE FROM user WHERE id = 'u0029'", []).unwrap();
    external_change(&mut app, &mut conn);
    assert_eq!(selected_id(&app), "u0028", "the last row's neighbour is the one before it");
    other(&dir)
        .execute(
            "INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt) VALUES ('new1', 'New', 'n@x.io', 0, 1, 1)",
            [],
        )
        .unwrap();
    external_change(&mut app, &mut conn);
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, Some(29));
    assert_eq!(selected_id(&app), "u0028", "the cursor stays put when rows are added");
    let new_row = tab.window.rows.iter().find(|r| crate::db::value::raw_text(&r.values[0]) == "new1").unwrap();
    let flash = tab.flash.as_ref().unwrap();
    assert!(flash.covers(&new_row.cursor.key, 0) && flash.covers(&new_row.cursor.key, 3), "a new row flashes whole");
}

#[test]
fn ctrl_r_keeps_the_cursor_on_its_row() {
    let (dir, mut conn) = users_db(40);
    let mut app = open_app(&mut conn, 120, 30);
    down(&mut app, &mut conn, 12);
    other(&dir).execute("DELETE FROM user WHERE id IN ('u0002', 'u0003')", []).unwrap();
    ctrl(&mut app, &mut conn, 'r');
    assert_eq!(selected_id(&app), "u0012");
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, Some(38));
    assert_eq!(tab.window.row_number(tab.total), Some(11), "rows above went away: the row number follows");
}

#[test]
fn after_a_commit_the_cursor_stays_on_its_row_or_moves_to_the_neighbour() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    down(&mut app, &mut conn, 7);
    app.active_tab_mut().unwrap().selected_col = column(&app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    for c in "X".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(app.edits.staged.is_empty(), "committed");
    assert_eq!(selected_id(&app), "u0007", "not back to row 1: the next e edits the same user");
    assert_eq!(cell(&app, "u0007", "name"), "User 7X");
    assert!(app.active_tab().unwrap().flash.is_none(), "our own change is not highlighted as someone else's");
    // Delete the selected row: the cursor goes to the next one.
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(app.edits.staged.is_empty(), "committed: {:?}", app.status);
    assert_eq!(selected_id(&app), "u0008");
    assert_eq!(app.active_tab().unwrap().total, Some(19));
}

#[test]
fn a_staged_row_changed_underneath_is_marked_at_once_and_stays_staged() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    down(&mut app, &mut conn, 4);
    app.active_tab_mut().unwrap().selected_col = column(&app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    press(&mut app, &mut conn, KeyCode::Char('!'));
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    let key = app.active_tab().unwrap().window.selected_row().unwrap().cursor.key.clone();
    // A change elsewhere is no conflict.
    other(&dir).execute("UPDATE user SET name = 'Other' WHERE id = 'u0009'", []).unwrap();
    external_change(&mut app, &mut conn);
    assert!(!app.staged_conflict("user", &key));
    assert_eq!(app.conflicted_rows(), 0);
    other(&dir).execute("UPDATE user SET name = 'Changed Under You' WHERE id = 'u0004'", []).unwrap();
    external_change(&mut app, &mut conn);
    assert_eq!(app.edits.staged.len(), 1, "staged edits stay staged");
    assert!(app.staged_conflict("user", &key));
    assert_eq!(app.conflicted_rows(), 1);
    assert_eq!(app.status.as_ref().unwrap().level, Level::Warning);
    assert!(app.status.as_ref().unwrap().text.contains("changed underneath"));
    assert_eq!(app.staged_value("user", &key, column(&app, "name")), Some(Value::Text("User 4!".into())));
    assert_eq!(cell(&app, "u0004", "name"), "Changed Under You", "the grid shows the database underneath");
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert_eq!(app.conflicted_rows(), 0, "undone: nothing staged conflicts");
}

#[test]
fn a_popup_on_the_selected_row_defers_the_reload_until_it_closes() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    down(&mut app, &mut conn, 3);
    press(&mut app, &mut conn, KeyCode::Char('e'));
    other(&dir).execute("DELETE FROM user WHERE id = 'u0003'", []).unwrap();
    let effects = app.update(Action::ExternalChange { schema: false });
    assert!(
        !requests(&effects).iter().any(|r| matches!(r, DbRequest::ReloadWindow { .. })),
        "the row being edited does not move under the popup"
    );
    settle(&mut app, &mut conn, effects);
    assert_eq!(selected_id(&app), "u0003");
    press(&mut app, &mut conn, KeyCode::Esc);
    assert_eq!(selected_id(&app), "u0004", "read again once the popup closed");
}

#[test]
fn changes_while_a_read_is_in_flight_queue_one_reload_and_one_count() {
    let (_dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    let first = app.update(Action::ExternalChange { schema: false });
    let sent = requests(&first);
    assert_eq!(sent.iter().filter(|r| matches!(r, DbRequest::ReloadWindow { .. })).count(), 1);
    assert_eq!(sent.iter().filter(|r| matches!(r, DbRequest::Count { .. })).count(), 1);
    for _ in 0..5 {
        let more = app.update(Action::ExternalChange { schema: false });
        assert!(more.is_empty(), "nothing more is sent while a reload and a count are in flight: {more:?}");
    }
    // Answering them sends exactly one more of each (the changes came after they started).
    settle(&mut app, &mut conn, first);
    assert!(app.active_tab().unwrap().stale.is_none());
    assert!(!app.active_tab().unwrap().recount);
}

#[test]
fn nothing_happens_while_nothing_changes() {
    let (_dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    assert!(!app.wants_tick(), "the event loop skips idle ticks: no update, no redraw");
    for _ in 0..10 {
        assert!(app.update(Action::Tick { now: app.ctx.now }).is_empty());
    }
}

#[test]
fn other_tabs_read_their_rows_again_in_place_when_shown() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    let user_tab = app.active;
    let session = app.tabs.iter().position(|t| t.name == "session").unwrap();
    let effects = app.update(Action::SelectTab { index: user_tab });
    settle(&mut app, &mut conn, effects);
    down(&mut app, &mut conn, 5);
    let effects = app.update(Action::SelectTab { index: session });
    settle(&mut app, &mut conn, effects);
    other(&dir).execute("UPDATE user SET name = 'Seen Later' WHERE id = 'u0005'", []).unwrap();
    let effects = app.update(Action::ExternalChange { schema: false });
    settle(&mut app, &mut conn, effects);
    assert!(app.tabs[user_tab].stale.is_some(), "a hidden tab waits until shown");
    let effects = app.update(Action::SelectTab { index: user_tab });
    settle(&mut app, &mut conn, effects);
    assert_eq!(selected_id(&app), "u0005");
    assert_eq!(cell(&app, "u0005", "name"), "Seen Later");
}

#[test]
fn the_window_diff_flags_only_rows_that_changed_or_are_new_inside_the_window() {
    use crate::db::page::{Cursor, Page, PageRow};
    let row = |k: i64, v: &str| PageRow {
        values: vec![Value::Integer(k), Value::Text(v.into())],
        cursor: Cursor { sort_value: None, key: vec![Value::Integer(k)] },
    };
    let mut window = RowWindow {
        rows: vec![row(1, "a"), row(2, "b"), row(3, "c")],
        at_start: true,
        at_end: false,
        selected: 1,
        ..RowWindow::default()
    };
    let page = Page { rows: vec![row(1, "a"), row(15, "new"), row(3, "C"), row(4, "d")], exhausted: false };
    let changed = window.replace_in_place(page);
    assert_eq!(
        changed,
        vec![
            FlashRow { key: vec![Value::Integer(15)], columns: None },
            FlashRow { key: vec![Value::Integer(3)], columns: Some(vec![1]) },
        ],
        "row 4 was just not read before; row 2 is gone"
    );
    assert_eq!(window.selected, 2, "row 2 is gone: its next neighbour still there (3) takes the cursor");
}

#[test]
fn a_schema_change_keeps_the_cursor_unless_the_columns_changed() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    down(&mut app, &mut conn, 6);
    // An index changes the schema but not the columns: the rows stay in place.
    other(&dir).execute_batch("CREATE INDEX user_name ON user(name)").unwrap();
    let effects = app.update(Action::ExternalChange { schema: true });
    settle(&mut app, &mut conn, effects);
    assert_eq!(selected_id(&app), "u0006");
    // A column added by hand: the grid shows it, rows and columns agree (no stale rows drawn).
    other(&dir).execute_batch("ALTER TABLE user ADD COLUMN nickname TEXT").unwrap();
    let effects = app.update(Action::ExternalChange { schema: true });
    settle(&mut app, &mut conn, effects);
    let tab = app.active_tab().unwrap();
    let columns = tab.meta().unwrap().info.columns.len();
    assert!(tab.meta().unwrap().info.columns.iter().any(|c| c.name == "nickname"));
    assert!(tab.window.rows.iter().all(|r| r.values.len() == columns));
    assert_eq!(tab.total, Some(20));
    assert!(app.tabs.iter().any(|t| t.name == "session" && matches!(t.meta, Load::Loading)), "others start afresh");
}

#[test]
fn user_statuses_stay_shown_while_they_are_read_again() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 160, 30);
    assert!(!app.users.statuses.is_empty() && app.users.statuses.values().all(Option::is_some));
    other(&dir).execute("UPDATE user SET banned = 1 WHERE id = 'u0002'", []).unwrap();
    let mut effects = app.update(Action::ExternalChange { schema: false });
    // Answer the page read only: the statuses request it triggers is still in flight.
    while let Some(position) = effects.iter().position(
        |e| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::ReloadWindow { .. })),
    ) {
        let Effect::Request { id, request, .. } = effects.remove(position) else { unreachable!() };
        let result = crate::service::handle_on(&mut conn, *request, &mut |_| {});
        effects.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
    }
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::Users(_)))),
        "the statuses are read again"
    );
    assert!(app.users.statuses.values().all(Option::is_some), "no blank status column meanwhile");
    settle(&mut app, &mut conn, effects);
}

/// Defect: rows staged for delete that another writer deleted became `!` and the status said
/// "! 3 changed underneath", mixing deleted with changed: gone rows are `×` and counted apart.
#[test]
fn rows_deleted_underneath_are_told_apart_from_changed_ones() {
    let (dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 120, 30);
    down(&mut app, &mut conn, 2);
    for _ in 0..3 {
        press(&mut app, &mut conn, KeyCode::Char(' '));
    }
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert_eq!(app.edits.staged.len(), 3);
    other(&dir).execute("DELETE FROM user WHERE id = 'u0002'", []).unwrap();
    other(&dir).execute("UPDATE user SET name = 'Changed' WHERE id IN ('u0003', 'u0004')", []).unwrap();
    external_change(&mut app, &mut conn);
    assert_eq!(app.conflicted_rows_by_kind(), (2, 1));
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("! 2 changed, 1 deleted underneath"), "{screen}");
    let gutter = |id: &str| {
        let email = format!("user{}@example.com", id.trim_start_matches("u000"));
        screen.lines().find(|l| l.contains(&email)).map(|l| l.chars().nth(1)).expect("the row shows")
    };
    assert_eq!(gutter("u0002"), Some('×'), "{screen}");
    assert_eq!(gutter("u0003"), Some('!'), "{screen}");
}
