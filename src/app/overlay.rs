//! What opens on top of the grid: help, the table picker, the row detail, the search prompt and
//! the filter bar.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;
use rusqlite::types::Value;

use crate::db::kinds::{ColumnKind, TimeFormat};
use crate::db::labels::{LabelLookup, RowLabel};
use crate::db::page::{Filter, FilterOp};
use crate::db::relations::ReferencingGroup;
use crate::db::value::parse_value;

use super::input::{field_text, text_input};
use super::keymap::{DETAIL_KEYS, DetailKey, ListKey, PICKER_KEYS, SCROLL_KEYS, ScrollKey, lookup};
use super::popup_keys::{PromptKey, SEARCH_KEYS};
use super::{Action, App, DbReply, DbRequest, DbResult, EditPopup, Effect, Level, Worker};

/// The popup or prompt on top of the grid.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    /// The keys of the current screen, scrolled this many lines; opened with `?` over a popup,
    /// that popup's keys, and closing goes back to it.
    Help {
        scroll: u16,
        over: Option<Box<Overlay>>,
    },
    /// The messages of this session, newest first, wrapped so each reads whole.
    Messages {
        scroll: u16,
    },
    Picker(Picker),
    Detail {
        reveal: bool,
        labels: Vec<Option<RowLabel>>,
        scroll: u16,
    },
    Search {
        input: TextArea<'static>,
    },
    Filter(super::FilterForm),
    /// `gr`: the rows of other tables that point at the selected row.
    References {
        groups: Vec<ReferencingGroup>,
        selected: usize,
        /// The counts are still being read (the popup opens at once, and fills when they arrive).
        loading: bool,
    },
    /// Editing: a cell, a new row, a delete, the review of staged changes, a conflict.
    Edit(EditPopup),
    /// The user action menu and its forms.
    User(Box<super::UserPanel>),
    /// The export prompt (`x`): format, path, secrets.
    Export(Box<super::ExportPrompt>),
    /// The column chooser (`c`).
    Columns(super::ColumnChooser),
    /// Picking a foreign key's row by its label, over the editor it fills in.
    RefPick(Box<super::RefPicker>),
    /// A question with the preview of exactly what runs on yes.
    Confirm(Box<super::Confirmation>),
}

/// The fuzzy table picker.
#[derive(Debug, Clone)]
pub struct Picker {
    pub query: TextArea<'static>,
    /// Tab indexes matching the query, best first.
    pub matches: Vec<usize>,
    pub selected: usize,
}

