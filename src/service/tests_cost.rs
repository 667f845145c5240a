//! No full scans unless asked: on a remote, `#`, a sort or filter no index serves and a search
//! say what they read and send nothing until confirmed; locally nothing is asked.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{press, remote_app, remote_app_of, type_text};
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
    assert!(said.contains("Sorting by name") && said.contains("read up to ~240 rows each"), "{said}");
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
fn a_search_on_a_remote_asks_first_and_y_runs_it() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "user1");
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Enter);
    assert_eq!(fake.requests(), before, "nothing read before the go-ahead");
    assert!(app.active_tab().unwrap().spec.search.is_none());
    assert!(status(&app).1.contains("The search"), "{:?}", app.status);
    press(&mut app, &mut db, KeyCode::Char('y'));
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

/// Walkthrough (5,000 users): the sort question said ~5,000 rows a page, the sort read ~23,000:
/// every page of a view that scans reads the table again, and the page read ahead did too. Such
/// a page is read when asked for, never ahead, and the question says each page reads again.
#[test]
fn a_view_that_scans_reads_its_pages_only_when_asked_and_the_question_says_each_reads_again() {
    // More users than an unindexed sort's page (1,000 rows), so there is a page after the first.
    let (_dir, mut app, mut db, _check, fake) = remote_app_of(1_100, true);
    let name = column(&app, "name");
    app.update(Action::SortColumn { column: name });
    let said = status(&app).1;
    assert!(
        said.contains("its first 1,000 rows, G, and each next 1,000 rows as you scroll read up to ~2,200 rows each"),
        "{said}"
    );
    let before = fake.requests();
    let effects = key(&mut app, KeyCode::Char('y'));
    super::settle(&mut app, &mut db, effects);
    let scans = |from: usize| fake.since(from).iter().filter(|s| s.contains("ORDER BY \"name\"")).count();
    assert_eq!(scans(before), 1, "the first page, and no page read ahead: {:#?}", fake.since(before));
    // The page is 1,000 rows; the users' statuses are read for the rows near the screen only.
    let statuses: Vec<String> =
        fake.since(before).into_iter().filter(|s| s.contains("__squall_active_sessions")).collect();
    let ids: usize = statuses.iter().map(|s| s.matches('?').count().saturating_sub(1)).sum();
    assert!(ids <= 150, "statuses of {ids} users, not of the 1,000 read: {statuses:#?}");
    press(&mut app, &mut db, KeyCode::Char('G'));
    assert_eq!(scans(before), 2, "G reads the table once more, as said: {:#?}", fake.since(before));
    // A search scans too: its pages are not read ahead either. (The sort the other way round
    // reads the table again: asked, and run with y; then no sort.)
    press(&mut app, &mut db, KeyCode::Char('s'));
    press(&mut app, &mut db, KeyCode::Char('y'));
    press(&mut app, &mut db, KeyCode::Char('s'));
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "User");
    press(&mut app, &mut db, KeyCode::Enter);
    assert!(status(&app).1.contains("read up to ~1,100 rows each"), "{:?}", app.status);
    press(&mut app, &mut db, KeyCode::Char('y'));
    let searches = fake.since(before).iter().filter(|s| s.contains("LIKE")).count();
    assert_eq!(searches, 1, "the first page only: {:#?}", fake.since(before));
}

/// Walkthrough: a filtered view on a remote was counted exactly in the background after its
/// first page (a `count(*)` reading every row it scans). Nothing counts exactly without `#`:
/// the status line says the rows read so far, and more.
#[test]
fn a_filtered_view_on_a_remote_is_not_counted_unless_asked() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "example");
    press(&mut app, &mut db, KeyCode::Enter);
    press(&mut app, &mut db, KeyCode::Char('y'));
    assert!(!fake.since(before).iter().any(|s| s.starts_with("SELECT count(")), "no count: {:#?}", fake.since(before));
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, None);
    assert_eq!(app.uncounted_total(tab), "100+", "the rows read so far, and more");
    // `#` asks, then counts exactly.
    key(&mut app, KeyCode::Char('#'));
    let said = status(&app).1;
    assert!(said.contains("An exact count of this view reads every row of user (~120 rows read)"), "{said}");
    let effects = key(&mut app, KeyCode::Char('y'));
    super::settle(&mut app, &mut db, effects);
    assert_eq!(app.active_tab().unwrap().total, Some(120));
    // A view whose rows all fit on hand is counted by them, for free.
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Char('/'));
    for _ in 0.."example".len() {
        press(&mut app, &mut db, KeyCode::Backspace);
    }
    type_text(&mut app, &mut db, "user11");
    press(&mut app, &mut db, KeyCode::Enter);
    // Another search scans the table again: asked, and run with y.
    assert_eq!(status(&app).0, Level::Warning, "{:?}", app.status);
    press(&mut app, &mut db, KeyCode::Char('y'));
    assert!(!fake.since(before).iter().any(|s| s.starts_with("SELECT count(")), "no count: {:#?}", fake.since(before));
    assert_eq!(app.active_tab().unwrap().total, Some(11), "user11 and user110..user119");
}

