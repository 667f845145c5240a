//! The row detail of a user lists their sessions and accounts, read on the worker in one
//! request when the detail opens. ↑↓ select one of them (the other scroll keys still scroll)
//! and Enter opens it in its table, as `gd` does, with Backspace going back.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use rusqlite::types::Value;

use crate::db::relations::{RelationOrigin, RowTarget};
use crate::db::users::UserLinks;

use super::{App, DbReply, DbRequest, DbResult, Effect, Overlay, UsersRequest, UsersResult, Worker};

pub use crate::service::protocol::LINKS_SHOWN;

/// The sessions and accounts of the user whose detail is open.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailLinks {
    /// The user's id, as read from the grid row.
    pub user_id: Value,
    /// `None` while reading; the error text when it failed.
    pub loaded: Option<Result<UserLinks, String>>,
    /// The selected entry: sessions first, then accounts.
    pub selected: Option<usize>,
}

impl DetailLinks {
    /// Entries that can be selected.
    pub fn entries(&self) -> usize {
        match &self.loaded {
            Some(Ok(links)) => links.sessions.len() + links.accounts.len(),
            _ => 0,
        }
    }

    /// Lines the list takes in the detail, below the columns (see `ui::user_links`).
    pub fn lines(&self) -> usize {
        match &self.loaded {
            Some(Ok(links)) => {
                let part = |shown: usize, more: u64| 1 + shown.max(1) + usize::from(more > 0);
                1 + part(links.sessions.len(), links.more_sessions) + part(links.accounts.len(), links.more_accounts)
            }
            _ => 2,
        }
    }

    /// The line of entry `index` within the list.
    fn line_of(&self, index: usize) -> usize {
        let Some(Ok(links)) = &self.loaded else { return 0 };
        let sessions = links.sessions.len();
        if index < sessions {
            2 + index
        } else {
            2 + sessions.max(1) + usize::from(links.more_sessions > 0) + 1 + (index - sessions)
        }
    }

    /// The row entry `index` stands for, in its table.
    fn target(&self, index: usize) -> Option<RowTarget> {
        let Some(Ok(links)) = &self.loaded else { return None };
        let ((table, column), id) = match links.sessions.get(index) {
            Some(session) => (&links.session_table, &session.id),
            None => (&links.account_table, &links.accounts.get(index - links.sessions.len())?.id),
        };
        Some(RowTarget {
            table: table.clone(),
            columns: vec![column.clone()],
            values: vec![Value::Text(id.clone())],
            origin: RelationOrigin::Declared,
            exists: true,
        })
    }
}

impl App {
    /// The links of the user whose detail is open, if the detail shows a user.
    pub fn detail_links(&self) -> Option<&DetailLinks> {
        let links = self.users.links.as_ref()?;
        let tab = self.grid_tab()?;
        let table = self.user_table_of(tab)?;
        let id = tab.window.selected_row()?.values.get(table.id_column)?;
        (matches!(self.overlay, Overlay::Detail { .. }) && *id == links.user_id).then_some(links)
    }

    /// When the detail opens on a user row: asks the worker for their sessions and accounts.
    pub(super) fn request_user_links(&mut self) -> Vec<Effect> {
        self.users.links = None;
        if self.screen != super::Screen::Browser {
            return Vec::new();
        }
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let Some(table) = self.user_table_of(tab) else { return Vec::new() };
        let Some(user_id) = tab.window.selected_row().and_then(|r| r.values.get(table.id_column)).cloned() else {
            return Vec::new();
        };
        let request = UsersRequest::Links { user: user_id.clone(), now: self.ctx.now };
        let (_, effect) = self.request(Worker::Background, super::Waiting::UserLinks, DbRequest::Users(request));
        self.users.links = Some(DetailLinks { user_id, loaded: None, selected: None });
        vec![effect]
    }

    /// Takes the reply to [`App::request_user_links`].
    pub(super) fn on_links_reply(&mut self, reply: DbReply) -> Vec<Effect> {
        // Routed here by the table of pending requests: a reply for links since closed or
        // replaced never gets this far.
        let Some(links) = self.users.links.as_mut() else { return Vec::new() };
        links.loaded = Some(match reply.result {
            Ok(DbResult::Users(UsersResult::Links(found))) => Ok(*found),
            Ok(_) => Err("unexpected reply".into()),
            Err(error) => Err(error.message),
        });
        Vec::new()
    }

    /// ↑↓ and Enter in a user's detail; `None` when the key is not for the list.
    pub(super) fn detail_links_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let links = self.detail_links()?;
        let entries = links.entries();
        if entries == 0 {
            return None;
        }
        let selected = links.selected;
        let next = match (key.code, selected) {
            (KeyCode::Down, None) => Some(0),
            (KeyCode::Down, Some(i)) => Some((i + 1).min(entries - 1)),
            (KeyCode::Up, Some(0)) => None,
            (KeyCode::Up, Some(i)) => Some(i - 1),
            (KeyCode::Enter, Some(i)) => return Some(self.open_link(i)),
            _ => return None,
        };
        if let Some(links) = self.users.links.as_mut() {
            links.selected = next;
        }
        if let Some(index) = next {
            self.scroll_to_link(index);
        }
        Some(Vec::new())
    }

    /// Scrolls the detail so entry `index` is in view.
    fn scroll_to_link(&mut self, index: usize) {
        let Some(links) = self.detail_links() else { return };
        let from_end = links.lines() - links.line_of(index);
        let Overlay::Detail { reveal, scroll, .. } = &self.overlay else { return };
        let visible = usize::from(self.detail_inner().1);
        let total = self.detail_total_lines(*reveal) as usize;
        let line = total.saturating_sub(from_end);
        let current = usize::from(*scroll);
        let wanted = if line < current {
            line
        } else if line >= current + visible {
            line + 1 - visible
        } else {
            current
        };
        let max = usize::from(self.detail_max_scroll(*reveal));
        if let Overlay::Detail { scroll, .. } = &mut self.overlay {
            *scroll = u16::try_from(wanted.min(max)).unwrap_or(u16::MAX);
        }
    }

    /// Enter on entry `index`: opens that session or account in its table.
    fn open_link(&mut self, index: usize) -> Vec<Effect> {
        let Some(target) = self.detail_links().and_then(|l| l.target(index)) else { return Vec::new() };
        self.overlay = Overlay::None;
        self.users.links = None;
        let effects = self.go_to(target);
        if let Some(step) = self.trail.last_mut() {
            step.from_detail = Some(index);
        }
        effects
    }

    /// Backspace after [`App::open_link`]: the detail again, on the entry that was opened.
    pub(super) fn reopen_detail_at(&mut self, entry: usize) -> Vec<Effect> {
        let effects = self.update_browser(super::Action::OpenDetail);
        if let Some(links) = self.users.links.as_mut() {
            links.selected = Some(entry);
        }
        effects
    }

    /// Lines the list adds to the detail (0 when the detail is not a user's).
    pub(super) fn detail_link_lines(&self) -> u32 {
        self.detail_links().map_or(0, |l| l.lines() as u32)
    }
}