impl App {
    pub(super) fn open_overlay(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::OpenHelp => self.overlay = Overlay::Help { scroll: 0, over: None },
            Action::OpenMessages => self.overlay = Overlay::Messages { scroll: 0 },
            Action::OpenPicker => {
                let matches = (0..self.tabs.len()).collect();
                self.overlay = Overlay::Picker(Picker { query: text_input(""), matches, selected: 0 });
            }
            Action::OpenSearch => {
                let current = self.active_tab().and_then(|t| t.spec.search.clone()).unwrap_or_default();
                self.overlay = Overlay::Search { input: text_input(&current) };
            }
            Action::OpenFilter => self.open_filter(),
            Action::OpenDetail => return self.open_detail(),
            _ => {}
        }
        Vec::new()
    }

    fn open_detail(&mut self) -> Vec<Effect> {
        let Some(tab) = self.grid_tab() else { return Vec::new() };
        let (Some(meta), Some(row)) = (tab.meta(), tab.window.selected_row()) else { return Vec::new() };
        let lookups: Vec<(usize, LabelLookup)> = meta
            .kinds
            .iter()
            .zip(&row.values)
            .enumerate()
            .filter_map(|(i, (kind, value))| match (kind, value) {
                (_, Value::Null) => None,
                (ColumnKind::ForeignKey { table, column }, value) => {
                    Some((i, LabelLookup { table: table.clone(), column: column.clone(), value: value.clone() }))
                }
                _ => None,
            })
            .collect();
        let columns = meta.info.columns.len();
        let mut effects = Vec::new();
        // Labels still on their way were another row's: this detail must not show them.
        self.pending.forget(&super::Waiting::DetailLabels { columns: Vec::new() });
        if !lookups.is_empty() {
            let request = DbRequest::Labels { lookups: lookups.iter().map(|(_, l)| l.clone()).collect() };
            let waiting = super::Waiting::DetailLabels { columns: lookups.into_iter().map(|(i, _)| i).collect() };
            let (_, effect) = self.request(Worker::Foreground, waiting, request);
            effects.push(effect);
        }
        self.overlay = Overlay::Detail { reveal: false, labels: vec![None; columns], scroll: 0 };
        effects.extend(self.request_user_links());
        effects
    }

    /// The labels of the open row detail's foreign keys `columns` (the detail that asked: opening
    /// another lets go of the request). `None` when no detail is open.
    pub(super) fn on_detail_labels(&mut self, columns: &[usize], reply: &DbReply) -> Option<Vec<Effect>> {
        let Overlay::Detail { labels, .. } = &mut self.overlay else { return None };
        if let Ok(DbResult::Labels(found)) = &reply.result {
            for (column, label) in columns.iter().zip(found) {
                if let Some(slot) = labels.get_mut(*column) {
                    slot.clone_from(label);
                }
            }
        }
        Some(Vec::new())
    }

    pub(super) fn update_overlay(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Cancel => {
                self.overlay = Overlay::None;
                Vec::new()
            }
            Action::ToggleReveal => {
                if let Overlay::Detail { reveal, .. } = &mut self.overlay {
                    *reveal = !*reveal;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn overlay_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            return self.update(Action::Quit);
        }
        // `?` over a popup whose keys do not type shows that popup's keys (from its table); in a
        // form F1 does, and `?` only on a choice (in a text field it is a character).
        let question = key.code == KeyCode::Char('?') && (key.modifiers - KeyModifiers::SHIFT).is_empty();
        let asks = match super::help::popup_form(&self.overlay) {
            Some(form) => form.asks_help(&key),
            None => question || key.code == KeyCode::F(1),
        };
        if asks && super::help::popup_sections(&self.overlay).is_some() {
            let over = std::mem::take(&mut self.overlay);
            self.overlay = Overlay::Help { scroll: 0, over: Some(Box::new(over)) };
            return Vec::new();
        }
        match &mut self.overlay {
            Overlay::None => Vec::new(),
            Overlay::Help { scroll, over } => {
                match lookup(SCROLL_KEYS, &key) {
                    Some(ScrollKey::Lines(lines)) if lines < 0 => *scroll = scroll.saturating_sub(lines.unsigned_abs()),
                    Some(ScrollKey::Lines(lines)) => *scroll = scroll.saturating_add(lines.unsigned_abs()),
                    // Back to the popup help was opened over, if any.
                    None => self.overlay = over.take().map(|over| *over).unwrap_or_default(),
                }
                // Help stops where its last line reaches the bottom of its popup.
                let last = super::help::help_last_scroll(self);
                if let Overlay::Help { scroll, .. } = &mut self.overlay {
                    *scroll = (*scroll).min(last);
                }
                Vec::new()
            }
            Overlay::Messages { scroll } => {
                match lookup(SCROLL_KEYS, &key) {
                    Some(ScrollKey::Lines(lines)) if lines < 0 => *scroll = scroll.saturating_sub(lines.unsigned_abs()),
                    Some(ScrollKey::Lines(lines)) => *scroll = scroll.saturating_add(lines.unsigned_abs()),
                    None => self.overlay = Overlay::None,
                }
                // End stops near the last message (the draw stops at it exactly), so ↑ answers
                // at once: each message takes its wrapped lines at the popup's inner width.
                let inner = self.width.saturating_sub(4).min(110).saturating_sub(2).max(1);
                let last: u16 =
                    self.messages.iter().map(|m| (super::layout::text_width(&m.text) + 2) / inner + 1).sum();
                if let Overlay::Messages { scroll } = &mut self.overlay {
                    *scroll = (*scroll).min(last);
                }
                Vec::new()
            }
            Overlay::Detail { reveal, .. } => {
                let reveal = *reveal;
                // A user's list of sessions and accounts takes ↑ ↓ and Enter first.
                if let Some(effects) = self.detail_links_key(key) {
                    return effects;
                }
                match lookup(DETAIL_KEYS, &key) {
                    Some(DetailKey::Reveal) => self.update_overlay(Action::ToggleReveal),
                    Some(DetailKey::CopyCell) => self.copy_cell(reveal),
                    Some(DetailKey::CopyRow) => self.copy_row(reveal),
                    Some(DetailKey::UserMenu) if self.screen == super::Screen::Browser => self.open_user_menu(),
                    Some(DetailKey::UserMenu) => Vec::new(),
                    Some(DetailKey::Review) => self.review_staged(),
                    Some(DetailKey::Scroll(lines)) => self.detail_scroll(lines),
                    Some(DetailKey::Close) => self.update_overlay(Action::Cancel),
                    None => Vec::new(),
                }
            }
            Overlay::Search { input } => match lookup(SEARCH_KEYS, &key) {
                Some(PromptKey::Cancel) => self.update_overlay(Action::Cancel),
                Some(PromptKey::Submit) => {
                    let text = field_text(input).trim().to_string();
                    self.overlay = Overlay::None;
                    if let Some(tab) = self.active_tab_mut() {
                        tab.spec.search = (!text.is_empty()).then(|| text.clone());
                    }
                    let message = if text.is_empty() { "search cleared".into() } else { searching_message(&text) };
                    self.say(Level::Info, message);
                    self.reload_or_ask()
                }
                None => {
                    super::input::type_key(input, key);
                    Vec::new()
                }
            },
            Overlay::Picker(_) => self.picker_key(key),
            Overlay::Export(_) => self.export_prompt_key(key),
            Overlay::Filter(_) => self.filter_key(key),
            Overlay::References { .. } => self.references_key(key),
            Overlay::Edit(_) => self.edit_key(key),
            Overlay::User(_) => self.user_panel_key(key),
            Overlay::Columns(_) => self.chooser_key(key),
            Overlay::RefPick(_) => self.ref_picker_key(key),
            Overlay::Confirm(_) => self.confirmation_key(key),
        }
    }

    /// Runs `handle` with the popup help was opened over back in place, so what is meant for
    /// that popup (a detail's labels, a user action's preview) lands in it; help stays open
    /// over it unless `handle` closed or replaced it.
    pub(super) fn beneath_help(&mut self, handle: impl FnOnce(&mut App) -> Vec<Effect>) -> Vec<Effect> {
        if !matches!(&self.overlay, Overlay::Help { over: Some(_), .. }) {
            return handle(self);
        }
        let Overlay::Help { scroll, over: Some(over) } = std::mem::take(&mut self.overlay) else { return handle(self) };
        let kind = std::mem::discriminant(over.as_ref());
        self.overlay = *over;
        let effects = handle(self);
        if std::mem::discriminant(&self.overlay) == kind {
            let over = std::mem::take(&mut self.overlay);
            self.overlay = Overlay::Help { scroll, over: Some(Box::new(over)) };
        }
        effects
    }

    fn picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Picker(picker) = &mut self.overlay else { return Vec::new() };
        match lookup(PICKER_KEYS, &key) {
            Some(ListKey::Close) => self.overlay = Overlay::None,
            Some(ListKey::Count) => {} // not a picker key
            Some(ListKey::Move(step)) if step > 0 => {
                picker.selected = (picker.selected + 1).min(picker.matches.len().saturating_sub(1))
            }
            Some(ListKey::Move(_)) => picker.selected = picker.selected.saturating_sub(1),
            Some(ListKey::Open) => {
                let chosen = picker.matches.get(picker.selected).copied();
                self.overlay = Overlay::None;
                if let Some(index) = chosen {
                    // Switching tabs is the screen's job, not the grid's (the grid ignores it).
                    return self.update_screen(Action::SelectTab { index });
                }
            }
            None => {
                super::input::type_key(&mut picker.query, key);
                let query = field_text(&picker.query);
                let matcher = SkimMatcherV2::default();
                let mut scored: Vec<(i64, usize)> = self
                    .tabs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, tab)| matcher.fuzzy_match(&tab.name, &query).map(|score| (score, i)))
                    .collect();
                scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                picker.matches = scored.into_iter().map(|(_, i)| i).collect();
                picker.selected = 0;
            }
        }
        Vec::new()
    }
}

