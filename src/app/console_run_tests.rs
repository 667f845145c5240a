//! Batches of statements, writes' confirmations and what a write shows, through the real console
//! worker (see [`super::super::console_tests::Harness`]).

use ratatui::crossterm::event::KeyCode;

use super::super::console::Outcome;
use super::super::console_tests::Harness;

fn status(h: &Harness) -> String {
    h.app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn n_skips_a_write_and_the_batch_goes_on() {
    let mut h = Harness::new(3);
    h.run("update user set name = 'A' where id = 'u0001'; select 1 as one; select 2 as two");
    assert!(matches!(h.app.console.results[0].outcome, Outcome::Confirm { .. }));
    h.key(KeyCode::Char('n'));
    let outcomes: Vec<&Outcome> = h.app.console.results.iter().map(|r| &r.outcome).collect();
    assert_eq!(outcomes, [&Outcome::Cancelled, &Outcome::Rows, &Outcome::Rows]);
}

#[test]
fn esc_on_a_write_stops_the_batch() {
    let mut h = Harness::new(3);
    h.run("update user set name = 'A' where id = 'u0001'; select 1 as one; select 2 as two");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.console.results.len(), 1);
    assert_eq!(h.app.console.results[0].outcome, Outcome::Cancelled);
    assert!(status(&h).contains("the remaining 2 not run"), "{}", status(&h));
}

#[test]
fn a_failing_statement_says_the_rest_was_not_run() {
    let mut h = Harness::new(3);
    h.run("select nope from user; select 1 as one; select 2 as two");
    assert_eq!(h.app.console.results.len(), 1);
    assert!(status(&h).ends_with("the remaining 2 statements were not run"), "{}", status(&h));
}

#[test]
fn returning_rows_show_in_the_grid_and_the_write_is_remembered_once() {
    let mut h = Harness::new(3);
    h.run("update user set name = 'Q' where id = 'u0001' returning id, name");
    h.key(KeyCode::Char('y'));
    let result = h.result();
    assert_eq!(result.outcome, Outcome::Rows);
    assert_eq!(result.grid.window.rows.len(), 1);
    assert_eq!(result.grid.window.rows[0].values[1], rusqlite::types::Value::Text("Q".into()));
    assert!(status(&h).starts_with("1 row changed"), "{}", status(&h));
    let saved = crate::history::read_history(&h.dir.path().join("history.jsonl")).unwrap();
    assert_eq!(saved.len(), 1, "{saved:?}");
}

#[test]
fn ddl_after_an_update_says_schema_changed() {
    let mut h = Harness::new(3);
    h.run("update user set name = 'Q'");
    h.key(KeyCode::Char('y'));
    h.run("create table note (id integer primary key)");
    h.key(KeyCode::Char('y'));
    assert_eq!(h.result().outcome, Outcome::Written { changes: None, unchanged: None });
    assert!(status(&h).starts_with("schema changed"), "{}", status(&h));
}

#[test]
fn the_hint_line_follows_the_consoles_focus() {
    let mut h = Harness::new(2);
    h.run("select 1 as one");
    assert_eq!(crate::app::help_key(&h.app), "F1", "? types itself in the editor");
    assert!(crate::app::hints(&h.app).iter().any(|(k, _)| *k == "F5"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.console.focus, crate::app::ConsoleFocus::Results);
    assert_eq!(crate::app::help_key(&h.app), "?");
    let keys: Vec<&str> = crate::app::hints(&h.app).iter().map(|(k, _)| *k).collect();
    assert!(!keys.contains(&"F5") && keys.contains(&"Tab"), "{keys:?}");
}

#[test]
fn completion_resolves_aliases_and_offers_tables_after_from() {
    let mut h = Harness::new(2);
    h.type_text("select * from session s where s.u");
    h.key(KeyCode::Tab);
    let completion = h.app.console.completion.clone().unwrap();
    assert_eq!(completion.candidates, ["updatedAt", "userAgent", "userId"], "only session's columns, listed");
    assert_eq!(h.app.console.text(), "select * from session s where s.updatedAt");
    h.app.console.editor = crate::app::editor_with("");
    h.app.console.completion = None;
    h.type_text("select * from ");
    h.key(KeyCode::Tab);
    let candidates = h.app.console.completion.clone().unwrap().candidates;
    assert!(candidates.contains(&"user".to_string()) && candidates.contains(&"session".to_string()));
    assert!(!candidates.contains(&"email".to_string()), "tables only after FROM: {candidates:?}");
    let screen = crate::ui::tests::render(&h.app);
    assert!(screen.contains("Tab: user session"), "the candidates are shown: {screen}");
}

#[test]
fn a_write_asks_in_the_one_confirmation_and_is_asked_again_when_put_away() {
    let mut h = Harness::new(3);
    h.run("update user set name = 'A' where id = 'u0001'");
    let super::super::Overlay::Confirm(confirmation) = &h.app.overlay else { panic!("asked: {:?}", h.app.overlay) };
    assert_eq!(confirmation.on_yes, super::super::Confirmed::ConsoleWrite { result: 0 });
    // Put away (as help does over it): the write still waits, and the next key answers it.
    h.app.overlay = super::super::Overlay::None;
    h.key(KeyCode::Char('y'));
    assert!(matches!(h.app.overlay, super::super::Overlay::None));
    let name: String = h.conn.query_row("SELECT name FROM user WHERE id = 'u0001'", [], |r| r.get(0)).unwrap();
    assert_eq!(name, "A");
}
