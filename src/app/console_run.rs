//! Running console statements: one at a time, each with its own result; streaming windows of
//! rows, jumps to either end, cancel, writes after a `y`, and the query plan.

use super::confirm::{ConfirmAnswer, Confirmation, Confirmed, PreviewLine};
use super::console::{Awaiting, BATCH_ROWS, END_ROWS, Outcome, StatementResult};
use super::console::{console_areas, console_body};
use super::tab::FetchKind;
use super::{App, ConsoleRequest, ConsoleResult, DbReply, DbResult, Effect, Level, Load, RowBatch, Waiting, Worker};
use crate::db::query::{WriteKind, result_kinds, split_statements, statement_at};

impl App {
    /// Opens the console: from Tab as it was left; from `:` on a table with a fresh editor and
    /// that table first in completion. Text not run yet is never lost: it goes to the history
    /// (Ctrl-p) and the clearing is an edit (Ctrl-z).
    pub(super) fn open_console(&mut self, table: Option<String>) -> Vec<Effect> {
        self.screen = super::Screen::Console;
        self.console.focus = super::console::ConsoleFocus::Editor;
        if table.is_some() {
            let console = &mut self.console;
            let unrun = [console.draft.take(), console.history_pos.is_none().then(|| console.text())];
            for text in unrun.into_iter().flatten() {
                if !text.trim().is_empty() && console.history.last() != Some(&text) {
                    console.history.push(text);
                }
            }
            console.history_pos = None;
            console.editor.select_all();
            console.editor.cut();
            console.context_table = table;
        }
        self.request_console_schema()
    }

    /// The statements F5 runs: those of the selection, else the one under the cursor.
    pub fn statements_to_run(&self) -> Vec<String> {
        let editor = &self.console.editor;
        let lines = editor.lines();
        let offset = |(row, col): (usize, usize)| -> usize {
            let before: usize = lines.iter().take(row).map(|l| l.len() + 1).sum();
            before + lines.get(row).map_or(0, |l| l.char_indices().nth(col).map_or(l.len(), |(i, _)| i))
        };
        let text = lines.join("\n");
        if let Some((start, end)) = editor.selection_range() {
            let (from, to) = (offset(start), offset(end));
            let selected = &text[from.min(text.len())..to.min(text.len())];
            return split_statements(selected).iter().map(|s| selected[s.start..s.end].to_string()).collect();
        }
        let cursor = offset((editor.cursor().0, editor.cursor().1));
        statement_at(&text, cursor).map(|s| vec![text[s.start..s.end].to_string()]).unwrap_or_default()
    }

    /// Runs the statements under the cursor (or selected), one after the other.
    pub(super) fn run_console(&mut self) -> Vec<Effect> {
        let statements = self.statements_to_run();
        if statements.is_empty() {
            self.say(Level::Warning, "nothing to run: write a statement first");
            return Vec::new();
        }
        // A new run: the last run's error no longer describes the console (it stays under `m`).
        self.status = None;
        let mut effects = self.cancel_console();
        self.console.results.clear();
        self.console.shown = 0;
        self.console.plan = None;
        self.console.history_pos = None;
        self.console.draft = None;
        for sql in &statements {
            if self.console.history.last() != Some(sql) {
                self.console.history.push(sql.clone());
            }
        }
        self.console.queue = statements.into();
        effects.extend(self.start_next_statement());
        effects
    }

    fn start_next_statement(&mut self) -> Vec<Effect> {
        let Some(sql) = self.console.queue.pop_front() else { return Vec::new() };
        self.console.results.push(StatementResult::new(sql.clone()));
        let result = self.console.results.len() - 1;
        vec![self.console_request(ConsoleRequest::Run { sql, batch: BATCH_ROWS }, Awaiting::Run { result })]
    }

