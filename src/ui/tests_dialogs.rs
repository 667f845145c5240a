//! Every form and confirmation at 80x24: each field, label and hint readable (wrapped, or
//! scrolled with an indicator), never cut at the popup's edge.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::users_test_support::{admin_app, press, select, type_text};

use super::tests::render;
use crate::app::Overlay;

/// Defect: at 80x24 the ban form cut its examples and its intro at the popup's edge.
#[test]
fn ban_form_at_80x24_shows_every_field_label_and_hint() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    type_text(&mut app, &mut conn, "chargebacks");
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "7d");
    let screen = render(&app);
    for wanted in ["reason  chargebacks", "until  7d", "never (empty:", "permanent)", "sessions end.", "Esc back"] {
        assert!(screen.contains(wanted), "{wanted:?} in\n{screen}");
    }
    insta::assert_snapshot!("ban_form_80x24", screen);
    press(&mut app, &mut conn, KeyCode::Enter);
    let screen = render(&app);
    assert!(screen.contains("Ban user4@example.com?"), "{screen}");
    insta::assert_snapshot!("ban_confirm_80x24", screen);
}

#[test]
fn password_form_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('p'));
    type_text(&mut app, &mut conn, "hunter2");
    let screen = render(&app);
    assert!(screen.contains("scrypt hash)."), "{screen}");
    insta::assert_snapshot!("password_form_80x24", screen);
}

#[test]
fn role_form_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    insta::assert_snapshot!("role_form_80x24", render(&app));
}

/// The role form's refusal was cut at 80x24 (`…: Enter agai`): drawn as the form's rows, it
/// wraps whole like the ban and password forms' messages.
#[test]
fn the_role_forms_refusal_is_whole_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    type_text(&mut app, &mut conn, ",superadmin");
    press(&mut app, &mut conn, KeyCode::Enter);
    let screen = render(&app);
    assert!(screen.contains("(the app may define it)"), "{screen}");
}

#[test]
fn removal_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    insta::assert_snapshot!("removal_80x24", render(&app));
}

#[test]
fn delete_and_review_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('d'));
    insta::assert_snapshot!("delete_80x24", render(&app));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let effects = app.update(crate::app::Action::Key { key: KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL) });
    crate::app::tests::settle(&mut app, &mut conn, effects);
    insta::assert_snapshot!("review_80x24", render(&app));
}

/// The grid's forms at 80x24: the filter bar, the insert form, the cell editor, the export
/// prompt.
#[test]
fn grid_forms_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let screen = render(&app);
    let bar = screen.lines().find(|line| line.starts_with(" Tab next ·")).unwrap_or_default();
    assert!(bar.ends_with("Esc close"), "the filter bar's keys whole:\n{screen}");
    insta::assert_snapshot!("filter_bar_80x24", screen);
    press(&mut app, &mut conn, KeyCode::Esc);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    insta::assert_snapshot!("insert_form_80x24", without_uuids(&render(&app)));
    press(&mut app, &mut conn, KeyCode::Esc);
    press(&mut app, &mut conn, KeyCode::Char('e'));
    insta::assert_snapshot!("cell_editor_80x24", render(&app));
    press(&mut app, &mut conn, KeyCode::Esc);
    press(&mut app, &mut conn, KeyCode::Char('x'));
    let screen = render(&app);
    assert!(screen.contains(" Tab format · Ctrl-r secrets redacted · Enter write · Esc cancel"), "{screen}");
    insta::assert_snapshot!("export_prompt_80x24", screen);
}

/// The filter form in the popup frame above the status line at 80x24: a refused Enter's reason
/// wrapped whole under the fields, the grid's rows above the popup still drawn.
#[test]
fn filter_refusal_at_80x24() {
    let (_dir, mut conn, mut app) = admin_app(80, 24);
    press(&mut app, &mut conn, KeyCode::Char('f'));
    let created = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "createdAt");
    app.filter_choose_column(created.unwrap());
    type_text(&mut app, &mut conn, "the day before the launch of the second product line");
    press(&mut app, &mut conn, KeyCode::Enter);
    let screen = render(&app);
    let Overlay::Filter(bar) = &app.overlay else { panic!("the filter form stays open") };
    let refusal = bar.form.error.clone().unwrap_or_default();
    assert!(!refusal.is_empty(), "Enter is refused");
    let shown: String =
        screen.lines().map(|line| line.trim_matches(|c| c == '│' || c == ' ')).collect::<Vec<_>>().join(" ");
    assert!(shown.contains(&format!("✗ {refusal}")), "the refusal whole:\n{screen}");
    insta::assert_snapshot!("filter_refusal_80x24", screen);
}

/// `screen` with each generated UUID (a new row's id) written as `<uuid>`, so the snapshot holds.
fn without_uuids(screen: &str) -> String {
    let is_uuid = |word: &str| {
        word.len() == 36
            && word
                .chars()
                .enumerate()
                .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
    };
    screen
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|word| if is_uuid(word) { "<uuid>                              " } else { word })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The insert form's key line was written by hand and said other words than its hint line
/// (drawn from `INSERT_KEYS`): now both come from the keymap, so they read the same.
#[test]
fn the_insert_forms_keys_read_as_its_hint_line() {
    let (_dir, mut conn, mut app) = admin_app(160, 40);
    press(&mut app, &mut conn, KeyCode::Char('a'));
    let hint_line: Vec<String> = crate::app::hints(&app).iter().map(|(key, label)| format!("{key} {label}")).collect();
    let hint_line = hint_line.join(" · ");
    // The popup's rows, borders off, as one text (the keys may wrap inside the popup).
    let screen = render(&app);
    let lines: Vec<Vec<char>> = screen.lines().map(|line| line.chars().collect()).collect();
    let top = lines.iter().position(|line| line.iter().collect::<String>().contains("╭ new row")).unwrap();
    let left = lines[top].iter().position(|c| *c == '╭').unwrap();
    let right = lines[top].iter().position(|c| *c == '╮').unwrap();
    let bottom = lines.iter().skip(top).position(|line| line.get(left) == Some(&'╰')).unwrap() + top;
    let popup: Vec<String> =
        lines[top..=bottom].iter().map(|line| line[left + 1..right].iter().collect::<String>()).collect();
    let text = popup.join(" ").replace('─', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(&format!("* required · {hint_line}")), "{hint_line:?} in\n{}", popup.join("\n"));
}
