//! The SQL console: an editor over a result grid. Statements run on the console's own worker
//! (its own connection), so a long query never holds up table paging. Rows stream in batches and
//! only a window of them is held; the worker keeps the statement stepping between batches.

use std::collections::VecDeque;

use ratatui::layout::Rect;
use ratatui_textarea::TextArea;
use rusqlite::types::Value;

use super::{ConsoleRequest, Effect, Load, RequestId, RowBatch, TableMeta, TableTab, Worker};
use crate::db::page::{Cursor, Page, PageRow, SortDirection};
use crate::db::query::{PlanNode, WritePreview, result_table_info};
use crate::db::schema::RelationType;

/// Rows asked for per batch.
pub const BATCH_ROWS: usize = 200;
/// Rows kept after a jump to the end.
pub const END_ROWS: usize = 400;
/// Lines of the editor (without its border) at most.
const EDITOR_LINES: u16 = 8;

/// Which part of the console keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleFocus {
    Editor,
    Results,
}

/// What became of one statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Waiting on the worker.
    Running,
    /// Rows (possibly still streaming).
    Rows,
    /// A write is waiting for `y`.
    Confirm {
        preview: WritePreview,
    },
    /// Done: rows changed, or `None` for a statement that changed the schema (or nothing).
    Written {
        changes: Option<u64>,
        /// Rows an UPDATE matched but left as they were, when known.
        unchanged: Option<u64>,
    },
    Failed(String),
    Cancelled,
}

/// One statement run and its result: the rows go into a grid like a table's.
#[derive(Debug, Clone)]
pub struct StatementResult {
    pub sql: String,
    pub outcome: Outcome,
    pub grid: TableTab,
    /// The request that started the stream, while the worker still holds it.
    pub stream: Option<RequestId>,
    pub seen: u64,
    pub done: bool,
    pub first_ms: Option<u64>,
    pub end_ms: Option<u64>,
    /// The on-screen sort: column and direction (sorts the rows held).
    pub sort: Option<(usize, SortDirection)>,
}

impl StatementResult {
    pub(super) fn new(sql: String) -> StatementResult {
        let mut grid = TableTab::new(String::from("result"), RelationType::View);
        grid.meta = Load::Loading;
        StatementResult {
            sql,
            outcome: Outcome::Running,
            grid,
            stream: None,
            seen: 0,
            done: false,
            first_ms: None,
            end_ms: None,
            sort: None,
        }
    }

    /// Index in the whole result of the first row held.
    pub fn first_index(&self) -> u64 {
        self.grid.window.rows.first().and_then(|r| r.cursor.key.first()).map_or(0, |v| match v {
            Value::Integer(n) => *n as u64,
            _ => 0,
        })
    }

    /// 1-based number of the selected row.
    pub fn row_number(&self) -> Option<u64> {
        let row = self.grid.window.selected_row()?;
        match row.cursor.key.first() {
            Some(Value::Integer(n)) => Some(*n as u64 + 1),
            _ => None,
        }
    }

    /// Adds a batch to the grid (the first one sets the columns).
    pub(super) fn add_batch(&mut self, batch: RowBatch, kind: crate::app::tab::FetchKind) {
        if let Some((columns, kinds)) = batch.columns {
            let info = result_table_info(&columns);
            self.grid.meta = Load::Loaded(Box::new(TableMeta { info, kinds }));
            self.grid.window = Default::default();
            self.grid.layout = None;
        }
        self.outcome = Outcome::Rows;
        self.seen = self.seen.max(batch.seen);
        self.done |= batch.done;
        let count = batch.rows.len() as u64;
        let rows = batch
            .rows
            .into_iter()
            .enumerate()
            .map(|(i, values)| PageRow {
                values,
                cursor: Cursor { sort_value: None, key: vec![Value::Integer((batch.first + i as u64) as i64)] },
            })
            .collect();
        use crate::app::tab::FetchKind;
        let exhausted = match kind {
            FetchKind::Prepend => batch.first == 0,
            FetchKind::Bottom => batch.first == 0,
            _ => batch.done || count == 0,
        };
        self.grid.window.apply(kind, Page { rows, exhausted }, BATCH_ROWS);
        if kind == FetchKind::Bottom {
            self.grid.window.at_end = true;
        }
        if self.sort.is_some() {
            self.apply_sort();
        }
    }

    /// Sorts the rows held by the on-screen sort (NULLs first ascending, as SQLite does).
    pub(super) fn apply_sort(&mut self) {
        let Some((column, direction)) = self.sort else { return };
        let rows = &mut self.grid.window.rows;
        rows.sort_by(|a, b| {
            let order = compare_values(&a.values[column], &b.values[column]);
            if direction == SortDirection::Desc { order.reverse() } else { order }
        });
    }
}

/// SQLite's order of values: NULL, numbers, text, blobs.
pub fn compare_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Real(x), Value::Integer(y)) => x.partial_cmp(&(*y as f64)).unwrap_or(Ordering::Equal),
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A history search (Ctrl-r in an empty editor).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistorySearch {
    pub query: String,
    /// How many older matches to skip (Ctrl-r again).
    pub skip: usize,
}

/// Tab completion in progress: pressing Tab again replaces the word with the next candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<String>,
    pub index: usize,
    /// Characters of the current candidate now in the editor, before the cursor.
    pub inserted: usize,
}

