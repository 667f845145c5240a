//! A filter on a foreign key that matched nothing because the value is not a key: `userId
//! contains liam@x.dev` finds no session, since userId holds user ids. The status line says what
//! the column holds and how to pick a row by its label instead.

use rusqlite::types::Value;

use crate::db::kinds::ColumnKind;
use crate::db::page::FilterOp;

use super::tab::FetchKind;
use super::{App, Level};

/// Whether `value` could be a key at all: keys are numbers or single words (ids, UUIDs), never
/// an email or words with spaces, which is what people type when they mean the label.
fn looks_like_a_key(value: &Value) -> bool {
    match value {
        Value::Text(text) => !text.contains('@') && !text.trim().contains(char::is_whitespace),
        _ => true,
    }
}

impl App {
    /// After the first page of a filtered view: no rows, and the last filter is on a foreign
    /// key with a value that looks like no key: says what the column holds.
    pub(super) fn after_filter_page(&mut self, index: usize, kind: FetchKind) {
        if kind != FetchKind::Top {
            return;
        }
        let Some(tab) = self.tabs.get(index).filter(|tab| tab.window.rows.is_empty()) else { return };
        let Some(filter) = tab.spec.filters.last() else { return };
        // An error on screen says more; on a remote the cost question or report may have
        // taken the status since the filter was added, so this does not wait for that message.
        if self.status.as_ref().is_some_and(|s| s.level == Level::Error) {
            return;
        }
        let Some(meta) = tab.meta() else { return };
        let at = meta.info.columns.iter().position(|c| c.name == filter.column);
        let Some(ColumnKind::ForeignKey { table, .. }) = at.and_then(|i| meta.kinds.get(i)) else { return };
        let compares = matches!(filter.op, FilterOp::Eq | FilterOp::Contains | FilterOp::StartsWith | FilterOp::In);
        if !compares || filter.values.iter().all(looks_like_a_key) {
            return;
        }
        let text = format!("{} holds {table} ids: Ctrl-f picks a {table}", filter.column);
        self.say(Level::Warning, text);
    }
}