/// Walkthrough: `m` (the key that shows a cut message whole) at a question cancelled it. `m`
/// and `?` show the messages or help and keep the question; the hint line comes from its keys.
#[test]
fn m_and_help_at_a_question_keep_it() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    for (show, open) in [(KeyCode::Char('m'), "Messages"), (KeyCode::Char('?'), "Help")] {
        key(&mut app, KeyCode::Char('#'));
        let hints: Vec<&str> = crate::app::hints(&app).iter().map(|h| h.0).collect();
        assert_eq!(hints[..3], ["y", "q/Esc", "m"], "from the question's keymap");
        press(&mut app, &mut db, show);
        assert!(format!("{:?}", app.overlay).starts_with(open), "{show:?} opens {open}: {:?}", app.overlay);
        assert!(app.remote.as_ref().unwrap().cost.ask.is_some(), "{show:?} kept the question");
        assert!(app.question_on_screen().is_none(), "not drawn over the {open}");
        press(&mut app, &mut db, KeyCode::Esc);
        assert!(app.remote.as_ref().unwrap().cost.ask.is_some(), "closing the {open} keeps it");
        assert!(app.question_on_screen().is_some(), "shown again");
        let before = fake.requests();
        press(&mut app, &mut db, KeyCode::Char('y'));
        assert_eq!(fake.requests(), before + 1, "y still runs it");
    }
}

/// Walkthrough: the questions were cut at 80 columns. Each is drawn whole, wrapped in a popup
/// above the status line, at 80x24.
#[test]
fn every_question_reads_whole_at_80_columns() {
    let (_dir, mut app, _db, _check, _fake) = remote_app(true);
    app.update(Action::Resize { width: 80, height: 24 });
    let name = column(&app, "name");
    app.update(Action::SortColumn { column: name });
    let question = app.question_on_screen().unwrap().0;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| crate::ui::draw(frame, &app)).unwrap();
    let screen: Vec<String> =
        (0..24).map(|y| (0..80).map(|x| terminal.backend().buffer()[(x, y)].symbol().to_string()).collect()).collect();
    let text: String =
        screen.iter().map(|row| row.trim_matches(|c| c == '│' || c == ' ').to_string()).collect::<Vec<_>>().join(" ");
    for word in question.split_whitespace() {
        assert!(text.contains(word), "{word:?} of {question:?} is on screen:\n{}", screen.join("\n"));
    }
    assert!(text.contains("y runs it"), "{}", screen.join("\n"));
    insta::assert_snapshot!(terminal.backend());
}

/// `gr` through a reference no index serves asks first, and says how many rows that reads.
/// `gr` on a remote (the walkthrough: a question about `impersonatedBy`, and `q` cancelled the
/// whole list): the relations an index serves are counted at once, the unindexed one is listed
/// uncounted with the rows counting it would read (`max(rowid)`, one row), and nothing scans.
#[test]
fn gr_on_a_remote_counts_by_index_and_lists_the_unindexed_relation_uncounted() {
    use crate::service::protocol::{DbRequest, DbResult};
    let (_dir, conn) = crate::app::tests::users_db(5);
    for (id, user) in [("s1", "u0001"), ("s2", "u0002"), ("s3", "u0002")] {
        crate::app::users_test_support::add_session(&conn, id, user, 24, None);
    }
    let filler = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId)
         SELECT 'f' || i, 0, 't' || i, 0, 0, 'u0001' FROM n";
    conn.execute_batch(filler).unwrap();
    let fake = crate::service::fake_d1::FakeD1::new(conn, true);
    let mut db = crate::service::Db::from_remote(crate::service::Remote::new(fake.clone()));
    let ask = |scan| DbRequest::ReferencingRows {
        table: "user".into(),
        columns: vec!["id".into()],
        values: vec![rusqlite::types::Value::Text("u0002".into())],
        scan,
    };
    let read = |fake: &crate::service::fake_d1::FakeD1| {
        crate::service::remote::RemoteDatabase::session_cost(fake).total.rows_read.unwrap_or_default()
    };
    let before = read(&fake);
    let result = crate::service::handle(&mut db, ask(false), &mut |_| {});
    let Ok(DbResult::Referencing(groups)) = result else { panic!("listed: {result:?}") };
    let shown: Vec<(String, bool, u64)> = groups.iter().map(|g| (g.label.clone(), g.counted, g.count)).collect();
    assert_eq!(
        shown,
        [
            ("sessions via userId".to_string(), true, 2),
            ("accounts via userId".to_string(), true, 0),
            ("sessions via impersonatedBy".to_string(), false, 0)
        ]
    );
    assert_eq!(groups[2].table_rows, Some(2003), "max(rowid) of session");
    let rows_read = read(&fake) - before;
    assert!(rows_read < 100, "{rows_read} rows read");
    // `y` in the list: counted by scanning, asked for.
    let result = crate::service::handle(&mut db, ask(true), &mut |_| {});
    let Ok(DbResult::Referencing(groups)) = result else { panic!("counted: {result:?}") };
    assert!(groups.iter().all(|g| g.counted), "{groups:?}");
}

