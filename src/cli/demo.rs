//! `squall demo`: (re)create a demo database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use crate::db::error::DbError;
use crate::demo::{DEFAULT_USERS, DEMO_PASSWORD, DemoInput, SeedReport, create_demo, default_demo_path};
use crate::present::plural;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many users to create (sessions, accounts and verifications follow).
    #[arg(long, default_value_t = DEFAULT_USERS)]
    pub users: u64,
    /// Where to write it (default: the demo database in squall's data directory; --db works too).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &DemoArgs, global: &GlobalArgs) -> Result<ExitCode> {
    // `demo --force` replaces a database: with --read-only, nothing may be written at all.
    if global.read_only {
        return Err(
            DbError::ReadOnly("--read-only: squall demo writes a database file; nothing was written".into()).into()
        );
    }
    let path = match args.out.clone().or_else(|| global.db.clone()) {
        Some(path) => path,
        None => default_demo_path()?,
    };
    let started = Instant::now();
    let report = create_with_progress(&path, args.users, args.force)?;
    println!(
        "created {} with {}, {}, {}, {} in {:.1}s",
        path.display(),
        plural(report.users, "user"),
        plural(report.sessions, "session"),
        plural(report.accounts, "account"),
        plural(report.verifications, "verification"),
        started.elapsed().as_secs_f64()
    );
    println!("credential accounts sign in with the password {DEMO_PASSWORD:?}");
    Ok(ExitCode::SUCCESS)
}

/// Creates a demo database, showing a progress line on a terminal for big ones.
pub fn create_with_progress(path: &Path, users: u64, force: bool) -> Result<SeedReport> {
    let show = super::stderr_is_terminal() && users >= 50_000;
    let mut progress = |done: u64| {
        if show {
            eprint!("\r  {done} / {users} users ({:.0}%)", done as f64 * 100.0 / users.max(1) as f64);
            if done == users {
                eprintln!();
            }
        }
    };
    create_demo(DemoInput { path, users, force, progress: &mut progress })
}
