//! The user action menu and the status columns, driven through `App::update` against a real
//! temporary database (the worker's own request handler answers synchronously).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::super::tests::{fixed_ctx, open_app, settle, users_db};
use super::super::*;
use crate::db::users::BanState;

const HOUR_MS: i64 = 3_600_000;

/// Adds a session of `user` ending `hours` from the fixed clock (negative: already ended).
pub fn add_session(conn: &Connection, id: &str, user: &str, hours: i64, impersonated_by: Option<&str>) {
    let now = fixed_ctx().now.timestamp_millis();
    conn.execute(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId, impersonatedBy)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
        rusqlite::params![id, now + hours * HOUR_MS, format!("token-{id}"), now - HOUR_MS, user, impersonated_by],
    )
    .unwrap();
}

/// An app on 30 users where user4 has 2 active sessions and 1 ended one, and admin user0 is
/// impersonating user5; the clock is fixed and the audit log goes to the temp folder.
pub fn admin_app(width: u16, height: u16) -> (tempfile::TempDir, Connection, App) {
    let (dir, mut conn) = users_db(30);
    add_session(&conn, "s-4a", "u0004", 24, None);
    add_session(&conn, "s-4b", "u0004", 48, None);
    add_session(&conn, "s-4old", "u0004", -24, None);
    add_session(&conn, "s-5imp", "u0005", 1, Some("u0000"));
    let mut app = open_app(&mut conn, width, height);
    app.source.audit.file = dir.path().join("audit.jsonl");
    app.source.migrations.db_path = dir.path().join("t.db");
    (dir, conn, app)
}

pub fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

pub fn type_text(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        press(app, conn, KeyCode::Char(c));
    }
}

/// Selects the row of `id` (ids are in insertion order on the first page).
pub fn select(app: &mut App, conn: &mut Connection, id: &str) {
    let index: i64 = id.trim_start_matches('u').parse().unwrap();
    let effects = app.update(Action::MoveRows { delta: index });
    settle(app, conn, effects);
}

fn panel(app: &App) -> &UserPanel {
    match &app.overlay {
        Overlay::User(panel) => panel,
        other => panic!("the user menu is not open: {other:?}"),
    }
}

fn selected_id(app: &App) -> String {
    crate::db::value::raw_text(&app.selected_values().unwrap()[0])
}

