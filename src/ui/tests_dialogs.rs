//! Every form and confirmation at 80x24: each field, label and hint readable (wrapped, or
//! scrolled with an indicator), never cut at the popup's edge.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::users_test_support::{admin_app, press, select, type_text};

use super::tests::render;

/// Defect: at 80x24 the ban form cut its examples and its intro at the popup's edge.
#[test]
fn ban_form_at_80x24_shows_every_field_label_and_hint() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    type_text(&mut app, &mut conn, "chargebacks");
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "7d");
    let screen = render(&app);
    for wanted in ["reason  chargebacks", "until  7d", "never (empty:", "permanent)", "sessions end.", "Esc back"] {
        assert!(screen.contains(wanted), "{wanted:?} in\n{screen}");
    }
    insta::assert_snapshot!("ban_form_80x24", screen);
    press(&mut app, &mut conn, KeyCode::Enter);
    let screen = render(&app);
    assert!(screen.contains("Ban user4@example.com?"), "{screen}");
    insta::assert_snapshot!("ban_confirm_80x24", screen);
}

#[test]
fn password_form_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('p'));
    type_text(&mut app, &mut conn, "hunter2");
    let screen = render(&app);
    assert!(screen.contains("scrypt hash)."), "{screen}");
    insta::assert_snapshot!("password_form_80x24", screen);
}

#[test]
fn role_form_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    insta::assert_snapshot!("role_form_80x24", render(&app));
}

#[test]
fn removal_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    insta::assert_snapshot!("removal_80x24", render(&app));
}

#[test]
fn delete_and_review_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('d'));
    insta::assert_snapshot!("delete_80x24", render(&app));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let effects = app.update(crate::app::Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    crate::app::tests::settle(&mut app, &mut conn, effects);
    insta::assert_snapshot!("review_80x24", render(&app));
}
