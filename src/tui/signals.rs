//! SIGTERM, SIGHUP and SIGINT while the terminal UI runs. Their default action kills the process
//! on the spot, leaving the terminal on the alternate screen, raw, with mouse reporting on. Here
//! they become an event: the loop ends, the terminal is restored as on quit (or panic), and
//! staged changes are reported as discarded, in the audit log and on stderr.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use anyhow::Result;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::app::{AppEvent, StagedEdit};
use crate::audit::{append_audit_to, entries_from_changes};
use crate::db::edit::{StagedChange, staged_row_changes};

/// How long the loop gets to wind down before the signal thread restores the terminal and
/// exits itself: enough for the workers to close their connections.
const GRACE: Duration = Duration::from_secs(8);

/// The signals that end the UI.
pub const HANDLED: [i32; 3] = [SIGTERM, SIGHUP, SIGINT];

/// `SIGTERM`, `SIGHUP`, `SIGINT`.
pub fn name(signal: i32) -> String {
    match signal {
        SIGTERM => "SIGTERM".into(),
        SIGHUP => "SIGHUP".into(),
        SIGINT => "SIGINT".into(),
        other => format!("signal {other}"),
    }
}

/// The shell's exit status for a process ended by `signal`.
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

/// Watches for the signals on a thread and sends each to the loop. Should the loop not end
/// within [`GRACE`] (it never blocks, but a dead terminal could stall a draw), the thread
/// restores the terminal and exits the process itself.
///
/// The returned cell holds the signal from the moment it is delivered (set inside the handler),
/// for when the loop ends on an error first: after SIGHUP the terminal is gone and the next draw
/// fails, possibly before the event arrives.
pub fn spawn_watcher(events: Sender<AppEvent>, restore: fn()) -> Result<Arc<AtomicUsize>> {
    let received = Arc::new(AtomicUsize::new(0));
    for signal in HANDLED {
        signal_hook::flag::register_usize(signal, Arc::clone(&received), signal as usize)?;
    }
    let mut signals = Signals::new(HANDLED)?;
    thread::Builder::new().name("squall-signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _ = events.send(AppEvent::Signal { signal });
            thread::sleep(GRACE);
            restore();
            say(&format!("squall: ended by {}; staged changes were discarded", name(signal)));
            std::process::exit(i32::from(exit_code(signal)));
        }
    })?;
    Ok(received)
}

/// The signal delivered so far, if any.
pub fn received(cell: &AtomicUsize) -> Option<i32> {
    match cell.load(Ordering::SeqCst) {
        0 => None,
        signal => i32::try_from(signal).ok(),
    }
}

/// Writes a line to stderr, ignoring failure: after SIGHUP the terminal may be gone, and
/// `eprintln!` would panic on the write error.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether a terminal write failed because the terminal is gone: its tmux pane or window was
/// closed (the hang-up case), so there is nothing left to restore.
pub fn terminal_gone(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENXIO | libc::EIO))
}

/// Reports a failure to restore the terminal, unless the terminal is gone (see
/// [`terminal_gone`]).
pub fn say_unless_gone(what: &str, err: &std::io::Error) {
    if !terminal_gone(err) {
        say(&format!("{what}: {err}"));
    }
}

/// Records staged changes that a signal discarded, as entries whose action says so. Nothing
/// staged, nothing written. Returns the sentence for stderr.
pub fn report_discarded(signal: i32, staged: &[StagedEdit], audit: &Path, database: &Path) -> String {
    let name = name(signal);
    if staged.is_empty() {
        return format!("squall: ended by {name}; nothing was staged");
    }
    let changes: Vec<StagedChange> = staged.iter().map(|edit| edit.change.clone()).collect();
    let action = format!("discarded on {name} (staged, never committed)");
    let entries = entries_from_changes(database, &action, &staged_row_changes(&changes), chrono::Utc::now());
    let logged = match append_audit_to(audit, &entries) {
        Ok(()) => format!("noted in {}", audit.display()),
        Err(err) => format!("and could not be noted in squall's log: {}", crate::present::error_chain(&err)),
    };
    let verb = if staged.len() == 1 { "was" } else { "were" };
    let count = crate::present::plural(staged.len() as u64, "staged change");
    format!("squall: ended by {name}; {count} {verb} discarded, {logged}")
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value;

    use super::*;
    use crate::audit::{AuditFilter, read_audit_from};

    #[test]
    fn a_terminal_gone_after_a_hang_up_is_not_reported() {
        for gone in [libc::ENXIO, libc::EIO] {
            assert!(terminal_gone(&std::io::Error::from_raw_os_error(gone)), "{gone}");
        }
        assert!(!terminal_gone(&std::io::Error::from_raw_os_error(libc::EACCES)));
        assert!(!terminal_gone(&std::io::Error::other("not an OS error")));
    }

    #[test]
    fn discarded_changes_are_noted_in_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let (audit, db) = (dir.path().join("audit.jsonl"), dir.path().join("t.db"));
        std::fs::write(&db, b"").unwrap();
        let said = report_discarded(SIGTERM, &[], &audit, &db);
        assert!(said.contains("SIGTERM") && said.contains("nothing was staged"), "{said}");
        assert!(!audit.exists(), "nothing staged, nothing logged");
        let edit = StagedEdit {
            change: StagedChange::Update {
                table: "user".into(),
                key: vec![("id".into(), Value::Text("u1".into()))],
                column: "name".into(),
                old: Value::Text("Ann".into()),
                new: Value::Text("Anne".into()),
                expected: Vec::new(),
            },
            cursor_key: Vec::new(),
            gesture: 0,
        };
        let said = report_discarded(SIGHUP, &[edit], &audit, &db);
        assert!(said.contains("1 staged change was discarded"), "{said}");
        let entries = read_audit_from(&audit, &AuditFilter::default()).unwrap();
        assert_eq!(entries.len(), 1);
        assert!(entries[0].action.contains("discarded on SIGHUP"), "{:?}", entries[0]);
        assert_eq!(entries[0].changes[0].new, serde_json::json!("Anne"));
    }
}