fn status_text_of(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn the_grid_knows_each_users_status_from_one_request_per_page() {
    let (_dir, _conn, app) = admin_app(120, 20);
    let statuses = &app.users.statuses;
    assert_eq!(statuses.len(), 30, "every held row has a status");
    let user = |id: &str| statuses[id].as_ref().unwrap();
    assert_eq!(user("u0004").active_sessions, 2, "the ended session does not count");
    assert!(user("u0000").is_admin);
    assert_eq!(user("u0003").ban.state, BanState::BanExpired);
    assert_eq!(user("u0010").ban.state, BanState::Banned);
    assert!(!user("u0003").email_verified);
}

#[test]
fn statuses_follow_the_window_while_paging() {
    let (_dir, mut conn) = users_db(1_500);
    let mut app = open_app(&mut conn, 100, 30);
    for _ in 0..40 {
        let effects = app.update(Action::PageDown);
        settle(&mut app, &mut conn, effects);
    }
    let tab = app.active_tab().unwrap();
    assert!(app.users.statuses.len() <= tab.window.rows.len(), "statuses are kept for held rows only");
    for row in &tab.window.rows {
        let id = crate::db::value::raw_text(&row.values[0]);
        assert!(app.users.statuses.get(&id).is_some_and(Option::is_some), "{id} has a status");
    }
}

#[test]
fn ban_with_reason_and_expiry_ends_sessions_and_is_audited() {
    let (dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(matches!(panel(&app).step, PanelStep::Menu));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    type_text(&mut app, &mut conn, "chargebacks");
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "7d");
    press(&mut app, &mut conn, KeyCode::Enter);
    let Some(preview) = panel(&app).step.loaded_preview() else {
        panic!("the confirmation shows the preview: {:?}", panel(&app).step)
    };
    assert_eq!(preview.deleted_from("session"), 3, "every session of the user ends");
    assert!(preview.statements.iter().any(|s| s.params.contains(&"'chargebacks'".to_string())));
    let banned: i64 = conn.query_row("SELECT banned FROM user WHERE id = 'u0004'", [], |r| r.get(0)).unwrap();
    assert_eq!(banned, 0, "nothing is written before the confirmation");

    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(matches!(app.overlay, Overlay::None), "the menu closes once done");
    assert!(status_text_of(&app).contains("banned user4@example.com"), "{}", status_text_of(&app));
    assert!(
        status_text_of(&app).contains("ended 2 sessions (1 expired session removed too)"),
        "{}",
        status_text_of(&app)
    );
    let (banned, reason, expires): (i64, String, i64) = conn
        .query_row("SELECT banned, banReason, banExpires FROM user WHERE id = 'u0004'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((banned, reason.as_str()), (1, "chargebacks"));
    assert_eq!(expires, (fixed_ctx().now + chrono::TimeDelta::days(7)).timestamp_millis());
    let sessions: i64 =
        conn.query_row("SELECT count(*) FROM session WHERE userId = 'u0004'", [], |r| r.get(0)).unwrap();
    assert_eq!(sessions, 0);

    let log = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    assert_eq!(log.len(), 4, "one user update and three session deletions: {log:?}");
    assert!(log.iter().all(|e| e.action == "user.ban"));
    assert_eq!(log.iter().filter(|e| e.table == "session").count(), 3);

    assert_eq!(selected_id(&app), "u0004", "the grid stays on the user");
    let status = app.users.statuses["u0004"].as_ref().unwrap();
    assert_eq!((status.ban.state, status.active_sessions), (BanState::Banned, 0), "the status was read again");
    let banned_column = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "banned");
    assert_eq!(app.selected_values().unwrap()[banned_column.unwrap()], rusqlite::types::Value::Integer(1));
}

#[test]
fn a_read_only_session_says_why_and_still_shows_impersonations() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    app.source.read_only = Some(crate::db::open::ReadOnlyReason::Requested);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE) });
    assert!(effects.is_empty(), "no request leaves");
    assert!(matches!(panel(&app).step, PanelStep::Menu), "no form opens");
    assert!(panel(&app).note.as_deref().unwrap().contains("read-only (opened with --read-only)"));
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);

    press(&mut app, &mut conn, KeyCode::Char('i'));
    let PanelStep::Impersonations { list: Load::Loaded(list), .. } = &panel(&app).step else {
        panic!("impersonations are shown: {:?}", panel(&app).step)
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].admin_email.as_deref(), Some("user0@example.com"));
    assert_eq!(list[0].user_email.as_deref(), Some("user5@example.com"));
    assert!(list[0].active);
}

#[test]
fn passwords_that_differ_are_refused_then_a_matching_one_is_set() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('p'));
    type_text(&mut app, &mut conn, "correct horse");
    press(&mut app, &mut conn, KeyCode::Enter);
    type_text(&mut app, &mut conn, "correct hose");
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE) });
    assert!(effects.is_empty(), "a mismatch sends nothing");
    let PanelStep::Password(form) = &panel(&app).step else { panic!("the form stays open") };
    assert!(form.error.as_deref().unwrap().contains("differ"));
    assert!(form.text(PasswordField::Second as usize).is_empty(), "the repeat is cleared");

    type_text(&mut app, &mut conn, "correct horse");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(panel(&app).step.loaded_preview().is_some());
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let stored: String = conn
        .query_row("SELECT password FROM account WHERE userId = 'u0002' AND providerId = 'credential'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(crate::db::password::verify_password("correct horse", &stored).unwrap());
    assert!(status_text_of(&app).contains("created a credential account"), "{}", status_text_of(&app));
}

