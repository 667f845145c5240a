//! Dialogs speak one vocabulary: `?` over a popup shows that popup's keys (from its table), and
//! Esc or `?` goes back to it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::tests::{open_app, settle, users_db};
use super::*;

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

fn type_text(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        press(app, conn, KeyCode::Char(c));
    }
}

/// The section titles and the keys help shows.
fn help_shown(app: &App) -> (Vec<&'static str>, Vec<String>) {
    let (lines, _) = help_layout(app);
    let mut titles = Vec::new();
    let mut keys = Vec::new();
    for line in lines {
        match line {
            HelpLine::Title(title) => titles.push(title),
            HelpLine::Entry { key, .. } if !key.trim().is_empty() => keys.push(key.trim().to_string()),
            _ => {}
        }
    }
    (titles, keys)
}

/// Opens a popup with `open`, presses `?`, checks help lists `title` with `a_key`, then goes
/// back with `back` and checks the popup is there again.
fn question_shows_keys(open: &[KeyCode], title: &str, a_key: &str, back: KeyCode, is_popup: fn(&Overlay) -> bool) {
    let (_dir, mut conn) = users_db(5);
    conn.execute_batch(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId, impersonatedBy)
           VALUES ('s1', 1, 't1', 1, 1, 'u0001', NULL);",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 80, 24);
    press(&mut app, &mut conn, KeyCode::Char('j'));
    for code in open {
        press(&mut app, &mut conn, *code);
    }
    assert!(is_popup(&app.overlay), "{open:?} opens its popup: {:?}", app.overlay);
    press(&mut app, &mut conn, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Overlay::Help { over: Some(_), .. }), "? shows help over {open:?}");
    let (titles, keys) = help_shown(&app);
    assert_eq!(titles, vec![title], "only the popup's keys");
    assert!(keys.iter().any(|k| k == a_key), "{a_key} in {keys:?}");
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains(title), "{screen}");
    press(&mut app, &mut conn, back);
    assert!(is_popup(&app.overlay), "back to the popup of {open:?}: {:?}", app.overlay);
}

/// Defect: `?` did nothing in the row detail.
#[test]
fn question_mark_shows_the_row_detail_keys() {
    question_shows_keys(&[KeyCode::Enter], "Row detail", "r", KeyCode::Esc, |o| matches!(o, Overlay::Detail { .. }));
}

/// Defect: `?` did nothing in the user action menu.
#[test]
fn question_mark_shows_the_user_menu_keys() {
    question_shows_keys(
        &[KeyCode::Char('A')],
        "User action menu",
        "b u r s p d i",
        KeyCode::Char('?'),
        |o| matches!(o, Overlay::User(panel) if matches!(panel.step, PanelStep::Menu)),
    );
}

/// Defect: `?` did nothing in the column chooser.
#[test]
fn question_mark_shows_the_column_chooser_keys() {
    question_shows_keys(&[KeyCode::Char('c')], "Column chooser", "r", KeyCode::Esc, |o| {
        matches!(o, Overlay::Columns(_))
    });
}

/// Defect: `?` closed the message log instead of showing its keys.
#[test]
fn question_mark_shows_the_message_log_keys() {
    question_shows_keys(&[KeyCode::Char('m')], "Messages", "↑ ↓ / k j", KeyCode::Esc, |o| {
        matches!(o, Overlay::Messages { .. })
    });
}

/// Defect: `?` did nothing in the `gr` list.
#[test]
fn question_mark_shows_the_gr_list_keys() {
    question_shows_keys(
        &[KeyCode::Char('g'), KeyCode::Char('r')],
        "Rows that point here (gr)",
        "Enter",
        KeyCode::Esc,
        |o| matches!(o, Overlay::References { .. }),
    );
}

