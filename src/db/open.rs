//! Opening a database file: never creates one, never changes one, and says clearly what is wrong.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use rusqlite::{Connection, OpenFlags};

use super::error::DbError;

/// How long a statement waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether the user asked to be kept from writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Reads and writes; falls back to read-only when the file is not writable.
    ReadWrite,
    /// Reads only, as asked with `--read-only`.
    ReadOnly,
}

/// An open database and what we learned while opening it.
pub struct Database {
    pub conn: Connection,
    pub path: PathBuf,
    /// Why writes are refused, when they are.
    pub read_only: Option<ReadOnlyReason>,
    /// Whether a `-wal` file was there before squall opened the database (see [`Sidecars`]).
    pub sidecars: Sidecars,
}

/// Who owns the `-wal` / `-shm` files beside a WAL database, which decides what closing does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sidecars {
    /// A `-wal` file was already there (wrangler's local D1 state keeps one): it is left exactly
    /// as found, so closing never checkpoints it into the main file.
    Found,
    /// There was none: SQLite checkpoints (an empty log: no page is written) and removes the
    /// `-wal` and `-shm` files it made when the last connection closes, as the sqlite3 shell does.
    Ours,
}

/// Why a database is read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnlyReason {
    /// The user asked for it.
    Requested,
    /// The file (or its folder) is not writable by us.
    NotWritable,
    /// A remote D1 session started without `--write`.
    Remote,
}

impl ReadOnlyReason {
    pub fn describe(self) -> &'static str {
        match self {
            ReadOnlyReason::Requested => "opened with --read-only",
            ReadOnlyReason::NotWritable => "the file is not writable",
            ReadOnlyReason::Remote => "a remote database opened without --write",
        }
    }
}

/// Input of [`open_database`].
pub struct OpenInput<'a> {
    pub path: &'a Path,
    pub mode: OpenMode,
}

/// Opens an existing SQLite file, checks it really is one, turns foreign keys on and sets a busy
/// timeout. The file is left byte-for-byte as it was: no journal-mode switch, no tables created.
pub fn open_database(input: &OpenInput) -> Result<Database> {
    let sidecars = if wal_path(input.path).exists() { Sidecars::Found } else { Sidecars::Ours };
    open_with_sidecars(input, sidecars)
}

/// Another connection to `first`'s database, closing as `first` does (the first connection has
/// made the `-wal` file by now, so looking for it again would get the answer wrong).
pub fn open_another(first: &Database, mode: OpenMode) -> Result<Database> {
    open_with_sidecars(&OpenInput { path: &first.path, mode }, first.sidecars)
}

/// `<db>-wal`, where SQLite keeps a WAL database's log.
pub fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Whether the database is in WAL mode, as SQLite reads it from the header. Unreadable means no
/// (the schema read that follows reports why).
fn is_wal(conn: &Connection) -> bool {
    conn.pragma_query_value(None, "journal_mode", |row| row.get::<_, String>(0))
        .is_ok_and(|mode| mode.eq_ignore_ascii_case("wal"))
}

fn open_with_sidecars(input: &OpenInput, sidecars: Sidecars) -> Result<Database> {
    let path = input.path;
    let meta = std::fs::metadata(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => DbError::NotFound(format!("{}: no such file", path.display())),
        std::io::ErrorKind::PermissionDenied => {
            DbError::BadFile { path: path.to_path_buf(), reason: "permission denied".into() }
        }
        _ => DbError::BadFile { path: path.to_path_buf(), reason: err.to_string() },
    })?;
    if meta.is_dir() {
        return Err(bad_file(path, "is a directory, not a SQLite database file"));
    }
    // A file without any write permission bit is read-only for everyone: root could write it
    // anyway (it bypasses permissions), but whoever made it so meant it not to change.
    let unwritable = meta.permissions().readonly();
    let mode = if unwritable { OpenMode::ReadOnly } else { input.mode };
    let common = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let flags = match mode {
        OpenMode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
        OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
    } | common;
    let mut conn = Connection::open_with_flags(path, flags).map_err(|err| open_failure(path, &err))?;
    // A read-only connection to a WAL database still creates `-wal` and `-shm`, but can never
    // remove them. When they will be ours, --read-only opens for writing with `query_only` on (SQL
    // cannot change anything), so SQLite can tidy up on close; an unwritable file stays read-only.
    // The journal mode is asked through SQLite, never by reading the file ourselves: closing any
    // descriptor of the file would drop this process's POSIX locks (see `open_failure`).
    if mode == OpenMode::ReadOnly
        && sidecars == Sidecars::Ours
        && is_wal(&conn)
        && let Ok(writable) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | common)
        && !writable.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
    {
        writable.pragma_update(None, "query_only", true)?;
        conn = writable;
    }
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Closing the last connection of a WAL database checkpoints and deletes the -wal file. A log
    // that was there before us is left alone: checkpointing it would rewrite a file the user only
    // looked at (wrangler's local D1 state is in WAL mode).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, sidecars == Sidecars::Found)?;
    // Reading the schema is the cheapest way to make SQLite look at the header.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get::<_, i64>(0))
        .map_err(|err| open_failure(path, &err))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let read_only = match input.mode {
        OpenMode::ReadOnly => Some(ReadOnlyReason::Requested),
        OpenMode::ReadWrite if unwritable || conn.is_readonly(rusqlite::MAIN_DB)? => Some(ReadOnlyReason::NotWritable),
        OpenMode::ReadWrite => None,
    };
    Ok(Database { conn, path: path.to_path_buf(), read_only, sidecars })
}

