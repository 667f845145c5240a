//! Waiting on a remote D1. A request there cannot be interrupted (it is one HTTP request the
//! server runs to the end), so Esc stops waiting instead: the reply is dropped when it comes, and
//! the screen says the change may still happen, so nobody repeats it blindly.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{App, Effect, Level, Overlay, Waiting};

/// Said when Esc stops waiting for a remote write.
pub(super) const STOPPED_WAITING: &str =
    "stopped waiting; the request may still finish on the server — check before repeating";

/// The status line after a user action failed. The backend's words already say whether anything
/// was written ("nothing was written", or an unknown outcome after a timeout), and are not
/// contradicted by a "nothing was changed" in front of them.
pub(super) fn failed_text(action: &str, message: &str) -> String {
    if message.contains("nothing was written") || message.contains("outcome is unknown") {
        format!("{action} failed: {message}")
    } else {
        format!("{action} failed, nothing was changed: {message}")
    }
}

impl App {
    /// A key while a user action runs. On a remote, Esc stops waiting: the popup closes and the
    /// reply is dropped. Locally the action is quick and nothing is said to stop.
    pub(super) fn key_while_user_action_runs(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.code != KeyCode::Esc || self.remote.is_none() {
            return Vec::new();
        }
        while let Some((id, _)) = self.pending.find(|w| matches!(w, Waiting::UserAction { .. })) {
            self.pending.take(id);
        }
        self.overlay = Overlay::None;
        self.say(Level::Warning, STOPPED_WAITING);
        Vec::new()
    }

    /// Esc while a commit runs on a remote: the reply is dropped and the grid is back; the staged
    /// changes stay staged (the commit may have happened: its checks refuse a repeat that would
    /// overwrite rows it changed).
    pub(super) fn stop_waiting_for_remote_commit(&mut self) -> Vec<Effect> {
        self.pending.forget(&Waiting::Edit);
        self.edits.committing = false;
        self.edits.cancel_asked = false;
        self.overlay = Overlay::None;
        self.say(Level::Warning, STOPPED_WAITING);
        Vec::new()
    }
}

#[cfg(test)]
#[path = "tests_remote_wait.rs"]
mod tests;