/// What a request in flight waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    /// The first reply of the result at this index.
    Run {
        result: usize,
    },
    Fetch {
        result: usize,
        kind: crate::app::tab::FetchKind,
    },
    Write {
        result: usize,
    },
    Plan,
}

/// The console's state.
pub struct ConsoleState {
    pub editor: TextArea<'static>,
    pub focus: ConsoleFocus,
    /// One result per statement of the last run, shown one at a time.
    pub results: Vec<StatementResult>,
    pub shown: usize,
    /// Statements of the last run still to start, in order.
    pub queue: VecDeque<String>,
    /// The plan of the statement under the cursor (Ctrl-e), shown instead of the grid.
    pub plan: Option<(String, Load<Vec<PlanNode>>)>,
    /// Statements run, oldest first (from the history file, then this session's).
    pub history: Vec<String>,
    /// Where Ctrl-p / Ctrl-n are in the history (`None`: the editor's own text).
    pub history_pos: Option<usize>,
    /// What the editor held before walking the history.
    pub draft: Option<String>,
    pub search: Option<HistorySearch>,
    pub completion: Option<Completion>,
    /// Every table's columns, once read.
    pub schema: Vec<(String, Vec<String>)>,
    pub schema_requested: bool,
    /// The table `:` was pressed on: completed first.
    pub context_table: Option<String>,
    /// On a remote: the billing of OFFSET was said (once a session).
    pub offset_noted: bool,
    /// On a remote: `G` on this result was asked about (it reads every row of the query); `G`
    /// again or `y` runs it, any other key drops the question.
    pub end_asked: Option<usize>,
}

impl Default for ConsoleState {
    fn default() -> Self {
        ConsoleState {
            editor: TextArea::default(),
            focus: ConsoleFocus::Editor,
            results: Vec::new(),
            shown: 0,
            queue: VecDeque::new(),
            plan: None,
            history: Vec::new(),
            history_pos: None,
            draft: None,
            search: None,
            completion: None,
            schema: Vec::new(),
            schema_requested: false,
            context_table: None,
            offset_noted: false,
            end_asked: None,
        }
    }
}

impl ConsoleState {
    /// The result on screen.
    pub fn current(&self) -> Option<&StatementResult> {
        self.results.get(self.shown)
    }

    pub(super) fn current_mut(&mut self) -> Option<&mut StatementResult> {
        self.results.get_mut(self.shown)
    }

    /// The editor's text.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }
}

/// Where the console's parts go on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsoleAreas {
    /// The editor, with its border.
    pub editor: Rect,
    /// One line: result tabs, rows so far, time.
    pub bar: Rect,
    pub header: Rect,
    pub grid: Rect,
}

/// Splits the console's body (between the tab bar and the status line).
pub fn console_areas(body: Rect) -> ConsoleAreas {
    let editor_height = (EDITOR_LINES + 2).min(body.height / 2).max(3.min(body.height));
    let editor = Rect::new(body.x, body.y, body.width, editor_height);
    let rest = body.height.saturating_sub(editor_height);
    let bar = Rect::new(body.x, body.y + editor_height, body.width, 1.min(rest));
    let header = Rect::new(body.x, bar.y + bar.height, body.width, 2.min(rest.saturating_sub(1)));
    let grid_top = header.y + header.height;
    let grid = Rect::new(body.x, grid_top, body.width, (body.y + body.height).saturating_sub(grid_top));
    ConsoleAreas { editor, bar, header, grid }
}

/// The console's body on this app's screen.
pub fn console_body(app: &super::App) -> Rect {
    let areas = super::layout::areas(app);
    areas.header.union(areas.grid)
}

impl super::App {
    /// The grid of the screen showing: the console's result, or the active table.
    pub fn grid_tab(&self) -> Option<&TableTab> {
        if self.screen == super::Screen::Console {
            return self.console.current().map(|r| &r.grid);
        }
        self.active_tab()
    }

    pub(super) fn console_request(&mut self, request: ConsoleRequest, awaiting: Awaiting) -> Effect {
        let waiting = super::Waiting::Console { awaiting, sent_at_tick: self.spinner };
        let (_, effect) = self.request(Worker::Console, waiting, super::DbRequest::Console(request));
        effect
    }

    /// The console's statement in flight: its id, what it waits for and the tick it was sent at.
    pub fn console_running(&self) -> Option<(RequestId, Awaiting, usize)> {
        match self.pending.find(|w| matches!(w, super::Waiting::Console { .. })) {
            Some((id, super::Waiting::Console { awaiting, sent_at_tick })) => Some((id, *awaiting, *sent_at_tick)),
            _ => None,
        }
    }

    /// Whether the console's worker runs a statement for it now.
    pub fn console_busy(&self) -> bool {
        self.console_running().is_some()
    }

    /// Lets go of the console's statement in flight (its reply will find nothing).
    pub(super) fn take_console_request(&mut self) -> Option<(RequestId, Awaiting)> {
        let (id, _, _) = self.console_running()?;
        match self.pending.take(id) {
            Some(super::Waiting::Console { awaiting, .. }) => Some((id, awaiting)),
            _ => None,
        }
    }

    /// Reads every table's columns for completion (once, and again after DDL).
    pub(super) fn request_console_schema(&mut self) -> Vec<Effect> {
        if self.console.schema_requested {
            return Vec::new();
        }
        self.console.schema_requested = true;
        let request = super::DbRequest::Console(ConsoleRequest::Schema);
        let (_, effect) = self.request(Worker::Console, super::Waiting::ConsoleSchema, request);
        vec![effect]
    }
}
