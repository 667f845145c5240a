//! The ER screen: the live schema as boxes and lines; arrows move between boxes, Enter opens the
//! selected table, `c` switches between full and compact detail.

use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use crate::er::Detail;

use super::keymap::ErKey;
use super::layout::areas;
use super::{
    Action, App, DbReply, DbRequest, DbResult, Effect, ErView, Level, Load, ReplyError, Screen, Waiting, Worker,
};

/// State of the ER screen.
#[derive(Debug, Clone, Default)]
pub struct ErScreen {
    pub view: Option<Load<Box<ErView>>>,
    pub compact: bool,
    /// Index of the selected box.
    pub selected: usize,
    /// Top-left canvas cell on screen.
    pub scroll: (usize, usize),
}

impl ErScreen {
    pub fn view(&self) -> Option<&ErView> {
        match &self.view {
            Some(Load::Loaded(view)) => Some(view),
            _ => None,
        }
    }

    fn detail(&self) -> Detail {
        if self.compact { Detail::Compact } else { Detail::Full }
    }
}

impl App {
    pub(super) fn open_er(&mut self) -> Vec<Effect> {
        // The status line is the diagram's own from here: a message left by another tab (an
        // error, a filter's description) would read as if it were about the diagram.
        self.say_er_status();
        if self.pending.awaits(&Waiting::Er) || self.er.view.is_some() {
            return Vec::new();
        }
        self.reload_er()
    }

    /// What the diagram shows and its keys, or that it is being read.
    fn er_status_text(&self) -> String {
        match self.er.view() {
            Some(view) => format!(
                "ER diagram: {}, {} · arrows select · Enter opens · c compact/full",
                crate::present::plural(view.model.tables.len() as u64, "table"),
                crate::present::plural(view.model.relations.len() as u64, "relation"),
            ),
            None => "reading the schema for the diagram…".to_string(),
        }
    }

    fn say_er_status(&mut self) {
        let text = self.er_status_text();
        self.say(Level::Info, text);
    }

    /// Leaving the diagram: its own status goes with it, so it does not read as the next tab's
    /// (a message the user still has to see, such as an error, stays).
    pub(super) fn leave_er(&mut self) {
        let own = [self.er_status_text(), "reading the schema for the diagram…".to_string()];
        if self.status.as_ref().is_some_and(|s| own.contains(&s.text)) {
            self.status = None;
        }
    }

    /// The diagram shows the tables the tab bar lists: read it again when that list changes.
    pub(super) fn er_after_tables_changed(&mut self) -> Vec<Effect> {
        if self.er.view.is_none() {
            return Vec::new();
        }
        self.reload_er()
    }

    fn reload_er(&mut self) -> Vec<Effect> {
        let request = DbRequest::Er { include_internal: self.show_internal, detail: self.er.detail() };
        // Row counts scan tables: the background worker does it, pages never wait behind it.
        let (_, effect) = self.request(Worker::Background, Waiting::Er, request);
        if self.er.view.is_none() {
            self.er.view = Some(Load::Loading);
        }
        vec![effect]
    }

    pub(super) fn on_er_reply(&mut self, reply: DbReply) -> Vec<Effect> {
        match reply.result {
            Ok(DbResult::Er(view)) => {
                let selected =
                    self.er.view().and_then(|old| old.diagram.boxes.get(self.er.selected)).map(|b| b.table.clone());
                self.er.selected = selected.and_then(|name| view.diagram.box_of(&name)).unwrap_or(0);
                let first = self.er.view().is_none();
                self.er.view = Some(Load::Loaded(view));
                if self.screen == Screen::Er && first {
                    self.say_er_status();
                }
                if first {
                    // A new diagram opens at its top-left, where the layout puts whole boxes:
                    // scrolling to a tall selected box would cut the boxes above it.
                    self.er.scroll = (0, 0);
                } else {
                    self.scroll_er_to_selection();
                }
            }
            Ok(_) => {}
            Err(_) if self.screen != Screen::Er => {
                // The diagram is not shown: its error would land on an unrelated screen (a lock
                // held elsewhere fails it while the grid is in use). It is read again when opened.
                if !matches!(self.er.view, Some(Load::Loaded(_))) {
                    self.er.view = None;
                }
            }
            Err(ReplyError { message, .. }) => {
                self.say(Level::Error, crate::present::cause_first("reading the schema", &message));
                if self.er.view().is_none() {
                    self.er.view = Some(Load::Failed(message));
                }
            }
        }
        Vec::new()
    }

