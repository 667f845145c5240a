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
    // The columns, then the user's sessions and accounts below them.
    assert!(screen.contains(&format!("1-8 of {}", app.detail_lines(false).len() + 5)), "{screen}");
    insta::assert_snapshot!(screen);
    // PgDn twice stops at the last line: no blank lines after it.
    for _ in 0..3 {
        let key = ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::PageDown);
        app.update(crate::app::Action::Key { key });
    }
    insta::assert_snapshot!("row_detail_at_its_end", render(&app));
}

/// The migrations screen, `width` columns wide, with a long-named migration wrangler applied;
/// `down` selects the next one (the test migration, whose SQL has long lines).
fn applied_migrations(width: u16, down: bool) -> String {
    let (_dir, mut conn) = users_db(3);
    // A name as long as a real project's, applied by wrangler at a known time.
    conn.execute_batch(
        "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
         INSERT INTO d1_migrations (name, applied_at) VALUES ('0000_audit_log_last_login_init.sql', '2026-11-28 06:22:41');",
    )
    .unwrap();
    let mut app = open_app(&mut conn, width, 24);
    let index = app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap_or_default();
    let effects = app.update(crate::app::Action::SelectTab { index });
    crate::app::tests::settle(&mut app, &mut conn, effects);
    if down {
        let key = ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Down);
        let effects = app.update(crate::app::Action::Key { key });
        crate::app::tests::settle(&mut app, &mut conn, effects);
    }
    render(&app)
}

/// Whether `line` ends with a whole `YYYY-MM-DD HH:MM:SS` time before the list's border.
fn ends_with_a_whole_time(line: &str) -> bool {
    let list = line.split('│').nth(1).unwrap_or_default().trim_end();
    let time: String = list.chars().rev().take(19).collect::<Vec<_>>().into_iter().rev().collect();
    time.len() == 19
        && time.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn applied_times_show_whole_at_120_columns_and_sql_wraps() {
    let screen = applied_migrations(120, false);
    let row = screen
        .lines()
        .find(|l| l.starts_with("│") && l.contains("0000_audit_log"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(ends_with_a_whole_time(row), "{screen}");
    // At 80 columns the time is left out rather than cut.
    let screen = applied_migrations(80, false);
    let row = screen
        .lines()
        .find(|l| l.starts_with("│") && l.contains("0000_audit_log"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(!row.split('│').nth(1).unwrap_or_default().trim_end().ends_with(|c: char| c.is_ascii_digit()), "{screen}");
    insta::assert_snapshot!(applied_migrations(80, true));
}

#[test]
fn the_er_legend_wraps_by_entries_at_80_columns() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 24);
    let index = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap_or_default();
    let effects = app.update(crate::app::Action::SelectTab { index });
    crate::app::tests::settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    for entry in ["── foreign key", "PK primary key", "FK / fk references (declared / inferred)", "UK unique"] {
        assert!(screen.contains(entry), "{entry}: {screen}");
    }
}

#[test]
fn gr_opens_at_once_and_fills_with_one_pair_of_parentheses_a_line() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 100, 20);
    let effects = app.update(crate::app::Action::ShowReferences);
    let counting = render(&app);
    assert!(counting.contains("rows that point here") && counting.contains("counting the rows"), "{counting}");
    crate::app::tests::settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    assert!(!screen.contains("counting the rows"), "{screen}");
    assert!(screen.contains("sessions via impersonatedBy (inferred; no index: counted by scanning)"), "{screen}");
}
