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