/// The walkthrough's "show impersonations" read 7,255 rows in one request without asking
/// (`session.impersonatedBy` has no index). On a remote the worker now says what listing would
/// read (`max(rowid)`, one row) and lists only when asked again with `scan`; with an index on
/// `impersonatedBy` it lists at once, reading by the two indexes.
#[test]
fn impersonations_on_a_remote_are_listed_only_when_asked_unless_an_index_serves_them() {
    use crate::service::protocol::{DbRequest, DbResult, UsersRequest, UsersResult};
    let (_dir, conn) = crate::app::tests::users_db(5);
    crate::app::users_test_support::add_session(&conn, "imp", "u0002", 24, Some("u0000"));
    let filler = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId)
         SELECT 'f' || i, 0, 't' || i, 0, 0, 'u0001' FROM n";
    conn.execute_batch(filler).unwrap();
    let path = conn.path().unwrap().to_string();
    let fake = crate::service::fake_d1::FakeD1::new(conn, true);
    let mut db = crate::service::Db::from_remote(crate::service::Remote::new(fake.clone()));
    let now = crate::app::tests::fixed_ctx().now;
    let ask = |scan| DbRequest::Users(UsersRequest::Impersonations { user: "u0000".into(), now, scan });
    let read = |fake: &crate::service::fake_d1::FakeD1| {
        crate::service::remote::RemoteDatabase::session_cost(fake).total.rows_read.unwrap_or_default()
    };
    let before = read(&fake);
    let result = crate::service::handle(&mut db, ask(false), &mut |_| {});
    let Ok(DbResult::Users(UsersResult::ImpersonationsScan { rows })) = result else { panic!("asked: {result:?}") };
    assert_eq!(rows, 2001, "max(rowid) of session");
    let rows_read = read(&fake) - before;
    assert!(rows_read < 100, "{rows_read} rows read before asking");
    let result = crate::service::handle(&mut db, ask(true), &mut |_| {});
    let Ok(DbResult::Users(UsersResult::Impersonations(list))) = result else { panic!("listed: {result:?}") };
    assert_eq!(list.len(), 1);

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE INDEX session_impersonatedBy_idx ON session (impersonatedBy)").unwrap();
    let fake = crate::service::fake_d1::FakeD1::new(conn, true);
    let mut db = crate::service::Db::from_remote(crate::service::Remote::new(fake.clone()));
    let result = crate::service::handle(&mut db, ask(false), &mut |_| {});
    let Ok(DbResult::Users(UsersResult::Impersonations(list))) = result else { panic!("listed: {result:?}") };
    assert_eq!(list.len(), 1);
    assert!(read(&fake) < 100, "{} rows read with the index", read(&fake));
}

/// Walkthrough: turning an unindexed sort from ascending to descending read the table again
/// (10,000 rows) without asking: a new view that scans asks, even for a cause already on screen.
#[test]
fn the_same_unindexed_sort_the_other_way_round_asks_again() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    let name = column(&app, "name");
    app.update(Action::SortColumn { column: name });
    let effects = key(&mut app, KeyCode::Char('y'));
    super::settle(&mut app, &mut db, effects);
    let before = fake.requests();
    let effects = app.update(Action::SortColumn { column: name });
    assert_eq!(requests(&effects), 0, "nothing read before the go-ahead");
    assert_eq!(fake.requests(), before);
    let (level, said) = status(&app);
    assert_eq!(level, Level::Warning);
    assert!(said.contains("Sorting by name"), "{said}");
    let effects = key(&mut app, KeyCode::Char('y'));
    super::settle(&mut app, &mut db, effects);
    let sort = app.active_tab().unwrap().spec.sort.clone().unwrap();
    assert_eq!(sort.direction, crate::db::page::SortDirection::Desc);
}

