//! Next-step commands to print: they repeat the `--db`, `--migrations`, `--d1` and `--tracker`
//! the user gave, so copying the hint acts on the same database and folder.

use std::path::Path;

/// What a hinted `squall migrate …` command must carry over.
#[derive(Debug, Clone, Copy, Default)]
pub struct HintArgs<'a> {
    pub db: Option<&'a Path>,
    pub migrations: Option<&'a Path>,
    pub d1: Option<&'a str>,
    /// `--tracker` when not auto.
    pub tracker: Option<&'a str>,
}

/// `squall migrate <subcommand> [extra] --db … --migrations …`, each value shell-quoted.
pub fn migrate_command(subcommand: &str, extra: &[&str], args: &HintArgs) -> String {
    let mut words: Vec<String> = vec!["squall".into(), "migrate".into(), subcommand.into()];
    words.extend(extra.iter().map(|word| word.to_string()));
    let mut push = |flag: &str, value: Option<String>| {
        if let Some(value) = value {
            words.push(flag.to_string());
            words.push(shell_quote(&value));
        }
    };
    push("--db", args.db.map(|p| p.display().to_string()));
    push("--migrations", args.migrations.map(|p| p.display().to_string()));
    push("--d1", args.d1.map(str::to_string));
    push("--tracker", args.tracker.map(str::to_string));
    words.join(" ")
}

/// The word as is when the shell reads it literally, else in single quotes.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_keep_the_given_options_quoted() {
        let args = HintArgs {
            db: Some(Path::new("my dbs/app.db")),
            migrations: Some(Path::new("drizzle")),
            d1: None,
            tracker: Some("drizzle"),
        };
        assert_eq!(
            migrate_command("apply", &["--force"], &args),
            "squall migrate apply --force --db 'my dbs/app.db' --migrations drizzle --tracker drizzle"
        );
        assert_eq!(migrate_command("apply", &[], &HintArgs::default()), "squall migrate apply");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
