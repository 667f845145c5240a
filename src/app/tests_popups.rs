//! Popups stop scrolling at their end, and their keys come from their tables.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{open_app, users_db};
use super::*;

fn key(app: &mut App, code: KeyCode) {
    app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
}

/// Defect: PgDn scrolled the migrations preview until only its last line showed. It stops
/// where the last line reaches the popup's bottom, on screen and in the state.
#[test]
fn a_confirmation_scrolls_no_further_than_its_last_line_at_the_bottom() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 100, 20);
    let preview = (0..40).map(|i| PreviewLine::Item(format!("line {i}"))).collect();
    app.ask(Confirmation {
        title: "apply".into(),
        preview,
        scroll: 0,
        on_yes: Confirmed::ApplyMigrations,
        waiting: false,
        answer: None,
    });
    for _ in 0..10 {
        key(&mut app, KeyCode::PageDown);
    }
    let Overlay::Confirm(confirmation) = &app.overlay else { panic!("still asking") };
    let visible = usize::from(confirmation.popup(&app).height - 2);
    assert_eq!(
        usize::from(confirmation.scroll),
        confirmation.height(&app) - visible,
        "the last line at the bottom, no further"
    );
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("line 39"), "{screen}");
    assert!(screen.contains(&format!("line {}", 40 - visible)), "a full popup of lines: {screen}");
    key(&mut app, KeyCode::Up);
    let Overlay::Confirm(confirmation) = &app.overlay else { panic!("still asking") };
    assert_eq!(usize::from(confirmation.scroll), 39 - visible, "one up from the end moves at once");
}

/// Defect: help scrolled past its end into blank lines.
#[test]
fn help_scrolls_no_further_than_its_last_line() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 100, 24);
    app.update(Action::OpenHelp);
    for _ in 0..100 {
        key(&mut app, KeyCode::PageDown);
    }
    let Overlay::Help { scroll, .. } = app.overlay else { panic!("help is open") };
    let (lines, height) = help_layout(&app);
    assert_eq!(usize::from(scroll), lines.len() - usize::from(height - 2));
    key(&mut app, KeyCode::Up);
    let Overlay::Help { scroll: up, .. } = app.overlay else { panic!("help is open") };
    assert_eq!(up, scroll - 1, "one up from the end moves at once");
}

/// Defect: End, Home and G closed help ("any other key closes"): they jump to its last and
/// first line, and help stays open.
#[test]
fn help_jumps_to_its_ends_on_home_and_end() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 100, 24);
    app.update(Action::OpenHelp);
    let (lines, height) = help_layout(&app);
    let last = lines.len() - usize::from(height - 2);
    for (code, wanted) in
        [(KeyCode::End, last), (KeyCode::Home, 0), (KeyCode::Char('G'), last), (KeyCode::Char('g'), 0)]
    {
        key(&mut app, code);
        let Overlay::Help { scroll, .. } = app.overlay else { panic!("{code:?} closed help") };
        assert_eq!(usize::from(scroll), wanted, "{code:?}");
    }
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Up);
    let Overlay::Help { scroll, .. } = app.overlay else { panic!("help is open") };
    assert_eq!(usize::from(scroll), last - 1, "one up from the end moves at once");
}

/// Help lists the popups' tables: a key that works in the cell editor is in help.
#[test]
fn help_on_the_grid_lists_the_popups_keys() {
    let (_dir, mut conn) = users_db(3);
    let app = open_app(&mut conn, 100, 24);
    let (lines, _) = help_layout(&app);
    let titles: Vec<&str> = lines
        .iter()
        .filter_map(|l| match l {
            HelpLine::Title(t) => Some(*t),
            _ => None,
        })
        .collect();
    for wanted in
        ["Cell editor", "Insert form", "Review, quit and other confirmations", "Column chooser", "Export prompt"]
    {
        assert!(titles.contains(&wanted), "{wanted} in {titles:?}");
    }
    assert!(lines.iter().any(|l| matches!(l, HelpLine::Entry { key, .. } if key.trim() == "Alt-Enter")));
}

