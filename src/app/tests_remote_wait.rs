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

    // The late reply finds nothing waiting for it: no message replaces the one said.
    let reply = DbReply { id, result: Err(crate::service::ReplyError::new(ErrorKind::Other, "late")) };
    app.update(Action::Reply { reply });
    assert_eq!(status(&app), STOPPED_WAITING);
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

/// `gr` on a remote: when a reference has no index the worker says what would scan, nothing is
/// counted, and `y` counts.
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
    let reply =
        DbReply { id, result: Ok(DbResult::ReferencingScans { what: vec!["session via userId".into()], rows: None }) };
    app.update(Action::Reply { reply });
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(
        status(&app),
        "counting the rows pointing at this row through session via userId reads every row of those tables (no index) · y runs it"
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
