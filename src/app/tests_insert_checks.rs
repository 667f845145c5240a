//! The insert form refuses at Enter what SQLite would refuse at commit (a key matching no row,
//! a UNIQUE value taken, an unknown role warned about), and the review of a key change says
//! which rows make it fail.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::confirm::PreviewLine;
use super::tests::{open_app, settle, users_db};
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

/// Opens the insert form on the active tab and moves to `column`'s field; returns its index.
fn form_at(app: &mut App, conn: &mut Connection, column: &str) -> usize {
    if !matches!(app.overlay, Overlay::Edit(EditPopup::Insert { .. })) {
        press(app, conn, KeyCode::Char('a'));
    }
    let Overlay::Edit(EditPopup::Insert { form, fields }) = &app.overlay else { panic!("the form opens") };
    let at = fields.iter().position(|f| f.column == column).unwrap();
    let from = form.focus;
    for _ in from..at {
        press(app, conn, KeyCode::Tab);
    }
    at
}

fn form_error(app: &App) -> (Option<String>, usize) {
    let Overlay::Edit(EditPopup::Insert { form, .. }) = &app.overlay else { panic!("the form stays open") };
    (form.error.clone(), form.focus)
}

fn open_tab(app: &mut App, conn: &mut Connection, name: &str) {
    let index = app.tab_titles().iter().position(|t| t.trim() == name).unwrap();
    let effects = app.update(Action::SelectTab { index });
    settle(app, conn, effects);
}

/// Defect: a session whose userId matches no user was staged, and only the review (then the
/// commit's FOREIGN KEY failure) said so. Enter refuses it, the cursor on userId.
#[test]
fn the_insert_form_refuses_a_key_matching_no_row_at_enter() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 160, 45);
    open_tab(&mut app, &mut conn, "session");
    let user_id = form_at(&mut app, &mut conn, "userId");
    type_text(&mut app, &mut conn, "sofia.lee33@example.org");
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(app.edits.staged.is_empty(), "nothing staged");
    let (error, focus) = form_error(&app);
    let error = error.unwrap_or_default();
    assert!(error.contains("matches no row of user (id)"), "{error}");
    assert_eq!(focus, user_id, "the cursor goes to userId");
    // A user that exists is staged.
    for _ in 0..40 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    type_text(&mut app, &mut conn, "u0001");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
}

/// Defect: a new user with an email another user has was staged; Enter refuses it.
#[test]
fn the_insert_form_refuses_a_taken_email_at_enter() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 45);
    form_at(&mut app, &mut conn, "name");
    type_text(&mut app, &mut conn, "Twin");
    let email = form_at(&mut app, &mut conn, "email");
    type_text(&mut app, &mut conn, "user1@example.com");
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(app.edits.staged.is_empty(), "nothing staged");
    let (error, focus) = form_error(&app);
    let error = error.unwrap_or_default();
    assert!(error.contains("email = 'user1@example.com' (UNIQUE)"), "{error}");
    assert_eq!(focus, email, "the cursor goes to email");
}

/// Defect: `superadmin` as a new user's role was staged at once, where the cell editor warns.
/// The same warning, and a second Enter stages it.
#[test]
fn the_insert_form_warns_of_an_unknown_role_as_the_cell_editor_does() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 45);
    form_at(&mut app, &mut conn, "name");
    type_text(&mut app, &mut conn, "New");
    form_at(&mut app, &mut conn, "email");
    type_text(&mut app, &mut conn, "new@example.com");
    let role = form_at(&mut app, &mut conn, "role");
    for _ in 0..10 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    type_text(&mut app, &mut conn, "superadmin");
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(app.edits.staged.is_empty(), "nothing staged silently");
    let (error, focus) = form_error(&app);
    let error = error.unwrap_or_default();
    assert!(error.starts_with("superadmin is not a better-auth role"), "{error}");
    assert!(error.contains("Enter again stages it anyway"), "{error}");
    assert_eq!(focus, role);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "a second Enter stages it: {:?}", app.overlay);
}

/// Defect: a primary-key change of a user with sessions showed only the UPDATE at review, and
/// the commit said "FOREIGN KEY constraint failed" without naming what. Both name the rows.
#[test]
fn a_key_change_with_rows_pointing_at_it_is_flagged_at_review_and_named_at_commit() {
    let (_dir, mut conn) = users_db(2);
    for i in 0..3 {
        crate::app::users_test_support::add_session(&conn, &format!("s-{i}"), "u0000", 24, None);
    }
    let mut app = open_app(&mut conn, 160, 45);
    let id = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "id").unwrap();
    app.active_tab_mut().unwrap().selected_col = id;
    press(&mut app, &mut conn, KeyCode::Char('e'));
    for _ in 0..40 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    type_text(&mut app, &mut conn, "u-new");
    press(&mut app, &mut conn, KeyCode::Enter);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    ctrl(&mut app, &mut conn, 's');
    let Overlay::Confirm(review) = &app.overlay else { panic!("the review opens") };
    let problems: Vec<&String> = review
        .preview
        .iter()
        .filter_map(|line| match line {
            PreviewLine::Problem(problem) => Some(problem),
            _ => None,
        })
        .collect();
    assert!(
        problems.iter().any(|p| p.contains("3 rows of session still reference user id = 'u0000' (userId")),
        "{problems:?}"
    );
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let status = app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default();
    let shown = format!("{status} {:?}", app.overlay);
    assert!(shown.contains("3 rows of session still reference"), "{shown}");
}