/// Defect: at 80 columns the `› SQL` tab fell off the tab bar. The special screens keep their
/// place at the right end, and a `…` says table tabs are hidden.
#[test]
fn a_narrow_tab_bar_keeps_the_special_screens_and_marks_hidden_tables() {
    let (_dir, mut conn) = users_db(3);
    for table in ["organization", "member", "invitation", "apikey", "passkey"] {
        conn.execute_batch(&format!("CREATE TABLE {table} (id TEXT PRIMARY KEY)")).unwrap();
    }
    let mut app = open_app(&mut conn, 80, 24);
    let screen = crate::ui::tests::render(&app);
    let bar = screen.lines().next().unwrap_or_default().to_string();
    assert!(bar.ends_with("› SQL"), "{bar}");
    assert!(bar.contains("◇ ER") && bar.contains("⇅ migrations"), "{bar}");
    assert!(bar.contains('›'), "hidden tables are counted: {bar}");
    // The last table can be reached: the tables scroll, the special screens stay.
    let last_table = app.tabs.len() - 1;
    app.update(Action::SelectTab { index: last_table });
    let spans = crate::app::layout::tab_spans(&app);
    assert!(spans.iter().any(|(i, _, _)| *i == last_table), "the active table is shown: {spans:?}");
    assert!(spans.iter().all(|(_, x, w)| x + w <= 80), "{spans:?}");
    let bar = crate::ui::tests::render(&app).lines().next().unwrap_or_default().to_string();
    assert!(bar.ends_with("› SQL"), "{bar}");
}

/// Defect: at 80 columns the tab bar hid tables without saying how many, and tables scrolled
/// off the left left no trace. Whichever table is active shows (its name cut with `…` when it
/// alone is too wide), and `‹N` / `N›` count the tabs hidden either side.
#[test]
fn at_80_columns_the_active_tab_shows_and_hidden_tabs_are_counted() {
    let (_dir, mut conn) = users_db(3);
    for table in ["organization", "member", "invitation", "apikey", "a_table_whose_name_is_wider_than_the_bar_left"] {
        conn.execute_batch(&format!("CREATE TABLE {table} (id TEXT PRIMARY KEY)")).unwrap();
    }
    let mut app = open_app(&mut conn, 80, 24);
    let tables = app.tabs.len();
    for index in 0..tables {
        app.update(Action::SelectTab { index });
        let bar = crate::ui::tests::render(&app).lines().next().unwrap_or_default().to_string();
        let name = app.tabs[index].name.clone();
        let cut: String = name.chars().take(8).collect();
        assert!(bar.contains(&cut), "{name} is active and shows: {bar}");
        assert!(bar.ends_with("› SQL"), "{bar}");
        let spans = crate::app::layout::tab_bar(&app);
        let first = spans.tabs.first().map_or(0, |t| t.index);
        let last_table = spans.tabs.iter().filter(|t| t.index < tables).map(|t| t.index).max().unwrap_or(0);
        if first > 0 {
            assert!(bar.starts_with(&format!("‹{first}")), "{first} hidden on the left: {bar}");
        }
        if last_table + 1 < tables {
            assert!(bar.contains(&format!("{}›", tables - last_table - 1)), "hidden on the right: {bar}");
        }
    }
}

/// Defect: deleting a session asked "Delete session id=s1?": a session is named by its
/// owner's email.
#[test]
fn a_session_delete_names_its_owners_email() {
    let (_dir, mut conn) = users_db(3);
    conn.execute_batch(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES
           ('s1', 1, 't1', 1, 1, 'u0001');",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    let session = app.tab_titles().iter().position(|t| *t == "session").expect("a session tab");
    let effects = app.update(Action::SelectTab { index: session });
    super::tests::settle(&mut app, &mut conn, effects);
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE) });
    super::tests::settle(&mut app, &mut conn, effects);
    let email: String = conn.query_row("SELECT email FROM user WHERE id = 'u0001'", [], |r| r.get(0)).unwrap();
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains(&format!("Delete session of {email}?")), "{screen}");
    assert!(!screen.contains("id=s1"), "{screen}");
}

