//! Everything that can happen to the app, as values (keys are mapped to these by `keymap`).

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::DbReply;

/// One thing to do. Keys and clicks become actions, so `update` is testable without a terminal.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave squall.
    Quit,
    /// The terminal was resized to this many cells.
    Resize { width: u16, height: u16 },
    /// Time passed: `now` is the clock from here on (spinner, relative ages, what gets written).
    Tick { now: chrono::DateTime<chrono::Utc> },
    /// A database worker answered.
    Reply { reply: DbReply },
    /// Another process committed to the database; `schema` when tables or columns changed.
    ExternalChange { schema: bool },
    /// A key press, interpreted by whatever is on top (a prompt, a popup, the grid).
    Key { key: KeyEvent },
    /// A click or wheel turn.
    Mouse { mouse: MouseEvent },
    /// Move the selection this many rows (negative moves up).
    MoveRows { delta: i64 },
    /// Move the selected column (negative moves left).
    MoveColumns { delta: i64 },
    /// Move a screenful down.
    PageDown,
    /// Move a screenful up.
    PageUp,
    /// Jump to the first row of the table.
    FirstRow,
    /// Jump to the last row of the table.
    LastRow,
    /// Select the first column.
    FirstColumn,
    /// Select the last column.
    LastColumn,
    /// Open the column chooser: hide, show, reorder, size (`c`).
    OpenColumns,
    /// Narrow (negative) or widen the selected column by this many steps (`<` / `>`).
    ResizeColumn { steps: i16 },
    /// Show the next table's tab.
    NextTab,
    /// Show the previous table's tab.
    PrevTab,
    /// Show the tab at this index.
    SelectTab { index: usize },
    /// Cycle the selected column's sort: ascending, descending, none.
    CycleSort,
    /// Cycle the sort of this column (a click on its header).
    SortColumn { column: usize },
    /// Open the fuzzy table picker.
    OpenPicker,
    /// Show every key of the current screen.
    OpenHelp,
    /// Show the messages of this session, newest first, each in full.
    OpenMessages,
    /// Show the selected row with every column in full.
    OpenDetail,
    /// Reveal or mask secrets in the row detail.
    ToggleReveal,
    /// Open the free-text search prompt.
    OpenSearch,
    /// Open the structured filter bar.
    OpenFilter,
    /// Drop every filter and the search.
    ClearFilters,
    /// Show or hide internal tables (sqlite_*, _cf_*).
    ToggleInternal,
    /// Open the user action menu (ban, role, sessions, password, removal) for the selected user.
    OpenUserMenu,
    /// The exact row count (on a remote, asked first: it reads the whole table).
    ExactCount,
    /// Reload the table's rows and count.
    Refresh,
    /// Cancel the running query, or close what is open.
    Cancel,
    /// Follow the selected cell's foreign key to the row it points at (`gd`).
    FollowReference,
    /// List the rows of other tables that point at the selected row (`gr`).
    ShowReferences,
    /// Go back along the path walked with `gd` / `gr`.
    Back,
    /// Edit the selected cell in a popup (`e`).
    EditCell,
    /// Open the form for a new row (`a`).
    InsertRow,
    /// Delete the marked rows, or the selected one, after showing what cascades (`d`).
    DeleteRows,
    /// Mark or unmark the selected row for a multi-row delete (Space).
    ToggleMark,
    /// Undo the last staged change (`u`).
    UndoEdit,
    /// Show the SQL of everything staged, then commit on `y` (Ctrl-S).
    ReviewChanges,
    /// Export the current view (filters, search, sort) to a file, after a prompt (`x`).
    OpenExport,
    /// Copy the selected cell's stored value to the clipboard (`y`).
    CopyCell,
    /// Copy the selected row as JSON to the clipboard, secrets redacted (`Y`).
    CopyRow,
    /// Open the SQL console with a fresh editor, the current table first in completion (`:`).
    OpenConsole,
}
