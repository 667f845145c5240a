//! What squall writes and shows is exactly right: the clock, untouched edits, date formats,
//! previews that are what runs (issue 12).

use chrono::TimeDelta;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::tests::{fixed_ctx, open_app, settle, users_db};
use super::*;

pub(crate) fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

pub(crate) fn ctrl(app: &mut App, conn: &mut Connection, c: char) {
    let effects = app.update(Action::Key { key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL) });
    settle(app, conn, effects);
}

pub(crate) fn type_text(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        press(app, conn, KeyCode::Char(c));
    }
}

pub(crate) fn select_column(app: &mut App, name: &str) {
    let index = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == name).unwrap();
    app.active_tab_mut().unwrap().selected_col = index;
}

fn clear_input(app: &mut App, conn: &mut Connection) {
    for _ in 0..60 {
        press(app, conn, KeyCode::Backspace);
    }
}

fn staged_new(app: &App) -> Value {
    match &app.edits.staged.last().expect("a change is staged").change {
        crate::db::edit::StagedChange::Update { new, .. } => new.clone(),
        other => panic!("not an update: {other:?}"),
    }
}

fn open_tab(app: &mut App, conn: &mut Connection, name: &str) {
    let index = app.tabs.iter().position(|t| t.name == name).unwrap();
    let effects = app.update(Action::SelectTab { index });
    settle(app, conn, effects);
}

#[test]
fn an_idle_tick_moves_the_clock_that_now_is_written_with() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    let later = fixed_ctx().now + TimeDelta::seconds(90);
    assert!(!app.is_busy());
    let before = app.ctx.now;
    app.update(Action::Tick { now: later });
    assert!(app.tick_shows(before), "a second passed: the screen is drawn again");
    assert!(!app.tick_shows(later), "the same second: nothing to draw while idle");
    select_column(&mut app, "createdAt");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "now");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(staged_new(&app), Value::Integer(later.timestamp_millis()));
    ctrl(&mut app, &mut conn, 's');
    let Overlay::Confirm(review) = &app.overlay else { panic!("the review opens") };
    assert_eq!(review.on_yes, Confirmed::Commit { now: later }, "the commit is stamped with the tick's clock");
}

#[test]
fn enter_on_an_untouched_editor_stages_nothing() {
    let (_dir, mut conn) = users_db(3);
    let with_ms = fixed_ctx().now.timestamp_millis() + 760;
    conn.execute("UPDATE user SET createdAt = ?1 WHERE id = 'u0000'", [with_ms]).unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    for column in ["createdAt", "name", "emailVerified"] {
        select_column(&mut app, column);
        press(&mut app, &mut conn, KeyCode::Char('e'));
        press(&mut app, &mut conn, KeyCode::Enter);
        assert!(app.edits.staged.is_empty(), "{column}: nothing staged");
        assert!(matches!(app.overlay, Overlay::None));
    }
    assert_eq!(app.status.as_ref().unwrap().text, "unchanged: nothing staged");
    // Typing the same name again is no change either.
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "User 0");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(app.edits.staged.is_empty());
}

#[test]
fn a_text_date_column_is_written_in_the_format_its_values_use() {
    let (_dir, mut conn) = users_db(3);
    conn.execute_batch(
        "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
         INSERT INTO d1_migrations (name, applied_at) VALUES ('0000_init.sql', '2026-11-27 18:37:52');",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    open_tab(&mut app, &mut conn, "d1_migrations");
    select_column(&mut app, "applied_at");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "2026-11-28 09:15");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(staged_new(&app), Value::Text("2026-11-28 09:15:00".into()));
}

fn confirm_preview(app: &App) -> &crate::db::users::ActionPreview {
    match &app.overlay {
        Overlay::User(panel) => match panel.step.loaded_preview() {
            Some(preview) => preview,
            None => panic!("no preview: {:?}", panel.step),
        },
        other => panic!("the user menu is not open: {other:?}"),
    }
}

#[test]
fn the_ban_written_is_the_ban_previewed_even_when_yes_comes_later() {
    use super::users_test_support::{admin_app, select};
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0004");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('b'));
    press(&mut app, &mut conn, KeyCode::Tab);
    type_text(&mut app, &mut conn, "7d");
    press(&mut app, &mut conn, KeyCode::Enter);
    let expiry = (fixed_ctx().now + TimeDelta::days(7)).timestamp_millis().to_string();
    let shown = confirm_preview(&app).statements.iter().any(|s| s.params.contains(&expiry));
    assert!(shown, "the preview binds the expiry {expiry}");
    // The user reads the preview for a while before saying yes.
    app.update(Action::Tick { now: fixed_ctx().now + TimeDelta::seconds(4) });
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let written: i64 = conn.query_row("SELECT banExpires FROM user WHERE id = 'u0004'", [], |r| r.get(0)).unwrap();
    assert_eq!(written.to_string(), expiry, "the expiry written is the one shown");
}

