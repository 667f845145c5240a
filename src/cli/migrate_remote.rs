//! `squall migrate status|apply --remote`: the remote D1's tracker read over the REST API, and
//! each pending migration applied as ONE atomic request after a time-travel bookmark, as
//! `wrangler d1 migrations apply --remote` does (stack-facts §3, §5). No backup file: the
//! bookmark is the backup, and the command that restores it is printed and audited.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::migrate::{
    ApplyArgs, DriftArgs, EXIT_PENDING, FolderArgs, MigrateArgs, MigrateCommand, StatusArgs, hint_args, plural,
    print_drift, print_plan, print_summary, print_table, status_input,
};
use super::remote::{confirm_remote, open_remote, report_cost};
use super::{EXIT_ERROR, GlobalArgs};
use crate::db::backend::Backend;
use crate::db::backend::d1::{D1Backend, restore_command, restore_point};
use crate::migrate::apply::ApplyPlan;
use crate::migrate::drift::check_drift;
use crate::migrate::record::{AppliedRun, remote_audit_entries};
use crate::migrate::remote::{AtomicApplyInput, AtomicEvent, AtomicMigrationFailed, apply_atomically};
use crate::migrate::status::has_unapplied;
use crate::migrate::{
    LocateMigrations, LocatedMigrations, TrackerKind, TrackerResolution, locate_migrations, plan_migrations,
    resolve_tracker,
};

/// The migrations folder for a remote database: `--migrations`, else the wrangler project's
/// (found from the current folder up), else `./drizzle` or `./migrations`.
fn locate(folder: &FolderArgs, global: &GlobalArgs) -> Result<LocatedMigrations> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    // There is no local file: a path that is no database keeps the lookup to the project's folder.
    let no_file = cwd.join(".squall-remote");
    locate_migrations(&LocateMigrations {
        explicit: folder.migrations.as_deref(),
        db_path: &no_file,
        cwd: &cwd,
        d1: global.d1.as_deref(),
        demo_db: None,
    })
}

fn tracker_table<'a>(tracker: &TrackerResolution, located: &'a LocatedMigrations) -> &'a str {
    match tracker.kind {
        TrackerKind::Wrangler => located.wrangler_table.as_str(),
        TrackerKind::Drizzle => crate::migrate::drizzle::DEFAULT_TABLE,
    }
}

fn print_header(db: &D1Backend, located: &LocatedMigrations, tracker: &TrackerResolution) {
    println!("database    {} (remote)", db.describe_target());
    println!("migrations  {}", located.reason);
    println!("            {}", plural(located.folder.migrations.len(), "migration"));
    println!("tracker     {} ({}): {}", tracker.kind.label(), tracker_table(tracker, located), tracker.reason);
    for disagreement in located.folder.disagreements() {
        println!("warning: {disagreement}");
    }
}

/// `squall migrate … --remote`: status, apply and drift over the REST API.
pub fn run(args: &MigrateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    match &args.command {
        MigrateCommand::Status(status) => self::status(status, global),
        MigrateCommand::Apply(apply) => self::apply(apply, global),
        MigrateCommand::Drift(drift) => self::drift(drift, global),
    }
}

/// `squall migrate drift --remote`: the tracker and the whole live schema (ONE statement over the
/// pragma table functions), compared with the snapshot or a local scratch build, as locally.
/// Exits 0 when they match, 3 when they drift.
pub fn drift(args: &DriftArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let located = locate(&args.folder, global)?;
    let db = open_remote(global)?;
    let input = status_input(&located, &args.folder);
    let report = check_drift(&db, &input)?;
    if !args.json {
        print_header(&db, &located, &resolve_tracker(&db, &input)?);
    }
    let code = print_drift(&report, args.json)?;
    report_cost(&db);
    Ok(code)
}

/// `squall migrate status --remote`: reads only (unlike wrangler's `migrations list`, it does
/// not create the tracker table when it is missing).
pub fn status(args: &StatusArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let located = locate(&args.folder, global)?;
    let db = open_remote(global)?;
    let input = status_input(&located, &args.folder);
    let plan = plan_migrations(&db, &input)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan.statuses)?);
    } else {
        print_header(&db, &located, &plan.tracker);
        println!();
        print_table(&plan.statuses, plan.tracker.kind);
        println!();
        print_summary(&plan, &hint_args(&args.folder, global), &["--remote", "--write"]);
    }
    report_cost(&db);
    Ok(if has_unapplied(&plan.statuses) { ExitCode::from(EXIT_PENDING) } else { ExitCode::SUCCESS })
}

