//! Which remote D1 database to use and how to reach it, from flags, the environment, the
//! wrangler config and (for the token) wrangler's own login. Each missing setting is a one-line
//! error naming the variable or flag to set.

use std::path::Path;

use anyhow::{Result, bail};

use super::{choose_d1_entry, find_wrangler_config, parse_wrangler_config};
use crate::db::backend::d1::{ApiToken, D1Settings, DEFAULT_API_BASE};

/// Variables read, in order of preference, for each setting.
pub const DATABASE_ID_VARS: [&str; 2] = ["CLOUDFLARE_DATABASE_ID", "CLOUDFLARE_D1_DATABASE_ID"];
pub const ACCOUNT_ID_VAR: &str = "CLOUDFLARE_ACCOUNT_ID";
pub const TOKEN_VARS: [&str; 2] = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_D1_TOKEN"];
pub const API_BASE_VAR: &str = "CLOUDFLARE_API_BASE_URL";

/// Input of [`resolve_remote`]. The environment and wrangler are passed in so tests need neither.
pub struct RemoteInput<'a> {
    /// Where to look for the wrangler config (the current folder).
    pub dir: &'a Path,
    /// `--database-id`.
    pub database_id: Option<&'a str>,
    /// `--d1 NAME`.
    pub d1: Option<&'a str>,
    /// `--write`.
    pub write: bool,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Asks wrangler for its login's token (`wrangler auth token --json`), if it can.
    pub wrangler_token: &'a dyn Fn() -> Option<String>,
}

/// Where the settings came from, for one line of explanation (never the token itself).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub settings: D1Settings,
    pub reason: String,
}