    /// Stops what the console's worker runs now; the statement's rows so far stay.
    pub(super) fn cancel_console(&mut self) -> Vec<Effect> {
        let Some((id, awaiting)) = self.take_console_request() else { return Vec::new() };
        // A remote write runs to its end: its reply, when it comes, says how it ended.
        if self.remote.is_some() && matches!(awaiting, Awaiting::Write { .. }) {
            let waiting = Waiting::Console { awaiting, sent_at_tick: 0 };
            self.pending.stop(id, super::Stopped { waiting, staged: Vec::new() });
        }
        self.console.queue.clear();
        match awaiting {
            Awaiting::Run { result } | Awaiting::Fetch { result, .. } | Awaiting::Write { result } => {
                if let Some(r) = self.console.results.get_mut(result) {
                    r.stream = None;
                    r.done = true;
                    r.grid.window.at_end = true;
                    r.grid.window.at_start = true;
                    if r.outcome == Outcome::Running {
                        r.outcome = Outcome::Cancelled;
                    }
                }
                // A remote cannot be interrupted: the reply is dropped, the server may finish.
                let text = if self.remote.is_some() && matches!(awaiting, Awaiting::Write { .. }) {
                    super::remote_wait::STOPPED_WAITING
                } else if self.remote.is_some() {
                    "query cancelled here; the request may still finish on the server (its reply is ignored)"
                } else {
                    "query cancelled"
                };
                self.say(Level::Warning, text);
            }
            Awaiting::Plan => self.console.plan = None,
        }
        vec![Effect::Interrupt { worker: Worker::Console, id }]
    }

    pub(super) fn on_console_reply(&mut self, waiting: Waiting, reply: DbReply) -> Vec<Effect> {
        let awaiting = match waiting {
            Waiting::Console { awaiting, .. } => awaiting,
            _ => {
                if let Ok(DbResult::Console(ConsoleResult::Schema(schema))) = reply.result {
                    self.console.schema = schema;
                }
                return Vec::new();
            }
        };
        let result = match reply.result {
            Ok(DbResult::Console(result)) => Ok(result),
            Ok(_) => Err("unexpected reply".to_string()),
            Err(error) => Err(error.message),
        };
        match (awaiting, result) {
            (Awaiting::Plan, Ok(ConsoleResult::Plan(nodes))) => {
                if let Some((_, plan)) = &mut self.console.plan {
                    *plan = Load::Loaded(nodes);
                }
                Vec::new()
            }
            (Awaiting::Plan, Err(message)) => {
                if let Some((_, plan)) = &mut self.console.plan {
                    *plan = Load::Failed(message);
                }
                Vec::new()
            }
            (Awaiting::Run { result }, Ok(ConsoleResult::Rows(batch))) => {
                let id = reply.id;
                if let Some(r) = self.console.results.get_mut(result) {
                    r.first_ms = Some(batch.elapsed_ms);
                    r.stream = (!batch.done).then_some(id);
                    r.add_batch(batch, FetchKind::Top);
                }
                self.settle_console_layout(result);
                self.after_console_move()
            }
            (Awaiting::Run { result }, Ok(ConsoleResult::NeedsConfirm { preview })) => {
                let Some(r) = self.console.results.get_mut(result) else { return Vec::new() };
                if let Some(reason) = self.source.read_only {
                    r.outcome = Outcome::Failed(format!(
                        "refused: this statement changes data and the database is read-only ({}); nothing was written",
                        reason.describe()
                    ));
                    return self.start_next_statement();
                }
                r.outcome = Outcome::Confirm { preview };
                self.console.shown = result;
                self.ask_console_write(result);
                Vec::new()
            }
            (Awaiting::Fetch { result, kind }, Ok(ConsoleResult::Rows(batch))) => {
                if let Some(r) = self.console.results.get_mut(result) {
                    if kind == FetchKind::Bottom {
                        r.end_ms = Some(batch.elapsed_ms);
                    }
                    r.add_batch(batch, kind);
                }
                self.settle_console_layout(result);
                self.after_console_move()
            }
            (Awaiting::Write { result }, Ok(ConsoleResult::Written { report, undo })) => {
                if let Some(r) = self.console.results.get_mut(result) {
                    r.outcome = Outcome::Written { changes: report.changes, unchanged: report.unchanged };
                    if let Some(returned) = report.returned.clone() {
                        // RETURNING rows are the statement's result: shown in the grid.
                        let kinds = result_kinds(&returned.columns, &returned.rows);
                        let batch = RowBatch {
                            columns: Some((returned.columns, kinds)),
                            first: 0,
                            rows: returned.rows,
                            done: true,
                            seen: returned.total,
                            elapsed_ms: 0,
                        };
                        r.add_batch(batch, FetchKind::Top);
                    }
                }
                let said = match undo {
                    Some(undo) => {
                        format!(
                            "{}; recorded in squall's log (squall log); {}",
                            report.text(),
                            crate::db::backend::d1::restore_point(&undo)
                        )
                    }
                    None => format!("{}; recorded in squall's log (squall log)", report.text()),
                };
                self.say(Level::Info, said);
                let mut effects = Vec::new();
                if report.kind == WriteKind::Schema {
                    // The tables list, their tabs and completion follow the new schema.
                    effects.extend(self.request_tables());
                    for tab in &mut self.tabs {
                        tab.meta = Load::Loading;
                        tab.window = Default::default();
                        tab.total = None;
                    }
                    self.console.schema_requested = false;
                }
                effects.extend(self.next_or_schema());
                effects
            }
            (Awaiting::Run { result } | Awaiting::Fetch { result, .. } | Awaiting::Write { result }, Err(message)) => {
                if let Some(r) = self.console.results.get_mut(result) {
                    r.stream = None;
                    r.done = true;
                    r.grid.window.at_end = true;
                    r.outcome = match r.outcome {
                        Outcome::Rows => {
                            r.grid.rows_error = Some(message.clone());
                            Outcome::Rows
                        }
                        _ => Outcome::Failed(message.clone()),
                    };
                }
                let left = std::mem::take(&mut self.console.queue).len();
                let message = match left {
                    0 => message,
                    1 => format!("{message} — the remaining statement was not run"),
                    n => format!("{message} — the remaining {n} statements were not run"),
                };
                self.say(Level::Error, message);
                Vec::new()
            }
            _ => Vec::new(),
        }
        .into_iter()
        .chain(self.continue_queue())
        .collect()
    }

