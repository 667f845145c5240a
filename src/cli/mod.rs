//! The command line: argument parsing (clap) and the non-interactive commands.

mod demo;
mod er;
mod export;
pub(crate) mod log;
mod migrate;
mod migrate_remote;
mod remote;
mod sql;
mod tables;
mod usage;
mod user;
pub(crate) mod user_print;

pub use tables::describe_kind;
use usage::EXIT_ERROR;
pub use usage::UsageError;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::db::open::{Database, OpenInput, OpenMode, open_database};
use crate::present::error_chain;
use crate::project::{Discover, discover};

/// A terminal studio for SQLite / Cloudflare D1 databases of Drizzle + better-auth apps.
///
/// With no database given, squall opens the local D1 database of the wrangler project in the
/// current folder or a parent, or else its demo database (created on first run). Subcommands
/// never fall back to the demo: outside a project they need --db.
#[derive(Debug, Parser)]
#[command(name = "squall", version)]
pub struct Cli {
    /// Database file to open in the terminal UI.
    #[arg(value_name = "DB")]
    pub database: Option<PathBuf>,
    /// The migrations folder for the terminal UI's migrations screen (default: the wrangler
    /// config's migrations_dir, else ./drizzle, else ./migrations).
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<PathBuf>,
    /// Don't follow other processes' changes to the database (Ctrl-r reloads by hand).
    #[arg(long)]
    pub no_live: bool,
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command accepts, before or after the subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// The SQLite database file to use.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Open the database read-only: every write is refused.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Which D1 database of the wrangler config to use (binding or database_name).
    #[arg(long, global = true, value_name = "NAME")]
    pub d1: Option<String>,
    /// Use the remote Cloudflare D1 database over its REST API instead of a local file
    /// (settings: --database-id, CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN; see the README).
    #[arg(long, global = true)]
    pub remote: bool,
    /// Allow writes to the remote database (with --remote; it is read-only without).
    #[arg(long, global = true)]
    pub write: bool,
    /// The remote D1 database's id (with --remote; else CLOUDFLARE_DATABASE_ID, else the
    /// wrangler config's database_id).
    #[arg(long, global = true, value_name = "UUID")]
    pub database_id: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or recreate) a demo database with realistic better-auth data.
    Demo(demo::DemoArgs),
    /// List tables and views with row counts, and each column's type and kind.
    Tables(tables::TablesArgs),
    /// Print the schema's ER diagram (tables, keys, declared and inferred relations).
    Er(er::ErArgs),
    /// Migration status and apply, for drizzle-kit and wrangler migration folders.
    Migrate(migrate::MigrateArgs),
    /// Administer better-auth users: list, show, ban, unban, set roles and passwords, remove.
    User(user::UserArgs),
    /// Show the audit log of changes squall committed (for --db or this project's database).
    Log(log::LogArgs),
    /// Export a table as CSV, JSON, NDJSON or SQL INSERTs (streamed; secrets redacted).
    Export(export::ExportArgs),
    /// Run one SQL statement and print its rows (text, --json or --csv); writes ask first.
    Sql(sql::SqlArgs),
}

/// Parses the command line, runs it, and turns errors into a one-line message and exit code 1,
/// or 2 for bad usage (see [`usage::exit_code_of`]).
pub fn main() -> ExitCode {
    usage::quiet_on_closed_pipe();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(message) = usage::subcommand_typo(args.get(1..).unwrap_or_default()) {
        eprintln!("squall: {message}");
        return ExitCode::from(usage::EXIT_USAGE);
    }
    let cli = Cli::parse_from(args);
    // A write refused because the user asked for read-only (or left --write off a remote) is
    // bad usage.
    let read_only_flag = cli.global.read_only || (cli.global.remote && !cli.global.write);
    match run(cli) {
        Ok(code) => code,
        Err(err) if usage::reader_gone(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("squall: {}", error_chain(&err));
            remote::print_cost_after_error();
            ExitCode::from(usage::exit_code_of(&err, read_only_flag))
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    remote::check_flags(&cli.global)?;
    if cli.global.remote {
        // Only these run on a remote D1 so far; the rest refuse rather than use a local file.
        match &cli.command {
            Some(
                Command::Tables(_)
                | Command::Sql(_)
                | Command::User(_)
                | Command::Migrate(_)
                | Command::Log(_)
                | Command::Er(_)
                | Command::Export(_),
            ) => {}
            None => {
                if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
                    anyhow::bail!("the terminal UI needs a terminal; for scripts use a subcommand (see squall --help)");
                }
                let db = std::sync::Arc::new(remote::open_remote(&cli.global)?);
                return crate::tui::run_remote(db, cli.global.write, cli.global.d1.clone());
            }
            Some(Command::Demo(_)) => return Err(remote::not_yet("squall demo")),
        }
    }
    match cli.command {
        None => {
            let target = resolve_database(&cli.global, cli.database.clone())?;
            let db = open_target(&target, &cli.global)?;
            if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
                anyhow::bail!("the terminal UI needs a terminal; for scripts use a subcommand (see squall --help)");
            }
            let live = if cli.no_live { crate::tui::LiveMode::Off } else { crate::tui::LiveMode::On };
            crate::tui::run(db, target.reason, target.name, cli.global.d1.clone(), cli.migrations.clone(), live)
        }
        Some(_) if cli.database.is_some() => {
            use clap::CommandFactory;
            Cli::command()
                .error(clap::error::ErrorKind::ArgumentConflict, "give the database with --db when using a subcommand")
                .exit()
        }
        Some(Command::Demo(args)) => demo::run(&args, &cli.global),
        Some(Command::Tables(args)) => tables::run(&args, &cli.global),
        Some(Command::Er(args)) => er::run(&args, &cli.global),
        Some(Command::Migrate(args)) if cli.global.remote => migrate_remote::run(&args, &cli.global),
        Some(Command::Migrate(args)) => migrate::run(&args, &cli.global),
        Some(Command::User(args)) => user::run(&args, &cli.global),
        Some(Command::Log(args)) => log::run(&args, &cli.global),
        Some(Command::Export(args)) => export::run(&args, &cli.global),
        Some(Command::Sql(args)) => sql::run(&args, &cli.global),
    }
}

