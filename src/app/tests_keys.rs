//! Keys of the popups and forms: small defects the one-vocabulary work removed.

use ratatui::crossterm::event::KeyCode;

use super::tests::{open_app, users_db};
use super::users_test_support::{admin_app, press, select, type_text};
use super::*;

fn role_form(app: &App) -> &super::user_panel::RoleForm {
    match &app.overlay {
        Overlay::User(panel) => match &panel.step {
            PanelStep::Role(form) => form,
            other => panic!("not the role form: {other:?}"),
        },
        other => panic!("the user menu is not open: {other:?}"),
    }
}

/// A user with two roles: nothing is highlighted while the field has the keyboard, so the first
/// ↓ must land on the list's first role (it went to the second: one past the hidden highlight).
#[test]
fn the_first_down_in_the_role_list_lands_on_the_first_role() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    conn.execute("UPDATE user SET role = 'admin,user' WHERE id = 'u0006'", []).unwrap();
    let effects = app.update(Action::Refresh);
    super::tests::settle(&mut app, &mut conn, effects);
    select(&mut app, &mut conn, "u0006");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    assert_eq!(role_form(&app).text(), "admin,user");
    let Load::Loaded(roles) = &role_form(&app).roles else { panic!("the roles arrive") };
    let first = roles[0].clone();
    press(&mut app, &mut conn, KeyCode::Down);
    let form = role_form(&app);
    assert!(form.on_list());
    assert_eq!(form.selected(), 0, "on {first}, the first role listed");
    // And ↑ from the field enters at the last.
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Up);
    let count = match &role_form(&app).roles {
        Load::Loaded(roles) => roles.len(),
        _ => 0,
    };
    assert_eq!(role_form(&app).selected(), count - 1);
}

/// Right after Enter adds a filter, Backspace on the empty value removes it; on the column or
/// operator it no longer does (it removed filters unseen there: only the value's Backspace
/// removes, the listed conditions take Delete).
#[test]
fn backspace_right_after_adding_a_filter_removes_it() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 40);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    assert!(matches!(app.overlay, Overlay::Filter(_)), "the filter bar opens");
    app.filter_choose_column(0); // id
    press(&mut app, &mut conn, KeyCode::Tab);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert_eq!(form.field(), FilterField::Operator);
    type_text(&mut app, &mut conn, "u0003");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().spec.filters.len(), 1);
    assert_eq!(app.active_tab().unwrap().total, Some(1));
    // On the operator field Backspace removes nothing; on the empty value it removes the filter.
    press(&mut app, &mut conn, KeyCode::BackTab);
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert_eq!(app.active_tab().unwrap().spec.filters.len(), 1, "not from the operator");
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert!(app.active_tab().unwrap().spec.filters.is_empty(), "the filter is removed");
    assert_eq!(app.active_tab().unwrap().total, Some(10));
    assert!(app.status.as_ref().unwrap().text.contains("filter removed"));
}

/// The migrations confirmation is the common confirmation overlay: its preview scrolls (it did
/// not: a long migration's statements were cut off below the popup), and n leaves it unapplied.
#[test]
fn the_migrations_confirmation_scrolls_and_no_applies_nothing() {
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 20);
    app.source.migrations.db_path = dir.path().join("t.db");
    app.source.migrations.backup_dir = dir.path().join("backups");
    let index = app.tab_titles().iter().position(|t| *t == "⇅ migrations").unwrap();
    let effects = app.update(Action::SelectTab { index });
    super::tests::settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    let Overlay::Confirm(confirmation) = &app.overlay else { panic!("A asks first: {:?}", app.overlay) };
    assert_eq!(confirmation.on_yes, Confirmed::ApplyMigrations);
    assert!(confirmation.height(&app) > 30, "the whole SQL is in the preview");
    assert!(hints(&app).contains(&("↑↓ PgUp PgDn", "scroll")));
    press(&mut app, &mut conn, KeyCode::PageDown);
    press(&mut app, &mut conn, KeyCode::Down);
    let Overlay::Confirm(confirmation) = &app.overlay else { panic!("still asking") };
    assert_eq!(confirmation.scroll, 11);
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("12-"), "the position is shown: {screen}");
    press(&mut app, &mut conn, KeyCode::Char('n'));
    assert!(matches!(app.overlay, Overlay::None));
    assert!(!app.pending.awaits(&Waiting::ApplyMigrations));
    assert_eq!(app.status.as_ref().unwrap().text, "nothing applied");
    assert!(!dir.path().join("backups").exists(), "nothing ran, not even the backup");
}

/// Typing on the column jumps to the value; erasing it with Backspace goes back to the column,
/// and ← → then change the column the bar shows selected, not the operator. (The bar goes in
/// the grid's order: on the user table name, then email.)
#[test]
fn arrows_change_the_column_after_backspace_erased_the_value_typed_from_it() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 40);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    assert!(matches!(app.overlay, Overlay::Filter(_)), "the filter bar opens");
    app.filter_choose_column(1); // name, first on screen
    type_text(&mut app, &mut conn, "x");
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert_eq!(form.field(), FilterField::Value, "typing goes to the value");
    press(&mut app, &mut conn, KeyCode::Backspace);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert_eq!(form.field(), FilterField::Column, "back on the column");
    press(&mut app, &mut conn, KeyCode::Right);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert_eq!((form.column(), form.op()), (2, 0), "the column moved, the operator did not");
    // From the operator: back on the operator, and the arrows move it.
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "y");
    press(&mut app, &mut conn, KeyCode::Backspace);
    press(&mut app, &mut conn, KeyCode::Right);
    let Overlay::Filter(form) = &app.overlay else { panic!("the filter bar stays open") };
    assert_eq!((form.field(), form.column(), form.op()), (FilterField::Operator, 2, 1));
}
