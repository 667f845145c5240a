//! Snapshot of a user's row detail with their sessions and accounts, one of them selected.

use ratatui::crossterm::event::KeyCode;

use crate::app::users_test_support::press;
use crate::ui::tests::render;

#[test]
fn user_detail_lists_sessions_and_accounts() {
    let (_dir, mut conn, mut app) = crate::app::user_links_test_support::detail_app(150, 45);
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Down);
    let screen = render(&app);
    assert!(screen.contains("github · gh-4242"), "{screen}");
    assert!(screen.contains("expired"), "{screen}");
    insta::assert_snapshot!(screen);
}
