//! Reading migration folders: drizzle-kit output (`meta/_journal.json` and the `NNNN_name.sql`
//! files it lists) and plain folders of `NNNN_name.sql` files as `wrangler d1 migrations` keeps them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use super::statements::{STATEMENT_BREAKPOINT, split_statements};

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

/// Where drizzle-kit keeps its journal, relative to the migrations folder.
pub const JOURNAL_PATH: &str = "meta/_journal.json";

/// How a folder says which migrations it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderKind {
    /// drizzle-kit output: drizzle's tracker sees only the journal's entries, in journal order;
    /// wrangler's sees every top-level `*.sql` file (see [`MigrationFolder::wrangler_order`]).
    Journal,
    /// Every top-level `*.sql` file, sorted by leading number, then name (wrangler's way).
    Plain,
}

/// A migrations folder, read completely.
#[derive(Debug, Clone)]
pub struct MigrationFolder {
    /// The folder (for embedded migrations, the folder they were embedded from).
    pub dir: PathBuf,
    pub kind: FolderKind,
    /// In a journal folder: the journal's entries in journal order, then the `*.sql` files the
    /// journal does not list (their `created_at` is `None`). In a plain folder: wrangler's order.
    pub migrations: Vec<MigrationFile>,
}

impl MigrationFolder {
    /// Whether drizzle's migrator would see this file: in a journal folder, only journal entries.
    pub fn in_journal(&self, file: &MigrationFile) -> bool {
        self.kind == FolderKind::Plain || file.created_at.is_some()
    }

    /// Indices of the files wrangler applies, in its order: every top-level `*.sql` file sorted by
    /// leading number then name. wrangler never reads the journal.
    pub fn wrangler_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.migrations.len()).collect();
        order.sort_by(|&a, &b| {
            plain_order_key(&self.migrations[a].name).cmp(&plain_order_key(&self.migrations[b].name))
        });
        order
    }

    /// Indices of the files drizzle's migrator applies, in its order (the journal's).
    pub fn drizzle_order(&self) -> Vec<usize> {
        (0..self.migrations.len()).filter(|&i| self.in_journal(&self.migrations[i])).collect()
    }

    /// Where the journal and the folder disagree, one sentence each: `.sql` files the journal
    /// does not list (wrangler applies them, drizzle ignores them), and a journal order that is
    /// not wrangler's file-name order.
    pub fn disagreements(&self) -> Vec<String> {
        if self.kind != FolderKind::Journal {
            return Vec::new();
        }
        let mut notes: Vec<String> = self
            .migrations
            .iter()
            .filter(|file| !self.in_journal(file))
            .map(|file| format!("{} is not in {JOURNAL_PATH}: wrangler applies it, drizzle ignores it", file.name))
            .collect();
        let listed: Vec<usize> = self.drizzle_order();
        let by_name: Vec<usize> = self.wrangler_order().into_iter().filter(|i| listed.contains(i)).collect();
        if listed != by_name {
            notes.push(format!(
                "{JOURNAL_PATH} lists the migrations in another order than their file names, which wrangler follows"
            ));
        }
        notes
    }
}

/// One migration file and what the trackers match it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// File name, `0000_init.sql`: what wrangler's tracker records.
    pub name: String,
    pub path: PathBuf,
    pub sql: String,
    /// Hex SHA-256 of the whole file: what drizzle's tracker records.
    pub hash: String,
    /// The journal entry's `when` (epoch ms), drizzle's `created_at`; `None` in plain folders.
    pub created_at: Option<i64>,
}

impl MigrationFile {
    /// Builds the record of one file from its text.
    pub fn new(path: PathBuf, sql: String, created_at: Option<i64>) -> MigrationFile {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let hash = hex::encode(Sha256::digest(sql.as_bytes()));
        MigrationFile { name, path, sql, hash, created_at }
    }

    /// The statements of this migration, one per element (see [`split_sql`](super::statements::split_sql)).
    pub fn statements(&self) -> Vec<String> {
        super::statements::split_sql(&self.sql)
    }
}

/// Input of [`load_folder`].
pub struct LoadFolder<'a> {
    pub dir: &'a Path,
}

/// Reads a migrations folder: through its journal when it has `meta/_journal.json`, else every
/// top-level `.sql` file. Errors name the file or folder that is wrong.
pub fn load_folder(input: &LoadFolder) -> Result<MigrationFolder> {
    let dir = input.dir;
    if !dir.is_dir() {
        if dir.exists() {
            bail!("{}: not a folder", dir.display());
        }
        bail!("{}: no such migrations folder", dir.display());
    }
    let journal_path = dir.join(JOURNAL_PATH);
    if journal_path.is_file() {
        let text = read_text(&journal_path)?;
        let journal = parse_journal(&text, &journal_path.display().to_string())?;
        let mut folder = folder_from_journal(dir, &journal, &mut |path| read_text(path))?;
        // wrangler applies every `.sql` file, listed or not, so the unlisted ones are kept too.
        let unlisted: Vec<MigrationFile> = sql_files(dir)?
            .into_iter()
            .filter(|file| !folder.migrations.iter().any(|listed| listed.name == file.name))
            .collect();
        folder.migrations.extend(unlisted);
        return Ok(folder);
    }
    Ok(MigrationFolder { dir: dir.to_path_buf(), kind: FolderKind::Plain, migrations: sql_files(dir)? })
}

