//! `squall migrate status|apply`: what `db:migrate` would do, and doing it safely.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use super::{GlobalArgs, Target, UsageError, open_target, resolve_command_database};
use crate::db::error::DbError;
use crate::migrate::apply::{ApplyPlan, MigrationFailed, describe_problems, describe_refused};
use crate::migrate::backup::default_backup_dir;
use crate::migrate::drift::{DriftReport, check_drift};
use crate::migrate::hint::{HintArgs, migrate_command};
use crate::migrate::record::{AppliedRun, audit_entries};
use crate::migrate::status::has_unapplied;
use crate::migrate::{
    ApplyEvent, ApplyInput, FolderKind, LocateMigrations, LocatedMigrations, MigrationState, MigrationStatus,
    StatusInput, TrackerChoice, TrackerKind, TrackerResolution, apply_migrations, locate_migrations, plan_migrations,
};

/// Exit code of `migrate status` when something is still to apply.
pub(super) const EXIT_PENDING: u8 = 3;
/// Exit code of `migrate drift` when the schema drifted.
const EXIT_DRIFT: u8 = 3;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Show every migration and its state (applied, pending, modified, missing, skipped).
    ///
    /// Exits 0 when nothing is pending, 3 when something is, 1 on error, 2 on bad usage.
    Status(StatusArgs),
    /// Apply the pending migrations: back up, then one transaction per migration.
    Apply(ApplyArgs),
    /// Compare the live schema with the migrations' (the newest drizzle-kit snapshot, else a
    /// scratch database built from every migration), and report edited migrations.
    ///
    /// Exits 0 when they match, 3 when they drift, 1 on error, 2 on bad usage.
    Drift(DriftArgs),
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Print one JSON object naming each difference.
    #[arg(long)]
    pub json: bool,
}

/// Where the migrations are and which tracker to read.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// The migrations folder (default: the wrangler config's migrations_dir, else ./drizzle,
    /// else ./migrations).
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<PathBuf>,
    /// Which tracker records what was applied; auto uses the one the database has, and
    /// wrangler's when it has both or neither.
    #[arg(long, value_enum, default_value_t = TrackerArg::Auto)]
    pub tracker: TrackerArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrackerArg {
    Auto,
    Wrangler,
    Drizzle,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Print a JSON array, one object per migration.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show what would run and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply even when migrations are modified, missing or skipped.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &MigrateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    match &args.command {
        MigrateCommand::Status(status) => run_status(status, global),
        MigrateCommand::Apply(apply) => run_apply(apply, global),
        MigrateCommand::Drift(drift) => run_drift(drift, global),
    }
}

fn locate(target: &Target, folder: &FolderArgs, global: &GlobalArgs) -> Result<LocatedMigrations> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let demo = crate::demo::default_demo_path().ok();
    locate_migrations(&LocateMigrations {
        explicit: folder.migrations.as_deref(),
        db_path: &target.path,
        cwd: &cwd,
        d1: global.d1.as_deref(),
        demo_db: demo.as_deref(),
    })
}

fn tracker_choice(arg: TrackerArg) -> TrackerChoice {
    match arg {
        TrackerArg::Auto => TrackerChoice::Auto,
        TrackerArg::Wrangler => TrackerChoice::Wrangler,
        TrackerArg::Drizzle => TrackerChoice::Drizzle,
    }
}

/// What a next-step hint must repeat of this command line.
pub(super) fn hint_args<'a>(folder: &'a FolderArgs, global: &'a GlobalArgs) -> HintArgs<'a> {
    HintArgs {
        db: global.db.as_deref(),
        migrations: folder.migrations.as_deref(),
        d1: global.d1.as_deref(),
        tracker: match folder.tracker {
            TrackerArg::Auto => None,
            TrackerArg::Wrangler => Some("wrangler"),
            TrackerArg::Drizzle => Some("drizzle"),
        },
    }
}

/// What the status, apply and drift commands read the migrations with.
pub(super) fn status_input<'a>(located: &'a LocatedMigrations, folder: &FolderArgs) -> StatusInput<'a> {
    StatusInput {
        folder: &located.folder,
        tracker: tracker_choice(folder.tracker),
        wrangler_table: &located.wrangler_table,
    }
}

fn run_status(args: &StatusArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let target = resolve_command_database(global)?;
    let db = open_target(&target, global)?;
    let located = locate(&target, &args.folder, global)?;
    let input = status_input(&located, &args.folder);
    let plan = plan_migrations(&db.conn, &input)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan.statuses)?);
    } else {
        print_header(&target, &located, &plan.tracker);
        println!();
        print_table(&plan.statuses, plan.tracker.kind);
        println!();
        print_summary(&plan, &hint_args(&args.folder, global), &[]);
    }
    Ok(if has_unapplied(&plan.statuses) { ExitCode::from(EXIT_PENDING) } else { ExitCode::SUCCESS })
}

