//! The insert form and the cell editor show only keys that fit and that do something.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::tests::{open_app, settle, users_db};
use crate::app::{Action, App};

use super::tests::render;

fn press(app: &mut App, conn: &mut rusqlite::Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

/// Defect: at 160 columns the insert form's keys wrapped `Esc cancel` onto a second row.
#[test]
fn the_insert_forms_keys_fit_one_row_at_160_columns() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 45);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let screen = render(&app);
    let row = screen.lines().find(|l| l.contains("* required")).expect("the keys show");
    assert!(row.contains("Ctrl-d default · Esc cancel"), "{screen}");
}

/// Defect: the editor of a NOT NULL boolean offered `Alt-Enter new line` and `Ctrl-n NULL`.
#[test]
fn a_not_null_booleans_editor_offers_neither_new_lines_nor_null() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 45);
    let column = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "emailVerified");
    for _ in 0..20 {
        if app.active_tab().unwrap().selected_col == column.unwrap() {
            break;
        }
        press(&mut app, &mut conn, KeyCode::Char('l'));
    }
    assert_eq!(app.active_tab().unwrap().selected_col, column.unwrap());
    press(&mut app, &mut conn, KeyCode::Char('e'));
    let screen = render(&app);
    let edge = screen.lines().find(|l| l.contains("Enter stage ·")).expect("the editor's keys show");
    assert!(!edge.contains("Alt-Enter") && !edge.contains("Ctrl-n NULL"), "{screen}");
    assert!(edge.contains("Ctrl-u clear · Esc cancel"), "{screen}");
}

/// Defect: the picker's title did not name the field it fills, and after picking the form
/// showed a bare key. The title names it; the key is shown with its row's label.
#[test]
fn the_picker_names_its_field_and_the_form_shows_the_picked_rows_label() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 160, 45);
    let index = app.tab_titles().iter().position(|t| t.trim() == "session").unwrap();
    let effects = app.update(Action::SelectTab { index });
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let crate::app::Overlay::Edit(crate::app::EditPopup::Insert { fields, .. }) = &app.overlay else { panic!() };
    let at = fields.iter().position(|f| f.column == "userId").unwrap();
    for _ in 0..at {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL) });
    settle(&mut app, &mut conn, effects);
    for c in "user2@".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    let screen = render(&app);
    assert!(screen.contains("userId: pick a row of user"), "{screen}");
    press(&mut app, &mut conn, KeyCode::Enter);
    press(&mut app, &mut conn, KeyCode::Tab);
    let screen = render(&app);
    let row = screen.lines().find(|l| l.contains("│*         userId ")).expect("the field shows");
    assert!(row.contains("u0002  user2@example.com"), "{screen}");
}

/// Defect: at 80x24 the picker covered the whole insert form. It takes the top half, the field
/// it fills stays in sight.
#[test]
fn at_80x24_the_picker_leaves_the_field_it_fills_in_sight() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 24);
    let index = app.tab_titles().iter().position(|t| t.trim() == "session").unwrap();
    let effects = app.update(Action::SelectTab { index });
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let crate::app::Overlay::Edit(crate::app::EditPopup::Insert { fields, .. }) = &app.overlay else { panic!() };
    let at = fields.iter().position(|f| f.column == "userId").unwrap();
    for _ in 0..at {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL) });
    settle(&mut app, &mut conn, effects);
    let screen = render(&app);
    assert!(screen.contains("userId: pick a row of user"), "{screen}");
    assert!(screen.lines().any(|l| l.contains("│*         userId NULL")), "{screen}");
}

/// Defect: at 80 columns the unknown-role warning was cut after "Enter ", losing what a second
/// Enter does. The message wraps whole and the form grows to hold it.
#[test]
fn the_unknown_role_warning_shows_whole_at_80x24() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 80, 24);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let at = |app: &App, column: &str| match &app.overlay {
        crate::app::Overlay::Edit(crate::app::EditPopup::Insert { form, fields }) => {
            (form.focus, fields.iter().position(|f| f.column == column).unwrap())
        }
        _ => panic!("the form opens"),
    };
    for (column, text) in [("name", "New"), ("email", "new@example.com"), ("role", "owner")] {
        while at(&app, column).0 != at(&app, column).1 {
            press(&mut app, &mut conn, KeyCode::Tab);
        }
        for _ in 0..10 {
            press(&mut app, &mut conn, KeyCode::Backspace);
        }
        for c in text.chars() {
            press(&mut app, &mut conn, KeyCode::Char(c));
        }
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    let screen = render(&app);
    let flat: String =
        screen.lines().map(|l| l.trim_matches(|c: char| c == '│' || c == ' ')).collect::<Vec<_>>().join(" ");
    assert!(flat.contains("owner is not a better-auth role"), "{screen}");
    assert!(flat.contains("Enter again stages it anyway"), "{screen}");
}

/// Defect: the session form showed the generated `token` in clear where the grid and the
/// review redact it. It shows redacted; typing there starts the user's own token, in clear.
#[test]
fn the_session_forms_generated_token_is_redacted() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(app.active_tab().unwrap().name, "session");
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let token = |app: &App| match &app.overlay {
        crate::app::Overlay::Edit(crate::app::EditPopup::Insert { form, fields }) => {
            let at = fields.iter().position(|f| f.column == "token").unwrap();
            (form.focus == at, form.text(at))
        }
        _ => panic!("the form opens"),
    };
    let generated = token(&app).1;
    assert!(generated.len() > 8, "{generated:?}");
    let screen = render(&app);
    assert!(screen.contains("token ••••••• (generated)"), "{screen}");
    assert!(!screen.contains(&generated), "{screen}");
    while !token(&app).0 {
        press(&mut app, &mut conn, KeyCode::Tab);
    }
    assert!(!render(&app).contains(&generated), "not while focused either");
    for c in "mine".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    assert_eq!(token(&app).1, "mine");
    assert!(render(&app).contains("token mine"));
}
