//! No full scans unless asked: on a remote, `#`, a sort or filter no index serves and a search
//! say what they read and send nothing until confirmed; locally nothing is asked.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{press, remote_app, type_text};
use crate::app::{Action, App, Effect, Level};

fn requests(effects: &[Effect]) -> usize {
    effects.iter().filter(|effect| matches!(effect, Effect::Request { .. })).count()
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) })
}

fn status(app: &App) -> (Level, String) {
    let status = app.status.as_ref().expect("a status");
    (status.level, status.text.clone())
}

fn column(app: &App, name: &str) -> usize {
    let meta = app.active_tab().unwrap().meta().unwrap();
    meta.info.columns.iter().position(|c| c.name == name).unwrap()
}

#[test]
fn the_exact_count_on_a_remote_says_what_it_reads_and_runs_on_the_second_press() {
    let (_dir, mut app, mut db, check, fake) = remote_app(true);
    // Deleted rows leave max(rowid) above the count: the estimate says 120, there are 118.
    check.execute("DELETE FROM \"user\" WHERE id IN ('u0010', 'u0011')", []).unwrap();
    assert!(app.total_is_estimate(app.active_tab().unwrap()));
    let before = fake.requests();
    assert_eq!(requests(&key(&mut app, KeyCode::Char('#'))), 0, "nothing is sent before the go-ahead");
    let (level, said) = status(&app);
    assert_eq!(level, Level::Warning);
    assert!(said.contains("reads every row (~120 rows read)"), "{said}");
    assert_eq!(crate::app::hints(&app)[0].0, "y", "the hint line says how to run it");
    let effects = key(&mut app, KeyCode::Char('#'));
    assert_eq!(requests(&effects), 1, "the second press sends one request");
    super::settle(&mut app, &mut db, effects);
    let statements = fake.statements();
    assert_eq!(statements.len(), before + 1, "{statements:#?}");
    assert!(statements[before].contains("count(*)"), "{statements:#?}");
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, Some(118));
    assert!(!app.total_is_estimate(tab), "shown without ~");
    assert!(status(&app).1.contains("exactly 118 rows"), "{:?}", app.status);
}

#[test]
fn y_confirms_and_any_other_key_drops_the_question() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    key(&mut app, KeyCode::Char('#'));
    press(&mut app, &mut db, KeyCode::Char('j'));
    assert!(app.remote.as_ref().unwrap().cost.ask.is_none());
    assert!(status(&app).1.starts_with("not run: the exact count"), "{:?}", app.status);
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Char('y'));
    assert_eq!(fake.requests(), before, "a later y runs nothing");
    key(&mut app, KeyCode::Char('#'));
    let effects = key(&mut app, KeyCode::Char('y'));
    assert_eq!(requests(&effects), 1);
}

/// Walkthrough: `q` at a question quit squall. `q` and Esc are "no", and nothing else.
#[test]
fn q_or_esc_at_a_question_only_drops_it() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(true);
    for code in [KeyCode::Char('q'), KeyCode::Esc] {
        key(&mut app, KeyCode::Char('#'));
        assert!(app.remote.as_ref().unwrap().cost.ask.is_some());
        press(&mut app, &mut db, code);
        assert!(!app.should_quit, "{code:?} quit squall");
        assert!(app.remote.as_ref().unwrap().cost.ask.is_none());
        assert!(status(&app).1.starts_with("not run: the exact count"), "{:?}", app.status);
    }
}

#[test]
fn a_sort_by_an_unindexed_column_on_a_remote_asks_first_and_an_indexed_one_does_not() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    let name = column(&app, "name");
    let effects = app.update(Action::SortColumn { column: name });
    assert_eq!(requests(&effects), 0, "nothing read before the go-ahead");
    assert!(app.active_tab().unwrap().spec.sort.is_none(), "the view on screen stays described");
    let (level, said) = status(&app);
    assert_eq!(level, Level::Warning);
    assert!(said.contains("Sorting by name") && said.contains("~120 rows read"), "{said}");
    let before = fake.requests();
    let effects = key(&mut app, KeyCode::Char('y'));
    assert!(requests(&effects) >= 1);
    super::settle(&mut app, &mut db, effects);
    let statements = fake.statements();
    assert!(statements[before].contains("ORDER BY \"name\""), "{statements:#?}");
    assert_eq!(app.active_tab().unwrap().spec.sort.as_ref().unwrap().column, "name");
    assert!(status(&app).1.contains("the first page read"), "{:?}", app.status);
    // The primary key is indexed: no question.
    let id = column(&app, "id");
    let effects = app.update(Action::SortColumn { column: id });
    assert!(requests(&effects) >= 1, "sorted at once");
    assert!(app.remote.as_ref().unwrap().cost.ask.is_none());
}

#[test]
fn a_search_on_a_remote_asks_first_and_enter_runs_it() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "user1");
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Enter);
    assert_eq!(fake.requests(), before, "nothing read before the go-ahead");
    assert!(app.active_tab().unwrap().spec.search.is_none());
    assert!(status(&app).1.contains("The search"), "{:?}", app.status);
    press(&mut app, &mut db, KeyCode::Enter);
    assert!(fake.requests() > before);
    assert_eq!(app.active_tab().unwrap().spec.search.as_deref(), Some("user1"));
    assert!(app.active_tab().unwrap().window.rows.len() > 1);
}

#[test]
fn the_question_on_screen() {
    let (_dir, mut app, _db, _check, _fake) = remote_app(true);
    key(&mut app, KeyCode::Char('#'));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 8)).unwrap();
    app.update(Action::Resize { width: 160, height: 8 });
    terminal.draw(|frame| crate::ui::draw(frame, &app)).unwrap();
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn a_page_answered_from_the_read_ahead_has_the_page_after_it_read_ahead_too() {
    use crate::db::page::{Anchor, View};
    use crate::service::protocol::{DbRequest, DbResult};
    use crate::service::{handle, read_ahead};
    let (_dir, app, mut db, _check, fake) = remote_app(true);
    let view: View = app.active_tab().unwrap().view().unwrap();
    let mut anchor = Anchor::First;
    let mut firsts = Vec::new();
    for step in 0..4 {
        let before = fake.requests();
        let asked = DbRequest::FetchPage { view: view.clone(), anchor: anchor.clone(), limit: 10 };
        let Ok(DbResult::Page(page)) = handle(&mut db, asked, &mut |_| {}) else { panic!("a page") };
        if step > 0 {
            assert_eq!(fake.requests(), before, "page {step} was answered from the page read ahead");
        }
        firsts.push(crate::db::value::raw_text(&page.rows[0].values[0]));
        anchor = Anchor::After(page.rows.last().unwrap().cursor.clone());
        read_ahead(&mut db);
    }
    assert_eq!(firsts, ["u0000", "u0010", "u0020", "u0030"]);
}
