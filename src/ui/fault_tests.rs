//! Bad input drawn on screen: what a person types must never crash a frame (issue 18).

use ratatui::crossterm::event::KeyCode;

use crate::app::users_test_support::{admin_app, press, select};
use crate::app::{Overlay, PanelStep};
use crate::ui::tests::render;

/// `300000y` typed one key at a time into the ban form: each frame is drawn (the form shows when
/// the ban would end), the too-long length is an error in the form, and nothing is lost.
#[test]
fn a_ban_length_past_the_last_date_is_an_error_while_typing_and_on_enter() {
    let (_dir, mut conn, mut app) = admin_app(110, 34);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    press(&mut app, &mut conn, KeyCode::Tab);
    for c in "300000y".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
        render(&app);
    }
    let screen = render(&app);
    assert!(screen.contains("too long for a ban"), "{screen}");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Overlay::User(panel) = &app.overlay else { panic!("the user panel stays open") };
    let PanelStep::Ban(form) = &panel.step else { panic!("the form stays open: {:?}", panel.step) };
    assert!(form.error.as_deref().unwrap_or_default().contains("too long"), "{:?}", form.error);
    assert!(!app.should_quit);
}

/// A name with a ZWJ family and a flag: the grid shows neither sequence (terminals disagree on
/// their width), so the columns after it line up with every other row's, and an overlay drawn
/// over the row leaves no half of a sequence behind.
#[test]
fn emoji_sequences_in_cells_keep_the_columns_aligned() {
    use crate::app::tests::{open_app, users_db};
    let (_dir, mut conn) = users_db(3);
    conn.execute("UPDATE user SET name = 'Fam 👨\u{200D}👩\u{200D}👧 🇺🇸' WHERE id = 'u0001'", []).unwrap();
    let app = open_app(&mut conn, 110, 10);
    let screen = render(&app);
    assert!(!screen.contains('\u{200D}') && !screen.contains('\u{1F1FA}'), "{screen}");
    assert!(screen.contains("Fam 👨") && screen.contains("US user1@"), "{screen}");
    // Every row's email column starts at the same cell of the buffer ratatui sends.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|frame| crate::ui::draw(frame, &app)).unwrap();
    let buffer = terminal.backend().buffer();
    let starts: Vec<u16> = (0..buffer.area.height)
        .filter_map(|y| {
            let at = (0..buffer.area.width).find(|&x| buffer[(x, y)].symbol() == "@")?;
            (0..at).rev().find(|&x| buffer[(x, y)].symbol() == " ")
        })
        .collect();
    assert!(starts.len() >= 3 && starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{screen}");
}
