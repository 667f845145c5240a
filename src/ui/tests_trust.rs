//! What the screens say is right (issue 12): ban marks, impersonations, errors, the review.

use crate::app::tests::{open_app, users_db};
use crate::ui::tests::render;

#[test]
fn a_ban_stored_as_text_true_gets_the_gutter_mark_and_the_status() {
    let (_dir, mut conn) = users_db(3);
    conn.execute("UPDATE user SET banned = 'true', banExpires = NULL WHERE id = 'u0001'", []).unwrap();
    let app = open_app(&mut conn, 140, 12);
    let screen = render(&app);
    let line = screen.lines().find(|l| l.contains("user1@example.com")).unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains('●'), "the gutter marks the ban: {line}");
    assert!(line.contains("banned"), "the status says banned: {line}");
}

#[test]
fn a_commit_error_is_shown_whole_and_the_log_keeps_it() {
    use crate::app::tests_trust::{ctrl, press, select_column, type_text};
    use ratatui::crossterm::event::KeyCode;
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 60, 20);
    app.source.audit.file = _dir.path().join("audit.jsonl");
    press(&mut app, &mut conn, KeyCode::Char('j'));
    select_column(&mut app, "email");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    for _ in 0..40 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    type_text(&mut app, &mut conn, "user0@example.com");
    press(&mut app, &mut conn, KeyCode::Enter);
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let screen = render(&app);
    // The popup's text, its wrapped lines joined again.
    let inside = |line: &str| match (line.find('│'), line.rfind('│')) {
        (Some(a), Some(b)) if b > a => line[a + '│'.len_utf8()..b].trim().to_string(),
        _ => String::new(),
    };
    let flat = screen.lines().map(inside).collect::<Vec<_>>().join(" ");
    assert!(flat.contains("UNIQUE constraint failed: user.email"), "{screen}");
    assert!(flat.contains("(staged changes kept)"), "the end of the message is there too: {screen}");
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(!render(&app).contains("╭ messages"), "any key closes the log");
    press(&mut app, &mut conn, KeyCode::Char('m'));
    let again = render(&app).lines().map(inside).collect::<Vec<_>>().join(" ");
    assert!(again.contains("UNIQUE constraint failed: user.email"), "m opens the log again: {again}");
}

#[test]
fn the_review_shows_every_statement_whole_and_scrolls() {
    use crate::app::tests_trust::{ctrl, press, select_column, type_text};
    use ratatui::crossterm::event::KeyCode;
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 70, 24);
    select_column(&mut app, "name");
    let long = format!("START{}END", "x".repeat(150));
    press(&mut app, &mut conn, KeyCode::Char('e'));
    type_text(&mut app, &mut conn, &long);
    press(&mut app, &mut conn, KeyCode::Enter);
    ctrl(&mut app, &mut conn, 's');
    let screen = render(&app);
    assert!(screen.contains("START") && screen.contains("END' /*"), "a long statement wraps whole: {screen}");
    press(&mut app, &mut conn, KeyCode::Esc);
    for _ in 0..12 {
        press(&mut app, &mut conn, KeyCode::Char('j'));
        press(&mut app, &mut conn, KeyCode::Char('e'));
        type_text(&mut app, &mut conn, "!");
        press(&mut app, &mut conn, KeyCode::Enter);
    }
    ctrl(&mut app, &mut conn, 's');
    let top = render(&app);
    assert!(top.contains("↑↓ 1-"), "the review says it scrolls: {top}");
    assert!(!top.contains("'User 12!'"), "the last statement is below: {top}");
    for _ in 0..5 {
        press(&mut app, &mut conn, KeyCode::PageDown);
    }
    let bottom = render(&app);
    assert!(bottom.contains("'User 12!'"), "scrolling reaches the last statement: {bottom}");
}

#[test]
fn the_ban_confirmation_reads_its_dates_from_the_plans_clock() {
    use crate::app::Action;
    use crate::app::users_test_support::{admin_app, press, select, type_text};
    use ratatui::crossterm::event::KeyCode;
    let (_dir, mut conn, mut app) = admin_app(110, 40);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "7d");
    press(&mut app, &mut conn, KeyCode::Enter);
    app.update(Action::Tick { now: app.ctx.now + chrono::TimeDelta::seconds(3) });
    let screen = render(&app);
    assert!(screen.contains("(in 7d)"), "{screen}");
}
