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