/// In a form `?` is a character: it is typed, not help.
#[test]
fn question_mark_is_typed_in_a_form() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 24);
    type_text(&mut app, &mut conn, "Ab?");
    let Overlay::User(panel) = &app.overlay else { panic!("the menu is open") };
    let PanelStep::Ban(form) = &panel.step else { panic!("the ban form is open") };
    assert_eq!(form.text(BanField::Reason as usize), "?");
}

/// A delete of many rows is the one confirmation with a typed answer: `y` is typed, not yes;
/// Enter goes on only with the count, and what it stages is the rows the preview named.
#[test]
fn a_large_delete_is_confirmed_by_typing_its_count() {
    let (_dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 80, 24);
    for _ in 0..12 {
        press(&mut app, &mut conn, KeyCode::Char(' '));
    }
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let Overlay::Confirm(confirmation) = &app.overlay else { panic!("the delete asks: {:?}", app.overlay) };
    assert_eq!(confirmation.answer.as_ref().map(|a| a.wanted.as_str()), Some("12"));
    assert!(!confirmation.waiting, "the cascade arrived");
    type_text(&mut app, &mut conn, "y");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(app.edits.staged.is_empty(), "y is typed, and y is not the count");
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("Type 12 to confirm: y"), "{screen}");
    assert!(screen.contains("type 12 to confirm deleting that many rows"), "{screen}");
    press(&mut app, &mut conn, KeyCode::Backspace);
    type_text(&mut app, &mut conn, "12");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 12);
    assert!(matches!(app.overlay, Overlay::None));
}

/// A small delete takes `y` (and `?` shows its keys, the confirmation's).
#[test]
fn a_small_delete_takes_y() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 24);
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('?'));
    assert_eq!(help_shown(&app).0, vec!["Confirmation"]);
    press(&mut app, &mut conn, KeyCode::Esc);
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert_eq!(app.edits.staged.len(), 1);
}

/// Defect: `u` after a delete of 12 marked rows undid one row ("11 changes still staged"): the
/// rows of one delete are undone together, and an earlier delete stays staged.
#[test]
fn undo_takes_back_a_multi_row_delete_whole() {
    let (_dir, mut conn) = users_db(20);
    let mut app = open_app(&mut conn, 80, 24);
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert_eq!(app.edits.staged.len(), 1);
    press(&mut app, &mut conn, KeyCode::Down);
    for _ in 0..12 {
        press(&mut app, &mut conn, KeyCode::Char(' '));
    }
    press(&mut app, &mut conn, KeyCode::Char('d'));
    type_text(&mut app, &mut conn, "12");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.edits.staged.len(), 13);
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert_eq!(app.edits.staged.len(), 1, "the 12 rows are undone together");
    let said = &app.status.as_ref().expect("a status").text;
    assert_eq!(said, "undid the staged delete of 12 rows from user · 1 change still staged");
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert!(app.edits.staged.is_empty());
}

/// Defect: after `n` to a delete of marked rows the marks stayed with nothing said. They stay
/// (the user's selection), the status line says so and how to clear them, and Esc clears them.
#[test]
fn a_declined_delete_keeps_the_marks_says_so_and_esc_clears_them() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 80, 24);
    for _ in 0..3 {
        press(&mut app, &mut conn, KeyCode::Char(' '));
    }
    press(&mut app, &mut conn, KeyCode::Char('d'));
    assert!(matches!(app.overlay, Overlay::Confirm(_)), "the delete asks: {:?}", app.overlay);
    press(&mut app, &mut conn, KeyCode::Char('n'));
    assert!(app.edits.staged.is_empty(), "nothing staged");
    assert_eq!(app.edits.marked.len(), 3, "the marks stay");
    // A long file label gives way to the message whole (it was cut two cells short).
    app.source.path = "/tmp/a-folder-with-a-long-name/x.sqlite".into();
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("nothing deleted · 3 still marked · Esc unmarks"), "{screen}");
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(app.edits.marked.is_empty(), "Esc clears the marks");
    let said = &app.status.as_ref().expect("a status").text;
    assert_eq!(said, "3 rows unmarked");
}