    /// After a result is complete (or waits on nothing), the next queued statement starts.
    fn continue_queue(&mut self) -> Vec<Effect> {
        if self.console_busy() || self.console.queue.is_empty() {
            return Vec::new();
        }
        let waiting = self.console.results.iter().any(|r| matches!(r.outcome, Outcome::Confirm { .. }));
        if waiting { Vec::new() } else { self.start_next_statement() }
    }

    fn next_or_schema(&mut self) -> Vec<Effect> {
        if !self.console.queue.is_empty() {
            return self.start_next_statement();
        }
        self.request_console_schema()
    }

    /// `y` on a write waiting for confirmation runs it; `n` skips it (the statements after it
    /// still run); Esc skips it and stops the batch.
    pub(super) fn confirm_console_write(&mut self, index: usize, answer: ConfirmAnswer) -> Vec<Effect> {
        // Only a result still waiting: a question answered twice runs nothing twice.
        if !self.console.results.get(index).is_some_and(|r| matches!(r.outcome, Outcome::Confirm { .. })) {
            return Vec::new();
        }
        match answer {
            ConfirmAnswer::Run => {}
            ConfirmAnswer::Skip => {
                self.console.results[index].outcome = Outcome::Cancelled;
                self.say(Level::Info, "skipped; nothing was written by it");
                return self.start_next_statement();
            }
            ConfirmAnswer::Stop => {
                self.console.results[index].outcome = Outcome::Cancelled;
                let left = std::mem::take(&mut self.console.queue).len();
                let text = match left {
                    0 => "not run; nothing was written".to_string(),
                    n => format!("not run; nothing was written, and the remaining {n} not run"),
                };
                self.say(Level::Info, text);
                return Vec::new();
            }
        }
        self.console.results[index].outcome = Outcome::Running;
        let sql = self.console.results[index].sql.clone();
        let audit = self.source.audit.clone();
        vec![self.console_request(ConsoleRequest::Write { sql, audit }, Awaiting::Write { result: index })]
    }

