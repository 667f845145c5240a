//! Whole-screen snapshots: the real draw code on ratatui's TestBackend, with a fixed clock.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::tests::{open_app, settle, users_db};
use crate::app::{Action, App, DbReply};

pub(crate) fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|frame| super::draw(frame, app)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn keys(app: &mut App, conn: &mut rusqlite::Connection, codes: &[KeyCode]) {
    for code in codes {
        let effects = app.update(Action::Key { key: KeyEvent::new(*code, KeyModifiers::NONE) });
        settle(app, conn, effects);
    }
}

#[test]
fn loaded_user_table() {
    let (_dir, mut conn) = users_db(40);
    let app = open_app(&mut conn, 110, 16);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn loading_state() {
    let (_dir, conn) = users_db(3);
    let source = crate::app::tests::test_source(&conn);
    let (app, _effects) = App::new(source, 80, 8, crate::app::tests::fixed_ctx());
    drop(conn);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn empty_table_and_read_only_badge() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 90, 8);
    app.source.read_only = Some(crate::db::open::ReadOnlyReason::Requested);
    keys(&mut app, &mut conn, &[KeyCode::Tab]);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn filter_active() {
    let (_dir, mut conn) = users_db(40);
    let mut app = open_app(&mut conn, 110, 12);
    let role = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "role").unwrap();
    app.tabs[app.active].selected_col = role;
    keys(&mut app, &mut conn, &[KeyCode::Char('f'), KeyCode::Char('a'), KeyCode::Char('d'), KeyCode::Char('m')]);
    keys(&mut app, &mut conn, &[KeyCode::Char('i'), KeyCode::Char('n'), KeyCode::Enter]);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn error_from_the_database() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 90, 8);
    let effects = app.update(Action::Refresh);
    for effect in effects {
        if let crate::app::Effect::Request { id, .. } = effect {
            app.update(Action::Reply {
                reply: DbReply {
                    id,
                    result: Err(crate::app::ReplyError::new(crate::app::ErrorKind::Busy, "database is locked")),
                },
            });
        }
    }
    insta::assert_snapshot!(render(&app));
}

#[test]
fn row_detail_and_help() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 100, 20);
    keys(&mut app, &mut conn, &[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Enter]);
    insta::assert_snapshot!("row_detail", render(&app));
    keys(&mut app, &mut conn, &[KeyCode::Esc, KeyCode::Char('?')]);
    app.height = 40;
    insta::assert_snapshot!("help", render(&app));
}

#[test]
fn er_screen() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 34);
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn migrations_screen() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 20);
    let index = app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap();
    let effects = app.update(Action::SelectTab { index });
    settle(&mut app, &mut conn, effects);
    keys(&mut app, &mut conn, &[KeyCode::Char('A')]);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn edit_popup_staged_grid_and_review() {
    use ratatui::crossterm::event::KeyModifiers;
    let (_dir, mut conn) = users_db(4);
    let mut app = open_app(&mut conn, 110, 14);
    app.tabs[app.active].selected_col = 1;
    keys(&mut app, &mut conn, &[KeyCode::Char('e')]);
    for _ in 0..10 {
        keys(&mut app, &mut conn, &[KeyCode::Backspace]);
    }
    keys(&mut app, &mut conn, &"Grace Hopper".chars().map(KeyCode::Char).collect::<Vec<_>>());
    insta::assert_snapshot!("edit_popup", render(&app));
    keys(&mut app, &mut conn, &[KeyCode::Enter]);
    insta::assert_snapshot!("staged_grid", render(&app));
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    // The review shows the bound updatedAt (the clock of the commit): scrub it.
    let scrubbed: String = screen
        .lines()
        .map(|line| match line.find("\"updatedAt\" = ") {
            Some(at) => format!("{}\"updatedAt\" = [now]", &line[..at]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("review", scrubbed);
}

#[test]
fn search_matches_are_highlighted_and_the_hints_stay() {
    let (_dir, mut conn) = users_db(40);
    let mut app = open_app(&mut conn, 110, 12);
    keys(&mut app, &mut conn, &[KeyCode::Char('/')]);
    keys(&mut app, &mut conn, &"USER1".chars().map(KeyCode::Char).collect::<Vec<_>>());
    keys(&mut app, &mut conn, &[KeyCode::Enter]);
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|frame| super::draw(frame, &app)).unwrap();
    let buffer = terminal.backend().buffer();
    let last = (0..buffer.area.width).map(|x| buffer[(x, buffer.area.height - 1)].symbol()).collect::<String>();
    assert!(last.trim_end().ends_with("? help"), "the hint line is there after a search: {last:?}");
    assert!(last.contains("/ search"), "{last:?}");
    // The first row is `User 1 / user1@example.com`: the email holds the match, case aside.
    let y = 3;
    let highlighted: String = (0..buffer.area.width)
        .filter(|x| buffer[(*x, y)].bg == super::theme::search_match().bg.unwrap())
        .map(|x| buffer[(x, y)].symbol().to_string())
        .collect();
    assert_eq!(highlighted, "user1", "{}", render(&app));
}

#[test]
fn a_staged_insert_shows_in_the_grid_until_committed() {
    let (_dir, mut conn) = users_db(4);
    let mut app = open_app(&mut conn, 110, 14);
    keys(&mut app, &mut conn, &[KeyCode::Char('a')]);
    // The form opens on the name field after the generated id; type a name and an email.
    let crate::app::Overlay::Edit(crate::app::EditPopup::Insert { fields, .. }) = &app.overlay else {
        panic!("the insert form is open")
    };
    let name = fields.iter().position(|f| f.column == "name").unwrap();
    let email = fields.iter().position(|f| f.column == "email").unwrap();
    for _ in 0..name {
        keys(&mut app, &mut conn, &[KeyCode::Tab]);
    }
    keys(&mut app, &mut conn, &"Grace Hopper".chars().map(KeyCode::Char).collect::<Vec<_>>());
    for _ in name..email {
        keys(&mut app, &mut conn, &[KeyCode::Tab]);
    }
    keys(&mut app, &mut conn, &"grace@example.com".chars().map(KeyCode::Char).collect::<Vec<_>>());
    keys(&mut app, &mut conn, &[KeyCode::Enter]);
    assert_eq!(app.edits.staged.len(), 1, "{:?}", app.overlay);
    let screen = render(&app);
    let first_row = screen.lines().nth(3).unwrap();
    assert!(
        first_row.contains("✚") && first_row.contains("Grace") && first_row.contains("grace@example.com"),
        "{screen}"
    );
    assert!(screen.lines().nth(4).unwrap().contains("User 0"), "{screen}");
}
