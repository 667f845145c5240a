//! Finding the database and migrations of the project in the current directory.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Config files wrangler reads, in its order of preference.
pub const WRANGLER_CONFIGS: [&str; 3] = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/// A local D1 database found through a wrangler config.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub db_path: PathBuf,
    /// One sentence on why this file was chosen, shown to the user.
    pub reason: String,
    pub migrations_dir: PathBuf,
    pub migrations_table: String,
}

/// Input of [`discover`].
pub struct Discover<'a> {
    pub dir: &'a Path,
    /// `--d1 NAME`: a binding or database_name; the first entry otherwise.
    pub d1: Option<&'a str>,
}

/// Looks for a wrangler project in `dir` and its local D1 file. `None` when there is no config.
pub fn discover(input: &Discover) -> Result<Option<Discovered>> {
    let Some(config) = WRANGLER_CONFIGS.iter().map(|name| input.dir.join(name)).find(|p| p.is_file()) else {
        return Ok(None);
    };
    bail!("{}: reading wrangler configs is not built yet; pass --db PATH", config.display())
}