/// Closes `conn`; as the last connection of a WAL database whose sidecars are ours, that is when
/// SQLite checkpoints and removes `-wal` and `-shm`. An interrupt that reached the connection
/// while it was idle stays pending (SQLite clears it only when the next statement starts) and
/// would stop that checkpoint: the files stay, with the last commits only in the `-wal`. One
/// statement clears it first, so call this after the last interrupt aimed at `conn`.
pub fn close_connection(conn: Connection) -> Result<()> {
    // The statement's outcome does not matter: starting it is what clears the flag.
    let _ = conn.execute_batch("SELECT 1");
    conn.close().map_err(|(_, err)| err.into())
}

/// Whether `conn` refuses writes: opened read-only, on an unwritable file, or with `query_only`
/// (how --read-only opens a WAL database whose `-wal` squall creates; see [`open_database`]).
pub fn refuses_writes(conn: &Connection) -> Result<bool> {
    Ok(conn.is_readonly(rusqlite::MAIN_DB)?
        || conn.pragma_query_value(None, "query_only", |row| row.get::<_, bool>(0))?)
}

/// Why SQLite could not open or read the file, naming an OS cause (permission denied) when
/// there is one. The file is opened outside SQLite only here, on failure: closing a descriptor
/// of a file drops every POSIX lock this process holds on it, so doing that while another
/// connection is open would drop that connection's WAL lock (see `lock_tests`).
fn open_failure(path: &Path, err: &rusqlite::Error) -> anyhow::Error {
    match std::fs::File::open(path) {
        Err(io) => bad_file(path, &format!("cannot read: {io}")),
        Ok(_) => bad_file(path, &sqlite_reason(err)),
    }
}

fn bad_file(path: &Path, reason: &str) -> anyhow::Error {
    DbError::BadFile { path: path.to_path_buf(), reason: reason.to_string() }.into()
}

