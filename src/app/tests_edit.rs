//! Editing through `update`: stage, review, commit, conflicts, deletes with cascade, read-only.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::input::field_text;
use super::tests::{fixed_ctx, open_app, settle, users_db};
use super::*;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn ctrl(app: &mut App, conn: &mut Connection, c: char) {
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL) });
    settle(app, conn, effects);
}

fn type_text(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        press(app, conn, KeyCode::Char(c));
    }
}

fn select_column(app: &mut App, name: &str) {
    let index = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == name).unwrap();
    app.active_tab_mut().unwrap().selected_col = index;
}

fn clear_input(app: &mut App, conn: &mut Connection) {
    for _ in 0..40 {
        press(app, conn, KeyCode::Backspace);
    }
}

fn name_of(conn: &Connection, id: &str) -> String {
    conn.query_row("SELECT name FROM user WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

#[test]
fn edit_stage_review_commit_writes_one_transaction_and_the_audit_log() {
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    let before: i64 = conn.query_row("SELECT updatedAt FROM user WHERE id = 'u0001'", [], |r| r.get(0)).unwrap();
    press(&mut app, &mut conn, KeyCode::Char('j'));
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "Ada Lovelace");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    assert_eq!(name_of(&conn, "u0001"), "User 1", "staged, not written");
    ctrl(&mut app, &mut conn, 's');
    let Overlay::Confirm(review) = &app.overlay else { panic!("review opens") };
    let statements: Vec<&str> = review
        .preview
        .iter()
        .filter_map(|line| match line {
            PreviewLine::Sql(sql) => Some(sql.as_str()),
            _ => None,
        })
        .collect();
    assert!(statements[0].contains("UPDATE") && statements[0].contains("'Ada Lovelace'"), "{statements:?}");
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(app.edits.staged.is_empty());
    assert_eq!(name_of(&conn, "u0001"), "Ada Lovelace");
    let after: i64 = conn.query_row("SELECT updatedAt FROM user WHERE id = 'u0001'", [], |r| r.get(0)).unwrap();
    assert_ne!(after, before);
    assert_eq!(after, app.ctx.now.timestamp_millis(), "updatedAt is stamped with the app's clock, in ms");
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(audit.contains("Ada Lovelace") && audit.contains("\"table\":\"user\""), "{audit}");
}

#[test]
fn invalid_input_is_refused_in_place_and_undo_drops_the_last_change() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "emailVerified");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "maybe");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Cell { error: Some(error), .. }) = &app.overlay else { panic!("the popup stays") };
    assert!(error.contains("not a boolean"));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "yes");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert!(app.edits.staged.is_empty());
    // NOT NULL columns refuse NULL (Ctrl-n).
    select_column(&mut app, "email");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    ctrl(&mut app, &mut conn, 'n');
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(matches!(&app.overlay, Overlay::Edit(EditPopup::Cell { error: Some(_), .. })));
}

#[test]
fn a_row_changed_elsewhere_is_a_conflict_then_overwrite_wins() {
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "Mine");
    press(&mut app, &mut conn, KeyCode::Enter);
    // Another process writes the same row meanwhile.
    let other = Connection::open(dir.path().join("t.db")).unwrap();
    other.execute("UPDATE user SET name = 'Theirs', updatedAt = updatedAt + 5 WHERE id = 'u0000'", []).unwrap();
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let Overlay::Edit(EditPopup::Conflict { conflicts }) = &app.overlay else { panic!("a conflict is shown") };
    assert_eq!(conflicts.rows.len(), 1);
    assert_eq!(name_of(&conn, "u0000"), "Theirs", "nothing was written");
    assert_eq!(app.edits.staged.len(), 1, "the change stays staged");
    press(&mut app, &mut conn, KeyCode::Char('o'));
    assert_eq!(name_of(&conn, "u0000"), "Mine");
}