/// `squall migrate apply --remote --write`: shows the plan, asks for the database name (or
/// `--yes`), then sends each migration as one atomic request after a bookmark.
pub fn apply(args: &ApplyArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let located = locate(&args.folder, global)?;
    let db = open_remote(global)?;
    let result = apply_on(&db, &located, args);
    super::remote::report_cost_of(&db, result)
}

fn apply_on(db: &D1Backend, located: &LocatedMigrations, args: &ApplyArgs) -> Result<ExitCode> {
    let input = status_input(located, &args.folder);
    let plan = plan_migrations(db, &input)?;
    if !plan.to_apply.is_empty() {
        if !plan.refused.is_empty() {
            anyhow::bail!(crate::migrate::apply::describe_refused(&plan.refused));
        }
        if !args.dry_run {
            db.check_writable()?;
        }
    }
    print_header(db, located, &plan.tracker);
    for problem in &plan.problems {
        println!("warning: {} is {}: {}", problem.name, problem.state.label(), super::migrate::explain(problem.state));
    }
    if plan.to_apply.is_empty() {
        println!("nothing to apply: every migration in the folder is applied");
        return Ok(ExitCode::SUCCESS);
    }
    print_plan(&plan);
    println!(
        "on D1 each runs as ONE atomic request (after `{}`), with its {} row",
        crate::migrate::remote::DEFER_FOREIGN_KEYS,
        tracker_table(&plan.tracker, located)
    );
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.problems.is_empty() && !args.force {
        return Err(
            crate::db::error::DbError::Conflict(crate::migrate::apply::describe_problems(&plan.problems)).into()
        );
    }
    let what = format!("  apply {}", plural(plan.to_apply.len(), "migration"));
    if !confirm_remote(db, &what, args.yes, false)? {
        eprintln!("squall: cancelled; nothing was written");
        return Ok(ExitCode::from(EXIT_ERROR));
    }

    // The bookmark taken before each migration's request: the first restores the whole run.
    let mut bookmarks: Vec<Option<String>> = Vec::new();
    let mut line_open = false;
    let mut progress = |event: &AtomicEvent| match event {
        AtomicEvent::Started { name, position, total, statements } => {
            print!("[{position}/{total}] {name} ({}) ... ", plural(*statements, "statement"));
            let _ = std::io::stdout().flush();
            line_open = true;
        }
        AtomicEvent::Applied { .. } => {
            println!("ok");
            line_open = false;
            bookmarks.push(db.last_bookmark());
        }
    };
    let result = apply_atomically(db, AtomicApplyInput { status: input, force: args.force, progress: &mut progress });
    if line_open {
        println!("failed");
    }
    let applied = match &result {
        Ok(applied) => applied.clone(),
        Err(err) => err.downcast_ref::<AtomicMigrationFailed>().map(|f| f.applied.clone()).unwrap_or_default(),
    };
    record(db, &plan, located, &applied, &bookmarks)?;
    if let Some(Some(first)) = bookmarks.first() {
        let restore = restore_command(db.display_name(), first);
        eprintln!("time-travel bookmark before the first migration: {first}\n{}", restore_point(&restore));
    }
    result?;
    println!(
        "applied {}; {}'s tracker records {}",
        plural(applied.len(), "migration"),
        plan.tracker.kind.label(),
        if applied.len() == 1 { "it" } else { "them" }
    );
    Ok(ExitCode::SUCCESS)
}

/// One audit entry per applied migration, each with the bookmark taken before its request.
fn record(
    db: &D1Backend,
    plan: &ApplyPlan,
    located: &LocatedMigrations,
    applied: &[String],
    bookmarks: &[Option<String>],
) -> Result<()> {
    if applied.is_empty() {
        return Ok(());
    }
    let run = AppliedRun {
        database: Path::new(""),
        tracker: plan.tracker.kind,
        tracker_table: tracker_table(&plan.tracker, located),
        applied,
        backup: None,
        time: chrono::Utc::now(),
    };
    let entries = remote_audit_entries(&run, &db.describe_target(), db.display_name(), bookmarks);
    crate::audit::append_audit_to(&crate::audit::audit_log_path()?, &entries)
        .context("the migrations were applied, but squall's log could not be written")
}
