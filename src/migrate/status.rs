//! What each migration's state is, according to one tracker.

use rusqlite::types::Value;

use crate::db::backend::{Backend, Statement};
use anyhow::Result;
use serde::Serialize;

use super::folder::{MigrationFolder, plain_order_key};
use super::{drizzle, wrangler};

/// Which tracker records what was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackerKind {
    /// `d1_migrations` (or the config's `migrations_table`), matched by file name.
    Wrangler,
    /// `__drizzle_migrations`, matched by created_at and hash.
    Drizzle,
}

impl TrackerKind {
    /// `wrangler` / `drizzle`.
    pub fn label(self) -> &'static str {
        match self {
            TrackerKind::Wrangler => "wrangler",
            TrackerKind::Drizzle => "drizzle",
        }
    }
}

/// The tracker the user asked for (`--tracker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrackerChoice {
    /// The one the database has; wrangler's when it has both or neither.
    #[default]
    Auto,
    Wrangler,
    Drizzle,
}

/// The state of one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationState {
    /// Recorded as applied, and the file is unchanged (as far as the tracker can tell).
    Applied,
    /// Not applied yet; the tracker's tool would run it.
    Pending,
    /// Applied, but the file's hash differs from the recorded one (drizzle's tracker only).
    Modified,
    /// Recorded as applied, but no file in the folder matches it.
    Missing,
    /// Not applied, and older than the newest applied migration: drizzle's own migrator would
    /// never run it (drizzle's tracker only).
    Skipped,
}

impl MigrationState {
    /// `applied`, `pending`, ...
    pub fn label(self) -> &'static str {
        match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::Modified => "modified",
            MigrationState::Missing => "missing",
            MigrationState::Skipped => "skipped",
        }
    }

    /// Not applied yet (pending or skipped).
    pub fn is_unapplied(self) -> bool {
        matches!(self, MigrationState::Pending | MigrationState::Skipped)
    }
}

/// One line of the migrations list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationStatus {
    /// The file name (`0000_init.sql`); for a missing drizzle row, a description of the row.
    pub name: String,
    #[serde(rename = "status")]
    pub state: MigrationState,
    pub tracker: TrackerKind,
    /// When wrangler's tracker recorded it (UTC `YYYY-MM-DD HH:MM:SS`); drizzle records no time.
    pub applied_at: Option<String>,
    /// The journal entry's `when` (epoch ms), or the recorded `created_at` of a missing row.
    pub created_at: Option<i64>,
    /// Hex SHA-256 of the file.
    pub hash: Option<String>,
    /// The hash drizzle's tracker recorded, when it matched a row.
    pub recorded_hash: Option<String>,
    /// Index of the file in [`MigrationFolder::migrations`]; `None` for missing ones.
    #[serde(skip)]
    pub file_index: Option<usize>,
    /// Why this migration needs a look though its state is fine, e.g. a file the journal does
    /// not list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Input of [`migration_status`] and [`resolve_tracker`].
pub struct StatusInput<'a> {
    pub folder: &'a MigrationFolder,
    pub tracker: TrackerChoice,
    /// Wrangler's tracker table (`migrations_table` of the wrangler config, else `d1_migrations`).
    pub wrangler_table: &'a str,
}

/// The tracker in use and why, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerResolution {
    pub kind: TrackerKind,
    pub reason: String,
}

/// Picks the tracker: the one asked for, else the one the database has, else wrangler's (what
/// `db:migrate:local` runs). Reads only; creates nothing.
pub fn resolve_tracker<B: Backend + ?Sized>(conn: &B, input: &StatusInput) -> Result<TrackerResolution> {
    let (has_wrangler, has_drizzle) = trackers_present(conn, input.wrangler_table)?;
    let (kind, reason) = match input.tracker {
        TrackerChoice::Wrangler => (TrackerKind::Wrangler, "asked for with --tracker".to_string()),
        TrackerChoice::Drizzle => (TrackerKind::Drizzle, "asked for with --tracker".to_string()),
        TrackerChoice::Auto => match (has_wrangler, has_drizzle) {
            (false, true) => (TrackerKind::Drizzle, format!("the database has {}", drizzle::DEFAULT_TABLE)),
            (true, false) => (TrackerKind::Wrangler, format!("the database has {}", input.wrangler_table)),
            (true, true) => (
                TrackerKind::Wrangler,
                "the database has both trackers; using wrangler's, which db:migrate:local runs".to_string(),
            ),
            (false, false) => (TrackerKind::Wrangler, "the database has no tracker yet; using wrangler's".to_string()),
        },
    };
    Ok(TrackerResolution { kind, reason })
}

/// Every migration of the folder with its state, plus recorded migrations that have no file
/// (`missing`), in folder order. Reads only.
pub fn migration_status<B: Backend + ?Sized>(conn: &B, input: &StatusInput) -> Result<Vec<MigrationStatus>> {
    migration_status_for(conn, input, resolve_tracker(conn, input)?.kind)
}

/// [`migration_status`] with the tracker already resolved (a remote pays a round trip for it).
pub fn migration_status_for<B: Backend + ?Sized>(
    conn: &B,
    input: &StatusInput,
    kind: TrackerKind,
) -> Result<Vec<MigrationStatus>> {
    match kind {
        TrackerKind::Wrangler => wrangler_status(conn, input),
        TrackerKind::Drizzle => drizzle_status(conn, input.folder),
    }
}

