//! Reading the D1 entries of `wrangler.toml`, `wrangler.json` and `wrangler.jsonc`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::db::error::DbError;

/// The folder wrangler reads migrations from when `migrations_dir` is not set.
pub const DEFAULT_MIGRATIONS_DIR: &str = "migrations";

/// The part of a wrangler config squall cares about. Everything else is ignored.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct WranglerConfig {
    /// The Cloudflare account the worker deploys to (a remote D1's account when not in the environment).
    #[serde(default)]
    pub account_id: Option<String>,
    /// `[[d1_databases]]`, in file order (top level only; `[env.*]` sections are not read).
    #[serde(default)]
    pub d1_databases: Vec<D1Entry>,
}

/// One `[[d1_databases]]` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct D1Entry {
    /// The name the worker's code uses (`env.DB`).
    pub binding: String,
    pub database_name: Option<String>,
    pub database_id: Option<String>,
    pub preview_database_id: Option<String>,
    /// Relative to the config's folder; `migrations` when unset.
    pub migrations_dir: Option<String>,
    /// Wrangler's tracker table; `d1_migrations` when unset.
    pub migrations_table: Option<String>,
}

impl D1Entry {
    /// The key miniflare names the local object after: `preview_database_id ?? database_id ?? binding`.
    pub fn local_key(&self) -> &str {
        self.preview_database_id.as_deref().or(self.database_id.as_deref()).unwrap_or(&self.binding)
    }

    /// `DB (app-db)`, or just `DB` when the entry has no database_name.
    pub fn label(&self) -> String {
        match &self.database_name {
            Some(name) if name != &self.binding => format!("{} ({name})", self.binding),
            _ => self.binding.clone(),
        }
    }

    /// Whether `--d1 NAME` names this entry (by binding or database_name).
    pub fn is_named(&self, name: &str) -> bool {
        self.binding == name || self.database_name.as_deref() == Some(name)
    }
}

/// Parses a wrangler config; the format follows the file's extension. Errors name the file.
pub fn parse_wrangler_config(path: &Path) -> Result<WranglerConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let is_toml = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
    let config = if is_toml {
        toml::from_str(&text)
            .map_err(|err| anyhow::anyhow!("{}: not a valid wrangler config: {err}", path.display()))?
    } else {
        // wrangler.json is read with the same lenient parser: wrangler itself accepts comments there.
        jsonc_parser::parse_to_serde_value::<Option<WranglerConfig>>(&text, &Default::default())
            .map_err(|err| anyhow::anyhow!("{}: not a valid wrangler config: {err}", path.display()))?
            .unwrap_or_default()
    };
    Ok(config)
}

/// The entry `--d1 NAME` asks for, or the first one. Errors name the config and list the entries.
pub fn choose_d1_entry<'a>(config: &'a WranglerConfig, path: &Path, wanted: Option<&str>) -> Result<&'a D1Entry> {
    let labels = || config.d1_databases.iter().map(D1Entry::label).collect::<Vec<_>>().join(", ");
    match wanted {
        None => match config.d1_databases.first() {
            Some(entry) => Ok(entry),
            None => bail!("{}: no [[d1_databases]] entry; add one, or pass --db PATH", path.display()),
        },
        Some(name) => match config.d1_databases.iter().find(|entry| entry.is_named(name)) {
            Some(entry) => Ok(entry),
            // A mistyped --d1 is bad usage (exit 2); the message lists the names there are.
            None if config.d1_databases.is_empty() => Err(DbError::BadInput(format!(
                "{}: no D1 database named {name:?}: the config has no [[d1_databases]] entry",
                path.display()
            ))
            .into()),
            None => Err(DbError::BadInput(format!(
                "{}: no D1 database named {name:?}; its D1 databases: {}",
                path.display(),
                labels()
            ))
            .into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Result<WranglerConfig> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        parse_wrangler_config(&path)
    }

    #[test]
    fn reads_toml_entries() {
        let config = parse(
            "wrangler.toml",
            "name = 'x'\n[[d1_databases]]\nbinding = 'DB'\ndatabase_name = 'app-db'\ndatabase_id = 'abc'\nmigrations_dir = 'drizzle'\n\n[[d1_databases]]\nbinding = 'LOGS'\n",
        )
        .unwrap();
        assert_eq!(config.d1_databases.len(), 2);
        let first = &config.d1_databases[0];
        assert_eq!((first.binding.as_str(), first.local_key()), ("DB", "abc"));
        assert_eq!(first.migrations_dir.as_deref(), Some("drizzle"));
        assert_eq!(config.d1_databases[1].local_key(), "LOGS");
    }

    #[test]
    fn reads_jsonc_with_comments_and_trailing_commas() {
        let text = r#"{
            // the worker
            "name": "x",
            /* databases */
            "d1_databases": [
                { "binding": "DB", "database_name": "app-db", "database_id": "id-1", "preview_database_id": "p-1", },
            ],
        }"#;
        let config = parse("wrangler.jsonc", text).unwrap();
        assert_eq!(config.d1_databases[0].local_key(), "p-1");
        let config = parse("wrangler.json", r#"{"d1_databases":[{"binding":"DB"}]}"#).unwrap();
        assert_eq!(config.d1_databases[0].label(), "DB");
    }

    #[test]
    fn bad_config_errors_name_the_file() {
        let err = parse("wrangler.toml", "[[d1_databases]\nbinding=").unwrap_err();
        assert!(err.to_string().contains("wrangler.toml: not a valid wrangler config"), "{err}");
        let err = parse("wrangler.jsonc", "{ \"d1_databases\": [ { } ] }").unwrap_err();
        assert!(err.to_string().contains("wrangler.jsonc"), "{err}");
    }

    #[test]
    fn chooses_by_binding_or_name_and_lists_names_when_unknown() {
        let config = parse(
            "wrangler.toml",
            "[[d1_databases]]\nbinding = 'DB'\ndatabase_name = 'app-db'\n[[d1_databases]]\nbinding = 'LOGS'\ndatabase_name = 'logs-db'\n",
        )
        .unwrap();
        let path = Path::new("wrangler.toml");
        assert_eq!(choose_d1_entry(&config, path, None).unwrap().binding, "DB");
        assert_eq!(choose_d1_entry(&config, path, Some("LOGS")).unwrap().binding, "LOGS");
        assert_eq!(choose_d1_entry(&config, path, Some("logs-db")).unwrap().binding, "LOGS");
        let err = choose_d1_entry(&config, path, Some("nope")).unwrap_err().to_string();
        assert!(err.contains("\"nope\"") && err.contains("DB (app-db), LOGS (logs-db)"), "{err}");
        let empty = WranglerConfig::default();
        assert!(choose_d1_entry(&empty, path, None).unwrap_err().to_string().contains("no [[d1_databases]]"));
    }
}
