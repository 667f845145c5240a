//! Finding the database and migrations of the project in the current directory.

pub mod config;
pub mod d1_id;
pub mod remote;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::db::error::DbError;
use config::DEFAULT_MIGRATIONS_DIR;
pub use config::{D1Entry, WranglerConfig, choose_d1_entry, parse_wrangler_config};
use d1_id::{D1_OBJECT_CLASS, d1_object_id};

/// Config files wrangler reads, in its order of preference.
pub const WRANGLER_CONFIGS: [&str; 3] = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/// Where miniflare keeps local D1 files, relative to the config's folder.
pub const LOCAL_D1_DIR: &str = ".wrangler/state/v3/d1";
/// wrangler's migrations tracker table unless `migrations_table` says otherwise.
pub const DEFAULT_MIGRATIONS_TABLE: &str = "d1_migrations";

/// A local D1 database found through a wrangler config.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub db_path: PathBuf,
    /// One sentence on why this file was chosen, shown to the user.
    pub reason: String,
    pub migrations_dir: PathBuf,
    pub migrations_table: String,
    /// The wrangler config the entry came from.
    pub config_path: PathBuf,
    /// The chosen `[[d1_databases]]` entry.
    pub entry: D1Entry,
}

/// Input of [`discover`] and [`find_d1_project`].
pub struct Discover<'a> {
    pub dir: &'a Path,
    /// `--d1 NAME`: a binding or database_name; the first entry otherwise.
    pub d1: Option<&'a str>,
}

/// The wrangler config for `dir`, found as wrangler finds it: each name in its order of
/// preference is looked for in `dir` and then in every parent folder, before the next name is
/// tried (so a `wrangler.json` in a parent wins over a `wrangler.toml` here, as it does for wrangler).
pub fn find_wrangler_config(dir: &Path) -> Option<PathBuf> {
    WRANGLER_CONFIGS.iter().find_map(|name| dir.ancestors().map(|folder| folder.join(name)).find(|path| path.is_file()))
}

/// Reads the wrangler config in `dir` and works out where its D1 entry lives locally, without
/// requiring the local file to exist (migration folders are useful before the first `wrangler dev`).
/// `None` when there is no config.
pub fn find_d1_project(input: &Discover) -> Result<Option<Discovered>> {
    let Some(config_path) = find_wrangler_config(input.dir) else {
        return Ok(None);
    };
    let config = parse_wrangler_config(&config_path)?;
    let entry = choose_d1_entry(&config, &config_path, input.d1)?;
    let id = d1_object_id(entry.local_key())?;
    let relative = format!("{LOCAL_D1_DIR}/{D1_OBJECT_CLASS}/{id}.sqlite");
    let config_dir = config_path.parent().unwrap_or(input.dir);
    let why = match input.d1 {
        Some(name) => format!("chosen with --d1 {name}"),
        None if config.d1_databases.len() == 1 => "its only D1 database".to_string(),
        None => format!("the first of {} D1 databases (pick another with --d1 NAME)", config.d1_databases.len()),
    };
    let reason = format!("{}: D1 binding {}, {why}; local state {relative}", file_name(&config_path), entry.label());
    Ok(Some(Discovered {
        db_path: config_dir.join(&relative),
        reason,
        migrations_dir: config_dir.join(entry.migrations_dir.as_deref().unwrap_or(DEFAULT_MIGRATIONS_DIR)),
        migrations_table: entry.migrations_table.clone().unwrap_or_else(|| DEFAULT_MIGRATIONS_TABLE.to_string()),
        config_path: config_path.clone(),
        entry: entry.clone(),
    }))
}