/// Walkthrough: a staged row deleted by another process was offered `o overwrite`, which then
/// failed with "the row no longer exists"; its change is dropped instead, the rest kept.
#[test]
fn a_staged_row_deleted_elsewhere_offers_to_drop_its_change_not_overwrite() {
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "Gone");
    press(&mut app, &mut conn, KeyCode::Enter);
    let other = Connection::open(dir.path().join("t.db")).unwrap();
    other.execute("DELETE FROM user WHERE id = 'u0000'", []).unwrap();
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let Overlay::Edit(EditPopup::Conflict { conflicts }) = &app.overlay else { panic!("a conflict is shown") };
    assert!(!conflicts.rows[0].row_exists);
    press(&mut app, &mut conn, KeyCode::Char('o'));
    assert!(matches!(app.overlay, Overlay::Edit(EditPopup::Conflict { .. })), "no overwrite of a deleted row");
    assert_eq!(app.edits.staged.len(), 1);
    press(&mut app, &mut conn, KeyCode::Char('d'));
    assert!(app.edits.staged.is_empty(), "the deleted row's change is dropped");
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn delete_shows_the_cascade_and_commits() {
    let (dir, mut conn) = users_db(3);
    conn.execute_batch(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES
           ('s1', 1, 't1', 1, 1, 'u0000'), ('s2', 1, 't2', 1, 1, 'u0000');",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let Overlay::Confirm(confirmation) = &app.overlay else { panic!("confirm opens") };
    let Confirmed::StageDelete { cascade: Some(preview), .. } = &confirmation.on_yes else { panic!("a delete") };
    assert_eq!(preview.summary(), "deletes 1 user, 2 sessions");
    press(&mut app, &mut conn, KeyCode::Char('y'));
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let sessions: i64 = conn.query_row("SELECT count(*) FROM session", [], |r| r.get(0)).unwrap();
    let users: i64 = conn.query_row("SELECT count(*) FROM user", [], |r| r.get(0)).unwrap();
    assert_eq!((users, sessions), (2, 0));
}

#[test]
fn read_only_sessions_refuse_every_edit_key() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.read_only = Some(crate::db::open::ReadOnlyReason::Requested);
    for key in ['e', 'a', 'd'] {
        press(&mut app, &mut conn, KeyCode::Char(key));
        assert!(matches!(app.overlay, Overlay::None));
        assert!(app.status.as_ref().unwrap().text.contains("read-only"));
    }
}

#[test]
fn quitting_with_staged_changes_asks_first() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    type_text(&mut app, &mut conn, "x");
    press(&mut app, &mut conn, KeyCode::Enter);
    press(&mut app, &mut conn, KeyCode::Char('q'));
    assert!(!app.should_quit);
    assert!(app.confirming(&Confirmed::Quit));
    press(&mut app, &mut conn, KeyCode::Char('n'));
    assert!(!app.should_quit);
    press(&mut app, &mut conn, KeyCode::Char('q'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(app.should_quit);
}

#[test]
fn insert_form_is_prefilled_and_stages_a_row() {
    let (dir, mut conn) = users_db(1);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let Overlay::Edit(EditPopup::Insert { form, fields }) = &app.overlay else { panic!("the form opens") };
    let id = fields.iter().position(|f| f.column == "id").unwrap();
    assert_eq!(form.text(id).len(), 36, "a new UUID v4 for the text key");
    // Fill the required name and email, then stage and commit.
    let name = fields.iter().position(|f| f.column == "name").unwrap();
    let email = fields.iter().position(|f| f.column == "email").unwrap();
    for _ in 0..name {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    type_text(&mut app, &mut conn, "New Person");
    for _ in name..email {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    type_text(&mut app, &mut conn, "new@example.com");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let count: i64 =
        conn.query_row("SELECT count(*) FROM user WHERE email = 'new@example.com'", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 1);
}

#[test]
fn review_warns_of_a_unique_clash_before_commit() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "email");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "user1@example.com");
    press(&mut app, &mut conn, KeyCode::Enter);
    ctrl(&mut app, &mut conn, 's');
    let Overlay::Confirm(review) = &app.overlay else { panic!("review opens") };
    let problems: Vec<&String> = review
        .preview
        .iter()
        .filter_map(|line| match line {
            PreviewLine::Problem(problem) => Some(problem),
            _ => None,
        })
        .collect();
    assert!(problems.iter().any(|p| p.contains("email")), "{problems:?}");
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
    assert_eq!(app.edits.staged.len(), 1, "a refused commit keeps the staged change");
}