#[test]
fn a_failed_action_shows_the_error_and_changes_nothing() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0006");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    let PanelStep::Role(form) = &panel(&app).step else { panic!("the role form opens") };
    assert_eq!(form.roles, Load::Loaded(vec!["admin".to_string(), "user".to_string()]));
    press(&mut app, &mut conn, KeyCode::Up);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(field_text(&panel_role_input(&app)), "user,admin", "Space ticks the highlighted role");
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(field_text(&panel_role_input(&app)), "admin", "and unticks it");
    press(&mut app, &mut conn, KeyCode::Enter);
    // Someone else removes the user between the confirmation and the run.
    conn.execute("DELETE FROM user WHERE id = 'u0006'", []).unwrap();
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let PanelStep::Failed { message } = &panel(&app).step else { panic!("the failure is shown") };
    assert!(message.contains("nothing was changed") && message.contains("no user"), "{message}");
    assert_eq!(app.status.as_ref().unwrap().level, Level::Error);
    let admins: i64 = conn.query_row("SELECT count(*) FROM user WHERE role = 'admin'", [], |r| r.get(0)).unwrap();
    assert_eq!(admins, 2, "users 0 and 20 only");
    press(&mut app, &mut conn, KeyCode::Esc);
    assert!(matches!(panel(&app).step, PanelStep::Menu));
}

fn panel_role_input(app: &App) -> ratatui_textarea::TextArea<'static> {
    match &panel(app).step {
        PanelStep::Role(form) => form.form.input(0).unwrap().clone(),
        other => panic!("not the role form: {other:?}"),
    }
}

#[test]
fn a_bad_ban_length_is_refused_in_the_form() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "2020-01-01");
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE) });
    assert!(effects.is_empty());
    let PanelStep::Ban(form) = &panel(&app).step else { panic!("the form stays open") };
    assert!(form.error.as_deref().unwrap().contains("already past"));
}

#[test]
fn removal_confirms_with_the_counts_and_the_grid_closes_the_gap() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('d'));
    let Some(preview) = panel(&app).step.loaded_preview() else { panic!("confirm") };
    let text = crate::db::users::effects_text(&preview.effects, true);
    assert_eq!(text, "deletes 3 sessions, 1 user");
    // One key is not enough: `y` is typed into the email field, and Enter refuses a mismatch.
    press(&mut app, &mut conn, KeyCode::Char('y'));
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(matches!(panel(&app).step, PanelStep::Confirm(_)), "still asking");
    assert!(status_text_of(&app).contains("\"y\" does not match user4@example.com"), "{}", status_text_of(&app));
    let users: i64 = conn.query_row("SELECT count(*) FROM user", [], |r| r.get(0)).unwrap();
    assert_eq!(users, 30, "nothing was removed");
    press(&mut app, &mut conn, KeyCode::Backspace);
    type_text(&mut app, &mut conn, "user4@example.com");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(selected_id(&app), "u0005", "the next user takes the removed one's place");
    assert_eq!(app.active_tab().unwrap().total, Some(29));
}

#[test]
fn unban_of_a_user_who_is_not_banned_says_it_changes_nothing() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('u'));
    let Some(preview) = panel(&app).step.loaded_preview() else { panic!("confirm") };
    let text = crate::db::users::preview_effects_text(preview);
    assert_eq!(text, "not banned: unban changes nothing but updatedAt");
}

#[test]
fn a_on_another_table_explains_itself() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    press(&mut app, &mut conn, KeyCode::Tab);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert!(matches!(app.overlay, Overlay::None));
    assert!(status_text_of(&app).contains("user table"), "{}", status_text_of(&app));
}

#[test]
fn a_in_the_row_detail_opens_the_menu_for_that_user() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0007");
    press(&mut app, &mut conn, KeyCode::Enter);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    assert_eq!(panel(&app).user.email, "user7@example.com");
}

#[test]
fn an_unknown_role_in_the_role_form_is_warned_about_first() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0006");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    press(&mut app, &mut conn, KeyCode::End);
    for _ in 0..4 {
        press(&mut app, &mut conn, KeyCode::Backspace);
    }
    for c in "superadmin".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    let PanelStep::Role(form) = &panel(&app).step else { panic!("still the role form") };
    let warning = form.form.error.clone().unwrap_or_default();
    assert!(warning.starts_with("superadmin is not a better-auth role"), "{warning}");
    assert!(warning.contains("Enter again"), "{warning}");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(!matches!(panel(&app).step, PanelStep::Role(_)), "a second Enter goes on to the confirmation");
}