    fn er_viewport(&self) -> (usize, usize) {
        let area = areas(self);
        // Less the legend's lines (see `ui::er`).
        let legend = crate::er::legend_rows(usize::from(area.grid.width)).len();
        (area.grid.width as usize, usize::from(area.header.height + area.grid.height).saturating_sub(legend))
    }

    fn scroll_er_to_selection(&mut self) {
        let (width, height) = self.er_viewport();
        let Some(rect) = self.er.view().and_then(|v| v.diagram.boxes.get(self.er.selected)).map(|b| b.rect) else {
            return;
        };
        let (mut x, mut y) = self.er.scroll;
        if rect.x < x || rect.right() > x + width {
            x = rect.x.saturating_sub(2);
        }
        if rect.y < y || rect.bottom() > y + height {
            y = rect.y.saturating_sub(1);
        }
        self.er.scroll = (x, y);
    }

    pub(super) fn er_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(command) = super::keymap::lookup(super::keymap::ER_KEYS, &key) else {
            return match super::keymap::screen_action(&key) {
                Some(action) => self.update(action),
                None => Vec::new(),
            };
        };
        match command {
            ErKey::Select(direction) => {
                if let Some(next) = self.er.view().and_then(|v| v.diagram.neighbour(self.er.selected, direction)) {
                    self.er.selected = next;
                    self.scroll_er_to_selection();
                }
                Vec::new()
            }
            ErKey::Open => self.open_selected_box(),
            ErKey::ToggleInternal => self.update(Action::ToggleInternal),
            ErKey::Compact => {
                self.er.compact = !self.er.compact;
                let detail = if self.er.compact { "compact" } else { "full" };
                self.say(Level::Info, format!("{detail} detail"));
                self.relayout_er()
            }
            ErKey::Reread => self.reload_er(),
            ErKey::Scroll { dx, dy } => self.scroll_er(dx, dy),
        }
    }

    fn relayout_er(&mut self) -> Vec<Effect> {
        let Some(view) = self.er.view() else { return Vec::new() };
        let request = DbRequest::ErLayout { model: Box::new(view.model.clone()), detail: self.er.detail() };
        let (_, effect) = self.request(Worker::Background, Waiting::Er, request);
        vec![effect]
    }

    fn scroll_er(&mut self, dx: i64, dy: i64) -> Vec<Effect> {
        let (width, height) = self.er.view().map_or((0, 0), |v| (v.diagram.canvas.width(), v.diagram.canvas.height()));
        let (x, y) = self.er.scroll;
        self.er.scroll = (
            (x as i64 + dx).clamp(0, width.saturating_sub(1) as i64) as usize,
            (y as i64 + dy).clamp(0, height.saturating_sub(1) as i64) as usize,
        );
        Vec::new()
    }

    fn open_selected_box(&mut self) -> Vec<Effect> {
        let Some(table) = self.er.view().and_then(|v| v.diagram.boxes.get(self.er.selected)).map(|b| b.table.clone())
        else {
            return Vec::new();
        };
        match self.tabs.iter().position(|t| t.name == table) {
            Some(index) => self.update(Action::SelectTab { index }),
            None => {
                self.say(Level::Warning, format!("{table} is hidden: press i on a table tab to show internal tables"));
                Vec::new()
            }
        }
    }

    pub(super) fn er_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        let top = areas(self).header.y as usize;
        match mouse.kind {
            MouseEventKind::ScrollDown => self.scroll_er(0, 3),
            MouseEventKind::ScrollUp => self.scroll_er(0, -3),
            MouseEventKind::Down(MouseButton::Left) => {
                let (sx, sy) = self.er.scroll;
                let x = sx + mouse.column as usize;
                let Some(y) = (mouse.row as usize).checked_sub(top).map(|row| sy + row) else { return Vec::new() };
                let hit = self.er.view().and_then(|v| v.diagram.box_at(x, y));
                match hit {
                    Some(index) if index == self.er.selected => self.open_selected_box(),
                    Some(index) => {
                        self.er.selected = index;
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }
}