/// The database a command will use, and why.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    pub reason: String,
    /// The wrangler database name (else binding) when the target came from a wrangler project.
    pub name: Option<String>,
}

/// The terminal UI's database: `--db` (or the positional DB), else the wrangler project's local
/// D1, else the demo database, created on first use (the README's first command promises it).
pub fn resolve_database(global: &GlobalArgs, positional: Option<PathBuf>) -> Result<Target> {
    if let Some(path) = global.db.clone().or(positional) {
        return Ok(Target { reason: format!("opened {}", path.display()), path, name: None });
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    if let Some(found) = discover(&Discover { dir: &cwd, d1: global.d1.as_deref() })? {
        return Ok(Target {
            name: Some(found.entry.database_name.clone().unwrap_or_else(|| found.entry.binding.clone())),
            path: found.db_path,
            reason: found.reason,
        });
    }
    let path = crate::demo::default_demo_path()?;
    if path.exists() {
        return Ok(Target {
            reason: format!(
                "no database given and no wrangler project here: opened the demo database {}",
                path.display()
            ),
            path,
            name: None,
        });
    }
    if global.read_only {
        return Err(UsageError(format!(
            "no database given, no wrangler project here and no demo database yet; --read-only forbids creating one at {} (run squall demo first)",
            path.display()
        ))
        .into());
    }
    eprintln!(
        "squall: no database given and no wrangler project here; creating the demo database at {}",
        path.display()
    );
    demo::create_with_progress(&path, crate::demo::DEFAULT_USERS, false)?;
    Ok(Target { reason: format!("created the demo database {}", path.display()), path, name: None })
}

/// The database of a subcommand: `--db`, else the local D1 of the wrangler project found from
/// the current folder up. Never the demo database: a command run outside a project must not
/// quietly report on, or change, a database the user did not name.
pub fn resolve_command_database(global: &GlobalArgs) -> Result<Target> {
    if let Some(path) = global.db.clone() {
        return Ok(Target { reason: format!("opened {}", path.display()), path, name: None });
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    if let Some(found) = discover(&Discover { dir: &cwd, d1: global.d1.as_deref() })? {
        return Ok(Target {
            name: Some(found.entry.database_name.clone().unwrap_or_else(|| found.entry.binding.clone())),
            path: found.db_path,
            reason: found.reason,
        });
    }
    // The demo database, once made, is named by its path: the user can copy it into --db.
    let demo = crate::demo::default_demo_path().ok().filter(|path| path.is_file()).map_or_else(
        || "`squall demo` makes a demo database to try squall on (`squall` alone opens it)".to_string(),
        |path| format!("the demo database is --db {}", path.display()),
    );
    Err(UsageError(format!(
        "which database? pass --db PATH, or run this inside a wrangler project (no wrangler.json(c) or wrangler.toml in {} or a folder above it); {demo}",
        cwd.display()
    ))
    .into())
}

/// Opens a resolved target in the mode the flags ask for.
pub fn open_target(target: &Target, global: &GlobalArgs) -> Result<Database> {
    let mode = if global.read_only { OpenMode::ReadOnly } else { OpenMode::ReadWrite };
    open_database(&OpenInput { path: &target.path, mode })
}

/// Whether stderr is a person's terminal (progress lines are only for people).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