fn run_apply(args: &ApplyArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let target = resolve_command_database(global)?;
    let mut db = open_target(&target, global)?;
    let located = locate(&target, &args.folder, global)?;
    let input = status_input(&located, &args.folder);
    let plan = plan_migrations(&db.conn, &input)?;
    // Refusals come before the plan is printed: a plan that was never going to run only
    // buries the reason under SQL.
    if !plan.to_apply.is_empty() {
        if !plan.refused.is_empty() {
            anyhow::bail!(describe_refused(&plan.refused));
        }
        if let Some(reason) = db.read_only.filter(|_| !args.dry_run) {
            let message = format!(
                "{}: the database is read-only ({}); applying needs write access",
                target.path.display(),
                reason.describe()
            );
            return Err(DbError::ReadOnly(message).into());
        }
    }
    print_header(&target, &located, &plan.tracker);
    for problem in &plan.problems {
        println!("warning: {} is {}: {}", problem.name, problem.state.label(), explain(problem.state));
    }
    if plan.to_apply.is_empty() {
        println!("nothing to apply: every migration in the folder is applied");
        return Ok(ExitCode::SUCCESS);
    }
    print_plan(&plan);
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.problems.is_empty() && !args.force {
        return Err(DbError::Conflict(describe_problems(&plan.problems)).into());
    }
    if !args.yes && !confirm(plan.to_apply.len(), &located.database_name)? {
        eprintln!("squall: cancelled; nothing was changed");
        return Ok(ExitCode::from(1));
    }

    let backup_dir = default_backup_dir()?;
    let mut line_open = false;
    let mut progress = |event: &ApplyEvent| match event {
        ApplyEvent::BackedUp { path } => println!("backup: {}", path.display()),
        ApplyEvent::Bookmarked { .. } => {}
        ApplyEvent::Started { name, position, total, statements } => {
            print!("[{position}/{total}] {name} ({}) ... ", plural(*statements, "statement"));
            let _ = std::io::stdout().flush();
            line_open = true;
        }
        ApplyEvent::Applied { .. } => {
            println!("ok");
            line_open = false;
        }
    };
    let result = apply_migrations(
        &mut db.conn,
        ApplyInput {
            status: input,
            force: args.force,
            backup_dir: &backup_dir,
            backup_name: &located.database_name,
            progress: &mut progress,
        },
    );
    if line_open {
        println!("failed");
    }
    let tracker_table = match plan.tracker.kind {
        TrackerKind::Wrangler => located.wrangler_table.as_str(),
        TrackerKind::Drizzle => crate::migrate::drizzle::DEFAULT_TABLE,
    };
    let audit = |applied: &[String], backup: Option<&std::path::Path>| {
        let run = AppliedRun {
            database: &target.path,
            tracker: plan.tracker.kind,
            tracker_table,
            applied,
            backup,
            time: chrono::Utc::now(),
        };
        crate::audit::append_audit_to(&crate::audit::audit_log_path()?, &audit_entries(&run))
    };
    let report = match result {
        Ok(report) => report,
        Err(err) => {
            // Migrations applied before the failing one stay applied: they are audited too.
            if let Some(failed) = err.downcast_ref::<MigrationFailed>() {
                audit(&failed.applied, failed.backup.as_deref())?;
            }
            return Err(err);
        }
    };
    audit(&report.applied, report.backup.as_deref())?;
    println!(
        "applied {}; {}'s tracker records {}",
        plural(report.applied.len(), "migration"),
        report.tracker.label(),
        if report.applied.len() == 1 { "it" } else { "them" }
    );
    Ok(ExitCode::SUCCESS)
}

fn run_drift(args: &DriftArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let target = resolve_command_database(global)?;
    let db = open_target(&target, global)?;
    let located = locate(&target, &args.folder, global)?;
    let input = status_input(&located, &args.folder);
    let report = check_drift(&db.conn, &input)?;
    if !args.json {
        let tracker = crate::migrate::resolve_tracker(&db.conn, &input)?;
        print_header(&target, &located, &tracker);
    }
    print_drift(&report, args.json)
}

/// The drift report (after the header, unless `json`) and its exit code: 0 when the schema
/// matches, [`EXIT_DRIFT`] when it drifted. Shared by the local and the `--remote` command.
pub(super) fn print_drift(report: &DriftReport, json: bool) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        println!("expected    {}", report.expected);
        println!();
        for difference in &report.differences {
            println!("{}", difference.describe());
        }
        for edited in &report.edited {
            println!("edited: {}: {}", edited.name, edited.reason);
        }
        if !report.pending.is_empty() {
            println!(
                "pending: {} not applied yet ({}): not drift, compared without {}; `migrate apply` runs {}",
                plural(report.pending.len(), "migration"),
                report.pending.join(", "),
                if report.pending.len() == 1 { "it" } else { "them" },
                if report.pending.len() == 1 { "it" } else { "them" }
            );
        }
        if report.tracker == TrackerKind::Wrangler && report.expected.starts_with("a scratch") {
            println!(
                "note: wrangler's tracker records only file names, so an applied migration edited afterwards shows as drift"
            );
        }
        println!(
            "{}",
            if report.drift {
                format!(
                    "drift: {}{}",
                    plural(report.differences.len(), "difference"),
                    if report.edited.is_empty() {
                        String::new()
                    } else {
                        format!(", {} edited after being applied", plural(report.edited.len(), "migration"))
                    }
                )
            } else if report.pending.is_empty() {
                "no drift: the database matches the migrations".to_string()
            } else {
                "no drift: the database matches the applied migrations".to_string()
            }
        );
    }
    Ok(if report.drift { ExitCode::from(EXIT_DRIFT) } else { ExitCode::SUCCESS })
}