    /// Asks about result `index`'s write in the one [`Confirmation`]: what it changes, the
    /// statement, and on a remote which database and that a bookmark is taken first.
    pub(super) fn ask_console_write(&mut self, index: usize) {
        let Some(r) = self.console.results.get(index) else { return };
        let Outcome::Confirm { preview } = &r.outcome else { return };
        let mut lines = vec![PreviewLine::Heading(preview.describe()), PreviewLine::Sql(r.sql.clone())];
        match &self.remote {
            Some(_) => {
                lines.push(PreviewLine::Item(format!("On the REMOTE database {}:", self.source.path)));
                lines.push(PreviewLine::Note(
                    "A time-travel bookmark is taken first, then this runs as one atomic request, recorded in \
                     squall's log (squall log) with its restore point (restoring it rolls the whole database back, \
                     losing later writes)."
                        .into(),
                ));
            }
            None => lines.push(PreviewLine::Note("One batch, recorded in squall's log (squall log).".into())),
        }
        self.ask(Confirmation {
            title: "run a statement that changes data".into(),
            preview: lines,
            scroll: 0,
            on_yes: Confirmed::ConsoleWrite { result: index },
            waiting: false,
            answer: None,
        });
    }

    /// Ctrl-e: the plan of the statement under the cursor.
    pub(super) fn explain_console(&mut self) -> Vec<Effect> {
        let Some(sql) = self.statements_to_run().into_iter().next() else {
            self.say(Level::Warning, "nothing to explain: write a statement first");
            return Vec::new();
        };
        let mut effects = self.cancel_console();
        self.console.plan = Some((sql.clone(), Load::Loading));
        effects.push(self.console_request(ConsoleRequest::Plan { sql }, Awaiting::Plan));
        effects
    }

    /// Rows of the result grid on screen.
    pub(super) fn console_grid_rows(&self) -> usize {
        console_areas(console_body(self)).grid.height as usize
    }

    pub(super) fn move_console_rows(&mut self, delta: i64) -> Vec<Effect> {
        if let Some(r) = self.console.current_mut() {
            r.grid.window.move_by(delta);
        }
        self.after_console_move()
    }

    /// Keeps the selection on screen and asks for the next (or previous) rows near an edge.
    pub(super) fn after_console_move(&mut self) -> Vec<Effect> {
        let height = self.console_grid_rows();
        let busy = self.console_busy();
        let shown = self.console.shown;
        let Some(r) = self.console.results.get_mut(shown) else { return Vec::new() };
        r.grid.window.keep_visible(height);
        let Some(stream) = r.stream else { return Vec::new() };
        if busy || r.sort.is_some() {
            return Vec::new();
        }
        let window = &r.grid.window;
        let margin = BATCH_ROWS / 2;
        let first = r.first_index();
        let (kind, from, rows) = if !window.at_end && window.rows.len().saturating_sub(window.selected) <= margin {
            (FetchKind::Append, first + window.rows.len() as u64, BATCH_ROWS)
        } else if !window.at_start && window.selected < margin {
            let from = first.saturating_sub(BATCH_ROWS as u64);
            (FetchKind::Prepend, from, (first - from) as usize)
        } else {
            return Vec::new();
        };
        let awaiting = Awaiting::Fetch { result: shown, kind };
        let effect = self.console_request(ConsoleRequest::Fetch { stream, from, rows }, awaiting);
        self.note_remote_offset();
        vec![effect]
    }

