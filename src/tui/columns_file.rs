//! The column choices people make in the grid (order, hidden, widths), kept per database and
//! table in `columns.json` in the data directory, readable only by its owner.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::app::ColumnPrefs;

/// The file's name in the data directory.
pub const FILE_NAME: &str = "columns.json";

/// The whole file: database path → table → choices.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ColumnsFile {
    #[serde(default)]
    databases: BTreeMap<String, BTreeMap<String, ColumnPrefs>>,
}

/// Where the choices are kept.
pub fn columns_path() -> Result<PathBuf> {
    Ok(crate::paths::data_dir()?.join(FILE_NAME))
}

/// The name a database is remembered under: its canonical path when it can be had.
pub fn database_key(db: &Path) -> String {
    std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf()).display().to_string()
}

fn read(file: &Path) -> Result<ColumnsFile> {
    match std::fs::read_to_string(file) {
        Ok(text) => serde_json::from_str(&text).with_context(|| format!("reading {}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ColumnsFile::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
    }
}

/// The choices made for the tables of `database`; none when the file is missing.
pub fn load(file: &Path, database: &str) -> Result<HashMap<String, ColumnPrefs>> {
    let mut all = read(file)?;
    Ok(all.databases.remove(database).unwrap_or_default().into_iter().collect())
}

/// Records the choices for one table (dropping it when they are back to the defaults), and
/// writes the file whole through a temporary file, mode 0600.
pub fn save(file: &Path, database: &str, table: &str, prefs: &ColumnPrefs) -> Result<()> {
    // A file that cannot be read is not overwritten: it may hold someone's other choices.
    let mut all = read(file)?;
    let tables = all.databases.entry(database.to_string()).or_default();
    if prefs.is_empty() {
        tables.remove(table);
    } else {
        tables.insert(table.to_string(), prefs.clone());
    }
    let text = serde_json::to_string_pretty(&all)?;
    let temp = file.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(&temp).with_context(|| format!("writing {}", temp.display()))?;
    out.write_all(text.as_bytes()).with_context(|| format!("writing {}", temp.display()))?;
    out.sync_all()?;
    std::fs::rename(&temp, file).with_context(|| format!("writing {}", file.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip_per_database_and_table_with_owner_only_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        assert!(load(&file, "/a.db").unwrap().is_empty());
        let prefs = ColumnPrefs { hidden: vec!["image".into()], ..ColumnPrefs::default() };
        save(&file, "/a.db", "user", &prefs).unwrap();
        save(&file, "/b.db", "user", &ColumnPrefs { order: vec!["email".into()], ..ColumnPrefs::default() }).unwrap();
        assert_eq!(load(&file, "/a.db").unwrap().get("user"), Some(&prefs));
        assert_eq!(load(&file, "/b.db").unwrap()["user"].order, vec!["email".to_string()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        save(&file, "/a.db", "user", &ColumnPrefs::default()).unwrap();
        assert!(load(&file, "/a.db").unwrap().is_empty());
    }

    #[test]
    fn a_broken_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, "{not json").unwrap();
        assert!(load(&file, "/a.db").is_err());
        assert!(save(&file, "/a.db", "user", &ColumnPrefs::default()).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "{not json");
    }
}
