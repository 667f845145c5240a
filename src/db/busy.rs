//! Waiting for another process's lock in a way the terminal UI can cancel. SQLite's own busy
//! timeout sleeps inside the statement and cannot be stopped (`sqlite3_interrupt` is only seen
//! between steps), so a commit behind a lock would hold the worker for the whole timeout. This
//! busy handler waits as long as [`super::open::BUSY_TIMEOUT`], but gives up as soon as
//! [`cancel_lock_wait`] is called.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use rusqlite::Connection;

use super::open::BUSY_TIMEOUT;

/// Set to stop the current wait; cleared when the next write starts. One flag for the process:
/// only the terminal UI installs the handler, on the one connection that writes.
static CANCELLED: AtomicBool = AtomicBool::new(false);
/// Whether a connection of this process waits through [`wait_for_lock`].
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// How long one wait step sleeps.
const STEP: Duration = Duration::from_millis(10);

/// Makes `conn` wait for locks through the cancellable handler.
pub fn install_cancellable_wait(conn: &Connection) -> Result<()> {
    conn.busy_handler(Some(wait_for_lock))?;
    INSTALLED.store(true, Ordering::SeqCst);
    Ok(())
}

/// Stops the lock wait going on now (if any) or about to start: the statement fails as busy.
pub fn cancel_lock_wait() {
    CANCELLED.store(true, Ordering::SeqCst);
}

/// Forgets an earlier cancel; called when a write starts.
pub fn reset_lock_wait() {
    CANCELLED.store(false, Ordering::SeqCst);
}

/// Whether the last wait was cancelled rather than timed out.
pub fn lock_wait_cancelled() -> bool {
    CANCELLED.load(Ordering::SeqCst)
}

/// How long a lock is waited for, in ms: the handler's bound when it is installed (SQLite then
/// reports a busy timeout of 0), else the connection's busy timeout.
pub fn lock_wait_ms(conn: &Connection) -> i64 {
    let pragma: i64 = conn.query_row("PRAGMA busy_timeout", [], |row| row.get(0)).unwrap_or(0);
    if pragma == 0 && INSTALLED.load(Ordering::SeqCst) { BUSY_TIMEOUT.as_millis() as i64 } else { pragma }
}

fn wait_for_lock(attempts: i32) -> bool {
    let waited = STEP * u32::try_from(attempts).unwrap_or(0);
    if CANCELLED.load(Ordering::SeqCst) || waited >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(STEP);
    true
}
