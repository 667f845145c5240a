//! The filter bar on the one form: operators by kind, field movement like the other forms,
//! columns in the grid's order (defects a new user met).

use ratatui::crossterm::event::KeyCode;

use super::super::tests::{open_app, users_db};
use super::super::users_test_support::{press, type_text};
use super::super::{App, FilterField, Overlay};

fn bar(app: &App) -> &super::FilterForm {
    let Overlay::Filter(bar) = &app.overlay else { panic!("the filter bar is open: {:?}", app.overlay) };
    bar
}

fn column_index(app: &App, name: &str) -> usize {
    app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == name).unwrap()
}

/// The operator labels offered on column `name`, read by cycling the operator field with →.
fn offered(app: &mut App, conn: &mut rusqlite::Connection, name: &str) -> Vec<String> {
    let at = column_index(app, name);
    app.filter_choose_column(at);
    let Overlay::Filter(form) = &mut app.overlay else { panic!("the filter bar is open") };
    form.set_field(FilterField::Operator);
    let mut seen = Vec::new();
    loop {
        let label = app.filter_form_labels(bar(app)).unwrap().op;
        if seen.contains(&label) {
            return seen;
        }
        seen.push(label);
        press(app, conn, KeyCode::Right);
    }
}

/// A boolean offered `<` and `contains`: each kind offers only what makes sense for it.
#[test]
fn each_column_offers_only_the_operators_its_kind_makes_sense_with() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 160, 40);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    assert_eq!(offered(&mut app, &mut conn, "banned"), ["=", "≠", "is null", "is not null"]);
    let text = offered(&mut app, &mut conn, "name");
    assert!(text.contains(&"contains".to_string()) && !text.contains(&"<".to_string()), "{text:?}");
    let time = offered(&mut app, &mut conn, "createdAt");
    assert!(time.contains(&"<".to_string()) && !time.contains(&"contains".to_string()), "{time:?}");
    // A boolean filter still reads true / false.
    let banned = column_index(&app, "banned");
    app.filter_choose_column(banned);
    type_text(&mut app, &mut conn, "true");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().spec.filters.len(), 1);
}

/// ← → did not move between the bar's fields and ↑↓ changed the choice: now Tab / ↓ and
/// Shift-Tab / ↑ move as in every form, ← → change a choice, and in the value move the cursor.
#[test]
fn arrows_move_between_fields_like_other_forms_and_left_right_change_a_choice() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 160, 40);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    assert_eq!(bar(&app).field(), FilterField::Column);
    press(&mut app, &mut conn, KeyCode::Down);
    assert_eq!(bar(&app).field(), FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Down);
    assert_eq!(bar(&app).field(), FilterField::Value);
    press(&mut app, &mut conn, KeyCode::Down);
    assert_eq!(bar(&app).field(), FilterField::Column, "round to the column");
    press(&mut app, &mut conn, KeyCode::Up);
    assert_eq!(bar(&app).field(), FilterField::Value);
    press(&mut app, &mut conn, KeyCode::BackTab);
    assert_eq!(bar(&app).field(), FilterField::Operator);
    let op = bar(&app).op();
    press(&mut app, &mut conn, KeyCode::Right);
    assert_eq!(bar(&app).op(), op + 1, "→ changes the operator");
    press(&mut app, &mut conn, KeyCode::Left);
    assert_eq!(bar(&app).op(), op);
    press(&mut app, &mut conn, KeyCode::Up);
    let column = bar(&app).column();
    press(&mut app, &mut conn, KeyCode::Right);
    assert_ne!(bar(&app).column(), column, "→ changes the column");
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "ab");
    press(&mut app, &mut conn, KeyCode::Left);
    type_text(&mut app, &mut conn, "X");
    assert_eq!(bar(&app).value(), "aXb", "in the value ← moves the cursor");
    assert_eq!(bar(&app).field(), FilterField::Value);
}

/// → on the column went in the schema's order, not the order the grid shows the columns in.
#[test]
fn the_column_choice_goes_in_the_order_the_grid_shows() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 160, 40);
    // The computed `@status` and `@sessions` where the grid shows them, not after the rest.
    let on_screen: Vec<String> =
        app.chooser_entries().into_iter().map(|e| e.key.trim_start_matches('@').to_string()).collect();
    let schema: Vec<String> =
        app.active_tab().unwrap().meta().unwrap().info.columns.iter().map(|c| c.name.clone()).collect();
    assert_ne!(on_screen, schema, "the user table shows its columns in its own order");
    let first = column_index(&app, &on_screen[0]);
    app.active_tab_mut().unwrap().selected_col = first;
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let mut seen = Vec::new();
    for _ in 0..on_screen.len() {
        seen.push(app.filter_form_labels(bar(&app)).unwrap().column);
        press(&mut app, &mut conn, KeyCode::Right);
    }
    assert_eq!(seen, on_screen);
}

/// The filter form's popup takes the grid's bottom rows: opened on the last row on screen, the
/// grid scrolls so the row being filtered stays above the popup.
#[test]
fn the_row_being_filtered_stays_above_the_form() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 80, 24);
    let visible = super::super::layout::grid_rows(&app);
    for _ in 1..visible {
        press(&mut app, &mut conn, KeyCode::Down);
    }
    assert_eq!(app.active_tab().unwrap().window.selected, visible - 1);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let window = &app.active_tab().unwrap().window;
    let shown = super::super::layout::grid_rows(&app);
    assert!(shown < visible, "the form takes rows of the grid");
    assert!(window.selected >= window.top && window.selected < window.top + shown, "{window:?}");
}

/// Under `is null` the value field is not drawn, yet Tab gave it the keyboard: nothing looked
/// focused and typed text went there unseen. Tab and the arrows now skip it.
#[test]
fn tab_skips_the_value_field_an_operator_without_a_value_hides() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 160, 40);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let name = column_index(&app, "name");
    app.filter_choose_column(name);
    let Overlay::Filter(form) = &mut app.overlay else { panic!("the filter bar is open") };
    form.set_field(FilterField::Operator);
    while app.filter_form_labels(bar(&app)).unwrap().op != "is null" {
        press(&mut app, &mut conn, KeyCode::Right);
    }
    assert!(!app.filter_form_labels(bar(&app)).unwrap().takes_value);
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(bar(&app).field(), FilterField::Column, "Tab skips the value it does not show");
    press(&mut app, &mut conn, KeyCode::BackTab);
    assert_eq!(bar(&app).field(), FilterField::Operator);
    press(&mut app, &mut conn, KeyCode::Down);
    assert_eq!(bar(&app).field(), FilterField::Column, "↓ too");
    press(&mut app, &mut conn, KeyCode::Up);
    assert_eq!(bar(&app).field(), FilterField::Operator, "and ↑");
    type_text(&mut app, &mut conn, "x");
    assert_eq!(bar(&app).value(), "", "a letter does not go to a value that is not there");
    assert_eq!(bar(&app).field(), FilterField::Operator);
    // An operator that takes a value shows the field again, and Tab goes to it.
    press(&mut app, &mut conn, KeyCode::Left);
    assert!(app.filter_form_labels(bar(&app)).unwrap().takes_value);
    press(&mut app, &mut conn, KeyCode::Tab);
    assert_eq!(bar(&app).field(), FilterField::Value);
}