/// Resolves every setting, or fails naming the first one missing.
pub fn resolve_remote(input: &RemoteInput) -> Result<Resolved> {
    let env = |name: &str| (input.env)(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let config_path = find_wrangler_config(input.dir);
    let config = config_path.as_deref().map(parse_wrangler_config).transpose()?;
    // The entry is only needed when the id or the name must come from it; a broken `--d1` still
    // errors, since the user asked for it.
    let entry = match (&config, &config_path) {
        (Some(config), Some(path)) if !config.d1_databases.is_empty() || input.d1.is_some() => {
            Some(choose_d1_entry(config, path, input.d1)?.clone())
        }
        _ => None,
    };
    let (database_id, id_from) = if let Some(id) = input.database_id.map(str::trim).filter(|v| !v.is_empty()) {
        (id.to_string(), "--database-id".to_string())
    } else if let Some((var, id)) = DATABASE_ID_VARS.iter().find_map(|var| env(var).map(|v| (*var, v))) {
        (id, var.to_string())
    } else if let Some(id) = entry.as_ref().and_then(|e| e.database_id.clone()) {
        let file = config_path.as_deref().and_then(Path::file_name).map(|f| f.to_string_lossy().into_owned());
        (id, format!("{} ({})", file.unwrap_or_default(), entry.as_ref().map(|e| e.label()).unwrap_or_default()))
    } else {
        bail!(
            "which remote D1 database? pass --database-id UUID, set CLOUDFLARE_DATABASE_ID, or give the wrangler config's D1 entry a database_id"
        );
    };
    let account_id = match env(ACCOUNT_ID_VAR).or_else(|| config.as_ref().and_then(|c| c.account_id.clone())) {
        Some(account) => account,
        None => bail!("which Cloudflare account? set CLOUDFLARE_ACCOUNT_ID (or account_id in the wrangler config)"),
    };
    let (token, token_from) = match TOKEN_VARS.iter().find_map(|var| env(var).map(|v| (*var, v))) {
        Some((var, token)) => (token, var.to_string()),
        None => match (input.wrangler_token)() {
            Some(token) => (token, "wrangler's login".to_string()),
            None => bail!(
                "no Cloudflare API token: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_D1_TOKEN), or log in with a wrangler that has `wrangler auth token`"
            ),
        },
    };
    // The name wrangler knows the database by, when the config's entry is this database.
    let name = entry
        .filter(|e| e.database_id.as_deref() == Some(database_id.as_str()))
        .map(|e| e.database_name.clone().unwrap_or(e.binding));
    let api_base = env(API_BASE_VAR).unwrap_or_else(|| DEFAULT_API_BASE.to_string());
    let reason = format!("remote D1 {database_id} (id from {id_from}, token from {token_from}) at {api_base}");
    Ok(Resolved {
        settings: D1Settings {
            api_base,
            account_id,
            database_id,
            name,
            token: ApiToken::new(token),
            read_only: !input.write,
        },
        reason,
    })
}

/// The token of wrangler's own login: `wrangler auth token --json` (recent wranglers), when a
/// `wrangler` on PATH has that command. `None` otherwise; its errors are not shown, since the
/// message about the variables says what to do.
pub fn wrangler_auth_token() -> Option<String> {
    let output = std::process::Command::new("wrangler")
        .args(["auth", "token", "--json"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    token_of_wrangler_output(&String::from_utf8_lossy(&output.stdout))
}

/// Reads the token from `wrangler auth token --json`'s output: a JSON object with `token`, or a
/// JSON string, or the bare token.
pub fn token_of_wrangler_output(text: &str) -> Option<String> {
    let text = text.trim();
    let token = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(object)) => object.get("token")?.as_str()?.to_string(),
        Ok(serde_json::Value::String(token)) => token,
        Ok(_) => return None,
        Err(_) if !text.is_empty() && !text.contains(char::is_whitespace) => text.to_string(),
        Err(_) => return None,
    };
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(dir: &Path, vars: &[(&str, &str)], flag_id: Option<&str>, wrangler: Option<&str>) -> Result<Resolved> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let env = move |name: &str| vars.get(name).cloned();
        let wrangler_token = move || wrangler.map(str::to_string);
        resolve_remote(&RemoteInput {
            dir,
            database_id: flag_id,
            d1: None,
            write: false,
            env: &env,
            wrangler_token: &wrangler_token,
        })
    }

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wrangler.toml"),
            "account_id = 'acc-from-config'\n[[d1_databases]]\nbinding = 'DB'\ndatabase_name = 'app-db'\ndatabase_id = 'id-from-config'\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn flag_then_env_then_config() {
        let dir = project();
        let all = [("CLOUDFLARE_DATABASE_ID", "id-env"), ("CLOUDFLARE_API_TOKEN", "tok")];
        let got = resolve(dir.path(), &all, Some("id-flag"), None).unwrap();
        assert_eq!(got.settings.database_id, "id-flag");
        assert_eq!(got.settings.name, None, "the config's entry is another database");
        let got = resolve(dir.path(), &all, None, None).unwrap();
        assert_eq!(got.settings.database_id, "id-env");
        let got = resolve(dir.path(), &[("CLOUDFLARE_D1_TOKEN", "tok")], None, None).unwrap();
        assert_eq!(got.settings.database_id, "id-from-config");
        assert_eq!(got.settings.account_id, "acc-from-config");
        assert_eq!(got.settings.name.as_deref(), Some("app-db"));
        assert_eq!(got.settings.api_base, DEFAULT_API_BASE);
        assert!(got.settings.read_only);
        assert!(!got.reason.contains("tok\"") && got.reason.contains("CLOUDFLARE_D1_TOKEN"), "{}", got.reason);
        let got = resolve(
            dir.path(),
            &[("CLOUDFLARE_ACCOUNT_ID", "acc-env"), ("CLOUDFLARE_API_BASE_URL", "http://x/v4")],
            None,
            Some("wt"),
        )
        .unwrap();
        assert_eq!((got.settings.account_id.as_str(), got.settings.api_base.as_str()), ("acc-env", "http://x/v4"));
        assert_eq!(got.settings.token, ApiToken::new("wt"));
    }

    #[test]
    fn each_missing_setting_names_what_to_set() {
        let empty = tempfile::tempdir().unwrap();
        let err = resolve(empty.path(), &[], None, None).unwrap_err().to_string();
        assert!(err.contains("--database-id") && err.contains("CLOUDFLARE_DATABASE_ID"), "{err}");
        let err = resolve(empty.path(), &[], Some("id"), None).unwrap_err().to_string();
        assert!(err.contains("CLOUDFLARE_ACCOUNT_ID"), "{err}");
        let err = resolve(empty.path(), &[("CLOUDFLARE_ACCOUNT_ID", "a")], Some("id"), None).unwrap_err().to_string();
        assert!(err.contains("CLOUDFLARE_API_TOKEN") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn reads_wranglers_token_output() {
        assert_eq!(token_of_wrangler_output(r#"{"type":"oauth","token":"abc"}"#).as_deref(), Some("abc"));
        assert_eq!(token_of_wrangler_output("\"abc\"\n").as_deref(), Some("abc"));
        assert_eq!(token_of_wrangler_output("abc\n").as_deref(), Some("abc"));
        assert_eq!(token_of_wrangler_output("Unknown command: auth token"), None);
        assert_eq!(token_of_wrangler_output(""), None);
    }
}
