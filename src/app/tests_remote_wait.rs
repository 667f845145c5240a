//! Esc while a remote write waits: the reply is dropped, the screen says the server may finish.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::tests::{open_app, users_db};
use super::super::*;
use super::{STOPPED_WAITING, failed_text};
use crate::db::users::UserAction;

fn esc(app: &mut App) -> Vec<Effect> {
    app.update(Action::Key { key: KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE) })
}

fn on_remote(app: &mut App) {
    app.remote = Some(RemoteSession { name: "app-db".into(), write: true, ..Default::default() });
}

fn status(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn esc_while_a_remote_user_action_runs_closes_the_popup_and_drops_the_reply() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    on_remote(&mut app);
    app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('A'), KeyModifiers::NONE) });
    let Overlay::User(panel) = &mut app.overlay else { panic!("the user menu opens: {:?}", app.overlay) };
    panel.step = PanelStep::Running { action: "user.ban" };
    let id = app.next_request_id();
    app.pending.insert(id, Waiting::UserAction { action: UserAction::Unban });
    assert!(app.is_busy());

    let effects = esc(&mut app);
    assert!(effects.is_empty(), "nothing to interrupt on a remote: {effects:?}");
    assert!(matches!(app.overlay, Overlay::None), "the popup closes");
    assert_eq!(status(&app), STOPPED_WAITING);
    assert!(!app.is_busy());

    // The late reply still says how the write ended (here: it failed).
    let reply = DbReply { id, result: Err(crate::service::ReplyError::new(ErrorKind::Other, "late")) };
    app.update(Action::Reply { reply });
    assert!(status(&app).starts_with("the user.unban you stopped waiting for: user.unban failed"), "{}", status(&app));
}

#[test]
fn esc_while_a_remote_commit_waits_returns_to_the_grid() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    on_remote(&mut app);
    let (id, _) = app.request(Worker::Foreground, Waiting::Edit, DbRequest::ListTables { include_internal: false });
    app.edits.committing = true;

    let effects = esc(&mut app);
    assert!(effects.is_empty(), "no interrupt is sent to a remote: {effects:?}");
    assert!(!app.edits.committing, "keys reach the grid again");
    assert_eq!(status(&app), STOPPED_WAITING);
    assert!(app.pending.get(id).is_none(), "its reply will be dropped");
}

#[test]
fn a_failure_that_says_what_was_written_is_not_contradicted() {
    assert_eq!(
        failed_text(
            "user.ban",
            "taking the time-travel bookmark before the write failed: D1 at h did not answer within 35 s; nothing was written"
        ),
        "user.ban failed: taking the time-travel bookmark before the write failed: D1 at h did not answer within 35 s; nothing was written"
    );
    let unknown = failed_text(
        "user.ban",
        "D1 at h did not answer within 35 s after the write was sent: its outcome is unknown; check the data before repeating it (squall did not repeat it)",
    );
    assert!(!unknown.contains("nothing was changed"), "{unknown}");
    assert_eq!(failed_text("user.ban", "no user u1"), "user.ban failed, nothing was changed: no user u1");
}