/// Asks y/N on a terminal; refuses (instead of hanging) when stdin is not one.
fn confirm(count: usize, database: &str) -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(UsageError(format!(
            "refusing to apply {} without confirmation: stdin is not a terminal; pass --yes to apply anyway",
            plural(count, "migration")
        ))
        .into());
    }
    print!("apply {} to {database}? [y/N] ", plural(count, "migration"));
    std::io::stdout().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

fn print_header(target: &Target, located: &LocatedMigrations, tracker: &TrackerResolution) {
    println!("database    {}", target.path.display());
    if target.reason != format!("opened {}", target.path.display()) {
        println!("            {}", target.reason);
    }
    let kind = match located.folder.kind {
        FolderKind::Journal => "drizzle-kit journal",
        FolderKind::Plain => ".sql files, no journal",
    };
    println!("migrations  {}", located.reason);
    println!("            {kind}, {}", plural(located.folder.migrations.len(), "migration"));
    let table = match tracker.kind {
        TrackerKind::Wrangler => located.wrangler_table.as_str(),
        TrackerKind::Drizzle => crate::migrate::drizzle::DEFAULT_TABLE,
    };
    println!("tracker     {} ({table}): {}", tracker.kind.label(), tracker.reason);
    for disagreement in located.folder.disagreements() {
        println!("warning: {disagreement}");
    }
}

pub(super) fn print_table(statuses: &[MigrationStatus], tracker: TrackerKind) {
    if statuses.is_empty() {
        println!("the folder has no migrations");
        return;
    }
    let when_header = match tracker {
        TrackerKind::Wrangler => "APPLIED AT (UTC)",
        TrackerKind::Drizzle => "CREATED AT (UTC, journal)",
    };
    let name_width = statuses.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max("MIGRATION".len());
    println!("{:<9} {:<name_width$}  {when_header}", "STATUS", "MIGRATION");
    for status in statuses {
        let when = match tracker {
            TrackerKind::Wrangler => status.applied_at.clone(),
            TrackerKind::Drizzle => status.created_at.and_then(format_millis),
        };
        let note = status.note.as_deref().map(|note| format!("  ({note})")).unwrap_or_default();
        println!("{:<9} {:<name_width$}  {}{note}", status.state.label(), status.name, when.as_deref().unwrap_or("-"));
    }
}

pub(super) fn print_summary(plan: &ApplyPlan, hint: &HintArgs, extra: &[&str]) {
    let statuses = &plan.statuses;
    let states = [
        MigrationState::Applied,
        MigrationState::Pending,
        MigrationState::Skipped,
        MigrationState::Modified,
        MigrationState::Missing,
    ];
    let counts: Vec<String> = states
        .iter()
        .map(|state| (state, statuses.iter().filter(|s| s.state == *state).count()))
        .filter(|(_, count)| *count > 0)
        .map(|(state, count)| format!("{count} {}", state.label()))
        .collect();
    println!("{}", if counts.is_empty() { "no migrations".to_string() } else { counts.join(", ") });
    for state in &states[2..] {
        if statuses.iter().any(|s| s.state == *state) {
            println!("{}: {}", state.label(), explain(*state));
        }
    }
    for refused in &plan.refused {
        println!("refused: {refused}");
    }
    // No hint while apply would refuse: the history must be fixed first.
    if has_unapplied(statuses) && plan.problems.is_empty() && plan.refused.is_empty() {
        println!("run `{}` to apply them (`--dry-run` shows what would run)", migrate_command("apply", extra, hint));
    }
}

/// What a troubling state means, in one line.
pub(super) fn explain(state: MigrationState) -> &'static str {
    match state {
        MigrationState::Modified => "the file changed after it was applied (its hash differs from the recorded one)",
        MigrationState::Missing => "recorded as applied, but no file in the folder matches it",
        MigrationState::Skipped => "older than the newest applied migration, so drizzle's migrator would never run it",
        MigrationState::Applied | MigrationState::Pending => "",
    }
}

pub(super) fn print_plan(plan: &ApplyPlan) {
    println!("will apply {}, each in its own transaction:", plural(plan.to_apply.len(), "migration"));
    for migration in &plan.to_apply {
        let note = if migration.state == MigrationState::Skipped { ", skipped until now" } else { "" };
        println!("\n-- {} ({}{note})", migration.name, plural(migration.statements.len(), "statement"));
        for statement in &migration.statements {
            for line in statement.lines() {
                println!("    {line}");
            }
        }
    }
    println!();
}

fn format_millis(millis: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(millis).map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
}

pub(super) fn plural(count: usize, noun: &str) -> String {
    crate::present::plural(count as u64, noun)
}
