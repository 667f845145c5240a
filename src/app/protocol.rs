//! What the event loop feeds the app, and the effects `update` asks it to carry out. The
//! requests and replies themselves are `service::protocol`'s.

use super::*;

/// Everything the event loop feeds the app.
#[derive(Debug)]
pub enum AppEvent {
    /// A key, mouse or resize event from the terminal.
    Input(ratatui::crossterm::event::Event),
    /// A worker answered.
    Db(DbReply),
    /// Time passed (spinner, relative ages); sent while idle too, so the clock never stops.
    Tick,
    /// SIGTERM, SIGHUP or SIGINT arrived: restore the terminal and end, discarding staged changes.
    Signal { signal: i32 },
    /// Another process committed to the database (the live watch saw it).
    Changed { schema: bool },
}

/// Which worker runs a request: pages must never queue behind a slow count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// Schema and pages: what the screen is waiting for.
    Foreground,
    /// Row counts: slow on big tables, nobody waits for them.
    Background,
    /// The SQL console: statements that may run long, streaming their rows.
    Console,
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request to a worker.
    Request { worker: Worker, id: RequestId, request: Box<DbRequest> },
    /// Stop request `id` if `worker` is running it now (a request that finished is left alone).
    Interrupt { worker: Worker, id: RequestId },
    /// Write rows to a file on an export thread; progress and the result come back as replies to `id`.
    Export { id: RequestId, job: Box<ExportJob> },
    /// Stop export `id` and remove its partial file.
    CancelExport { id: RequestId },
    /// Put this text on the clipboard (OSC 52).
    Clipboard { text: String },
    /// Remember a table's column choices (order, hidden, widths) for this database.
    SaveColumns { table: String, prefs: ColumnPrefs },
}