/// SQLite's own words, made friendlier where its wording is cryptic.
fn sqlite_reason(err: &rusqlite::Error) -> String {
    if let rusqlite::Error::SqliteFailure(failure, _) = err {
        match failure.code {
            rusqlite::ErrorCode::NotADatabase => {
                return "not a SQLite database (or it is encrypted)".into();
            }
            rusqlite::ErrorCode::DatabaseCorrupt => return "the database file is corrupt".into(),
            rusqlite::ErrorCode::CannotOpen => return "cannot open the file".into(),
            rusqlite::ErrorCode::PermissionDenied => return "permission denied".into(),
            _ => {}
        }
    }
    err.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &Path) -> Result<Database> {
        open_database(&OpenInput { path, mode: OpenMode::ReadWrite })
    }

    #[test]
    fn missing_file_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let err = open(&path).err().unwrap();
        assert!(err.to_string().contains("no such file"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn directory_and_garbage_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(dir.path()).err().unwrap();
        assert!(err.to_string().contains("is a directory"), "{err}");
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"this is certainly not a database, it is a text file of some length").unwrap();
        let err = open(&junk).err().unwrap();
        assert!(err.to_string().contains("not a SQLite database"), "{err}");
    }

    #[test]
    fn opening_changes_nothing_and_read_only_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE t(x)").unwrap();
        let before = std::fs::read(&path).unwrap();
        let db = open(&path).unwrap();
        assert!(db.read_only.is_none());
        let fk: bool = db.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(fk);
        drop(db);
        assert_eq!(before, std::fs::read(&path).unwrap());
        let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadOnly }).unwrap();
        assert_eq!(db.read_only, Some(ReadOnlyReason::Requested));
        assert!(db.conn.execute("INSERT INTO t VALUES (1)", []).is_err());
    }

    /// Root bypasses permissions, so SQLite alone would let it write a 0444 file.
    #[test]
    fn a_file_without_write_permission_is_read_only_even_for_root() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locked.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE t(x)").unwrap();
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&path, permissions).unwrap();
        let before = std::fs::read(&path).unwrap();
        let db = open(&path).unwrap();
        assert_eq!(db.read_only, Some(ReadOnlyReason::NotWritable));
        assert!(refuses_writes(&db.conn).unwrap());
        assert!(db.conn.execute("INSERT INTO t VALUES (1)", []).is_err());
        drop(db);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_wal_database_keeps_its_wal_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let writer = Connection::open(&path).unwrap();
        writer.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).unwrap();
        writer.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (42);").unwrap();
        drop(writer);
        let wal = dir.path().join("w.db-wal");
        let (main_before, wal_before) = (std::fs::read(&path).unwrap(), std::fs::read(&wal).unwrap());
        let db = open(&path).unwrap();
        let x: i64 = db.conn.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 42, "rows that live only in the -wal file are read");
        drop(db);
        assert_eq!(std::fs::read(&path).unwrap(), main_before);
        assert_eq!(std::fs::read(&wal).unwrap(), wal_before);
    }

    #[test]
    fn a_clean_wal_database_is_left_without_sidecars_read_write_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x);").unwrap();
        let names = || {
            let mut names: Vec<String> =
                std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
            names.sort();
            names
        };
        assert_eq!(names(), ["w.db"]);
        let before = std::fs::read(&path).unwrap();
        for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly] {
            let db = open_database(&OpenInput { path: &path, mode }).unwrap();
            assert_eq!(db.sidecars, Sidecars::Ours);
            let second = open_another(&db, OpenMode::ReadOnly).unwrap();
            assert_eq!(second.sidecars, Sidecars::Ours, "the -wal the first made is still ours");
            assert!(refuses_writes(&second.conn).unwrap());
            assert!(second.conn.execute("INSERT INTO t VALUES (1)", []).is_err());
            assert_eq!(refuses_writes(&db.conn).unwrap(), mode == OpenMode::ReadOnly);
            drop(db);
            drop(second);
            assert_eq!(names(), ["w.db"], "{mode:?}");
            assert_eq!(std::fs::read(&path).unwrap(), before, "{mode:?}");
        }
    }
}

#[cfg(test)]
mod lock_tests {
    use super::*;

    /// The TUI interrupts its idle connections on quit; the last one must still tidy up.
    #[test]
    fn closing_after_an_interrupt_still_checkpoints_and_removes_the_sidecars() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x)").unwrap();
        let db = open_database(&OpenInput { path: &path, mode: OpenMode::ReadWrite }).unwrap();
        db.conn.execute("INSERT INTO t VALUES (7)", []).unwrap();
        assert!(dir.path().join("w.db-wal").exists());
        db.conn.get_interrupt_handle().interrupt();
        close_connection(db.conn).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["w.db"], "the -wal and -shm are removed");
        let read = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let x: i64 = read.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 7, "the commit is in the main file");
    }

    /// POSIX locks belong to the process: closing *any* descriptor of the file drops them all,
    /// including the SHARED lock every WAL connection holds on the database file. Another
    /// process closing its connection then believes it is the last one, checkpoints and deletes
    /// the `-wal` under ours, and our connection goes on reading the deleted file: it never sees
    /// later commits (live refresh stalls) and its own writes would be lost.
    #[test]
    fn opening_a_second_connection_keeps_the_first_ones_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x)").unwrap();
        let first = open_database(&OpenInput { path: &path, mode: OpenMode::ReadWrite }).unwrap();
        let _second = open_database(&OpenInput { path: &path, mode: OpenMode::ReadOnly }).unwrap();
        let other_process = std::process::Command::new("sqlite3").arg(&path).arg("INSERT INTO t VALUES (1);").status();
        if !other_process.is_ok_and(|s| s.success()) {
            eprintln!("sqlite3 CLI not available: skipped");
            return;
        }
        assert!(dir.path().join("w.db-wal").exists(), "another process deleted the -wal we have open");
        let seen: i64 = first.conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(seen, 1);
    }
}