/// Every top-level `*.sql` file of `dir`, in wrangler's order, read whole.
fn sql_files(dir: &Path) -> Result<Vec<MigrationFile>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))? {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        let path = entry.path();
        let is_sql = path.extension().is_some_and(|ext| ext == "sql");
        if is_sql && path.is_file() {
            files.push(MigrationFile::new(path.clone(), read_text(&path)?, None));
        }
    }
    files.sort_by(|a, b| plain_order_key(&a.name).cmp(&plain_order_key(&b.name)));
    Ok(files)
}

/// The migrations a journal lists, in its order, each read through `read` (a file, or embedded text).
pub fn folder_from_journal(
    dir: &Path,
    journal: &Journal,
    read: &mut dyn FnMut(&Path) -> Result<String>,
) -> Result<MigrationFolder> {
    let mut migrations = Vec::with_capacity(journal.entries.len());
    for entry in &journal.entries {
        let path = dir.join(format!("{}.sql", entry.tag));
        let sql = read(&path).with_context(|| format!("{} lists {}", dir.join(JOURNAL_PATH).display(), entry.tag))?;
        migrations.push(MigrationFile::new(path, sql, Some(entry.when)));
    }
    Ok(MigrationFolder { dir: dir.to_path_buf(), kind: FolderKind::Journal, migrations })
}

/// Wrangler's order for plain folders: the leading number, then the name.
pub fn plain_order_key(name: &str) -> (u64, &str) {
    let digits: &str = &name[..name.find(|c: char| !c.is_ascii_digit()).unwrap_or(name.len())];
    (digits.parse().unwrap_or(u64::MAX), name)
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))
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

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// wrangler applies every `.sql` file whether the journal lists it or not (issue 12): the
    /// stray file is part of the folder, drizzle's order leaves it out, and the folder says so.
    #[test]
    fn journal_folders_keep_unlisted_files_for_wrangler() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/drizzle");
        let dir = tempfile::tempdir().unwrap();
        for name in ["0000_init.sql", "0001_audit_log_last_login.sql", "meta/_journal.json"] {
            write(dir.path(), name, &std::fs::read_to_string(fixture.join(name)).unwrap());
        }
        write(dir.path(), "0002_stray.sql", "DROP TABLE user;");
        let folder = load_folder(&LoadFolder { dir: dir.path() }).unwrap();
        assert_eq!(folder.kind, FolderKind::Journal);
        let names = |order: Vec<usize>| -> Vec<String> {
            order.into_iter().map(|i| folder.migrations[i].name.clone()).collect()
        };
        assert_eq!(names(folder.drizzle_order()), ["0000_init.sql", "0001_audit_log_last_login.sql"]);
        assert_eq!(
            names(folder.wrangler_order()),
            ["0000_init.sql", "0001_audit_log_last_login.sql", "0002_stray.sql"]
        );
        assert_eq!(
            folder.disagreements(),
            ["0002_stray.sql is not in meta/_journal.json: wrangler applies it, drizzle ignores it"]
        );
        assert_eq!(folder.migrations[0].hash, "7eee5f1f64997085ea47a69db6f1c217a5119d280a701ff6953ef9ddca31cb1a");
        assert_eq!(folder.migrations[1].created_at, Some(1795846779336));
    }

    #[test]
    fn plain_folders_sort_by_number_then_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["10_late.sql", "9_early.sql", "0009_also.sql", "notes.txt", "meta/0001_snapshot.sql"] {
            write(dir.path(), name, "SELECT 1;");
        }
        let folder = load_folder(&LoadFolder { dir: dir.path() }).unwrap();
        assert_eq!(folder.kind, FolderKind::Plain);
        let names: Vec<&str> = folder.migrations.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["0009_also.sql", "9_early.sql", "10_late.sql"]);
        assert!(folder.migrations.iter().all(|m| m.created_at.is_none()));
    }

    #[test]
    fn broken_folders_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_folder(&LoadFolder { dir: &dir.path().join("nope") }).unwrap_err().to_string();
        assert!(err.contains("nope: no such migrations folder"), "{err}");
        write(dir.path(), "meta/_journal.json", "{\"version\": \"7\", \"entries\": [");
        let err = format!("{:#}", load_folder(&LoadFolder { dir: dir.path() }).unwrap_err());
        assert!(err.contains("meta/_journal.json: not a drizzle-kit journal"), "{err}");
        let journal = r#"{"version":"7","dialect":"sqlite","entries":[{"idx":0,"version":"6","when":1,"tag":"0000_gone","breakpoints":true}]}"#;
        write(dir.path(), "meta/_journal.json", journal);
        let err = format!("{:#}", load_folder(&LoadFolder { dir: dir.path() }).unwrap_err());
        assert!(err.contains("0000_gone.sql: cannot read"), "{err}");
    }
}