/// Whether the database has wrangler's tracker table and drizzle's, in one statement.
fn trackers_present<B: Backend + ?Sized>(db: &B, wrangler_table: &str) -> Result<(bool, bool)> {
    let rows = db.query(&Statement::new(
        "SELECT count(CASE WHEN name = ?1 COLLATE NOCASE THEN 1 END), count(CASE WHEN name = ?2 COLLATE NOCASE THEN 1 END) \
         FROM sqlite_master WHERE type = 'table'",
        vec![Value::Text(wrangler_table.to_string()), Value::Text(drizzle::DEFAULT_TABLE.to_string())],
    ))?;
    let present = |i: usize| match rows.rows.first().and_then(|row| row.get(i)) {
        Some(Value::Integer(n)) => *n > 0,
        Some(Value::Real(f)) => *f > 0.0,
        _ => false,
    };
    Ok((present(0), present(1)))
}

/// Whether any migration still has to run.
pub fn has_unapplied(statuses: &[MigrationStatus]) -> bool {
    statuses.iter().any(|status| status.state.is_unapplied())
}

fn wrangler_status<B: Backend + ?Sized>(conn: &B, input: &StatusInput) -> Result<Vec<MigrationStatus>> {
    let rows = wrangler::read_applied(conn, &wrangler::Tracker { table: input.wrangler_table })?;
    let folder = input.folder;
    let mut statuses: Vec<MigrationStatus> = folder
        .wrangler_order()
        .into_iter()
        .map(|index| {
            let file = &folder.migrations[index];
            let row = rows.iter().find(|row| row.name == file.name);
            MigrationStatus {
                name: file.name.clone(),
                state: if row.is_some() { MigrationState::Applied } else { MigrationState::Pending },
                tracker: TrackerKind::Wrangler,
                applied_at: row.map(|row| row.applied_at.clone()),
                created_at: file.created_at,
                hash: Some(file.hash.clone()),
                recorded_hash: None,
                file_index: Some(index),
                note: (!folder.in_journal(file))
                    .then(|| format!("not in {}: drizzle ignores it", super::folder::JOURNAL_PATH)),
            }
        })
        .collect();
    for row in rows.iter().filter(|row| !input.folder.migrations.iter().any(|file| file.name == row.name)) {
        let missing = MigrationStatus {
            name: row.name.clone(),
            state: MigrationState::Missing,
            tracker: TrackerKind::Wrangler,
            applied_at: Some(row.applied_at.clone()),
            created_at: None,
            hash: None,
            recorded_hash: None,
            file_index: None,
            note: None,
        };
        let at = statuses
            .iter()
            .position(|status| plain_order_key(&status.name) > plain_order_key(&missing.name))
            .unwrap_or(statuses.len());
        statuses.insert(at, missing);
    }
    Ok(statuses)
}

fn drizzle_status<B: Backend + ?Sized>(conn: &B, folder: &MigrationFolder) -> Result<Vec<MigrationStatus>> {
    let rows = drizzle::read_applied(conn)?;
    let newest = rows.iter().filter_map(|row| row.created_at).max();
    let mut claimed = vec![false; rows.len()];
    let mut statuses = Vec::with_capacity(folder.migrations.len());
    for index in folder.drizzle_order() {
        let file = &folder.migrations[index];
        // A row with the same created_at is this migration (changed or not); failing that, a row
        // with the same hash is this migration under another timestamp.
        let unclaimed = |i: &usize| !claimed[*i];
        let by_time = (0..rows.len())
            .filter(unclaimed)
            .filter(|&i| file.created_at.is_some() && rows[i].created_at == file.created_at)
            .min_by_key(|&i| rows[i].hash != file.hash);
        let matched = by_time.or_else(|| (0..rows.len()).filter(unclaimed).find(|&i| rows[i].hash == file.hash));
        let state = match matched {
            Some(i) if rows[i].hash == file.hash => MigrationState::Applied,
            Some(_) => MigrationState::Modified,
            None => match (file.created_at, newest) {
                (Some(when), Some(newest)) if when <= newest => MigrationState::Skipped,
                _ => MigrationState::Pending,
            },
        };
        if let Some(i) = matched {
            claimed[i] = true;
        }
        statuses.push(MigrationStatus {
            name: file.name.clone(),
            state,
            tracker: TrackerKind::Drizzle,
            applied_at: None,
            created_at: file.created_at,
            hash: Some(file.hash.clone()),
            recorded_hash: matched.map(|i| rows[i].hash.clone()),
            file_index: Some(index),
            note: None,
        });
    }
    for (row, _) in rows.iter().zip(&claimed).filter(|(_, claimed)| !**claimed) {
        let short_hash: String = row.hash.chars().take(12).collect();
        let missing = MigrationStatus {
            name: match row.created_at {
                Some(when) => format!("(no file) created_at {when}, hash {short_hash}"),
                None => format!("(no file) hash {short_hash}"),
            },
            state: MigrationState::Missing,
            tracker: TrackerKind::Drizzle,
            applied_at: None,
            created_at: row.created_at,
            hash: None,
            recorded_hash: Some(row.hash.clone()),
            file_index: None,
            note: None,
        };
        let at = statuses
            .iter()
            .position(|status| status.created_at.is_some_and(|when| Some(when) > missing.created_at))
            .unwrap_or(statuses.len());
        statuses.insert(at, missing);
    }
    Ok(statuses)
}
