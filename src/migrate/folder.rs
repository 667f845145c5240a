//! Reading drizzle-kit output: `meta/_journal.json` and the `NNNN_name.sql` files it lists.

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The separator drizzle-kit writes between statements (a plain SQL comment to anyone else).
pub const STATEMENT_BREAKPOINT: &str = "--> statement-breakpoint";

/// `meta/_journal.json` as drizzle-kit writes it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Journal {
    pub version: String,
    pub dialect: String,
    pub entries: Vec<JournalEntry>,
}

/// One migration in the journal.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct JournalEntry {
    pub idx: u32,
    pub version: String,
    /// Epoch milliseconds when the migration was generated; drizzle's tracker stores it.
    pub when: i64,
    /// File stem: the migration is `<tag>.sql`.
    pub tag: String,
    pub breakpoints: bool,
}

/// Parses a journal, naming `origin` (a path) in any error.
pub fn parse_journal(text: &str, origin: &str) -> Result<Journal> {
    let journal: Journal =
        serde_json::from_str(text).with_context(|| format!("{origin}: not a drizzle-kit journal"))?;
    if journal.dialect != "sqlite" && journal.dialect != "turso" {
        bail!("{origin}: journal is for dialect {:?}, squall reads SQLite migrations", journal.dialect);
    }
    Ok(journal)
}

/// Splits a migration into statements at drizzle-kit's breakpoints, dropping empty pieces.
pub fn split_statements(sql: &str) -> Vec<String> {
    sql.split(STATEMENT_BREAKPOINT).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_breakpoints() {
        let sql = "CREATE TABLE a(x);\n--> statement-breakpoint\nCREATE INDEX i ON a(x);--> statement-breakpoint\n";
        assert_eq!(split_statements(sql), ["CREATE TABLE a(x);", "CREATE INDEX i ON a(x);"]);
    }

    #[test]
    fn journal_errors_name_the_file() {
        let err = parse_journal("{", "drizzle/meta/_journal.json").unwrap_err();
        assert!(format!("{err:#}").contains("drizzle/meta/_journal.json"));
        let pg = r#"{"version":"7","dialect":"postgresql","entries":[]}"#;
        assert!(parse_journal(pg, "j").unwrap_err().to_string().contains("postgresql"));
    }
}
