//! `x` (export the view), `y` / `Y` (clipboard) through `App::update`, without a terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use super::tests::{open_app, settle, users_db};
use super::*;
use crate::db::export::{ExportFormat, ExportInput, ExportSource, export_rows, plan_export};

fn key(app: &mut App, conn: &mut Connection, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, modifiers) });
    let (requests, others): (Vec<Effect>, Vec<Effect>) =
        effects.into_iter().partition(|e| matches!(e, Effect::Request { .. }));
    settle(app, conn, requests);
    others
}

fn typed(app: &mut App, conn: &mut Connection, text: &str) {
    for c in text.chars() {
        key(app, conn, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

fn status(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn x_exports_exactly_the_searched_rows_after_the_prompt() {
    let (_dir, mut conn) = users_db(30);
    let mut app = open_app(&mut conn, 120, 30);
    key(&mut app, &mut conn, KeyCode::Char('/'), KeyModifiers::NONE);
    typed(&mut app, &mut conn, "user1");
    key(&mut app, &mut conn, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut app, &mut conn, KeyCode::Char('x'), KeyModifiers::NONE);
    let Overlay::Export(prompt) = &app.overlay else { panic!("no export prompt") };
    assert_eq!(field_text(&prompt.path), "user-20261128-120000.csv");
    // Tab cycles the format and the extension follows; Shift-Tab goes back.
    key(&mut app, &mut conn, KeyCode::Tab, KeyModifiers::NONE);
    let Overlay::Export(prompt) = &app.overlay else { panic!("no export prompt") };
    assert_eq!((prompt.format, field_text(&prompt.path).as_str()), (ExportFormat::Json, "user-20261128-120000.json"));
    key(&mut app, &mut conn, KeyCode::BackTab, KeyModifiers::NONE);
    let effects = key(&mut app, &mut conn, KeyCode::Enter, KeyModifiers::NONE);
    let [Effect::Export { id, job }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(job.path, "user-20261128-120000.csv");
    assert_eq!(job.options.format, ExportFormat::Csv);
    assert!(!job.options.include_secrets);
    // What the export thread would write: exactly the rows the search matches, in grid order.
    let ExportSource::Table(view) = &job.source else { panic!("not a table export") };
    assert!(view.search.is_some());
    let plan = plan_export(&conn, &job.source).unwrap();
    let mut out = Vec::new();
    export_rows(&conn, &ExportInput { plan: &plan, options: &job.options }, &mut out, &mut |_| true).unwrap();
    let csv = String::from_utf8(out).unwrap();
    let emails: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    let expected: Vec<String> =
        [1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].iter().map(|i| format!("user{i}@example.com")).collect();
    assert_eq!(emails, expected);
    assert!(status(&app).contains("exporting user"));
    let id = *id;
    app.update(Action::Reply { reply: DbReply { id, result: Ok(DbResult::ExportProgress { rows: 4096 }) } });
    assert!(status(&app).contains("4,096 rows"), "{}", status(&app));
    let done = DbResult::Exported { path: "/work/user.csv".into(), rows: 11, redacted: Vec::new(), cost: None };
    app.update(Action::Reply { reply: DbReply { id, result: Ok(done) } });
    assert_eq!(status(&app), "exported 11 rows to /work/user.csv");
    assert!(app.running_export().is_none());
}

#[test]
fn an_export_refused_before_writing_opens_the_prompt_again_with_the_path_kept() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 120, 30);
    key(&mut app, &mut conn, KeyCode::Char('x'), KeyModifiers::NONE);
    let effects = key(&mut app, &mut conn, KeyCode::Enter, KeyModifiers::NONE);
    let [Effect::Export { id, job }] = effects.as_slice() else { panic!("{effects:?}") };
    let (id, path) = (*id, job.path.clone());
    let exists = format!("creating {path}: File exists (os error 17)");
    app.update(Action::Reply { reply: DbReply { id, result: Err(ReplyError::other(exists.clone())) } });
    assert!(status(&app).starts_with("export failed: creating"), "{}", status(&app));
    let Overlay::Export(prompt) = &app.overlay else { panic!("the prompt is back") };
    assert_eq!(field_text(&prompt.path), path, "the typed path is kept");
    assert_eq!(prompt.error.as_deref(), Some(exists.as_str()));
}

#[test]
fn esc_cancels_a_running_export() {
    let (_dir, mut conn) = users_db(5);
    let mut app = open_app(&mut conn, 120, 30);
    key(&mut app, &mut conn, KeyCode::Char('x'), KeyModifiers::NONE);
    key(&mut app, &mut conn, KeyCode::Char('r'), KeyModifiers::CONTROL);
    let Overlay::Export(prompt) = &app.overlay else { panic!("no export prompt") };
    assert!(prompt.include_secrets);
    let effects = key(&mut app, &mut conn, KeyCode::Enter, KeyModifiers::NONE);
    let [Effect::Export { id, job }] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(job.options.include_secrets);
    let id = *id;
    let effects = key(&mut app, &mut conn, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(effects, vec![Effect::CancelExport { id }]);
    app.update(Action::Reply {
        reply: DbReply { id, result: Err(ReplyError::new(ErrorKind::Interrupted, "export cancelled")) },
    });
    assert_eq!(status(&app), "export cancelled; the partial file was removed");
    // An empty path is refused in the prompt, nothing starts.
    key(&mut app, &mut conn, KeyCode::Char('x'), KeyModifiers::NONE);
    let Overlay::Export(prompt) = &mut app.overlay else { panic!("no export prompt") };
    prompt.path = super::input::text_input("");
    let effects = key(&mut app, &mut conn, KeyCode::Enter, KeyModifiers::NONE);
    assert!(effects.is_empty());
    let Overlay::Export(prompt) = &app.overlay else { panic!("prompt closed") };
    assert_eq!(prompt.error.as_deref(), Some("give a file to write to"));
}

#[test]
fn y_copies_the_stored_cell_and_shift_y_the_row_as_json() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    let email = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "email");
    app.active_tab_mut().unwrap().selected_col = email.unwrap();
    let effects = key(&mut app, &mut conn, KeyCode::Char('y'), KeyModifiers::NONE);
    assert_eq!(effects, vec![Effect::Clipboard { text: "user0@example.com".into() }]);
    assert!(status(&app).starts_with("copied email"), "{}", status(&app));
    let effects = key(&mut app, &mut conn, KeyCode::Char('Y'), KeyModifiers::SHIFT);
    let [Effect::Clipboard { text }] = effects.as_slice() else { panic!("{effects:?}") };
    let row: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(row["id"], "u0000");
    assert_eq!(row["banned"], 0);
    assert_eq!(row["banReason"], serde_json::Value::Null);
    // NULL copies nothing; a terminal known not to take OSC 52 is named instead of pretending.
    let reason = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "banReason");
    app.active_tab_mut().unwrap().selected_col = reason.unwrap();
    assert!(key(&mut app, &mut conn, KeyCode::Char('y'), KeyModifiers::NONE).is_empty());
    assert_eq!(status(&app), "banReason is NULL: nothing copied");
    app.export.clipboard = ClipboardSupport::Unsupported { reason: "macOS Terminal ignores OSC 52".into() };
    assert!(key(&mut app, &mut conn, KeyCode::Char('Y'), KeyModifiers::SHIFT).is_empty());
    assert_eq!(status(&app), "cannot copy: macOS Terminal ignores OSC 52");
}

#[test]
fn inside_tmux_the_copy_goes_to_the_terminal_layer_which_asks_tmux_then() {
    let (_dir, mut conn) = users_db(3);
    let mut app = open_app(&mut conn, 120, 30);
    app.export.clipboard = ClipboardSupport::AskTmux;
    let email = app.active_tab().unwrap().meta().unwrap().info.columns.iter().position(|c| c.name == "email");
    app.active_tab_mut().unwrap().selected_col = email.unwrap();
    let effects = key(&mut app, &mut conn, KeyCode::Char('y'), KeyModifiers::NONE);
    assert_eq!(effects, vec![Effect::Clipboard { text: "user0@example.com".into() }]);
}
