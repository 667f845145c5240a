//! Waiting on a remote D1. A request there cannot be interrupted (it is one HTTP request the
//! server runs to the end), so Esc stops waiting instead: the reply is dropped when it comes, and
//! the screen says the change may still happen, so nobody repeats it blindly.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::console::Awaiting;
use super::{App, Effect, Level, Overlay, RequestId, Screen, Waiting};

/// A remote request the screen waits on: what for, for how long, whether it writes (Esc then
/// leaves it running on the server), and whether Esc stops waiting for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteWait {
    pub what: String,
    pub seconds: i64,
    pub write: bool,
    pub stoppable: bool,
}

/// A wait is said (with its seconds and keys) once it has lasted this long: a request that
/// answers at once only moves the spinner.
pub const SHOWN_AFTER_SECONDS: i64 = 1;

/// The hint line while a remote read is waited on.
const STOP_READ: &[super::Hint] = &[("Esc", "stop waiting")];
/// The hint line while a remote write is waited on.
const STOP_WRITE: &[super::Hint] = &[("Esc", "stop waiting (the write may still finish on the server)")];

impl RemoteWait {
    /// `waiting 12 s on D1 for user.ban`: the status line's words (the hint line has the keys,
    /// which a narrow status line would cut).
    pub fn text(&self) -> String {
        format!("waiting {} s on D1 for {}", self.seconds, self.what)
    }

    /// The keys while it is waited on, when Esc stops it.
    pub fn hints(&self) -> Option<Vec<super::Hint>> {
        self.stoppable.then(|| if self.write { STOP_WRITE } else { STOP_READ }.to_vec())
    }
}