#[test]
fn a_space_typed_into_the_role_field_is_a_space_not_a_tick() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0006");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    for code in [KeyCode::End, KeyCode::Char(','), KeyCode::Char(' '), KeyCode::Char('x')] {
        press(&mut app, &mut conn, code);
    }
    assert_eq!(field_text(&panel_role_input(&app)), "user, x", "the space is typed, nothing is ticked");
    // From the list, Space ticks; typing again goes back to the field.
    press(&mut app, &mut conn, KeyCode::Down);
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(field_text(&panel_role_input(&app)), "user,x,admin");
    press(&mut app, &mut conn, KeyCode::Char('y'));
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(field_text(&panel_role_input(&app)), "user,x,adminy ");
}

#[test]
fn unticking_the_only_role_empties_the_field_and_the_ticks_follow() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0006");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    press(&mut app, &mut conn, KeyCode::Tab);
    let PanelStep::Role(form) = &panel(&app).step else { panic!("the role form opens") };
    assert!(form.on_list(), "Tab moves to the list");
    assert_eq!(form.selected(), 1, "on the current role, `user`");
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(field_text(&panel_role_input(&app)), "", "the field follows the ticks");
    // The empty field must not be drawn as `user`, which the ticks would contradict.
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("(none: type a role"), "{screen}");
    assert!(screen.contains("▸ [ ] user"), "the focused item is marked: {screen}");
    press(&mut app, &mut conn, KeyCode::Enter);
    let PanelStep::Role(form) = &panel(&app).step else { panic!("the form stays open") };
    assert_eq!(form.form.error.as_deref(), Some("no role: tick one in the list (Space) or type one"));
    press(&mut app, &mut conn, KeyCode::Char(' '));
    assert_eq!(field_text(&panel_role_input(&app)), "user", "Space ticks it again");
}

#[test]
fn better_auth_tables_are_detected_once_and_the_gutter_reads_bans_as_the_status_column() {
    let (_dir, mut conn) = users_db(30);
    let app = open_app(&mut conn, 120, 40);
    let auth = app.users.auth.clone().expect("the test database is a better-auth one");
    assert_eq!((auth.user.as_str(), auth.session.as_str(), auth.account.as_str()), ("user", "session", "account"));
    let tab = app.active_tab().unwrap();
    let table = app.user_table_of(tab).unwrap();
    let ban = table.ban.expect("the admin plugin's columns are mapped");
    let mut seen = Vec::new();
    for row in &tab.window.rows {
        let id = crate::db::value::raw_text(&row.values[table.id_column]);
        let status = app.users.statuses.get(&id).cloned().flatten().expect("the status was read");
        assert_eq!(ban.state(&row.values, app.ctx.now), status.ban.state, "{id}");
        seen.push(status.ban.state);
    }
    for state in [BanState::NotBanned, BanState::Banned, BanState::BanExpired] {
        assert!(seen.contains(&state), "the rows cover {state:?}");
    }
}

#[test]
fn without_session_and_account_tables_no_table_is_the_user_table() {
    let (_dir, mut conn) = users_db(3);
    conn.execute_batch("DROP TABLE session; DROP TABLE account;").unwrap();
    let app = open_app(&mut conn, 120, 40);
    assert_eq!(app.users.auth, None);
    assert!(app.user_table_of(app.active_tab().unwrap()).is_none());
}

/// The walkthrough's role form on a remote read 5,000 rows (every user's role) before showing
/// anything. On a remote it sends no request: better-auth's roles and those on the rows read,
/// and a note that others may be in use.
#[test]
fn the_role_form_on_a_remote_reads_nothing_and_says_its_list_may_be_partial() {
    let (_dir, mut conn) = users_db(30);
    conn.execute("UPDATE user SET role = 'support,user' WHERE id = 'u0002'", []).unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    app.remote = Some(RemoteSession { name: "app-db".into(), write: true, ..Default::default() });
    press(&mut app, &mut conn, KeyCode::Char('A'));
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE) });
    assert!(!effects.iter().any(|e| matches!(e, Effect::Request { .. })), "nothing is read: {effects:?}");
    let PanelStep::Role(form) = &panel(&app).step else { panic!("{:?}", panel(&app).step) };
    assert!(matches!(&form.roles, Load::Loaded(roles) if roles == &["admin", "support", "user"]), "{:?}", form.roles);
    let note = form.note.clone().unwrap_or_default();
    assert!(note.contains("others may be in use"), "{note}");
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("others may be in use"), "{screen}");
}