/// Defect: a column's DEFAULT could not be used once the field was touched: Ctrl-n said "cannot
/// be NULL", an empty date was `"" is not a date`. Ctrl-d (and an empty field) leave it to the
/// DEFAULT; a boolean toggled with Space goes back to its DEFAULT.
#[test]
fn ctrl_d_and_an_empty_field_use_the_columns_default() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 160, 45);
    open_tab(&mut app, &mut conn, "session");
    // Emptied by hand: an empty field of a column with a DEFAULT leaves it to the DEFAULT.
    let created = form_at(&mut app, &mut conn, "createdAt");
    for _ in 0..40 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    let Overlay::Edit(EditPopup::Insert { form, fields }) = &app.overlay else { panic!("the form stays") };
    assert!(!fields[created].use_default && form.text(created).is_empty());
    form_at(&mut app, &mut conn, "userId");
    type_text(&mut app, &mut conn, "u0001");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    let crate::db::edit::StagedChange::Insert { values, .. } = &app.edits.staged[0].change else { panic!() };
    let columns: Vec<&str> = values.iter().map(|(c, _)| c.as_str()).collect();
    assert!(!columns.contains(&"createdAt"), "{columns:?}");

    // A column without a DEFAULT says so.
    open_tab(&mut app, &mut conn, "user");
    let name = form_at(&mut app, &mut conn, "name");
    ctrl(&mut app, &mut conn, 'd');
    let (error, focus) = form_error(&app);
    assert_eq!(focus, name);
    assert!(error.is_some_and(|e| e.starts_with("name has no DEFAULT")));
    // A boolean toggled, then back to its DEFAULT with Ctrl-d.
    let verified = form_at(&mut app, &mut conn, "emailVerified");
    press(&mut app, &mut conn, KeyCode::Char(' '));
    let Overlay::Edit(EditPopup::Insert { fields, .. }) = &app.overlay else { panic!("the form stays") };
    assert!(!fields[verified].use_default);
    ctrl(&mut app, &mut conn, 'd');
    let Overlay::Edit(EditPopup::Insert { form, fields }) = &app.overlay else { panic!("the form stays") };
    assert!(fields[verified].use_default && form.text(verified).is_empty());
}

/// Defect: Esc in a half-filled insert form discarded it without a word.
#[test]
fn esc_in_the_insert_form_says_the_new_row_is_discarded() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 160, 45);
    form_at(&mut app, &mut conn, "name");
    type_text(&mut app, &mut conn, "Half");
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::None));
    let status = app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.starts_with("new row discarded"), "{status}");
}

/// Defect: Ctrl-s in the row detail did nothing; it opens the review as on the grid.
#[test]
fn ctrl_s_in_the_row_detail_opens_the_review() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 160, 45);
    form_at(&mut app, &mut conn, "name");
    type_text(&mut app, &mut conn, "New");
    form_at(&mut app, &mut conn, "email");
    type_text(&mut app, &mut conn, "new@example.com");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::Detail { .. }), "{:?}", app.overlay);
    ctrl(&mut app, &mut conn, 's');
    assert!(matches!(app.overlay, Overlay::Confirm(_)), "{:?}", app.overlay);
}

/// Defect: a staged new row (✚) could not be selected to fix it, only undone. `u` takes it back
/// into the form with its values, and staging says so.
#[test]
fn undo_takes_a_staged_new_row_back_into_the_form() {
    let (_dir, mut conn) = users_db(2);
    let mut app = open_app(&mut conn, 160, 45);
    let name = form_at(&mut app, &mut conn, "name");
    type_text(&mut app, &mut conn, "Typo Nmae");
    form_at(&mut app, &mut conn, "email");
    type_text(&mut app, &mut conn, "typo@example.com");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    let status = app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.contains("u takes it back into the form"), "{status}");
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert!(app.edits.staged.is_empty());
    let Overlay::Edit(EditPopup::Insert { form, .. }) = &app.overlay else { panic!("back in the form") };
    assert_eq!(form.text(name), "Typo Nmae");
    let id = form.text(0);
    assert_eq!(id.len(), 36, "the same id: {id}");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "staged again: {:?}", app.overlay);
}

/// Defect: the insert form's roles in use came from the column's sample and missed `superuser`
/// (one user's role), which the role dialog listed. Both read the roles in use.
#[test]
fn the_insert_form_knows_every_role_in_use_as_the_role_dialog_does() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 45);
    // Given after the table was read: its sampled kind does not hold it.
    conn.execute("UPDATE user SET role = 'superuser' WHERE id = 'u0002'", []).unwrap();
    form_at(&mut app, &mut conn, "name");
    type_text(&mut app, &mut conn, "New");
    form_at(&mut app, &mut conn, "email");
    type_text(&mut app, &mut conn, "new@example.com");
    form_at(&mut app, &mut conn, "role");
    for _ in 0..10 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    type_text(&mut app, &mut conn, "superuser");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 1, "staged at the first Enter: {:?}", form_error(&app).0);
}
