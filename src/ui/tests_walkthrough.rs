//! Defects a new user's walkthrough found on narrow terminals and without colour.

use crate::app::tests::{open_app, users_db};

use super::tests::render;

const HASHED: &str = "/home/someone/projects/app/.wrangler/state/v3/d1/miniflare-D1DatabaseObject/4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite";

fn status_line(screen: &str) -> &str {
    screen.lines().rev().nth(1).unwrap_or_default()
}

#[test]
fn a_wrangler_database_is_named_by_its_wrangler_name_at_80_columns() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 24);
    app.source.path = HASHED.into();
    app.source.name = Some("app-db".into());
    let screen = render(&app);
    assert!(status_line(&screen).starts_with("app-db │ row 1 of 3"), "{screen}");
}

#[test]
fn a_long_file_name_is_cut_before_the_row_position_is() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 40, 24);
    app.source.path = HASHED.into();
    let screen = render(&app);
    let status = status_line(&screen);
    assert!(status.starts_with("4f3085") && status.contains("… │ row 1 of 3"), "{screen}");
}

#[test]
fn row_detail_indents_wrapped_values_and_says_where_it_is() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 14);
    let effects = app.update(crate::app::Action::OpenDetail);
    crate::app::tests::settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    assert!(screen.contains("A user actions · Esc close"), "{screen}");
    assert!(screen.contains(&format!("1-8 of {}", app.detail_lines(false).len())), "{screen}");
    insta::assert_snapshot!(screen);
    // PgDn twice stops at the last line: no blank lines after it.
    for _ in 0..3 {
        let key = ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::PageDown);
        app.update(crate::app::Action::Key { key });
    }
    insta::assert_snapshot!("row_detail_at_its_end", render(&app));
}
