//! The worker side of user administration: statuses, previews, actions with their audit record
//! and the re-read of the grid's rows, all on the connection the worker owns.

use anyhow::Result;

use super::protocol::{ActionDone, AuditTarget, LINKS_SHOWN, UsersRequest, UsersResult, WindowReload};
use super::remote::Remote;
use crate::audit::{append_audit_to, entries_from_changes};
use crate::db::backend::Backend;
use crate::db::change::RowChange;
use crate::db::page::{Page, WindowQuery, fetch_window};
use crate::db::scan::estimate_rows;
use crate::db::users::{
    ListImpersonations, ListUserLinks, RunAction, UserStatuses, impersonations_scan, list_impersonations, list_roles,
    list_user_links, preview_action, run_planned, user_statuses,
};

/// Answers one user administration request.
pub(super) fn answer_users(conn: &dyn Backend, remote: Option<&Remote>, request: UsersRequest) -> Result<UsersResult> {
    Ok(match request {
        UsersRequest::Statuses { ids, now } => {
            UsersResult::Statuses(user_statuses(conn, &UserStatuses { ids: &ids, now })?)
        }
        UsersRequest::Roles => UsersResult::Roles(list_roles(conn)?),
        UsersRequest::Preview { user, action, now } => {
            UsersResult::Preview(Box::new(preview_action(conn, &RunAction { user: &user, action: &action, now })?))
        }
        UsersRequest::Run(run) => {
            let mut outcome = run_planned(conn, &run.plan).map_err(|err| {
                super::unknown::record_unknown_outcome(remote, &run.audit, || planned_action(&run), err)
            })?;
            // Committed: from here on nothing may turn the reply into an error. The audit says
            // when the batch committed; the plan's `now` only filled the values it wrote.
            let committed_at = chrono::Utc::now();
            let changes = std::mem::take(&mut outcome.changes);
            let audit_error =
                record(&run.audit, remote, outcome.action, &changes, committed_at).err().map(|e| format!("{e:#}"));
            let rows = run.reload.as_ref().map(|reload| reread(conn, reload).map_err(|e| format!("{e:#}")));
            let undo = remote.and_then(|remote| remote.database().restore_command());
            UsersResult::Done(Box::new(ActionDone { outcome, audit_error, rows, undo }))
        }
        UsersRequest::Links { user, now } => UsersResult::Links(Box::new(list_user_links(
            conn,
            &ListUserLinks { user_id: &user, now, limit: LINKS_SHOWN },
        )?)),
        UsersRequest::Impersonations { user, now, scan } => match impersonations_scan(conn)?.filter(|_| !scan) {
            // The question says how much: max(rowid) of the sessions, one row.
            Some(table) => UsersResult::ImpersonationsScan { rows: estimate_rows(conn, &[table.as_str()])? },
            None => UsersResult::Impersonations(list_impersonations(
                conn,
                &ListImpersonations { active_only: false, user: Some(&user), now },
            )?),
        },
    })
}

/// What a user action was to write, for an audit entry of unknown outcome.
fn planned_action(run: &super::protocol::RunRequest) -> Vec<crate::audit::AuditEntry> {
    let plan = &run.plan;
    let mut key = serde_json::Map::new();
    key.insert("id".into(), plan.user.clone().into());
    let statements: Vec<String> = plan.statements().iter().map(|s| s.to_text()).collect();
    let action = plan.action.name();
    super::unknown::planned_statements(&run.audit.database, action, plan.schema.user.name(), key, &statements)
}

fn record(
    target: &AuditTarget,
    remote: Option<&Remote>,
    action: &str,
    changes: &[RowChange],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let entries = entries_from_changes(&target.database, action, changes, now);
    append_audit_to(&target.file, &super::remote_marks(remote, entries))
}

/// The window's rows read again from where it starts, so the grid stays in place.
fn reread(conn: &dyn Backend, reload: &WindowReload) -> Result<Page> {
    fetch_window(conn, &WindowQuery { view: &reload.view, first: reload.first.as_ref(), limit: reload.limit })
}
