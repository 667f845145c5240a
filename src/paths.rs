//! Where squall keeps its own files (demo database, backups, audit log), and how it creates them:
//! readable by their owner only, since backups and the audit log hold session tokens, password
//! hashes and whatever else the database holds.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Overrides the data directory, for tests and for people who keep such files elsewhere.
pub const DATA_DIR_ENV: &str = "SQUALL_DATA_DIR";

/// The mode of every folder squall creates.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of every file squall creates (a backup may be stricter, never looser; see
/// [`mode_no_looser_than`]).
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// The per-user data directory (e.g. `~/.local/share/squall`), created on demand.
pub fn data_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => directories::ProjectDirs::from("dev", "squall", "squall")
            .context("cannot find a home directory for squall's data (set SQUALL_DATA_DIR)")?
            .data_dir()
            .to_path_buf(),
    };
    create_private_dir_all(&dir)?;
    Ok(dir)
}

/// Creates `dir` and any missing parents as 0700. Folders that already exist keep their mode:
/// they are the user's, not squall's, to decide.
pub fn create_private_dir_all(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Opens `file` for appending, creating it as 0600 when it is missing.
pub fn open_private_append(file: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    options.open(file)
}

/// Creates a new, empty `file` as 0600; fails if it exists. SQLite then writes into it, and its
/// journal and WAL files take the database file's mode.
pub fn create_private_file(file: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    options.open(file)
}

/// 0600 narrowed by `original`'s permissions, so a copy of a 0400 file is 0400 and a copy of a
/// 0644 file is 0600: never more open than either.
#[cfg(unix)]
pub fn mode_no_looser_than(original: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(original)?.permissions().mode() & PRIVATE_FILE_MODE)
}

/// Sets `file`'s permission bits.
#[cfg(unix)]
pub fn set_mode(file: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode))
}