#[test]
fn space_toggles_a_boolean_in_the_cell_editor_and_the_insert_form() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "emailVerified");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    let text = |app: &App| match &app.overlay {
        Overlay::Edit(EditPopup::Cell { input, .. }) => field_text(input),
        other => panic!("the cell editor is open: {other:?}"),
    };
    assert_eq!(text(&app), "false", "u0000 is not verified");
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(text(&app), "true");
    press(&mut app, &mut conn, KeyCode::Char(' '));
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(text(&app), "true", "each Space flips it; no space is typed");
    press(&mut app, &mut conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    let row = tab.window.selected_row().unwrap();
    assert_eq!(app.staged_value("user", &row.cursor.key, tab.selected_col), Some(rusqlite::types::Value::Integer(1)));

    // In the insert form, on the boolean field.
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let Overlay::Edit(EditPopup::Insert { fields, .. }) = &app.overlay else { panic!("the insert form is open") };
    let at = fields.iter().position(|f| f.column == "emailVerified").unwrap();
    for _ in 0..at {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    press(&mut app, &mut conn, KeyCode::Char(' '));
    let Overlay::Edit(EditPopup::Insert { form, fields }) = &app.overlay else { panic!("the insert form stays") };
    let toggled = form.text(at);
    assert!(toggled == "true" || toggled == "false", "{toggled:?}");
    assert!(!fields[at].use_default);
}

#[test]
fn a_sessions_user_is_picked_by_email_in_the_cell_editor_and_the_insert_form() {
    let (_dir, mut conn) = users_db(12);
    crate::app::users_test_support::add_session(&conn, "s-1", "u0001", 24, None);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(app.active_tab().unwrap().name, "session");
    select_column(&mut app, "userId");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    assert!(matches!(app.overlay, Overlay::RefPick(_)), "a foreign key opens on the picker");
    type_text(&mut app, &mut conn, "user1");
    let Overlay::RefPick(picker) = &app.overlay else { panic!("the picker stays open") };
    let labels: Vec<&str> = picker.matches.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["user10@example.com", "user11@example.com", "user1@example.com"], "emails starting so");
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Cell { input, .. }) = &app.overlay else { panic!("back in the cell editor") };
    assert_eq!(field_text(input), "u0011");
    press(&mut app, &mut conn, KeyCode::Enter);
    let tab = app.active_tab().unwrap();
    let row = tab.window.selected_row().unwrap();
    assert_eq!(app.staged_value("session", &row.cursor.key, tab.selected_col), Some(Value::Text("u0011".into())));

    // The insert form: Ctrl-f on the userId field.
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let Overlay::Edit(EditPopup::Insert { fields, .. }) = &app.overlay else { panic!("the insert form is open") };
    let at = fields.iter().position(|f| f.column == "userId").unwrap();
    for _ in 0..at {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    ctrl(&mut app, &mut conn, 'f');
    type_text(&mut app, &mut conn, "user7@");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Insert { form, .. }) = &app.overlay else { panic!("back in the form") };
    assert_eq!(form.text(at), "u0007");
    // Esc from the picker goes back to typing the key.
    ctrl(&mut app, &mut conn, 'f');
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::Edit(EditPopup::Insert { .. })));
}

#[test]
fn picking_a_key_in_the_insert_form_clears_the_refusal_it_answers() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(app.active_tab().unwrap().name, "session");
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let Overlay::Edit(EditPopup::Insert { fields, .. }) = &app.overlay else { panic!("the insert form is open") };
    let at = fields.iter().position(|f| f.column == "userId").unwrap();
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Insert { form, .. }) = &app.overlay else { panic!("refused") };
    assert!(form.error.is_some(), "refused");
    assert_eq!(form.focus, at, "the refusal is about userId");
    ctrl(&mut app, &mut conn, 'f');
    type_text(&mut app, &mut conn, "user1@");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Insert { form, .. }) = &app.overlay else { panic!("back in the form") };
    assert_eq!(form.error, None, "the stale refusal is gone");
}