#[test]
fn set_password_inserts_the_account_id_the_preview_showed() {
    use super::users_test_support::{admin_app, select};
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('p'));
    type_text(&mut app, &mut conn, "correct horse");
    press(&mut app, &mut conn, KeyCode::Enter);
    type_text(&mut app, &mut conn, "correct horse");
    press(&mut app, &mut conn, KeyCode::Enter);
    let insert = confirm_preview(&app).statements.iter().find(|s| s.sql.starts_with("INSERT")).unwrap().clone();
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let id: String = conn
        .query_row("SELECT id FROM account WHERE userId = 'u0002' AND providerId = 'credential'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(insert.params[0], format!("'{id}'"), "the id shown is the id inserted");
}

fn impersonations_of(app: &mut App, conn: &mut Connection, id: &str) -> Vec<crate::db::users::Impersonation> {
    use super::users_test_support::select;
    app.overlay = Overlay::None;
    let effects = app.update(Action::FirstRow);
    settle(app, conn, effects);
    select(app, conn, id);
    press(app, conn, KeyCode::Char('A'));
    press(app, conn, KeyCode::Char('i'));
    let Overlay::User(panel) = &app.overlay else { panic!("the menu is open") };
    let PanelStep::Impersonations { list: Load::Loaded(list), .. } = &panel.step else { panic!("{:?}", panel.step) };
    list.clone()
}

#[test]
fn a_users_menu_lists_only_that_users_impersonations() {
    use super::users_test_support::{add_session, admin_app};
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    add_session(&conn, "s-7imp", "u0007", -2, Some("u0020"));
    let of_5 = impersonations_of(&mut app, &mut conn, "u0005");
    assert_eq!(of_5.iter().map(|i| i.session_id.as_str()).collect::<Vec<_>>(), ["s-5imp"]);
    assert!(impersonations_of(&mut app, &mut conn, "u0004").is_empty(), "user4 was never impersonated");
    let of_7 = impersonations_of(&mut app, &mut conn, "u0007");
    assert_eq!(of_7.len(), 1);
    assert_eq!(of_7[0].state_word(), "expired", "the same word as the CLI");
    let by_admin = impersonations_of(&mut app, &mut conn, "u0000");
    assert_eq!(by_admin.len(), 1, "an admin's menu lists the sessions they impersonate in");
}

#[test]
fn statuses_are_shown_again_after_going_back() {
    use super::users_test_support::{admin_app, select};
    let (_dir, mut conn, mut app) = admin_app(140, 30);
    select(&mut app, &mut conn, "u0004");
    let effects = app.update(Action::ShowReferences);
    settle(&mut app, &mut conn, effects);
    let Overlay::References { groups, .. } = &app.overlay else { panic!("gr lists the references") };
    let sessions = groups.iter().position(|g| g.target.table == "session").unwrap();
    if let Overlay::References { selected, .. } = &mut app.overlay {
        *selected = sessions;
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(app.active_tab().unwrap().name, "session");
    select_column(&mut app, "userId");
    let effects = app.update(Action::FollowReference);
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.active_tab().unwrap().name, "user");
    for _ in 0..2 {
        let effects = app.update(Action::Back);
        settle(&mut app, &mut conn, effects);
    }
    let tab = app.active_tab().unwrap();
    assert_eq!(tab.name, "user");
    assert!(tab.window.rows.len() > 1);
    for row in &tab.window.rows {
        let status = app.users.status_of(tab, &row.values);
        assert!(matches!(status, Some(Some(_))), "{:?} has no status", row.values[0]);
    }
}

fn er_boxes(app: &App) -> Vec<String> {
    app.er.view().unwrap().diagram.boxes.iter().map(|b| b.table.clone()).collect()
}

