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

/// What a thread's connections call when a statement starts waiting for a lock.
type WaitNotice = Box<dyn FnMut()>;

thread_local! {
    /// Called when a wait starts on this thread (see [`with_wait_notice`]).
    static ON_WAIT: std::cell::RefCell<Option<WaitNotice>> = const { std::cell::RefCell::new(None) };
    /// Set while this thread runs something that must not wait for a lock (see [`without_waiting`]).
    static NO_WAIT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Wait steps taken on this thread: tests tell a wait from none without timing anything.
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Runs `f` with the cancellable wait of this thread's connections turned off: a lock held by
/// another process fails the statement at once as busy. For work that is tried again anyway
/// (the live-refresh poll), so it never holds up the request behind it, which an interrupt
/// could not reach while it waits.
pub fn without_waiting<T>(f: impl FnOnce() -> T) -> T {
    let before = NO_WAIT.with(|flag| flag.replace(true));
    let out = f();
    NO_WAIT.with(|flag| flag.set(before));
    out
}

/// Runs `f` with `notice` called each time one of this thread's connections starts waiting
/// for another process's lock: the worker tells the UI at once, instead of going quiet for
/// the whole wait.
pub fn with_wait_notice<T>(notice: WaitNotice, f: impl FnOnce() -> T) -> T {
    let before = ON_WAIT.with(|hook| hook.replace(Some(notice)));
    let out = f();
    ON_WAIT.with(|hook| hook.replace(before));
    out
}

/// How many wait steps this thread's connections have taken.
pub fn steps_waited() -> u64 {
    STEPS.with(|steps| steps.get())
}

fn wait_for_lock(attempts: i32) -> bool {
    if NO_WAIT.with(|flag| flag.get()) {
        return false;
    }
    STEPS.with(|steps| steps.set(steps.get() + 1));
    if attempts == 0 {
        ON_WAIT.with(|hook| {
            if let Ok(mut hook) = hook.try_borrow_mut()
                && let Some(notice) = hook.as_mut()
            {
                notice();
            }
        });
    }
    let waited = STEP * u32::try_from(attempts).unwrap_or(0);
    if CANCELLED.load(Ordering::SeqCst) || waited >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(STEP);
    true
}
