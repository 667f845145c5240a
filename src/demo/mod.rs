//! The demo database: the project's own `migrations/` applied as wrangler would, then realistic
//! better-auth rows (admins, bans, impersonation, expired sessions, OAuth and credential accounts).

mod seed;
mod words;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::Connection;

pub use crate::migrate::embedded::{EMBEDDED_MIGRATIONS, embedded_journal};
use crate::migrate::wrangler::{DEFAULT_TABLE, Tracker, ensure_tracker, record_applied};

pub use seed::SeedReport;

/// Default number of users in a demo database.
pub const DEFAULT_USERS: u64 = 2_000;
/// The password of every demo user with a credential account.
pub const DEMO_PASSWORD: &str = "password123";

/// Input of [`create_demo`].
pub struct DemoInput<'a> {
    pub path: &'a Path,
    pub users: u64,
    /// Replace an existing file.
    pub force: bool,
    /// Called now and then with the number of users written so far.
    pub progress: &'a mut dyn FnMut(u64),
}

/// Where the demo database lives when the user names none.
pub fn default_demo_path() -> Result<PathBuf> {
    Ok(crate::paths::data_dir()?.join("demo.sqlite"))
}

/// Builds a demo database at `input.path`. It is written beside the target and renamed into
/// place at the end, so an interrupted run never leaves a half-made database behind.
pub fn create_demo(input: DemoInput) -> Result<SeedReport> {
    let path = input.path;
    if path.exists() && !input.force {
        bail!("{} already exists (use --force to replace it)", path.display());
    }
    if path.is_dir() {
        bail!("{} is a directory", path.display());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::paths::create_private_dir_all(parent)?;
    }
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    // Demo rows include password hashes: the file is owner-only like everything squall creates.
    crate::paths::create_private_file(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let result = build(&partial, input.users, input.progress);
    match result {
        Ok(report) => {
            std::fs::rename(&partial, path).with_context(|| format!("moving the demo into {}", path.display()))?;
            Ok(report)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

fn build(path: &Path, users: u64, progress: &mut dyn FnMut(u64)) -> Result<SeedReport> {
    let mut conn = Connection::open(path).with_context(|| format!("creating {}", path.display()))?;
    // A fresh private file: durability during the build buys nothing, the rename is the commit.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY;",
    )?;
    apply_embedded_migrations(&mut conn)?;
    let report = seed::seed(&mut conn, users, progress)?;
    conn.execute_batch("PRAGMA journal_mode = DELETE; ANALYZE;")?;
    conn.close().map_err(|(_, err)| err)?;
    Ok(report)
}

/// Applies `migrations/` like `wrangler d1 migrations apply`: each file in one batch, then its
/// row in `d1_migrations`, so the migrations screen shows them as applied.
fn apply_embedded_migrations(conn: &mut Connection) -> Result<()> {
    let tracker = Tracker { table: DEFAULT_TABLE };
    ensure_tracker(conn, &tracker)?;
    for entry in embedded_journal()?.entries {
        let (_, sql) = EMBEDDED_MIGRATIONS
            .iter()
            .find(|(tag, _)| *tag == entry.tag)
            .with_context(|| format!("migration {} is in the journal but not embedded", entry.tag))?;
        let tx = conn.transaction()?;
        tx.execute_batch(sql).with_context(|| format!("applying {}.sql", entry.tag))?;
        record_applied(&tx, &tracker, &format!("{}.sql", entry.tag))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migrations_match_the_folder() {
        let journal = embedded_journal().unwrap();
        let tags: Vec<&str> = EMBEDDED_MIGRATIONS.iter().map(|(tag, _)| *tag).collect();
        let listed: Vec<&str> = journal.entries.iter().map(|e| e.tag.as_str()).collect();
        assert_eq!(tags, listed);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for (tag, sql) in EMBEDDED_MIGRATIONS {
            assert_eq!(std::fs::read_to_string(dir.join(format!("{tag}.sql"))).unwrap(), *sql);
        }
    }
}