#[test]
fn the_er_view_shows_the_tables_the_tab_bar_lists() {
    let (_dir, mut conn) = users_db(3);
    conn.execute_batch(
        "CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB);
         CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 140, 40);
    let effects = app.update(Action::ToggleInternal);
    settle(&mut app, &mut conn, effects);
    let er = app.tab_titles().iter().position(|t| t.contains("ER")).unwrap();
    let effects = app.update(Action::SelectTab { index: er });
    settle(&mut app, &mut conn, effects);
    assert!(er_boxes(&app).contains(&"_cf_KV".to_string()), "{:?}", er_boxes(&app));
    press(&mut app, &mut conn, KeyCode::Char('i'));
    assert!(!app.show_internal);
    assert!(!er_boxes(&app).contains(&"_cf_KV".to_string()), "hidden tables lose their boxes");
    assert!(app.tabs.iter().any(|t| t.name == "d1_migrations"));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    assert!(er_boxes(&app).contains(&"d1_migrations".to_string()), "a tab keeps its box after a reload");
}

fn status_text(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn gd_on_a_null_reference_says_it_is_null() {
    use super::users_test_support::admin_app;
    let (_dir, mut conn, mut app) = admin_app(140, 30);
    open_tab(&mut app, &mut conn, "session");
    select_column(&mut app, "impersonatedBy");
    let effects = app.update(Action::FollowReference);
    settle(&mut app, &mut conn, effects);
    assert_eq!(status_text(&app), "impersonatedBy is NULL here: it points at no row");
}

#[test]
fn gd_on_a_null_that_is_no_reference_says_it_is_not_one() {
    use super::users_test_support::admin_app;
    let (_dir, mut conn, mut app) = admin_app(140, 30);
    conn.execute("UPDATE session SET ipAddress = NULL", []).unwrap();
    open_tab(&mut app, &mut conn, "session");
    select_column(&mut app, "ipAddress");
    let effects = app.update(Action::FollowReference);
    settle(&mut app, &mut conn, effects);
    assert_eq!(status_text(&app), "this cell is not a reference (no foreign key, declared or inferred)");
}

#[test]
fn removing_a_filter_says_removed_and_a_search_says_what_it_found() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 140, 30);
    let filter = crate::db::page::Filter {
        column: "name".into(),
        op: crate::db::page::FilterOp::Eq,
        values: vec![Value::Text("User 1".into())],
    };
    app.active_tab_mut().unwrap().spec.filters.push(filter);
    let effects = app.update(Action::OpenFilter);
    settle(&mut app, &mut conn, effects);
    if let Overlay::Filter(form) = &mut app.overlay {
        form.set_field(FilterField::Value);
    }
    press(&mut app, &mut conn, KeyCode::Backspace);
    assert!(app.active_tab().unwrap().spec.filters.is_empty());
    assert!(status_text(&app).starts_with("filter removed: name"), "{}", status_text(&app));
    press(&mut app, &mut conn, KeyCode::Esc);

    let effects = app.update(Action::OpenSearch);
    settle(&mut app, &mut conn, effects);
    type_text(&mut app, &mut conn, "user3@");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert!(status_text(&app).starts_with("showing rows matching \"user3@\""), "{}", status_text(&app));
    let effects = app.update(Action::OpenSearch);
    settle(&mut app, &mut conn, effects);
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "nobody");
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(status_text(&app), "no rows match \"nobody\"");
}

