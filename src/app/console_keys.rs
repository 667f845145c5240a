//! The console's keys: the editor (completion, history walk and search), the result grid, and
//! the confirmation of a write.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

use super::console::{Completion, ConsoleFocus, HistorySearch, Outcome};
use super::console_keymap::{CONSOLE_KEYS, ConsoleKey, PAGE, RESULT_KEYS, ResultKey, SHARED_WITH_RESULTS};
use super::input::text_input;
use super::keymap::lookup;
use super::tab::FetchKind;
use super::{Action, App, Effect};
use crate::db::query::split_statements;

/// SQL keywords offered by completion after names.
const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "JOIN",
    "LEFT JOIN",
    "INNER JOIN",
    "ON",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "IS",
    "IN",
    "LIKE",
    "BETWEEN",
    "AS",
    "DISTINCT",
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "INSERT INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE FROM",
    "CREATE TABLE",
    "CREATE INDEX",
    "DROP TABLE",
    "ALTER TABLE",
    "WITH",
    "UNION",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "DESC",
    "ASC",
    "EXISTS",
    "RETURNING",
];

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.code == KeyCode::Char(c) && key.modifiers.contains(KeyModifiers::CONTROL)
}

impl App {
    pub(super) fn console_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if ctrl(&key, 'c') {
            return self.update(Action::Quit);
        }
        if self.console.search.is_some() {
            return self.history_search_key(key);
        }
        // A write still waiting whose question was put away (help opened over it): it is asked
        // again, and this key answers it.
        if let Some(index) = self.console.results.iter().position(|r| matches!(r.outcome, Outcome::Confirm { .. })) {
            self.ask_console_write(index);
            return self.confirmation_key(key);
        }
        let editor = self.console.focus == ConsoleFocus::Editor;
        // On a remote, `G` asked first: the question answers its own keys (`app::cost`).
        if let Some(effects) = self.answer_end_question(&key).filter(|_| !editor) {
            return effects;
        }
        // Run, plan, help and Esc work in both halves; the rest of the table is the editor's.
        let shared = &CONSOLE_KEYS[..SHARED_WITH_RESULTS.min(CONSOLE_KEYS.len())];
        let command = if editor { lookup(CONSOLE_KEYS, &key) } else { lookup(shared, &key) };
        match command {
            Some(ConsoleKey::Run) => {
                let empty = editor && self.console.text().trim().is_empty();
                if key.code != KeyCode::F(5) && empty {
                    self.console.search = Some(HistorySearch::default());
                    return Vec::new();
                }
                self.run_console()
            }
            Some(ConsoleKey::Plan) => self.explain_console(),
            Some(ConsoleKey::Help) => self.open_overlay(Action::OpenHelp),
            Some(ConsoleKey::Escape) => {
                if self.console_busy() {
                    return self.cancel_console();
                }
                if self.console.plan.take().is_some() {
                    return Vec::new();
                }
                self.console.focus = if editor { ConsoleFocus::Results } else { ConsoleFocus::Editor };
                Vec::new()
            }
            Some(ConsoleKey::Complete) => {
                self.complete();
                Vec::new()
            }
            Some(other) => {
                self.console.completion = None;
                match other {
                    ConsoleKey::PrevTab => self.update(Action::PrevTab),
                    ConsoleKey::History(step) => {
                        self.walk_history(i64::from(step));
                        Vec::new()
                    }
                    ConsoleKey::Clear => {
                        // A cut of the whole text, so Ctrl-z undoes it.
                        self.console.editor.select_all();
                        self.console.editor.cut();
                        Vec::new()
                    }
                    ConsoleKey::Undo => {
                        self.console.editor.undo();
                        Vec::new()
                    }
                    _ => Vec::new(),
                }
            }
            None if editor => {
                self.console.completion = None;
                self.console.editor.input(key);
                Vec::new()
            }
            None => self.console_results_key(key),
        }
    }

    fn console_results_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let page = self.console_grid_rows().max(1) as i64;
        let command = lookup(RESULT_KEYS, &key);
        if std::mem::take(&mut self.pending_g) && command == Some(ResultKey::FirstG) {
            return self.console_jump(FetchKind::Top);
        }
        let Some(command) = command else { return Vec::new() };
        match command {
            ResultKey::FirstG => {
                self.pending_g = true;
                Vec::new()
            }
            ResultKey::Rows(PAGE) => self.move_console_rows(page),
            ResultKey::Rows(rows) if rows == -PAGE => self.move_console_rows(-page),
            ResultKey::Rows(rows) => self.move_console_rows(rows),
            ResultKey::Top => self.console_jump(FetchKind::Top),
            ResultKey::Bottom => self.console_jump(FetchKind::Bottom),
            ResultKey::Columns(delta) => self.move_console_column(delta),
            ResultKey::Sort => self.sort_console(),
            ResultKey::Detail => self.open_overlay(Action::OpenDetail),
            ResultKey::Result(delta) => self.show_result(delta),
            ResultKey::Editor => {
                self.console.focus = ConsoleFocus::Editor;
                Vec::new()
            }
            ResultKey::NextTab => self.update(Action::NextTab),
            ResultKey::PrevTab => self.update(Action::PrevTab),
            ResultKey::Quit => self.update(Action::Quit),
            ResultKey::Help => self.open_overlay(Action::OpenHelp),
            ResultKey::Picker => self.open_overlay(Action::OpenPicker),
        }
    }

    /// The wheel scrolls the result.
    pub(super) fn console_mouse(&mut self, mouse: ratatui::crossterm::event::MouseEvent) -> Vec<Effect> {
        use ratatui::crossterm::event::MouseEventKind;
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_console_rows(3),
            MouseEventKind::ScrollUp => self.move_console_rows(-3),
            _ => Vec::new(),
        }
    }

    fn move_console_column(&mut self, delta: i64) -> Vec<Effect> {
        if let Some(r) = self.console.current_mut() {
            let last = r.grid.column_count().saturating_sub(1) as i64;
            r.grid.selected_col = (r.grid.selected_col as i64).saturating_add(delta).clamp(0, last.max(0)) as usize;
        }
        Vec::new()
    }

    fn show_result(&mut self, delta: i64) -> Vec<Effect> {
        let count = self.console.results.len() as i64;
        if count > 0 {
            self.console.shown = (self.console.shown as i64 + delta).clamp(0, count - 1) as usize;
        }
        self.after_console_move()
    }

    /// Ctrl-p (`-1`) / Ctrl-n (`1`): older / newer statements; past the newest, the draft again.
    pub(super) fn walk_history(&mut self, step: i64) {
        let console = &mut self.console;
        if console.history.is_empty() {
            return;
        }
        let last = console.history.len() as i64 - 1;
        let next = match console.history_pos {
            None if step < 0 => Some(last),
            None => None,
            Some(pos) => {
                let pos = pos as i64 + step;
                if pos > last { None } else { Some(pos.max(0)) }
            }
        };
        if console.history_pos.is_none() && next.is_some() {
            console.draft = Some(console.text());
        }
        console.history_pos = next.map(|p| p as usize);
        let text = match console.history_pos {
            Some(pos) => console.history[pos].clone(),
            None => console.draft.take().unwrap_or_default(),
        };
        console.editor = text_input(&text);
    }

    /// The statement the history search shows: the newest containing the query, `skip` older.
    pub fn history_match(&self) -> Option<&str> {
        let search = self.console.search.as_ref()?;
        let query = search.query.to_lowercase();
        self.console
            .history
            .iter()
            .rev()
            .filter(|sql| sql.to_lowercase().contains(&query))
            .nth(search.skip)
            .map(String::as_str)
    }

    fn history_search_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if ctrl(&key, 'r') {
            if let Some(search) = &mut self.console.search {
                search.skip += 1;
                if self.history_match().is_none()
                    && let Some(search) = &mut self.console.search
                {
                    search.skip -= 1;
                }
            }
            return Vec::new();
        }
        match key.code {
            KeyCode::Enter => {
                let found = self.history_match().map(str::to_string);
                self.console.search = None;
                if let Some(sql) = found {
                    self.console.editor = text_input(&sql);
                }
            }
            KeyCode::Esc => self.console.search = None,
            KeyCode::Backspace => {
                if let Some(search) = &mut self.console.search {
                    search.query.pop();
                    search.skip = 0;
                }
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if let Some(search) = &mut self.console.search {
                    search.query.push(c);
                    search.skip = 0;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Tab: completes the word before the cursor, or replaces the last completion with the next
    /// candidate. Tables come first (the one `:` was pressed on before all), then columns (those
    /// of tables the statement names first), then keywords.
    fn complete(&mut self) {
        let editor = &mut self.console.editor;
        if let Some(completion) = &mut self.console.completion {
            if completion.candidates.len() < 2 {
                return;
            }
            for _ in 0..completion.inserted {
                editor.delete_char();
            }
            completion.index = (completion.index + 1) % completion.candidates.len();
            let next = &completion.candidates[completion.index];
            editor.insert_str(next);
            completion.inserted = next.chars().count();
            return;
        }
        let cursor = editor.cursor();
        let (row, col) = (cursor.0, cursor.1);
        let line = editor.lines().get(row).cloned().unwrap_or_default();
        let before: String = line.chars().take(col).collect();
        let word: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '"')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let (qualifier, prefix) = match word.rsplit_once('.') {
            Some((q, p)) => (Some(q.trim_matches('"').to_string()), p.trim_start_matches('"').to_string()),
            None => (None, word.trim_start_matches('"').to_string()),
        };
        // After FROM, JOIN, INTO, UPDATE, TABLE a table name comes: columns would be noise.
        let head = &before[..before.len() - word.len()];
        let previous = head.split_whitespace().next_back().unwrap_or_default().to_ascii_lowercase();
        let tables_only = head.ends_with(char::is_whitespace)
            && matches!(previous.as_str(), "from" | "join" | "into" | "update" | "table");
        // Nothing to complete (the start of a line, or after whitespace, except where a table
        // name is due, whose list Tab offers): Tab indents, so a statement can be laid out.
        if word.is_empty() && !tables_only {
            self.console.editor.insert_tab();
            return;
        }
        let mut candidates = self.completion_candidates(qualifier.as_deref(), &prefix);
        if tables_only && qualifier.is_none() {
            let tables: Vec<String> = self.console.schema.iter().map(|(t, _)| quote_if_needed(t)).collect();
            let only: Vec<String> = candidates.iter().filter(|c| tables.contains(c)).cloned().collect();
            if !only.is_empty() {
                candidates = only;
            }
        }
        // A keyword is followed by a space (`SELECT ` then the next word), unless one follows.
        if !line.chars().nth(col).is_some_and(char::is_whitespace) {
            for candidate in candidates.iter_mut().filter(|c| KEYWORDS.contains(&c.as_str())) {
                candidate.push(' ');
            }
        }
        let Some(first) = candidates.first().cloned() else { return };
        let editor = &mut self.console.editor;
        for _ in 0..prefix.chars().count() {
            editor.delete_char();
        }
        editor.insert_str(&first);
        self.console.completion = Some(Completion { inserted: first.chars().count(), candidates, index: 0 });
    }

    /// Names that complete `prefix` (case-insensitive), best first, without repeats.
    pub fn completion_candidates(&self, qualifier: Option<&str>, prefix: &str) -> Vec<String> {
        let lower = prefix.to_lowercase();
        let fits = |name: &str| name.to_lowercase().starts_with(&lower);
        let text = self.console.text();
        let statement = {
            let cursor = self.console.editor.cursor();
            let (row, col) = (cursor.0, cursor.1);
            let lines = self.console.editor.lines();
            let offset: usize = lines.iter().take(row).map(|l| l.len() + 1).sum::<usize>()
                + lines.get(row).map_or(0, |l| l.char_indices().nth(col).map_or(l.len(), |(i, _)| i));
            split_statements(&text)
                .into_iter()
                .find(|s| offset <= s.end + 1 && offset >= s.start)
                .map(|s| text[s.start..s.end].to_lowercase())
                .unwrap_or_default()
        };
        let named = |table: &str| {
            let t = table.to_lowercase();
            statement.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == t)
        };
        let mut tables: Vec<&str> = self.console.schema.iter().map(|(t, _)| t.as_str()).collect();
        if tables.is_empty()
            && let super::Load::Loaded(list) = &self.tables
        {
            tables = list.iter().map(|t| t.name.as_str()).collect();
        }
        let mut out: Vec<String> = Vec::new();
        let push = |name: String, out: &mut Vec<String>| {
            if !out.contains(&name) {
                out.push(name);
            }
        };
        if let Some(qualifier) = qualifier {
            // `alias.` or `table.`: the columns of that table (an alias found in the statement),
            // else of the tables named. Those that start with the prefix as typed (case and all)
            // come first, then alphabetical.
            let q = qualifier.to_lowercase();
            let aliased = alias_table(&statement, &q, &self.console.schema);
            let mut columns: Vec<&String> = Vec::new();
            for (table, names) in &self.console.schema {
                let wanted = match &aliased {
                    Some(t) => t == &table.to_lowercase(),
                    None => table.to_lowercase() == q || named(table),
                };
                if wanted {
                    columns.extend(names.iter().filter(|c| fits(c)));
                }
            }
            columns.sort_by_key(|c| (!c.starts_with(prefix), c.to_lowercase()));
            for column in columns {
                push(quote_if_needed(column), &mut out);
            }
            return out;
        }
        if let Some(table) = &self.console.context_table
            && fits(table)
        {
            push(quote_if_needed(table), &mut out);
        }
        for table in tables.iter().filter(|t| fits(t)) {
            push(quote_if_needed(table), &mut out);
        }
        let mut columns: Vec<(bool, &String)> = Vec::new();
        for (table, names) in &self.console.schema {
            let first = named(table) || self.console.context_table.as_deref() == Some(table);
            columns.extend(names.iter().filter(|c| fits(c)).map(|c| (!first, c)));
        }
        columns.sort_by_key(|(later, _)| *later);
        for (_, column) in columns {
            push(quote_if_needed(column), &mut out);
        }
        if !prefix.is_empty() {
            for keyword in KEYWORDS.iter().filter(|k| fits(k)) {
                push(keyword.to_string(), &mut out);
            }
        }
        out
    }
}

/// The table (lower-cased) that `alias` stands for in a lower-cased statement: `session s`,
/// `session as s`.
fn alias_table(statement: &str, alias: &str, schema: &[(String, Vec<String>)]) -> Option<String> {
    let words: Vec<&str> =
        statement.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    words.iter().enumerate().find_map(|(i, word)| {
        let is_table = schema.iter().any(|(t, _)| t.to_lowercase() == *word);
        let next = words.get(i + 1).copied();
        let named = next == Some(alias) || (next == Some("as") && words.get(i + 2).copied() == Some(alias));
        (is_table && named && *word != alias).then(|| word.to_string())
    })
}

/// A name as it can be typed: bare when SQLite reads it so, else double-quoted.
fn quote_if_needed(name: &str) -> String {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare { name.to_string() } else { crate::db::schema::quote_ident(name) }
}

/// An editor holding `text` with the cursor at its start (for tests and `:`).
pub fn editor_with(text: &str) -> TextArea<'static> {
    let mut editor = text_input(text);
    editor.move_cursor(CursorMove::Top);
    editor.move_cursor(CursorMove::Head);
    editor
}