#[test]
fn an_unknown_role_is_warned_about_before_it_is_staged() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "role");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "admin,superadmin");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Cell { error: Some(warning), .. }) = &app.overlay else { panic!("a warning") };
    assert!(warning.starts_with("superadmin is not a better-auth role"), "{warning}");
    assert!(app.edits.staged.is_empty(), "nothing staged silently");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "a second Enter stages it");
    // Known roles go straight through.
    press(&mut app, &mut conn, KeyCode::Char('j'));
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "user,admin");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 2);
}

#[test]
fn up_and_down_pick_an_enum_value_seen_in_the_cell_editor() {
    let (_dir, mut conn) = users_db(25);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "role");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    let text = |app: &App| match &app.overlay {
        Overlay::Edit(EditPopup::Cell { input, .. }) => field_text(input),
        other => panic!("the cell editor is open: {other:?}"),
    };
    let before = text(&app);
    press(&mut app, &mut conn, KeyCode::Down);
    let after = text(&app);
    assert_ne!(before, after);
    assert!(["admin", "user"].contains(&after.as_str()), "{after}");
    press(&mut app, &mut conn, KeyCode::Up);
    assert_eq!(text(&app), before, "Up goes back");
}

#[test]
fn a_new_session_gets_a_token_the_cursor_goes_to_a_missing_field_and_both_stamps_match() {
    let (dir, mut conn) = users_db(1);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    let session = app.tab_titles().iter().position(|t| t.trim() == "session").unwrap();
    let effects = app.update(Action::SelectTab { index: session });
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let Overlay::Edit(EditPopup::Insert { form, fields }) = &app.overlay else { panic!("the form opens") };
    let token = form.text(fields.iter().position(|f| f.column == "token").unwrap());
    assert_eq!(token.len(), 32, "{token}");
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()), "{token}");
    let user_id = fields.iter().position(|f| f.column == "userId").unwrap();
    // Enter with the required userId still NULL: the cursor goes to it.
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Insert { form, .. }) = &app.overlay else { panic!("the form stays") };
    let error = &form.error;
    assert!(error.as_deref().is_some_and(|e| e.starts_with("userId")), "{error:?}");
    assert_eq!(form.focus, user_id);
    type_text(&mut app, &mut conn, "u0000");
    // Staged a little later than the form opened, at a time with milliseconds.
    let later = fixed_ctx().now + chrono::TimeDelta::milliseconds(75_123);
    app.update(Action::Tick { now: later });
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let (created, updated, stored): (i64, i64, String) = conn
        .query_row("SELECT createdAt, updatedAt, token FROM session WHERE userId = 'u0000'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((created, updated), (later.timestamp_millis(), later.timestamp_millis()));
    assert_eq!(stored, token);
}

#[test]
fn ctrl_u_clears_the_cell_editor_to_the_start_of_the_line() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    ctrl(&mut app, &mut conn, 'u');
    type_text(&mut app, &mut conn, "Ada");
    let Overlay::Edit(EditPopup::Cell { input, .. }) = &app.overlay else { panic!("the editor is open") };
    assert_eq!(crate::app::input::field_text(input), "Ada");
}

#[test]
fn an_edit_opened_while_a_sort_loads_is_staged_against_the_row_it_was_opened_on() {
    let (_dir, mut conn) = users_db(4);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('j'));
    let opened_on = app.active_tab().unwrap().window.selected_row().unwrap().cursor.key.clone();
    // The sort is asked for, and its rows arrive only after the editor has opened.
    let sorting = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE) });
    let sorting_again = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE) });
    press(&mut app, &mut conn, KeyCode::Char('e'));
    settle(&mut app, &mut conn, sorting);
    settle(&mut app, &mut conn, sorting_again);
    let now_under_cursor = app.active_tab().unwrap().window.selected_row().unwrap().cursor.key.clone();
    assert_ne!(now_under_cursor, opened_on, "the rows under the cursor changed while editing");
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "Edited");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1);
    assert_eq!(app.edits.staged[0].cursor_key, opened_on, "staged against the row the editor opened on");
}

