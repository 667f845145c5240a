//! Which migrations folder and tracker table belong to a database: `--migrations DIR`, the demo's
//! embedded migrations, the wrangler config's `migrations_dir`, `./drizzle`, `./migrations`, then
//! `drizzle/` or `migrations/` beside the wrangler config or beside the database file.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::embedded::embedded_demo_folder;
use super::folder::{LoadFolder, MigrationFolder, load_folder};
use super::wrangler::DEFAULT_TABLE;
use crate::project::{Discover, find_d1_project};

/// Input of [`locate_migrations`].
pub struct LocateMigrations<'a> {
    /// `--migrations DIR`.
    pub explicit: Option<&'a Path>,
    /// The database the migrations are for.
    pub db_path: &'a Path,
    /// Where to look for a wrangler config, `drizzle/` and `migrations/`.
    pub cwd: &'a Path,
    /// `--d1 NAME`.
    pub d1: Option<&'a str>,
    /// Where the demo database lives: its migrations are the ones embedded in squall.
    pub demo_db: Option<&'a Path>,
}

/// The migrations of a database and where they came from.
#[derive(Debug, Clone)]
pub struct LocatedMigrations {
    pub folder: MigrationFolder,
    /// Why this folder, for the user.
    pub reason: String,
    /// Wrangler's tracker table for this database.
    pub wrangler_table: String,
    /// A name for the database in backups: the D1 database_name when it was discovered, else the
    /// file's stem.
    pub database_name: String,
}

/// Finds and reads the migrations folder for `input.db_path`. Errors name the folder or file
/// that is wrong, or list where squall looked.
pub fn locate_migrations(input: &LocateMigrations) -> Result<LocatedMigrations> {
    let project = find_d1_project(&Discover { dir: input.cwd, d1: input.d1 })?;
    let same_database = project.as_ref().is_some_and(|found| same_file(&found.db_path, input.db_path));
    let database_name = match &project {
        Some(found) if same_database => {
            found.entry.database_name.clone().unwrap_or_else(|| found.entry.binding.clone())
        }
        _ => input.db_path.file_stem().map_or_else(|| "database".into(), |stem| stem.to_string_lossy().into_owned()),
    };
    let wrangler_table =
        project.as_ref().map_or_else(|| DEFAULT_TABLE.to_string(), |found| found.migrations_table.clone());
    let located = |folder: MigrationFolder, reason: String| LocatedMigrations {
        folder,
        reason,
        wrangler_table: wrangler_table.clone(),
        database_name: database_name.clone(),
    };

    if let Some(given) = input.explicit {
        let folder = load_folder(&LoadFolder { dir: &input.cwd.join(given) })?;
        return Ok(located(folder, format!("{} (--migrations)", given.display())));
    }
    if input.demo_db.is_some_and(|demo| same_file(demo, input.db_path)) {
        let folder = embedded_demo_folder()?;
        return Ok(located(folder, "the demo database's own migrations (embedded in squall)".to_string()));
    }
    if let Some(found) = &project
        && let Some(setting) = &found.entry.migrations_dir
    {
        let folder = load_folder(&LoadFolder { dir: &found.migrations_dir })
            .with_context(|| format!("migrations_dir = {setting:?} in {}", found.config_path.display()))?;
        let reason = format!(
            "{} (migrations_dir of D1 binding {} in {})",
            found.migrations_dir.display(),
            found.entry.label(),
            found.config_path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        );
        return Ok(located(folder, reason));
    }
    for candidate in ["drizzle", "migrations"] {
        let dir = input.cwd.join(candidate);
        if dir.is_dir() {
            let folder = load_folder(&LoadFolder { dir: &dir })?;
            return Ok(located(folder, format!("./{candidate} (found in the current directory)")));
        }
    }
    // Run from a subfolder of the project (e.g. `src/`): its folders are beside the config.
    if let Some(root) = project.as_ref().and_then(|found| found.config_path.parent())
        && root != input.cwd
    {
        for candidate in ["drizzle", "migrations"] {
            let dir = root.join(candidate);
            if dir.is_dir() {
                let folder = load_folder(&LoadFolder { dir: &dir })?;
                return Ok(located(folder, format!("{} (beside the wrangler config)", dir.display())));
            }
        }
    }
    // A database kept in its project's folder, opened from elsewhere (`squall ~/app/local.db`).
    let mut looked = vec![input.cwd.display().to_string()];
    looked.extend(project.as_ref().and_then(|found| found.config_path.parent()).map(|d| d.display().to_string()));
    if let Some(beside) = input.db_path.parent().map(|parent| input.cwd.join(parent))
        && !same_file(&beside, input.cwd)
    {
        for candidate in ["drizzle", "migrations"] {
            let dir = beside.join(candidate);
            if dir.is_dir() {
                let folder = load_folder(&LoadFolder { dir: &dir })?;
                return Ok(located(folder, format!("{} (beside the database)", dir.display())));
            }
        }
        looked.push(beside.display().to_string());
    }
    looked.dedup();
    bail!(NoMigrationsFolder { looked })
}

/// No migrations folder anywhere squall looks: a database without migrations (or opened away from
/// its project), not something that went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoMigrationsFolder {
    /// The folders searched for `drizzle/` and `migrations/`.
    pub looked: Vec<String>,
}

impl std::fmt::Display for NoMigrationsFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no migrations folder: looked for drizzle/ and migrations/ in {}; pass --migrations DIR",
            self.looked.join(", ")
        )
    }
}

impl std::error::Error for NoMigrationsFolder {}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate_from(cwd: &Path, db_path: &Path) -> Result<LocatedMigrations> {
        locate_migrations(&LocateMigrations { explicit: None, db_path, cwd, d1: None, demo_db: None })
    }

    fn write_migration(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("0000_init.sql"), "CREATE TABLE t(x);").unwrap();
    }

    #[test]
    fn a_folder_beside_the_database_is_found_from_elsewhere() {
        let tmp = tempfile::tempdir().unwrap();
        let (app, elsewhere) = (tmp.path().join("app"), tmp.path().join("elsewhere"));
        std::fs::create_dir_all(&elsewhere).unwrap();
        write_migration(&app.join("drizzle"));
        let db = app.join("live.db");
        std::fs::write(&db, b"").unwrap();
        let located = locate_from(&elsewhere, &db).unwrap();
        assert_eq!(located.folder.migrations.len(), 1);
        assert!(located.reason.contains("beside the database"), "{}", located.reason);
        // The current directory still comes first.
        write_migration(&elsewhere.join("migrations"));
        let located = locate_from(&elsewhere, &db).unwrap();
        assert!(located.reason.contains("current directory"), "{}", located.reason);
    }

    #[test]
    fn no_folder_anywhere_is_its_own_error_naming_where_squall_looked() {
        let tmp = tempfile::tempdir().unwrap();
        let (app, elsewhere) = (tmp.path().join("app"), tmp.path().join("elsewhere"));
        std::fs::create_dir_all(&app).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        let err = locate_from(&elsewhere, &app.join("live.db")).unwrap_err();
        let none = err.downcast_ref::<NoMigrationsFolder>().expect("a NoMigrationsFolder");
        assert_eq!(none.looked, [elsewhere.display().to_string(), app.display().to_string()]);
    }
}