/// `gr` on a remote: the list opens with what an index counted; a reference without an index
/// is listed uncounted, saying what counting reads, and `y` in the list counts it.
#[test]
fn rows_pointing_at_a_row_through_an_unindexed_reference_are_counted_on_y() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    on_remote(&mut app);
    let asked = |effects: &[Effect]| -> Option<(RequestId, bool)> {
        effects.iter().find_map(|e| match e {
            Effect::Request { id, request, .. } => match **request {
                DbRequest::ReferencingRows { scan, .. } => Some((*id, scan)),
                _ => None,
            },
            _ => None,
        })
    };
    let effects = app.update(Action::ShowReferences);
    let (id, scan) = asked(&effects).expect("gr asks the worker");
    assert!(!scan, "not confirmed yet");
    let group = |label: &str, counted: bool| crate::db::relations::ReferencingGroup {
        target: crate::db::relations::RowTarget {
            table: "session".into(),
            columns: vec!["userId".into()],
            values: vec![rusqlite::types::Value::Text("u0000".into())],
            origin: crate::db::relations::RelationOrigin::Declared,
            exists: true,
        },
        count: u64::from(counted) * 2,
        capped: false,
        indexed: counted,
        label: label.into(),
        counted,
        table_rows: (!counted).then_some(7249),
    };
    let groups = vec![group("sessions via userId", true), group("sessions via impersonatedBy", false)];
    app.update(Action::Reply { reply: DbReply { id, result: Ok(DbResult::Referencing(groups)) } });
    let Overlay::References { groups, loading: false, .. } = &app.overlay else { panic!("{:?}", app.overlay) };
    assert_eq!(describe_group(&groups[0]).trim(), "2  sessions via userId");
    assert_eq!(
        describe_group(&groups[1]).trim(),
        "?  sessions via impersonatedBy (not counted: no index, ~7,249 rows read · y counts it)"
    );
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    let (_, scan) = asked(&effects).expect("y counts");
    assert!(scan, "confirmed");
    assert!(matches!(app.overlay, Overlay::References { loading: true, .. }));
}

/// On a remote, opening reads the tables first; the migrations wait for their screen.
#[test]
fn a_remote_reads_the_migrations_when_their_screen_opens_not_at_start() {
    let (_dir, conn) = users_db(3);
    let is_migrations =
        |e: &Effect| matches!(e, Effect::Request { request, .. } if matches!(**request, DbRequest::Migrations { .. }));
    let (mut app, mut effects) =
        App::new(super::super::tests::test_source(&conn), 120, 30, super::super::tests::fixed_ctx());
    assert!(effects.iter().any(is_migrations), "locally they are read at start");
    on_remote(&mut app);
    app.defer_migrations(&mut effects);
    assert!(!effects.iter().any(is_migrations), "{effects:?}");
    assert!(effects.iter().any(|e| matches!(e, Effect::Request { .. })), "the tables are still read");
    let effects = app.open_migrations();
    assert!(effects.iter().any(is_migrations), "read when the screen opens: {effects:?}");
}

fn tick(app: &mut App, seconds: i64) {
    app.update(Action::Tick { now: super::super::tests::fixed_ctx().now + chrono::TimeDelta::seconds(seconds) });
}

fn screen_rows(app: &App, width: u16, height: u16) -> (String, String) {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| crate::ui::draw(frame, app)).unwrap();
    let buffer = terminal.backend().buffer();
    let row = |y: u16| (0..width).map(|x| buffer[(x, y)].symbol()).collect::<String>();
    (row(height - 2), row(height - 1))
}

/// Issue 13: a ban waiting on a server that does not answer says what it waits for, the
/// seconds (ticking with the tick's clock), and that Esc stops waiting while the write may still
/// finish; the hint line is no longer the user menu's.
#[test]
fn a_remote_write_waited_on_says_what_for_how_long_and_what_esc_does() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 160, 45);
    on_remote(&mut app);
    app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('A'), KeyModifiers::NONE) });
    let Overlay::User(panel) = &mut app.overlay else { panic!("the user menu opens: {:?}", app.overlay) };
    panel.step = PanelStep::Running { action: "user.ban" };
    let id = app.next_request_id();
    app.pending.insert(id, Waiting::UserAction { action: UserAction::Unban });
    assert_eq!(app.shown_remote_wait(), None, "an answer that comes at once only moves the spinner");
    tick(&mut app, 3);
    assert!(app.wants_tick(), "the seconds tick");
    let wait = app.shown_remote_wait().expect("shown after a second");
    assert_eq!(wait.text(), "waiting 3 s on D1 for user.unban");
    for (width, height) in [(160, 45), (80, 24)] {
        app.update(Action::Resize { width, height });
        let (status_row, hint_row) = screen_rows(&app, width, height);
        assert!(hint_row.contains("Esc stop waiting"), "{width}: {hint_row}");
        assert!(!hint_row.contains("choose"), "not the user menu's keys: {hint_row}");
        assert!(status_row.contains("waiting 3 s on D1 for user.unban"), "{width}: {status_row}");
        assert!(hint_row.contains("the write may still finish on the server"), "{width}: {hint_row}");
    }
    tick(&mut app, 12);
    assert_eq!(app.shown_remote_wait().unwrap().seconds, 12);
    esc(&mut app);
    assert_eq!(status(&app), STOPPED_WAITING);
    assert_eq!(app.remote_wait(), None);
}

