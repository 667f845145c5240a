//! The confirmation of an apply on a remote D1: the same scrollable overlay as the local apply,
//! naming the database and saying what stands in for the backup (a time-travel bookmark).

use super::super::MigrationsOverview;
use super::super::confirm::{Confirmation, Confirmed, PreviewLine};
use crate::migrate::remote::DEFER_FOREIGN_KEYS;

/// What applying the pending migrations on the remote `name` (`target` is `D1 name (id)`) will
/// send, request by request, as `squall migrate apply --remote` sends it.
pub(super) fn remote_apply_confirmation(overview: &MigrationsOverview, name: &str, target: &str) -> Confirmation {
    let plan = &overview.plan;
    let mut preview = vec![
        PreviewLine::Heading(format!(
            "Apply {} to the REMOTE database {name} with the {} tracker?",
            crate::present::plural(plan.to_apply.len() as u64, "migration"),
            plan.tracker.kind.label()
        )),
        PreviewLine::Note(format!("Database: {target}, over Cloudflare's REST API.")),
        PreviewLine::Note(
            "A time-travel bookmark is taken first, before each migration's request; the audit log records it with the command that restores it.".into(),
        ),
        PreviewLine::Note(format!(
            "Each migration is ONE atomic request: `{DEFER_FOREIGN_KEYS}`, the tracker table if missing, its statements, its tracker row. The first failure stops; none of a failed request is kept."
        )),
        PreviewLine::Blank,
    ];
    for planned in &plan.to_apply {
        preview.push(PreviewLine::Item(format!("▸ {} ({} statements)", planned.name, planned.statements.len())));
        preview.push(PreviewLine::Sql(DEFER_FOREIGN_KEYS.to_string()));
        preview.extend(planned.statements.iter().map(|statement| PreviewLine::Sql(statement.clone())));
        preview.push(PreviewLine::Sql(planned.tracker_sql.clone()));
    }
    Confirmation {
        title: format!("apply migrations to D1 {name}"),
        preview,
        scroll: 0,
        on_yes: Confirmed::ApplyMigrations,
        waiting: false,
        answer: None,
    }
}