#[test]
fn undo_and_commit_messages_speak_in_rows() {
    let (dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    select_column(&mut app, "name");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    type_text(&mut app, &mut conn, "!");
    press(&mut app, &mut conn, KeyCode::Enter);
    press(&mut app, &mut conn, KeyCode::Char('u'));
    assert_eq!(status_text(&app), "undid the staged edit of user.name · 0 changes still staged");
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    assert!(status_text(&app).starts_with("committed: 1 row deleted;"), "{}", status_text(&app));
}

#[test]
fn an_integer_key_is_edited_as_a_number() {
    let (_dir, mut conn) = users_db(1);
    conn.execute_batch(
        "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
         INSERT INTO d1_migrations (name) VALUES ('0000_init.sql');",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    open_tab(&mut app, &mut conn, "d1_migrations");
    select_column(&mut app, "id");
    press(&mut app, &mut conn, KeyCode::Char('e'));
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("a whole number (a key)"), "{screen}");
    clear_input(&mut app, &mut conn);
    type_text(&mut app, &mut conn, "7");
    press(&mut app, &mut conn, KeyCode::Enter);
    // A primary key is warned about first; the second Enter stages it.
    press(&mut app, &mut conn, KeyCode::Enter);
    assert_eq!(staged_new(&app), Value::Integer(7));
}

#[test]
fn the_role_form_says_when_no_role_is_stored() {
    use super::users_test_support::{admin_app, select};
    let (_dir, mut conn, mut app) = admin_app(120, 30);
    conn.execute("UPDATE user SET role = NULL WHERE id = 'u0002'", []).unwrap();
    let effects = app.update(Action::Refresh);
    settle(&mut app, &mut conn, effects);
    select(&mut app, &mut conn, "u0002");
    press(&mut app, &mut conn, KeyCode::Char('A'));
    press(&mut app, &mut conn, KeyCode::Char('r'));
    let screen = crate::ui::tests::render(&app);
    assert!(screen.contains("now: none stored, read as user"), "{screen}");
}

#[test]
fn a_delete_records_its_cascaded_rows_with_what_they_held() {
    let (dir, mut conn) = users_db(3);
    conn.execute_batch(
        "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId) VALUES
           ('s1', 1, 'secret-token-1', 1, 1, 'u0000'), ('s2', 1, 'secret-token-2', 1, 1, 'u0000');",
    )
    .unwrap();
    let mut app = open_app(&mut conn, 120, 30);
    app.source.audit.file = dir.path().join("audit.jsonl");
    press(&mut app, &mut conn, KeyCode::Char('d'));
    press(&mut app, &mut conn, KeyCode::Char('y'));
    ctrl(&mut app, &mut conn, 's');
    press(&mut app, &mut conn, KeyCode::Char('y'));
    let log = crate::audit::read_audit_from(&dir.path().join("audit.jsonl"), &Default::default()).unwrap();
    let sessions: Vec<_> = log.iter().filter(|e| e.table == "session").collect();
    assert_eq!(sessions.len(), 2, "both cascaded sessions are in the log: {log:?}");
    let first = sessions[0];
    assert_eq!(first.op, crate::db::change::ChangeOp::Delete);
    assert!(first.key.contains_key("id"), "keyed by primary key: {:?}", first.key);
    let token = first.changes.iter().find(|c| c.column == "token").unwrap();
    assert_eq!(token.old, serde_json::json!("[redacted]"), "secrets are redacted");
    let line = crate::cli::log::entry_line(log.iter().find(|e| e.table == "user").unwrap(), false);
    assert!(line.contains("deleted \"user0@example.com\" · held id=\"u0000\""), "{line}");
    let line = crate::cli::log::entry_line(first, false);
    assert!(line.contains("token=\"[redacted]\"") && !line.contains("secret-token"), "{line}");
}

/// A user table with one session of u0001 impersonated by `admin` (who may not exist).
fn impersonated_session(admin: &str) -> (tempfile::TempDir, Connection, App) {
    let (dir, mut conn) = users_db(12);
    let insert = "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, userId, impersonatedBy)
                  VALUES (?1, 1, ?1, 1, 1, 'u0001', ?2)";
    conn.execute(insert, ["s00", admin]).unwrap();
    // Ten impersonations by existing admins, so impersonatedBy is inferred to reference user.id
    // although one value dangles.
    for i in 0..10 {
        conn.execute(insert, [format!("s{:02}", i + 1), format!("u{i:04}")]).unwrap();
    }
    let mut app = open_app(&mut conn, 120, 30);
    open_tab(&mut app, &mut conn, "session");
    select_column(&mut app, "impersonatedBy");
    (dir, conn, app)
}

#[test]
fn the_message_log_keeps_the_whole_id_of_a_jump() {
    const ID: &str = "80cdb7dc-4df7-4b8e-9c1a-5e2f0a1b2c3d";
    let (_dir, mut conn, mut app) = impersonated_session(ID);
    conn.execute(
        "INSERT INTO user (id, name, email, emailVerified, createdAt, updatedAt) VALUES (?1, 'A', 'a@b.c', 1, 1, 1)",
        [ID],
    )
    .unwrap();
    let effects = app.update(Action::FollowReference);
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.active_tab().unwrap().name, "user");
    let logged = &app.messages.last().unwrap().text;
    assert_eq!(logged, &format!("user.id = {ID} · Backspace goes back"));
}

#[test]
fn gd_on_a_dangling_reference_says_the_row_does_not_exist() {
    let (_dir, mut conn, mut app) = impersonated_session("removed-admin-0001");
    let effects = app.update(Action::FollowReference);
    settle(&mut app, &mut conn, effects);
    assert_eq!(app.active_tab().unwrap().name, "session", "no jump to an empty table");
    let status = status_text(&app);
    assert!(status.contains("user.id = removed-admin-0001") && status.contains("does not exist"), "{status}");
    assert_eq!(app.status.as_ref().unwrap().level, Level::Warning);
}