/// On a remote without an index on `impersonatedBy`, the list is asked for first: the popup
/// says what it reads, `y` reads it, and the list follows.
#[test]
fn impersonations_on_a_remote_are_asked_for_before_every_session_is_read() {
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    app.remote = Some(RemoteSession { name: "app-db".into(), write: true, ..Default::default() });
    select(&mut app, &mut conn, "u0000");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('i'), KeyModifiers::NONE) });
    let asked = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::Request { id, request, .. } => match &**request {
                DbRequest::Users(UsersRequest::Impersonations { scan, .. }) => Some((*id, *scan)),
                _ => None,
            },
            _ => None,
        })
    };
    let (id, scan) = asked(&effects).expect("the worker is asked");
    assert!(!scan);
    let reply = DbReply { id, result: Ok(DbResult::Users(UsersResult::ImpersonationsScan { rows: 7255 })) };
    app.update(Action::Reply { reply });
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("reads every session (~7,255 rows read"), "{screen}");
    app.say(crate::app::Level::Warning, "an older action's message");
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE) });
    let (_, scan) = asked(&effects).expect("y reads them");
    assert!(scan);
    // What the terminal side sets before the reply: the session's rows read so far.
    if let Some(remote) = app.remote.as_mut() {
        remote.stats.total_rows_read += 7268;
    }
    settle(&mut app, &mut conn, effects);
    let PanelStep::Impersonations { list: Load::Loaded(list), asked: None, .. } = &panel(&app).step else {
        panic!("{:?}", panel(&app).step)
    };
    assert_eq!(list.len(), 1);
    // Defect: the status line still showed the older message.
    assert_eq!(status_text_of(&app), "1 impersonation listed (7,268 rows read)");
}

/// Answers `effects` like the worker would, except the users' statuses, which fail as a remote
/// whose connection was reset.
fn settle_failing_statuses(app: &mut App, conn: &mut Connection, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            match &effect {
                Effect::Request { id, request, .. }
                    if matches!(**request, DbRequest::Users(UsersRequest::Statuses { .. })) =>
                {
                    let error = ReplyError::new(ErrorKind::Other, "cannot reach the D1 API: Connection reset by peer");
                    next.extend(app.update(Action::Reply { reply: DbReply { id: *id, result: Err(error) } }));
                }
                _ => next.extend(super::super::tests::answer_one(app, conn, effect)),
            }
        }
        effects = next;
    }
}

/// Walkthrough: one failed statuses read left the status columns `?` for the rest of the
/// session (Ctrl-r, paging did not bring them back): the next page or Ctrl-r reads them again.
#[test]
fn statuses_are_read_again_after_a_failed_read() {
    let (_dir, mut conn) = users_db(1_500);
    let mut app = open_app(&mut conn, 100, 30);
    let key = |code, modifiers| Action::Key { key: KeyEvent::new(code, modifiers) };
    let ctrl_r = vec![key(KeyCode::Char('r'), KeyModifiers::CONTROL)];
    let gg = vec![key(KeyCode::Char('g'), KeyModifiers::NONE), key(KeyCode::Char('g'), KeyModifiers::NONE)];
    for retry in [gg, ctrl_r] {
        let effects = app.update(key(KeyCode::Char('G'), KeyModifiers::NONE));
        settle_failing_statuses(&mut app, &mut conn, effects);
        assert!(app.users.statuses_failed, "{:?}", app.status);
        for action in &retry {
            let effects = app.update(action.clone());
            settle(&mut app, &mut conn, effects);
        }
        assert!(!app.users.statuses_failed, "{retry:?} read them again");
        assert_eq!(app.status, None, "the failure is over");
        let tab = app.active_tab().unwrap();
        let id = crate::db::value::raw_text(&tab.window.rows[tab.window.selected].values[0]);
        assert!(app.users.statuses.get(&id).is_some_and(Option::is_some), "{retry:?}: {id} has a status");
    }
}