/// Defect: at 80 columns lines were cut without `…`: the console's first line, and the hint
/// line dropping hints that do not fit.
#[test]
fn narrow_lines_are_cut_with_an_ellipsis() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 60, 24);
    let hint = crate::ui::tests::render(&app).lines().last().unwrap_or_default().to_string();
    assert!(hint.contains('…'), "hints left out are marked: {hint}");
    app.update(Action::OpenConsole);
    let screen = crate::ui::tests::render(&app);
    let line = screen.lines().find(|l| l.contains("F5 or Ctrl-r")).unwrap_or_default();
    assert!(line.ends_with('…'), "{screen}");
}

/// Defect: at 80 columns a click on the `‹N` / `N›` marks of hidden tabs did nothing. A click on
/// `N›` goes to the nearest hidden tab on the right, on `‹N` to the nearest on the left.
#[test]
fn a_click_on_a_hidden_tabs_mark_goes_to_the_nearest_hidden_tab() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let (_dir, mut conn) = users_db(3);
    for table in ["organization", "member", "invitation", "apikey", "passkey", "team"] {
        conn.execute_batch(&format!("CREATE TABLE {table} (id TEXT PRIMARY KEY)")).unwrap();
    }
    let mut app = open_app(&mut conn, 80, 24);
    let click = |app: &mut App, column: u16| {
        let mouse =
            MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column, row: 0, modifiers: KeyModifiers::NONE };
        app.update(Action::Mouse { mouse });
    };
    let bar = crate::app::layout::tab_bar(&app);
    let (at, _) = bar.right.clone().expect("tabs hidden on the right");
    let last_shown = bar.tabs.iter().filter(|t| t.index < app.tabs.len()).map(|t| t.index).max().unwrap();
    click(&mut app, at);
    assert_eq!(app.active, last_shown + 1, "the nearest hidden on the right: {:?}", bar);
    // Again and again to the last table: tabs then hide on the left.
    for _ in 0..app.tabs.len() {
        let Some((at, _)) = crate::app::layout::tab_bar(&app).right else { break };
        click(&mut app, at + 1);
    }
    assert_eq!(app.active, app.tabs.len() - 1);
    let bar = crate::app::layout::tab_bar(&app);
    let (at, _) = bar.left.clone().expect("tabs hidden on the left");
    let first_shown = bar.tabs[0].index;
    click(&mut app, at);
    assert_eq!(app.active, first_shown - 1, "the nearest hidden on the left: {bar:?}");
}

fn over_a_form(app: &App) -> bool {
    matches!(&app.overlay, Overlay::Help { over: Some(over), .. } if help::popup_form(over).is_some())
}

/// Defect: `?` in the forms typed itself (or unticked a role) and no key showed their help. F1
/// shows it in every form, `?` on a choice or list; in a text field `?` is a character.
#[test]
fn every_form_has_f1_help_and_question_mark_on_a_choice() {
    use super::users_test_support::{admin_app, press};
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    // The filter form opens on its column choice: `?` shows its keys, any key goes back.
    press(&mut app, &mut conn, KeyCode::Char('f'));
    press(&mut app, &mut conn, KeyCode::Char('?'));
    assert!(over_a_form(&app), "{:?}", app.overlay);
    assert!(help::help_lines(&app, 100).contains(&HelpLine::Title("Filter form")));
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(matches!(app.overlay, Overlay::Filter(_)), "back to the form");
    press(&mut app, &mut conn, KeyCode::Esc);
    // The ban form's reason takes `?` as text; F1 shows the keys.
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    press(&mut app, &mut conn, KeyCode::Char('?'));
    assert!(!over_a_form(&app));
    assert_eq!(help_key(&app), "F1");
    press(&mut app, &mut conn, KeyCode::F(1));
    assert!(over_a_form(&app), "{:?}", app.overlay);
    assert!(help::help_lines(&app, 100).contains(&HelpLine::Title("Ban form")));
    press(&mut app, &mut conn, KeyCode::Esc);
    let Some(form) = help::popup_form(&app.overlay) else { panic!("back to the ban form") };
    assert_eq!(form.text(0), "?", "the reason kept what was typed");
}
