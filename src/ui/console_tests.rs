//! Snapshots of the console: a result in the grid, a write waiting for `y`, the plan tree.
//! Times measured by the worker are fixed before drawing so the snapshots are stable.

use ratatui::crossterm::event::KeyCode;

use super::tests::render;
use crate::app::console_tests::Harness;
use crate::app::editor_with;

fn steady(h: &mut Harness) {
    for result in &mut h.app.console.results {
        result.first_ms = result.first_ms.map(|_| 3);
        result.end_ms = result.end_ms.map(|_| 40);
    }
}

#[test]
fn console_with_a_result() {
    let mut h = Harness::new(30);
    h.app.width = 110;
    h.app.height = 24;
    h.app.console.editor = editor_with(
        "-- who signed up\nselect id, name, emailVerified, createdAt, role\nfrom user where id < 'u0005' order by id;",
    );
    h.key(KeyCode::F(5));
    h.key(KeyCode::Esc);
    steady(&mut h);
    insta::assert_snapshot!(render(&h.app));
}

#[test]
fn console_write_waiting_for_yes() {
    let mut h = Harness::new(30);
    h.app.width = 100;
    h.app.height = 20;
    h.app.console.editor = editor_with("update user set role = 'admin' where banned = 1");
    h.key(KeyCode::F(5));
    insta::assert_snapshot!(render(&h.app));
}

#[test]
fn console_plan() {
    let mut h = Harness::new(30);
    h.app.width = 100;
    h.app.height = 20;
    h.app.console.editor =
        editor_with("select u.name, count(*) from user u join session s on s.userId = u.id group by u.id");
    h.ctrl('e');
    insta::assert_snapshot!(render(&h.app));
}

#[test]
fn help_is_as_wide_as_its_text_and_wraps_on_a_narrow_screen() {
    let mut h = Harness::new(2);
    h.app.width = 160;
    h.app.height = 45;
    h.key(KeyCode::F(1));
    let wide = render(&h.app);
    assert!(
        wide.contains("run the statement under the cursor (or the selection; several run one at a time)"),
        "{wide}"
    );
    let line = wide.lines().find(|l| l.contains("Ctrl-r (empty editor)")).unwrap();
    assert!(line.contains("Ctrl-r (empty editor)  ") && line.contains("search the history"), "{line}");
    h.app.width = 70;
    let narrow = render(&h.app);
    assert!(
        narrow.contains("under the cursor (or the│") && narrow.contains(" selection; several run one at a time)"),
        "{narrow}"
    );
}