/// Every remote wait names itself: a page, the exact count, a commit, the console, migrations.
#[test]
fn each_remote_wait_names_what_it_waits_for() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    on_remote(&mut app);
    let spec = app.active_tab().unwrap().spec.clone();
    let cases = [
        (Waiting::Page { table: "user".into(), kind: tab::FetchKind::Top, sent_at_tick: 0 }, "rows of user", false),
        (Waiting::ExactCount { table: "user".into(), spec }, "the exact count of user", false),
        (Waiting::ApplyMigrations, "the migrations being applied", true),
        (Waiting::Navigation, "the rows to go to", false),
    ];
    for (waiting, what, write) in cases {
        let id = app.next_request_id();
        app.pending.insert(id, waiting.clone());
        tick(&mut app, 2);
        let wait = app.shown_remote_wait().unwrap_or_else(|| panic!("{waiting:?}"));
        assert_eq!((wait.what.as_str(), wait.write, wait.seconds), (what, write, 2), "{waiting:?}");
        app.pending.take(id);
        tick(&mut app, 0);
    }
    app.edits.committing = true;
    let id = app.next_request_id();
    app.pending.insert(id, Waiting::Edit);
    tick(&mut app, 4);
    assert_eq!(app.shown_remote_wait().map(|w| (w.what, w.write)), Some(("the commit".to_string(), true)));
}

/// Esc stops waiting for an exact count (no screen of its own handles it): the reply is dropped.
#[test]
fn esc_stops_waiting_for_a_remote_exact_count() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    on_remote(&mut app);
    let spec = app.active_tab().unwrap().spec.clone();
    let id = app.next_request_id();
    app.pending.insert(id, Waiting::ExactCount { table: "user".into(), spec });
    tick(&mut app, 5);
    assert_eq!(hints(&app), vec![("Esc", "stop waiting")]);
    esc(&mut app);
    assert!(app.pending.get(id).is_none(), "its reply will be dropped");
    assert_eq!(status(&app), "stopped waiting for the exact count of user");
    assert_eq!(app.remote_wait(), None);
}

/// Defect: while a new ban waited, the status line still showed the previous attempt's failure
/// beside "waiting 1 s on D1". A new remote write's wait replaces the older message.
#[test]
fn a_new_remote_user_action_replaces_an_older_message() {
    let (_dir, mut conn) = users_db(10);
    let mut app = open_app(&mut conn, 120, 30);
    on_remote(&mut app);
    app.say(Level::Error, "the user.ban you stopped waiting for: user.ban failed");
    let tables = crate::db::schema::describe_schema(&conn).unwrap();
    let plan = crate::db::users::ActionPlan {
        action: UserAction::Unban,
        user: "u0001".into(),
        now: app.ctx.now,
        plan: Default::default(),
        schema: crate::db::users::auth_schema_of(tables).unwrap(),
    };
    let effects = app.run_user_plan(plan);
    assert_eq!(effects.len(), 1);
    assert_eq!(status(&app), "", "the older message is gone (m keeps it)");
    assert!(STOPPED_WAITING.contains("squall log --remote") && STOPPED_WAITING.contains("Ctrl-r"));
}