/// Walkthrough: `#` on a filtered view said `user: exactly 956 rows`, as if of the table.
#[test]
fn the_exact_count_of_a_narrowed_view_says_it_is_of_this_view() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(true);
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "user1");
    press(&mut app, &mut db, KeyCode::Enter);
    press(&mut app, &mut db, KeyCode::Char('y'));
    key(&mut app, KeyCode::Char('#'));
    let effects = key(&mut app, KeyCode::Char('y'));
    super::settle(&mut app, &mut db, effects);
    let said = status(&app).1;
    assert!(said.starts_with("this view: exactly 31 rows of user"), "{said}");
}

/// Walkthrough: `x` on a searched view read 5,000 rows in one request and its prompt said
/// nothing of it; a whole table's prompt said `5,000 rows` of an estimate, without `~`.
#[test]
fn the_export_prompt_on_a_remote_says_what_it_reads_and_marks_estimates() {
    let (_dir, mut app, mut db, _check, _fake) = remote_app(true);
    let prompt_line = |app: &App| {
        let screen = crate::ui::tests::render(app);
        screen.lines().find(|line| line.contains("of user")).unwrap_or_default().to_string()
    };
    press(&mut app, &mut db, KeyCode::Char('x'));
    let line = prompt_line(&app);
    assert!(line.contains("~120 rows of user") && line.contains("reads ~120 rows on D1"), "{line}");
    press(&mut app, &mut db, KeyCode::Esc);
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "user1");
    press(&mut app, &mut db, KeyCode::Enter);
    press(&mut app, &mut db, KeyCode::Char('y'));
    press(&mut app, &mut db, KeyCode::Char('x'));
    let line = prompt_line(&app);
    assert!(line.contains("reads ~120 rows on D1"), "the search scans the table: {line}");
}

/// Walkthrough: `s` at the sort's question ran the scan (10,000 rows), and Enter at the search's
/// question ran it, though the hint line says "other keys no, and go on". Only `y` runs it.
#[test]
fn s_and_enter_at_a_held_question_send_nothing() {
    let (_dir, mut app, mut db, _check, fake) = remote_app(true);
    // To the first column no index serves (a sort by it asks).
    for _ in 0..10 {
        press(&mut app, &mut db, KeyCode::Char('l'));
        press(&mut app, &mut db, KeyCode::Char('s'));
        if app.remote.as_ref().unwrap().cost.ask.is_some() {
            break;
        }
        press(&mut app, &mut db, KeyCode::Char('s'));
        press(&mut app, &mut db, KeyCode::Char('s'));
    }
    let before = fake.requests();
    assert!(app.remote.as_ref().unwrap().cost.ask.is_some(), "{:?}", app.status);
    for _ in 0..3 {
        press(&mut app, &mut db, KeyCode::Char('s'));
        assert_eq!(fake.requests(), before, "s at the question sent {:#?}", fake.since(before));
    }
    assert!(app.active_tab().unwrap().spec.sort.is_none(), "{:?}", app.active_tab().unwrap().spec);
    press(&mut app, &mut db, KeyCode::Esc);
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "user1");
    press(&mut app, &mut db, KeyCode::Enter);
    assert!(app.remote.as_ref().unwrap().cost.ask.is_some(), "{:?}", app.status);
    press(&mut app, &mut db, KeyCode::Enter);
    // Enter then does what it does on the grid (the user's detail, read by index), not the search.
    let scans = fake.since(before).into_iter().filter(|s| s.contains("LIKE")).count();
    assert_eq!(scans, 0, "Enter at the question ran the search: {:#?}", fake.since(before));
    assert!(app.remote.as_ref().unwrap().cost.ask.is_none());
    assert!(app.active_tab().unwrap().spec.search.is_none());
}

/// Walkthrough: after `G` on a search of more rows than a page (`/petrov`, 115 of 5,000) the
/// status line read "row … of 100+" at the last row. The last page overlaps the rows read from
/// the start, so the view's count is known exactly: shown, with the row's number.
#[test]
fn g_on_a_searched_view_shows_its_exact_count_once_the_end_is_read() {
    let (_dir, mut app, mut db, _check, fake) = remote_app_of(115, true);
    press(&mut app, &mut db, KeyCode::Char('/'));
    type_text(&mut app, &mut db, "example");
    press(&mut app, &mut db, KeyCode::Enter);
    press(&mut app, &mut db, KeyCode::Char('y'));
    let tab = app.active_tab().unwrap();
    assert_eq!(app.uncounted_total(tab), "100+", "one page of 100 read");
    let before = fake.requests();
    press(&mut app, &mut db, KeyCode::Char('G'));
    assert!(!fake.since(before).iter().any(|s| s.starts_with("SELECT count(")), "no count: {:#?}", fake.since(before));
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.total, Some(115));
    assert_eq!(tab.window.row_number(tab.total), Some(115));
}
