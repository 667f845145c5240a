//! Where squall keeps its own files (demo database, backups, audit log).

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Overrides the data directory, for tests and for people who keep such files elsewhere.
pub const DATA_DIR_ENV: &str = "SQUALL_DATA_DIR";

/// The per-user data directory (e.g. `~/.local/share/squall`), created on demand.
pub fn data_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => directories::ProjectDirs::from("dev", "squall", "squall")
            .context("cannot find a home directory for squall's data (set SQUALL_DATA_DIR)")?
            .data_dir()
            .to_path_buf(),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