/// Said when Esc stops waiting for a remote write.
pub(super) const STOPPED_WAITING: &str = "stopped waiting; the request may still finish on the server — check before \
     repeating: squall log --remote lists what finished, Ctrl-r reads the rows again";

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
    /// The remote request the screen waits on now, if any: the one that matters most (a write,
    /// then what the screen shows), with the seconds since it was sent by the tick's clock.
    pub fn remote_wait(&self) -> Option<RemoteWait> {
        self.remote.as_ref()?;
        let active = self.active_tab().map(|t| t.name.as_str()).filter(|_| self.screen == Screen::Browser);
        let console = self.screen == Screen::Console;
        let mut best: Option<(u8, RequestId, RemoteWait)> = None;
        for (id, waiting) in self.pending.iter() {
            let wait = |what: String, write: bool, stoppable: bool| RemoteWait { what, seconds: 0, write, stoppable };
            let (rank, wait) = match waiting {
                Waiting::UserAction { action } => (0, wait(action.name().to_string(), true, true)),
                Waiting::Edit if self.edits.committing => (0, wait("the commit".into(), true, true)),
                Waiting::ApplyMigrations => (0, wait("the migrations being applied".into(), true, true)),
                Waiting::Console { awaiting: Awaiting::Write { .. }, .. } if console => {
                    (0, wait("the console's write".into(), true, true))
                }
                Waiting::Console { .. } if console => (1, wait("the console's statement".into(), false, true)),
                Waiting::Page { table, .. } if active == Some(table.as_str()) && self.overlay_is_none() => {
                    (1, wait(format!("rows of {table}"), false, true))
                }
                Waiting::Navigation => (1, wait("the rows to go to".into(), false, true)),
                Waiting::Migrations if self.screen == Screen::Migrations => {
                    (1, wait("the migrations' state".into(), false, true))
                }
                Waiting::Edit => (1, wait("the preview of the changes".into(), false, false)),
                Waiting::UserPanel => (1, wait("the user menu's preview".into(), false, false)),
                Waiting::Er if self.screen == Screen::Er => (1, wait("the schema of the diagram".into(), false, false)),
                Waiting::Tables => (1, wait("the list of tables".into(), false, false)),
                Waiting::TableMeta { table } if active == Some(table.as_str()) => {
                    (1, wait(format!("the schema of {table}"), false, false))
                }
                Waiting::ExactCount { table, .. } if active == Some(table.as_str()) => {
                    (2, wait(format!("the exact count of {table}"), false, true))
                }
                _ => continue,
            };
            if best.as_ref().is_none_or(|(r, i, _)| (rank, id) < (*r, *i)) {
                best = Some((rank, id, wait));
            }
        }
        let (_, id, mut wait) = best?;
        let sent = self.pending.sent_at(id)?;
        wait.seconds = (self.ctx.now - sent).num_seconds().max(0);
        Some(wait)
    }

    /// The remote wait once it has lasted long enough to be said.
    pub fn shown_remote_wait(&self) -> Option<RemoteWait> {
        self.remote_wait().filter(|w| w.seconds >= SHOWN_AFTER_SECONDS)
    }

    fn overlay_is_none(&self) -> bool {
        matches!(self.overlay, Overlay::None)
    }

    /// Esc while a remote wait that no screen handles itself is shown: the exact count, a `gd` /
    /// `gr` jump, the migrations' state or an apply. The reply is dropped when it comes. `None`
    /// leaves the key to the screen (pages, commits, user actions and the console stop their
    /// own waits).
    pub(super) fn stop_remote_wait(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        if key.code != KeyCode::Esc {
            return None;
        }
        let wait = self.shown_remote_wait()?;
        let (id, waiting) = self.pending.find(|w| {
            matches!(
                w,
                Waiting::ExactCount { .. } | Waiting::Navigation | Waiting::Migrations | Waiting::ApplyMigrations
            )
        })?;
        let waiting = waiting.clone();
        let is_it = match &waiting {
            Waiting::ExactCount { table, .. } => wait.what == format!("the exact count of {table}"),
            Waiting::Navigation => wait.what == "the rows to go to",
            Waiting::Migrations => wait.what == "the migrations' state",
            _ => wait.write,
        };
        if !is_it {
            return None;
        }
        self.pending.take(id);
        match waiting {
            Waiting::ApplyMigrations => {
                self.pending.stop(id, super::Stopped { waiting, staged: Vec::new() });
                self.migrations.log.push(STOPPED_WAITING.into());
                self.say(Level::Warning, STOPPED_WAITING);
            }
            Waiting::Navigation => {
                if matches!(self.overlay, Overlay::References { loading: true, .. }) {
                    self.overlay = Overlay::None;
                }
                self.say(Level::Info, "stopped waiting; nothing was read into the screen");
            }
            Waiting::Migrations => self.say(Level::Info, "stopped waiting for the migrations; r reads them again"),
            _ => self.say(Level::Info, format!("stopped waiting for {}", wait.what)),
        }
        Some(Vec::new())
    }

    /// A key while a user action runs. On a remote, Esc stops waiting: the popup closes and the
    /// reply is dropped. Locally the action is quick and nothing is said to stop.
    pub(super) fn key_while_user_action_runs(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.code != KeyCode::Esc || self.remote.is_none() {
            return Vec::new();
        }
        while let Some((id, _)) = self.pending.find(|w| matches!(w, Waiting::UserAction { .. })) {
            if let Some(waiting) = self.pending.take(id) {
                self.pending.stop(id, super::Stopped { waiting, staged: Vec::new() });
            }
        }
        self.overlay = Overlay::None;
        self.say(Level::Warning, STOPPED_WAITING);
        Vec::new()
    }

    /// Esc while a commit runs on a remote: the reply is dropped and the grid is back; the staged
    /// changes stay staged (the commit may have happened: its checks refuse a repeat that would
    /// overwrite rows it changed).
    pub(super) fn stop_waiting_for_remote_commit(&mut self) -> Vec<Effect> {
        if let Some((id, waiting)) = self.pending.take_for(&Waiting::Edit) {
            let staged = self.edits.staged.iter().map(|e| e.change.clone()).collect();
            self.pending.stop(id, super::Stopped { waiting, staged });
        }
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