/// Reads the typed value(s) for a filter by the column's kind, so `banned = true`,
/// `role = admin` and `createdAt > 2026-01-01` mean what a person means.
pub fn filter_values(
    op: FilterOp,
    text: &str,
    kind: &ColumnKind,
    ctx: &crate::db::value::DisplayContext,
) -> Result<Vec<Value>, String> {
    // A mixed column's rows are compared as milliseconds, the convention most of them use.
    let kind = match kind {
        ColumnKind::Timestamp { format: TimeFormat::Mixed } => &ColumnKind::Timestamp { format: TimeFormat::Millis },
        other => other,
    };
    match op {
        FilterOp::IsNull | FilterOp::IsNotNull => Ok(Vec::new()),
        FilterOp::Contains | FilterOp::StartsWith | FilterOp::Has => Ok(vec![Value::Text(text.to_string())]),
        FilterOp::In => text.split(',').map(|part| parse_value(part.trim(), kind, ctx)).collect(),
        _ => parse_value(text, kind, ctx).map(|v| vec![v]),
    }
}

/// `role = admin`, `banned is null`, `createdAt > 2026-01-01 00:00 (331d ago)`, `id in (a, b)`.
pub fn describe_filter(filter: &Filter, kind: &ColumnKind, ctx: &crate::db::value::DisplayContext) -> String {
    let values: Vec<String> = filter.values.iter().map(|v| crate::db::value::display_value(v, kind, ctx)).collect();
    if let Some(text) = super::status_filter::status_filter_text(filter) {
        return text;
    }
    if let FilterOp::Within { .. } = filter.op {
        return super::filter_time::describe_within(filter, ctx);
    }
    match filter.op {
        FilterOp::IsNull | FilterOp::IsNotNull => format!("{} {}", filter.column, filter.op.label()),
        FilterOp::In => format!("{} in ({})", filter.column, values.join(", ")),
        op => format!("{} {} {}", filter.column, op.label(), values.join("")),
    }
}

/// The status line while a search runs; replaced by its outcome when the rows arrive.
pub(super) fn searching_message(text: &str) -> String {
    format!("searching for {text:?}…")
}
