//! squall's own `migrations/` (the demo database's schema), embedded so the demo and its
//! migrations screen work from any directory.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::folder::{Journal, MigrationFolder, folder_from_journal, parse_journal};

/// The journal of `migrations/`.
const EMBEDDED_JOURNAL: &str = include_str!("../../migrations/meta/_journal.json");
/// Every migration file of `migrations/`, by tag. A test checks this list against the journal.
pub const EMBEDDED_MIGRATIONS: &[(&str, &str)] = &[("0000_init", include_str!("../../migrations/0000_init.sql"))];

/// The embedded journal, parsed.
pub fn embedded_journal() -> Result<Journal> {
    parse_journal(EMBEDDED_JOURNAL, "migrations/meta/_journal.json")
}

/// The demo's migrations as a folder (its `dir` is the relative `migrations`: nothing is read
/// from disk).
pub fn embedded_demo_folder() -> Result<MigrationFolder> {
    let journal = embedded_journal()?;
    let dir = PathBuf::from("migrations");
    folder_from_journal(&dir, &journal, &mut |path| {
        let tag = path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
        EMBEDDED_MIGRATIONS
            .iter()
            .find(|(embedded, _)| *embedded == tag)
            .map(|(_, sql)| sql.to_string())
            .with_context(|| format!("{} is not embedded", path.display()))
    })
}
