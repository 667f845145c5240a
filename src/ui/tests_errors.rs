//! Errors on the status line: the cause first, cut to the width, never a phrase said twice.

use crate::app::tests::{fixed_ctx, test_source, users_db};
use crate::app::{Action, App, DbReply, Effect, RemoteSession};
use crate::service::ReplyError;

use super::tests::render;

/// A remote session whose schema read was refused for a wrong token, drawn `width` wide.
fn rejected_token_screen(width: u16) -> String {
    let (_dir, conn) = users_db(1);
    let mut source = test_source(&conn);
    source.read_only = Some(crate::db::open::ReadOnlyReason::Requested);
    let (mut app, effects) = App::new(source, width, 6, fixed_ctx());
    app.remote = Some(RemoteSession {
        name: "7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0c34".into(),
        write: false,
        stats: crate::service::RemoteStats { last_rows_read: 0, last_ms: 39, total_rows_read: 0, requests: 1 },
        cost: Default::default(),
        action_start: Default::default(),
    });
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Request { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    // The chain the remote backend really gives (squall tables --remote prints it whole).
    let err = anyhow::anyhow!(
        "D1 rejected the API token (HTTP 403, code 10000: Authentication error): check CLOUDFLARE_API_TOKEN \
         (it needs Account → D1 → Read, and Edit to write) and CLOUDFLARE_ACCOUNT_ID"
    )
    .context("reading the schema");
    let reply = DbReply { id, result: Err(ReplyError::from_error(&err)) };
    app.update(Action::Reply { reply });
    let status = app.status.clone().unwrap();
    assert!(!status.text.contains("reading the schema failed"), "{}", status.text);
    assert_eq!(status.text.matches("reading the schema").count(), 1, "{}", status.text);
    assert!(status.text.starts_with("D1 rejected the API token"), "the cause first: {}", status.text);
    render(&app)
}

#[test]
fn a_rejected_token_says_the_cause_first_at_160_columns() {
    let screen = rejected_token_screen(160);
    assert!(screen.contains("D1 rejected the API token (HTTP 403"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn a_rejected_token_says_the_cause_first_at_80_columns() {
    let screen = rejected_token_screen(80);
    assert!(screen.contains("D1 rejected the API token"), "{screen}");
    insta::assert_snapshot!(screen);
}
