//! Terminal setup and restore, the event loop and the database worker.

use anyhow::Result;

use crate::db::open::Database;

pub fn run(db: Database, reason: String) -> Result<()> {
    println!("{reason}: {}", db.path.display());
    Ok(())
}
