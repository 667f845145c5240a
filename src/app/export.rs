//! Getting data out of the grid: `x` exports the current view to a file (a prompt first, then
//! progress while a worker writes it, Esc cancels), `y` / `Y` copy a cell / a row as JSON to the
//! clipboard. The app only decides; the terminal layer writes files and escape sequences.

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;
use rusqlite::types::Value;

use crate::db::export::{ExportColumn, ExportFormat, ExportOptions, ExportSource, row_json};
use crate::db::kinds::ColumnKind;
use crate::present::group_thousands;

use super::input::{field_text, text_input};
use super::keymap::lookup;
use super::popup_keys::{EXPORT_KEYS, ExportKey};
use super::{App, DbReply, DbResult, Effect, ExportJob, Level, Overlay, RequestId};

/// Whether copying can work in this terminal, decided by the terminal layer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ClipboardSupport {
    /// Copy with an OSC 52 escape sequence (the terminal, or tmux, puts it on the clipboard).
    #[default]
    Osc52,
    /// The terminal is known to ignore OSC 52: say why instead of pretending to copy.
    Unsupported { reason: String },
    /// Inside tmux, whose `set-clipboard` can change while squall runs: the terminal layer asks
    /// tmux at each copy, and says so when tmux would drop the sequence.
    AskTmux,
}

/// The `x` prompt: format, path and secrets, changed before anything is written.
#[derive(Debug, Clone)]
pub struct ExportPrompt {
    pub table: String,
    pub source: ExportSource,
    pub format: ExportFormat,
    pub include_secrets: bool,
    pub path: TextArea<'static>,
    /// Rows the view holds, when counted.
    pub rows: Option<u64>,
    /// `rows` is a remote's estimate (`max(rowid)`): shown with `~`.
    pub estimated: bool,
    /// On a remote, what writing it reads there (`reads ~5,000 rows on D1`): D1 bills them.
    pub reads: Option<String>,
    pub error: Option<String>,
}

/// An export being written (held by its request in the table of pending requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningExport {
    pub table: String,
    pub path: String,
    pub rows: u64,
    pub total: Option<u64>,
    pub cancelling: bool,
}

/// Export and clipboard state (the running export is its request's, in [`super::Pending`]).
#[derive(Debug, Clone, Default)]
pub struct ExportState {
    /// The prompt of the running export, to open again with the error when it fails before
    /// writing anything (a file that already exists): the typed path is not lost.
    pub prompt: Option<Box<ExportPrompt>>,
    pub clipboard: ClipboardSupport,
}

/// `<table>-<YYYYmmdd-HHMMSS>.<ext>`, in local time.
pub fn default_export_path(table: &str, format: ExportFormat, app: &App) -> String {
    let stamp = app.ctx.now.with_timezone(&app.ctx.offset).format("%Y%m%d-%H%M%S");
    let safe: String =
        table.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    format!("{safe}-{stamp}.{}", format.extension())
}

impl App {
    /// `x`: opens the export prompt for the active tab's view.
    pub(super) fn open_export(&mut self) -> Vec<Effect> {
        if let Some((_, running)) = self.running_export() {
            let message = format!("already exporting {} to {} (Esc cancels it)", running.table, running.path);
            self.say(Level::Warning, message);
            return Vec::new();
        }
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(view) = tab.view() else {
            self.say(Level::Warning, "the table is still loading");
            return Vec::new();
        };
        let (table, rows) = (tab.name.clone(), tab.total);
        let estimated = self.total_is_estimate(tab);
        let reads = self.export_reads(tab);
        let effects = self.open_export_prompt(table, ExportSource::Table(view), rows);
        if let Overlay::Export(prompt) = &mut self.overlay {
            prompt.estimated = estimated;
            prompt.reads = reads;
        }
        effects
    }

    /// On a remote, what exporting the tab's view reads there: a view that scans (a search, a
    /// filter or sort no index serves) or the whole table reads every row, else the rows it holds.
    fn export_reads(&self, tab: &super::TableTab) -> Option<String> {
        let remote = self.remote.as_ref()?;
        let meta = tab.meta()?;
        let scans = !super::cost::scan_causes(&tab.spec, &meta.info).is_empty();
        let (rows, exact) = if scans || !tab.spec.narrows() {
            (self.whole_table_estimate(&tab.name), remote.cost.exact.contains_key(&tab.name))
        } else {
            (tab.total, tab.total.is_some())
        };
        let approx = if exact { "" } else { "~" };
        Some(match rows {
            Some(n) => format!("reads {approx}{} on D1", crate::present::plural(n, "row")),
            None => "reads every row it scans on D1".to_string(),
        })
    }