#[test]
fn esc_during_a_commit_that_then_fails_on_the_lock_says_the_commit_was_cancelled() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "Cancelled");
    press(&mut app, &mut conn, KeyCode::Enter);
    ctrl(&mut app, &mut conn, 's');
    let commit = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    let Some(Effect::Request { id, .. }) = commit.into_iter().find(|e| matches!(e, Effect::Request { .. })) else {
        panic!("the commit is sent")
    };
    let interrupt = app.update(Action::Key { key: KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE) });
    assert_eq!(interrupt, vec![Effect::Interrupt { worker: Worker::Foreground, id }], "Esc names the commit");
    let busy = ReplyError::new(ErrorKind::Busy, "database is busy (locked by another process)");
    app.update(Action::Reply { reply: DbReply { id, result: Err(busy) } });
    let said = &app.status.as_ref().expect("a status").text;
    assert!(said.starts_with("commit cancelled: nothing was written"), "{said}");
    assert_eq!(app.edits.staged.len(), 1, "the change stays staged");
    assert_eq!(name_of(&conn, "u0000"), "User 0");
}

/// Defect: `e` on `user.id` staged a new key with no warning; only the commit said "FOREIGN KEY
/// constraint failed". The first Enter warns (naming what points at the row), the second stages.
#[test]
fn editing_a_primary_key_warns_before_staging() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "id");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "u-new");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(app.edits.staged.is_empty(), "nothing staged on the first Enter");
    let Overlay::Edit(EditPopup::Cell { error: Some(warning), .. }) = &app.overlay else {
        panic!("the editor warns: {:?}", app.overlay)
    };
    assert!(warning.starts_with("user.id is the primary key."), "{warning}");
    assert!(warning.contains("session.userId 0 rows"), "{warning}");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "the second Enter stages it");
}

/// Defect: the key warning said rows "pointing at this row make the commit fail" without saying
/// whether any do. It names each referencing table with how many of its rows point at the row.
#[test]
fn editing_a_primary_key_names_each_referencing_table_and_its_count() {
    let (_dir, mut conn) = users_db(3);
    for (i, user) in ["u0000", "u0000", "u0000", "u0001"].iter().enumerate() {
        conn.execute(
            "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES (?1, 0, ?1, 0, 0, ?2)",
            rusqlite::params![format!("s{i}"), user],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO account (id, accountId, providerId, userId, createdAt, updatedAt) VALUES ('a1', 'x', 'credential', 'u0000', 0, 0)",
        [],
    )
    .unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    select_column(&mut app, "id");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "u-new");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::Edit(EditPopup::Cell { error: Some(warning), .. }) = &app.overlay else {
        panic!("the editor warns: {:?}", app.overlay)
    };
    assert!(warning.contains("session.userId 3 rows (the commit fails)"), "{warning}");
    assert!(warning.contains("account.userId 1 row (the commit fails)"), "{warning}");
    assert!(warning.ends_with("Enter again stages it anyway"), "{warning}");
    assert!(app.edits.staged.is_empty(), "nothing staged on the first Enter");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "the second Enter stages it");
}

/// Defect: Ctrl-u typed on in the reference picker's search (`walk.testersofia.lee33`) where it
/// clears every other field. It clears the search, and the picker lists from the start again.
#[test]
fn ctrl_u_clears_the_reference_pickers_search() {
    let (_dir, mut conn) = users_db(12);
    crate::app::users_test_support::add_session(&conn, "s-1", "u0001", 24, None);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    select_column(&mut app, "userId");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    type_text(&mut app, &mut conn, "user1");
    ctrl(&mut app, &mut conn, 'u');
    let Overlay::RefPick(picker) = &app.overlay else { panic!("the picker stays open") };
    assert_eq!(field_text(&picker.query), "");
    assert_eq!(picker.matches.len(), 12, "every user is offered again");
}
