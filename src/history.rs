//! The SQL console's history: every statement run, per database, one JSON string a line in
//! `history/<database>.jsonl` of the data directory. Statements can hold secrets typed in literals,
//! so the file is created readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// Statements kept when reading the history back (the file itself is never truncated).
pub const HISTORY_KEEP: usize = 1_000;

/// The history file of `database`: named after a hash of its canonical path, so two paths to one
/// file share a history and the name says nothing about where the database lives.
pub fn history_path(data_dir: &Path, database: &Path) -> PathBuf {
    let label = crate::audit::database_label(database);
    let digest = hex::encode(Sha256::digest(label.as_bytes()));
    data_dir.join("history").join(format!("{}.jsonl", &digest[..16]))
}

/// Appends one statement (created 0600 with its folder if missing).
pub fn append_history(file: &Path, sql: &str) -> Result<()> {
    if let Some(dir) = file.parent() {
        // The folder's file names say which databases were used: owner-only, as the files are.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(file).with_context(|| format!("opening the history {}", file.display()))?;
    let line = serde_json::to_string(sql)? + "\n";
    out.write_all(line.as_bytes()).with_context(|| format!("writing the history {}", file.display()))?;
    Ok(())
}

/// The statements of a history file, oldest first (the last [`HISTORY_KEEP`]). A missing file is
/// an empty history; a line that does not read (cut short by a crash) is skipped.
pub fn read_history(file: &Path) -> Result<Vec<String>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("reading the history {}", file.display())),
    };
    let mut entries: Vec<String> = text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let skip = entries.len().saturating_sub(HISTORY_KEEP);
    entries.drain(..skip);
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_round_trip_per_database_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
        std::fs::write(&a, b"").unwrap();
        let file = history_path(dir.path(), &a);
        assert_eq!(file.parent(), Some(dir.path().join("history").as_path()));
        assert_ne!(file, history_path(dir.path(), &b));
        assert!(read_history(&file).unwrap().is_empty());
        append_history(&file, "select 1").unwrap();
        append_history(&file, "select 'two\nlines'").unwrap();
        std::fs::OpenOptions::new().append(true).open(&file).unwrap().write_all(b"\"cut sh").unwrap();
        assert_eq!(read_history(&file).unwrap(), ["select 1", "select 'two\nlines'"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let folder = dir.path().join("history");
            let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the folder is owner-only too");
        }
    }
}
