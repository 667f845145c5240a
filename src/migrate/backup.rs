//! Backing a database up with SQLite's online backup API (so WAL content is included and a
//! writer elsewhere never sees a half-copied file).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rusqlite::Connection;

/// Input of [`backup_database`].
pub struct BackupInput<'a> {
    /// Folder for backups, created on demand (`paths::data_dir()/backups` by default).
    pub dir: &'a Path,
    /// Start of the file name, usually the database's name.
    pub name: &'a str,
}

/// The folder squall keeps backups in.
pub fn default_backup_dir() -> Result<PathBuf> {
    Ok(crate::paths::data_dir()?.join("backups"))
}

/// Copies the main database into `<dir>/<name>-<UTC timestamp>.sqlite` and returns that path.
/// Never overwrites an earlier backup.
pub fn backup_database(conn: &Connection, input: &BackupInput) -> Result<PathBuf> {
    crate::paths::create_private_dir_all(input.dir)?;
    let stem = format!("{}-{}", safe_file_stem(input.name), chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    let mut path = input.dir.join(format!("{stem}.sqlite"));
    let mut counter = 2;
    while path.exists() {
        path = input.dir.join(format!("{stem}-{counter}.sqlite"));
        counter += 1;
    }
    // A backup holds everything the database does (session tokens, password hashes): it is
    // created 0600 before SQLite writes into it, then narrowed to the original's mode if that is
    // stricter.
    crate::paths::create_private_file(&path).with_context(|| format!("creating the backup {}", path.display()))?;
    if let Err(err) = copy_into(conn, &path) {
        let _ = std::fs::remove_file(&path);
        return Err(err).with_context(|| format!("backing up the database into {}", path.display()));
    }
    Ok(path)
}

fn copy_into(conn: &Connection, path: &Path) -> Result<()> {
    conn.backup(rusqlite::MAIN_DB, path, None)?;
    #[cfg(unix)]
    if let Some(original) = conn.path().filter(|p| !p.is_empty()) {
        let mode = crate::paths::mode_no_looser_than(Path::new(original))?;
        crate::paths::set_mode(path, mode)?;
    }
    Ok(())
}

/// Keeps letters, digits, `.`, `-` and `_`; anything else becomes `_`.
fn safe_file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if stem.is_empty() { "database".to_string() } else { stem }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_hold_the_data_and_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("app.db")).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t(x); INSERT INTO t VALUES (42);").unwrap();
        let backups = dir.path().join("backups");
        let input = BackupInput { dir: &backups, name: "app db" };
        let first = backup_database(&conn, &input).unwrap();
        let second = backup_database(&conn, &input).unwrap();
        assert_ne!(first, second);
        assert!(first.file_name().unwrap().to_string_lossy().starts_with("app_db-"));
        let copy = Connection::open(&second).unwrap();
        assert_eq!(copy.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0)).unwrap(), 42);
    }

    #[cfg(unix)]
    #[test]
    fn backups_are_private_and_never_looser_than_the_original() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("app.db");
        let conn = Connection::open(&original).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
        let backups = dir.path().join("backups");
        let input = BackupInput { dir: &backups, name: "app" };
        for (original_mode, expected) in [(0o644, 0o600), (0o600, 0o600), (0o400, 0o400)] {
            crate::paths::set_mode(&original, original_mode).unwrap();
            let copy = backup_database(&conn, &input).unwrap();
            assert_eq!(mode(&copy), expected, "a backup of a {original_mode:o} file");
        }
        assert_eq!(mode(&backups), 0o700);
    }
}