    /// The prompt for any source: a table's view, or (for the SQL console) a query, named by
    /// `label` in the file name and the messages.
    pub(super) fn open_export_prompt(&mut self, label: String, source: ExportSource, rows: Option<u64>) -> Vec<Effect> {
        let format = ExportFormat::Csv;
        let path = text_input(&default_export_path(&label, format, self));
        let prompt = ExportPrompt {
            table: label,
            source,
            format,
            include_secrets: false,
            path,
            rows,
            estimated: false,
            reads: None,
            error: None,
        };
        self.overlay = Overlay::Export(Box::new(prompt));
        Vec::new()
    }

    pub(super) fn export_prompt_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Export(prompt) = &mut self.overlay else { return Vec::new() };
        match lookup(EXPORT_KEYS, &key) {
            Some(ExportKey::Cancel) => self.overlay = Overlay::None,
            Some(ExportKey::Write) => return self.start_export(),
            Some(ExportKey::Format(step)) => {
                let count = ExportFormat::ALL.len();
                let step = if step > 0 { 1 } else { count - 1 };
                let index = ExportFormat::ALL.iter().position(|f| *f == prompt.format).unwrap_or(0);
                let next = ExportFormat::ALL[(index + step) % count];
                // The extension follows the format when the path still has the old one.
                let path = field_text(&prompt.path);
                if let Some(stem) = path.strip_suffix(&format!(".{}", prompt.format.extension())) {
                    prompt.path = text_input(&format!("{stem}.{}", next.extension()));
                }
                prompt.format = next;
                prompt.error = None;
            }
            Some(ExportKey::Secrets) => prompt.include_secrets = !prompt.include_secrets,
            None => {
                super::input::type_key(&mut prompt.path, key);
                prompt.error = None;
            }
        }
        Vec::new()
    }

    fn start_export(&mut self) -> Vec<Effect> {
        let Overlay::Export(prompt) = &mut self.overlay else { return Vec::new() };
        let path = field_text(&prompt.path).trim().to_string();
        if path.is_empty() {
            prompt.error = Some("give a file to write to".into());
            return Vec::new();
        }
        let options =
            ExportOptions { format: prompt.format, include_secrets: prompt.include_secrets, iso_dates: false };
        let job = ExportJob { source: prompt.source.clone(), options, path: path.clone() };
        let (table, total) = (prompt.table.clone(), prompt.rows);
        if let Overlay::Export(prompt) = std::mem::replace(&mut self.overlay, Overlay::None) {
            self.export.prompt = Some(prompt);
        }
        let id = self.next_request_id();
        let running = RunningExport { table: table.clone(), path: path.clone(), rows: 0, total, cancelling: false };
        self.pending.insert(id, super::Waiting::Export(running));
        self.say(Level::Info, format!("exporting {table} to {path}… (Esc cancels)"));
        vec![Effect::Export { id, job: Box::new(job) }]
    }

    /// Esc while an export runs: stop it (the terminal layer removes the partial file).
    pub(super) fn cancel_export(&mut self) -> Vec<Effect> {
        let Some(id) = self.running_export().map(|(id, _)| id) else { return Vec::new() };
        if let Some(super::Waiting::Export(running)) = self.pending.get_mut(id) {
            running.cancelling = true;
        }
        self.say(Level::Info, "cancelling the export…");
        vec![Effect::CancelExport { id }]
    }

    /// The export being written, with its request's id.
    pub fn running_export(&self) -> Option<(RequestId, &RunningExport)> {
        match self.pending.find(|w| matches!(w, super::Waiting::Export(_))) {
            Some((id, super::Waiting::Export(running))) => Some((id, running)),
            _ => None,
        }
    }

    /// A reply to export request `id`: progress updates the export in the table (its request
    /// stays there), the final reply was taken out of it with `running`.
    pub(super) fn on_export_reply(&mut self, running: RunningExport, reply: DbReply) -> Vec<Effect> {
        let id = reply.id;
        match reply.result {
            Ok(DbResult::ExportProgress { rows }) => {
                let Some(super::Waiting::Export(running)) = self.pending.get_mut(id) else { return Vec::new() };
                running.rows = rows;
                if !running.cancelling {
                    let of = running.total.map(|t| format!(" of {}", group_thousands(t))).unwrap_or_default();
                    let text =
                        format!("exporting {}: {} rows{of}… (Esc cancels)", running.table, group_thousands(rows));
                    self.say(Level::Info, text);
                }
            }
            Ok(DbResult::Exported { path, rows, redacted, cost }) => {
                self.export.prompt = None;
                let redacted =
                    if redacted.is_empty() { String::new() } else { format!(" (redacted: {})", redacted.join(", ")) };
                let cost = cost.map(|c| format!("; {c}")).unwrap_or_default();
                self.say(Level::Info, format!("exported {} rows to {path}{redacted}{cost}", group_thousands(rows)));
            }
            Ok(_) => {}
            Err(message) => {
                let (cancelled, wrote_nothing) = (running.cancelling, running.rows == 0);
                let prompt = self.export.prompt.take();
                if cancelled {
                    self.say(Level::Info, "export cancelled; the partial file was removed");
                } else {
                    self.say(Level::Error, format!("export failed: {message}"));
                    // Refused before a row was written (the file exists, the folder is missing):
                    // the prompt comes back with what was typed, to change the path.
                    if let (true, Overlay::None, Some(mut prompt)) = (wrote_nothing, &self.overlay, prompt) {
                        prompt.error = Some(message.to_string());
                        self.overlay = Overlay::Export(prompt);
                    }
                }
            }
        }
        Vec::new()
    }

    /// `y`: the selected cell's stored value, in full. Secrets only when revealed (row detail).
    pub(super) fn copy_cell(&mut self, reveal: bool) -> Vec<Effect> {
        let Some((name, kind, value)) = self.selected_cell() else { return Vec::new() };
        let text = match &value {
            Value::Null => {
                self.say(Level::Info, format!("{name} is NULL: nothing copied"));
                return Vec::new();
            }
            _ if kind == ColumnKind::Secret && !reveal => {
                self.say(Level::Warning, format!("{name} is a secret: reveal it in the row detail (Enter, r), then y"));
                return Vec::new();
            }
            Value::Integer(n) => n.to_string(),
            Value::Real(f) => format!("{f:?}"),
            Value::Text(text) => text.clone(),
            Value::Blob(bytes) => hex::encode(bytes),
        };
        self.copy(text, name)
    }

    /// `Y`: the selected row as one JSON object, secrets redacted unless revealed.
    pub(super) fn copy_row(&mut self, reveal: bool) -> Vec<Effect> {
        let Some(tab) = self.grid_tab() else { return Vec::new() };
        let (Some(meta), Some(row)) = (tab.meta(), tab.window.selected_row()) else { return Vec::new() };
        let columns: Vec<ExportColumn> = meta
            .info
            .columns
            .iter()
            .zip(&meta.kinds)
            .map(|(c, kind)| ExportColumn {
                name: c.name.clone(),
                secret: *kind == ColumnKind::Secret,
                timestamp: matches!(kind, ColumnKind::Timestamp { .. }),
            })
            .collect();
        let text = row_json(&columns, &row.values, reveal);
        let redacted = !reveal && columns.iter().any(|c| c.secret);
        let what = if redacted { "the row as JSON (secrets redacted)" } else { "the row as JSON" };
        self.copy(text, what.to_string())
    }

    fn selected_cell(&self) -> Option<(String, ColumnKind, Value)> {
        // The grid on screen: a table's, or the console's result.
        let tab = self.grid_tab()?;
        let meta = tab.meta()?;
        let row = tab.window.selected_row()?;
        let column = meta.info.columns.get(tab.selected_col)?;
        let kind = meta.kinds.get(tab.selected_col)?.clone();
        Some((column.name.clone(), kind, row.values.get(tab.selected_col)?.clone()))
    }

    fn copy(&mut self, text: String, what: String) -> Vec<Effect> {
        if let ClipboardSupport::Unsupported { reason } = &self.export.clipboard {
            self.say(Level::Warning, format!("cannot copy: {reason}"));
            return Vec::new();
        }
        let chars = text.chars().count();
        let preview: String = text.chars().take(40).collect::<String>().replace('\n', "⏎");
        let ellipsis = if chars > 40 { "…" } else { "" };
        self.say(Level::Info, format!("copied {what} ({chars} chars): {preview}{ellipsis}"));
        vec![Effect::Clipboard { text }]
    }
}