    /// On a remote, rows past the first batch are read by `LIMIT` / `OFFSET`, and D1 bills the
    /// rows OFFSET skips: said once a session, the first time it happens.
    fn note_remote_offset(&mut self) {
        if self.remote.is_none() || self.console.offset_noted {
            return;
        }
        self.console.offset_noted = true;
        self.say(
            Level::Info,
            "more rows are read with LIMIT/OFFSET: D1 bills the rows OFFSET skips (G counts, then reads the tail)",
        );
    }

    /// `gg` / `G` on a result: the held edge at once, else the worker seeks there. On a remote
    /// `G` counts the whole result and reads its tail past an OFFSET (billed): asked first.
    pub(super) fn console_jump(&mut self, kind: FetchKind) -> Vec<Effect> {
        let shown = self.console.shown;
        let unread_end = self.console.results.get(shown).is_some_and(|r| !r.grid.window.at_end && r.stream.is_some());
        if kind == FetchKind::Bottom && self.remote.is_some() && unread_end {
            self.console.end_asked = Some(shown);
            let question = self.end_question();
            self.say(Level::Warning, question);
            return Vec::new();
        }
        self.console_jump_confirmed(kind)
    }

    /// The jump, asked about or not needing to be.
    pub(super) fn console_jump_confirmed(&mut self, kind: FetchKind) -> Vec<Effect> {
        let shown = self.console.shown;
        let Some(r) = self.console.results.get_mut(shown) else { return Vec::new() };
        let window = &mut r.grid.window;
        let at_edge = if kind == FetchKind::Top { window.at_start } else { window.at_end };
        if at_edge || r.stream.is_none() {
            if !window.rows.is_empty() {
                window.selected = if kind == FetchKind::Top { 0 } else { window.rows.len() - 1 };
            }
            return self.after_console_move();
        }
        let stream = r.stream.unwrap_or_default();
        let mut effects = Vec::new();
        if self.console_running().is_some_and(|(_, a, _)| matches!(a, Awaiting::Fetch { .. })) {
            // The jump replaces a fetch in flight: its rows would be thrown away.
            self.take_console_request();
        }
        if self.console_busy() {
            return effects;
        }
        let request = if kind == FetchKind::Top {
            ConsoleRequest::Fetch { stream, from: 0, rows: BATCH_ROWS }
        } else {
            ConsoleRequest::ToEnd { stream, keep: END_ROWS }
        };
        effects.push(self.console_request(request, Awaiting::Fetch { result: shown, kind }));
        self.note_remote_offset();
        effects
    }

    /// `s`: sort the rows held by the selected column: ascending, descending, as read.
    pub(super) fn sort_console(&mut self) -> Vec<Effect> {
        use crate::db::page::SortDirection;
        let Some(r) = self.console.current_mut() else { return Vec::new() };
        let column = r.grid.selected_col;
        r.sort = match r.sort {
            Some((c, SortDirection::Asc)) if c == column => Some((column, SortDirection::Desc)),
            Some((c, SortDirection::Desc)) if c == column => None,
            _ => Some((column, SortDirection::Asc)),
        };
        match r.sort {
            Some(_) => r.apply_sort(),
            None => r.grid.window.rows.sort_by_key(|row| match row.cursor.key.first() {
                Some(rusqlite::types::Value::Integer(n)) => *n,
                _ => 0,
            }),
        }
        let name = r.grid.meta().and_then(|m| m.info.columns.get(column)).map(|c| c.name.clone()).unwrap_or_default();
        let text = match r.sort {
            Some((_, SortDirection::Asc)) => format!("rows on screen sorted by {name} ascending"),
            Some((_, SortDirection::Desc)) => format!("rows on screen sorted by {name} descending"),
            None => "rows in the order the statement returned them".to_string(),
        };
        self.say(Level::Info, text);
        Vec::new()
    }
}

#[cfg(test)]
#[path = "console_run_tests.rs"]
mod tests;