/// Looks for a wrangler project in `dir` and its local D1 file. `None` when there is no config;
/// an error naming the expected file when the config exists but wrangler never created the database.
pub fn discover(input: &Discover) -> Result<Option<Discovered>> {
    let Some(found) = find_d1_project(input)? else {
        return Ok(None);
    };
    if !found.db_path.is_file() {
        let name = found.entry.database_name.as_deref().unwrap_or(&found.entry.binding);
        return Err(DbError::NotFound(format!(
            "{}: D1 binding {} has no local database yet ({} does not exist); run `wrangler d1 migrations apply {name} --local` or `wrangler dev` first, or pass --db PATH",
            file_name(&found.config_path),
            found.entry.label(),
            found.db_path.display()
        ))
        .into());
    }
    Ok(Some(found))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wrangler-project");
        copy_dir(&src, dir.path());
        dir
    }

    fn copy_dir(src: &Path, dst: &Path) {
        std::fs::create_dir_all(dst).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let entry = entry.unwrap();
            let target = dst.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    #[test]
    fn finds_the_fixture_projects_local_file() {
        let dir = fixture_copy();
        let found = discover(&Discover { dir: dir.path(), d1: None }).unwrap().unwrap();
        assert!(found.db_path.is_file(), "{}", found.db_path.display());
        assert!(found.db_path.ends_with(
            ".wrangler/state/v3/d1/miniflare-D1DatabaseObject/4f308584bbe39a9a6a5708de8ff4fb934ab4694d995ff0d125b1ebc2f2e41f43.sqlite"
        ));
        assert_eq!(found.migrations_dir, dir.path().join("drizzle"));
        assert_eq!(found.migrations_table, "d1_migrations");
        assert!(
            found.reason.starts_with("wrangler.toml: D1 binding DB (app-db), its only D1 database"),
            "{}",
            found.reason
        );
        assert!(discover(&Discover { dir: dir.path(), d1: Some("app-db") }).unwrap().is_some());
        let err = discover(&Discover { dir: dir.path(), d1: Some("other") }).unwrap_err().to_string();
        assert!(err.contains("DB (app-db)"), "{err}");
    }

    #[test]
    fn missing_local_file_says_how_to_create_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wrangler.jsonc"),
            "{ // local only\n \"d1_databases\": [{\"binding\": \"DB\", \"database_name\": \"app\", \"migrations_table\": \"mig\"},] }",
        )
        .unwrap();
        let found = find_d1_project(&Discover { dir: dir.path(), d1: None }).unwrap().unwrap();
        assert!(found.db_path.ends_with("e7352547963de7050bd7d94658afc4fe78b61811b7815da12d90be8e863abf4d.sqlite"));
        assert_eq!((found.migrations_table.as_str(), found.migrations_dir.ends_with("migrations")), ("mig", true));
        let err = discover(&Discover { dir: dir.path(), d1: None }).unwrap_err();
        assert!(matches!(err.downcast_ref::<DbError>(), Some(DbError::NotFound(_))));
        let text = err.to_string();
        assert!(text.contains("wrangler d1 migrations apply app --local") && text.contains("wrangler dev"), "{text}");
    }

    #[test]
    fn finds_the_config_from_a_subfolder_as_wrangler_does() {
        let dir = fixture_copy();
        let deep = dir.path().join("src/routes/admin");
        std::fs::create_dir_all(&deep).unwrap();
        for start in [dir.path().join("src"), deep] {
            let found = discover(&Discover { dir: &start, d1: None }).unwrap().unwrap();
            assert_eq!(found.config_path, dir.path().join("wrangler.toml"));
            assert!(found.db_path.starts_with(dir.path().join(".wrangler")), "{}", found.db_path.display());
            assert_eq!(found.migrations_dir, dir.path().join("drizzle"));
        }
    }

    #[test]
    fn wrangler_json_in_a_parent_wins_over_toml_here() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("app");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join("wrangler.json"), r#"{"d1_databases":[{"binding":"DB"}]}"#).unwrap();
        std::fs::write(sub.join("wrangler.toml"), "[[d1_databases]]\nbinding = 'OTHER'\n").unwrap();
        assert_eq!(find_wrangler_config(&sub), Some(dir.path().join("wrangler.json")));
        std::fs::remove_file(dir.path().join("wrangler.json")).unwrap();
        assert_eq!(find_wrangler_config(&sub), Some(sub.join("wrangler.toml")));
    }

    #[test]
    fn no_config_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(discover(&Discover { dir: dir.path(), d1: None }).unwrap().is_none());
    }
}
