//! Mistakes in how squall is called (exit 2), and output to a reader that went away.

use std::ffi::OsString;
use std::path::Path;

use clap::CommandFactory;

use super::Cli;
use crate::db::error::DbError;

/// Exit code of bad usage, as clap uses for its own errors.
pub const EXIT_USAGE: u8 = 2;
/// Exit code of every other failure.
pub const EXIT_ERROR: u8 = 1;

/// A mistake in the command line that clap cannot see (it needs the file system or the
/// current folder): reported as `squall: ...` with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code of a failed command. 2 (bad usage) for what the command line itself got wrong:
/// a [`UsageError`], a value refused whatever the data holds ([`DbError::BadInput`]: an empty
/// role, a ban ending in the past, an unknown `--d1` name), or a write refused because the user
/// passed `--read-only`. 1 for everything met in the files or the data: a missing file, table or
/// user, a locked or corrupt database, an SQL error, a constraint, a refused migration.
pub fn exit_code_of(err: &anyhow::Error, read_only_flag: bool) -> u8 {
    let usage = err.chain().any(|cause| {
        cause.downcast_ref::<UsageError>().is_some()
            || match cause.downcast_ref::<DbError>() {
                Some(DbError::BadInput(_)) => true,
                Some(DbError::ReadOnly(_)) => read_only_flag,
                _ => false,
            }
    });
    if usage { EXIT_USAGE } else { EXIT_ERROR }
}

/// `squall tabels`: the first argument is taken for the terminal UI's database file, so a
/// mistyped subcommand would read as a missing file. When that argument is no existing file,
/// looks like a word rather than a path, and is within a typo of a subcommand, returns the
/// message suggesting it.
pub fn subcommand_typo(args: &[OsString]) -> Option<String> {
    let word = first_positional(args)?.to_str()?;
    if word.is_empty() || word.contains(['/', '\\', '.']) || Path::new(word).exists() {
        return None;
    }
    let command = Cli::command();
    // clap adds `help` when it builds the command, so it is not among the declared ones yet.
    let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).chain(["help"]).collect();
    if names.contains(&word) {
        return None;
    }
    let typed = word.to_lowercase();
    let (distance, name) = names.iter().map(|name| (strsim::damerau_levenshtein(&typed, name), *name)).min()?;
    // One slip in a short name, two in a longer one: `ex` is `er`, `tabls` is `tables`.
    let allowed = if name.len() <= 4 { 1 } else { 2 };
    (distance <= allowed).then(|| {
        format!(
            "{word:?} is not a command, and no file of that name exists; did you mean `squall {name}`? (squall --help lists the commands)"
        )
    })
}

/// The first argument that is not an option nor the value of `--db` / `--d1`; none after `--`,
/// which says that what follows is a file, whatever it looks like.
fn first_positional(args: &[OsString]) -> Option<&OsString> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            return None;
        }
        if text == "--db" || text == "--d1" {
            args.next();
        } else if !text.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

/// Output to a closed pipe (`squall tables | head -1`) ends the process quietly, as it does for
/// other Unix tools, instead of `println!` panicking on the EPIPE error (exit 101). Rust ignores
/// SIGPIPE by default; this puts back the default action. Call it before any thread starts.
pub fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: `signal` with SIG_DFL installs no Rust code as a handler; it runs first thing in
    // main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Whether an error is only the reader of stdout having gone away (where SIGPIPE does not end
/// the process, e.g. on Windows): then squall exits quietly too.
pub fn reader_gone(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typo(args: &[&str]) -> Option<String> {
        subcommand_typo(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn near_misses_suggest_the_command() {
        assert!(typo(&["tabels"]).unwrap().contains("`squall tables`"));
        assert!(typo(&["Tables"]).unwrap().contains("`squall tables`"));
        assert!(typo(&["--read-only", "usr"]).unwrap().contains("`squall user`"));
        assert!(typo(&["--db", "x.db", "migrat"]).unwrap().contains("`squall migrate`"));
        assert!(typo(&["lgo"]).unwrap().contains("`squall log`"));
        assert!(typo(&["hepl"]).unwrap().contains("`squall help`"));
    }

    #[test]
    fn paths_commands_and_far_words_are_left_alone() {
        assert_eq!(typo(&["tables"]), None);
        assert_eq!(typo(&["tables.db"]), None, "a missing file stays a missing file");
        assert_eq!(typo(&["./tabels"]), None);
        assert_eq!(typo(&["production"]), None);
        assert_eq!(typo(&["--db", "tabels"]), None, "the value of --db is a path");
        assert_eq!(typo(&["--", "tabels"]), None, "after -- it is a file name");
        assert_eq!(typo(&[]), None);
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("tabels");
        std::fs::write(&existing, "").unwrap();
        assert_eq!(subcommand_typo(&[existing.into_os_string()]), None, "an existing file is opened");
    }

    #[test]
    fn input_mistakes_exit_2_and_database_failures_exit_1() {
        let usage = |err: anyhow::Error, flag: bool| exit_code_of(&err.context("doing it"), flag);
        assert_eq!(usage(UsageError("pass --yes".into()).into(), false), EXIT_USAGE);
        assert_eq!(usage(DbError::BadInput("an empty role".into()).into(), false), EXIT_USAGE);
        assert_eq!(usage(DbError::ReadOnly("read-only".into()).into(), true), EXIT_USAGE, "the user's own flag");
        assert_eq!(usage(DbError::ReadOnly("read-only".into()).into(), false), EXIT_ERROR, "a read-only file");
        assert_eq!(usage(DbError::Busy("locked".into()).into(), true), EXIT_ERROR);
        assert_eq!(usage(DbError::Invalid("UNIQUE constraint failed".into()).into(), false), EXIT_ERROR);
        assert_eq!(usage(DbError::NotFound("no user".into()).into(), false), EXIT_ERROR);
        assert_eq!(usage(anyhow::anyhow!("no such column: nope"), false), EXIT_ERROR);
    }

    #[test]
    fn broken_pipes_are_recognised_through_context() {
        let err = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe)).context("printing");
        assert!(reader_gone(&err));
        assert!(!reader_gone(&anyhow::anyhow!("no such file")));
    }
}
