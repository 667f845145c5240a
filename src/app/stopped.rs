//! The reply of a remote write the user stopped waiting for (Esc while it ran). The write may
//! have finished on the server after all: what it did is said (with its restore point, as after
//! a write waited for), and the rows it changed are read again, so the screen does not show the
//! data as before it.

use super::console::{Awaiting, Outcome};
use super::edit_replies::describe_commit;

use super::remote_wait::failed_text;
use super::{App, ConsoleResult, DbReply, DbResult, Effect, Level, Stopped, UsersResult, Waiting};
use crate::db::backend::d1::restore_point;

/// ` · restore point (…): wrangler d1 time-travel restore …`, or nothing locally.
fn undo_text(undo: Option<&String>) -> String {
    undo.map_or(String::new(), |undo| format!(" · {}", restore_point(undo)))
}

impl App {
    pub(super) fn on_stopped_write(&mut self, stopped: Stopped, reply: DbReply) -> Vec<Effect> {
        match (stopped.waiting, reply.result) {
            (Waiting::UserAction { action }, Ok(DbResult::Users(UsersResult::Done(done)))) => {
                let outcome = crate::db::users::outcome(&done.outcome, &action, &self.ctx).trim_end().to_string();
                let undo = undo_text(done.undo.as_ref());
                let said = format!("the {} you stopped waiting for finished: {outcome}{undo}", action.name());
                match &done.audit_error {
                    None => self.say(Level::Info, said),
                    Some(error) => {
                        self.say(Level::Warning, format!("{said} — but squall's log was not written: {error}"));
                    }
                }
                let tables: Vec<String> =
                    done.outcome.effects.iter().filter(|e| e.rows > 0).map(|e| e.table.clone()).collect();
                self.reload_after_commit(&tables)
            }
            (Waiting::UserAction { action }, Err(error)) => {
                let failed = failed_text(action.name(), &error.message);
                self.say(Level::Error, format!("the {} you stopped waiting for: {failed}", action.name()));
                Vec::new()
            }
            (Waiting::Edit, Ok(DbResult::Committed { report, undo })) => {
                // What it committed is no longer staged; anything staged since stays.
                let (done, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.edits.staged)
                    .into_iter()
                    .partition(|e| stopped.staged.contains(&e.change));
                self.edits.staged = kept;
                let cascaded: u64 = report.cascaded.iter().map(|c| c.rows).sum();
                let tables: Vec<String> = done.iter().map(|e| e.change.table().to_string()).collect();
                let what = describe_commit(&done, cascaded);
                let undo = undo_text(undo.as_ref());
                self.say(
                    Level::Info,
                    format!("the commit you stopped waiting for finished: {what}; recorded in squall's log (squall log){undo}"),
                );
                self.reload_after_commit(&tables)
            }
            (Waiting::Edit, Ok(DbResult::Conflict(_))) => {
                self.say(
                    Level::Warning,
                    "the commit you stopped waiting for wrote nothing: rows changed since they were loaded; the changes stay staged",
                );
                Vec::new()
            }
            (Waiting::Edit, Err(error)) => {
                self.say(
                    Level::Error,
                    format!("the commit you stopped waiting for failed: {} (staged changes kept)", error.message),
                );
                Vec::new()
            }
            (Waiting::ApplyMigrations, Ok(DbResult::Applied(report))) => {
                let line = format!(
                    "the migrations you stopped waiting for were applied: {}{}",
                    report.applied.join(", "),
                    undo_text(report.undo.as_ref())
                );
                self.migrations.log.push(line.clone());
                self.say(Level::Info, line);
                let mut effects = self.reload_migrations();
                effects.extend(self.reload_schema());
                effects
            }
            (Waiting::ApplyMigrations, Err(error)) => {
                let line = format!("the migrations you stopped waiting for failed: {}", error.message);
                self.migrations.log.push(line.clone());
                self.say(Level::Error, line);
                self.reload_migrations()
            }
            (
                Waiting::Console { awaiting: Awaiting::Write { result }, .. },
                Ok(DbResult::Console(ConsoleResult::Written { report, undo })),
            ) => {
                if let Some(r) = self.console.results.get_mut(result) {
                    r.outcome = Outcome::Written { changes: report.changes, unchanged: report.unchanged };
                }
                let changed = report.text();
                let undo = undo_text(undo.as_ref());
                self.say(
                    Level::Info,
                    format!("the console's write you stopped waiting for finished: {changed}; recorded in squall's log (squall log){undo}"),
                );
                let active: Vec<String> = self.active_tab().map(|t| t.name.clone()).into_iter().collect();
                self.reload_after_commit(&active)
            }
            (Waiting::Console { .. }, Err(error)) => {
                self.say(
                    Level::Error,
                    format!("the console's write you stopped waiting for failed: {}", error.message),
                );
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
