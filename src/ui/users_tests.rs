//! Snapshots of the user features: the status columns, the action menu, the ban form, the
//! confirmation with its SQL, and the impersonation list.

use ratatui::crossterm::event::KeyCode;

use crate::app::users_test_support::{admin_app, press, select, type_text};

use crate::ui::tests::render;

#[test]
fn grid_with_status_columns() {
    let (_dir, _conn, app) = admin_app(130, 16);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn action_menu() {
    let (_dir, mut conn, mut app) = admin_app(110, 24);
    select(&mut app, &mut conn, "u0003");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    insta::assert_snapshot!("action_menu", render(&app));
    app.source.read_only = Some(crate::db::open::ReadOnlyReason::NotWritable);
    press(&mut app, &mut conn, KeyCode::Char('u'));
    insta::assert_snapshot!("action_menu_read_only", render(&app));
}

#[test]
fn ban_form_and_confirmation() {
    let (_dir, mut conn, mut app) = admin_app(110, 34);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    type_text(&mut app, &mut conn, "chargebacks");
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "7d");
    insta::assert_snapshot!("ban_form", render(&app));
    press(&mut app, &mut conn, KeyCode::Enter);
    insta::assert_snapshot!("ban_confirm", render(&app));
}

#[test]
fn password_form_masks_what_is_typed() {
    let (_dir, mut conn, mut app) = admin_app(110, 20);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('p'));
    type_text(&mut app, &mut conn, "hunter2");
    let screen = render(&app);
    assert!(!screen.contains("hunter2"), "{screen}");
    insta::assert_snapshot!("password_form", screen);
}

#[test]
fn impersonation_view() {
    let (_dir, mut conn, mut app) = admin_app(120, 14);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('i'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn role_form_ticks_the_roles_typed() {
    let (_dir, mut conn, mut app) = admin_app(110, 20);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    press(&mut app, &mut conn, KeyCode::Up);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn removal_asks_for_the_email_typed() {
    let (_dir, mut conn, mut app) = admin_app(110, 30);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    type_text(&mut app, &mut conn, "user4@");
    let screen = render(&app);
    assert!(screen.contains("Type user4@example.com to remove them: user4@"), "{screen}");
    assert!(screen.contains("Enter remove"), "{screen}");
    assert!(!screen.contains("y run"), "{screen}");
}

#[test]
fn role_form_marks_the_focused_role() {
    let (_dir, mut conn, mut app) = admin_app(110, 20);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn removal_says_in_the_popup_when_the_email_does_not_match() {
    let (_dir, mut conn, mut app) = admin_app(110, 30);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    type_text(&mut app, &mut conn, "emma");
    press(&mut app, &mut conn, KeyCode::Enter);
    let screen = render(&app);
    assert!(screen.contains("✗ \"emma\" does not match user4@example.com"), "{screen}");
    assert!(screen.contains("type the email  Enter remove"), "the hint line too: {screen}");
    assert!(screen.contains("to remove them: emma"), "the field keeps what was typed: {screen}");
    press(&mut app, &mut conn, KeyCode::Backspace);
    let crate::app::Overlay::User(panel) = &app.overlay else { panic!("the menu stays open") };
    let crate::app::PanelStep::Confirm(confirmation) = &panel.step else { panic!("still asking") };
    assert!(confirmation.answer.as_ref().is_some_and(|a| a.refused.is_none()), "typing clears it");
}

#[test]
fn removing_an_admin_says_how_many_impersonations_will_dangle() {
    let (_dir, mut conn, mut app) = admin_app(110, 30);
    crate::app::users_test_support::add_session(&conn, "imp-1", "u0001", 2, Some("u0000"));
    crate::app::users_test_support::add_session(&conn, "imp-2", "u0002", -2, Some("u0000"));
    crate::app::users_test_support::add_session(&conn, "own", "u0000", 2, Some("u0020"));
    select(&mut app, &mut conn, "u0000");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let others: i64 = conn
        .query_row("SELECT count(*) FROM session WHERE impersonatedBy = 'u0000' AND userId <> 'u0000'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(others >= 2, "the two above, and any the fixture had");
    let screen = render(&app);
    let said = format!("{others} sessions of other users name them in impersonatedBy");
    assert!(screen.contains(&said), "{screen}");
}

/// Defect: on a remote whose statuses could not be read, the status and sessions columns went
/// blank, which reads as "nothing to say": unknown cells show `?`.
#[test]
fn unreadable_statuses_show_a_question_mark() {
    let (_dir, _conn, mut app) = admin_app(130, 16);
    app.users.statuses.clear();
    app.users.statuses_failed = true;
    let screen = render(&app);
    let row = screen.lines().find(|l| l.contains("@example.com")).expect("a user row");
    assert_eq!(row.matches('?').count(), 2, "{screen}");
}

/// Defect: at 80x24 the removal's bottom border covered the status line (a preview taller than
/// the screen; this fixture's is shorter, so a shorter screen). Popups stay above it.
#[test]
fn a_tall_removal_leaves_the_status_line_in_sight() {
    let (_dir, mut conn, mut app) = admin_app(80, 18);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let screen = render(&app);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines.iter().any(|l| l.contains("to remove them")), "{screen}");
    let status = lines[lines.len() - 2];
    assert!(status.starts_with("/tmp/") && !status.contains('╯'), "the status line is free: {screen}");
}
