//! The filter form (`f`, drawn by `ui::filter`): one [`Form`] of three fields, a choice of
//! column (in the order the grid shows them), a choice of operator (those that make sense for the
//! column's kind) and the typed value. Its keys are `keymap::FILTER_KEYS`, consulted through the form's one key path.

use ratatui::crossterm::event::{KeyEvent, KeyModifiers};

use crate::db::kinds::ColumnKind;
use crate::db::page::{Filter, FilterOp};
use crate::db::users::UserCondition;

use super::form::{Field, Form, FormCommand, FormKey, Outcome};
use super::input::text_input;
use super::keymap::{FILTER_KEYS, FilterKey};
use super::overlay::{describe_filter, filter_values};
use super::{App, Effect, Level, Overlay};

/// Which part of the filter bar has the keyboard ([`Form`] indexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    Column = 0,
    Operator = 1,
    Value = 2,
    /// The conditions already on (only while there are some): ← → choose one, Backspace or
    /// Delete removes it, Enter takes it back into the fields to edit.
    Stack = 3,
}

/// The filter bar being filled in.
#[derive(Debug, Clone)]
pub struct FilterForm {
    /// Column and operator (choices) and the value (text), and why the last Enter was refused.
    pub form: Form,
    /// What the column choice's options are: the table's columns by schema index, in the grid's
    /// order (hidden ones after), then the user table's computed ones (index: column count + i).
    pub columns: Vec<usize>,
    /// The field typing jumped from to the value (typing on the column or operator goes to the
    /// value): erasing the value back to empty returns there, so the arrows act on it again.
    pub typed_from: Option<FilterField>,
}

impl FilterForm {
    /// The chosen column (schema index; computed columns after the table's).
    pub fn column(&self) -> usize {
        self.columns.get(self.form.chosen(FilterField::Column as usize)).copied().unwrap_or(0)
    }

    /// The chosen operator, an index into the column's operators ([`App::filter_ops`]).
    pub fn op(&self) -> usize {
        self.form.chosen(FilterField::Operator as usize)
    }

    /// The field with the keyboard.
    pub fn field(&self) -> FilterField {
        match self.form.focus {
            0 => FilterField::Column,
            1 => FilterField::Operator,
            3 => FilterField::Stack,
            _ => FilterField::Value,
        }
    }

    pub fn set_field(&mut self, field: FilterField) {
        self.form.focus_on(field as usize);
    }

    /// The typed value.
    pub fn value(&self) -> String {
        self.form.text(FilterField::Value as usize)
    }

    fn clear_value(&mut self) {
        if let Some(input) = self.form.input_mut(FilterField::Value as usize) {
            *input = text_input("");
        }
    }
}

impl FormCommand for FilterKey {
    fn as_form(self) -> Option<FormKey> {
        match self {
            FilterKey::Next => Some(FormKey::Next),
            FilterKey::Previous => Some(FormKey::Previous),
            FilterKey::Change(step) => Some(FormKey::Cycle(step)),
            FilterKey::Add | FilterKey::RemoveLast | FilterKey::PickReference | FilterKey::Close => None,
        }
    }
}

/// The operators that make sense on a column of `kind`: no `<` or `contains` on a boolean, no
/// `contains` on a number or a date, no `<` on text.
pub fn ops_for(kind: &ColumnKind) -> &'static [FilterOp] {
    use FilterOp::*;
    match kind {
        ColumnKind::Boolean => &[Eq, Ne, IsNull, IsNotNull],
        ColumnKind::Integer | ColumnKind::Real | ColumnKind::Timestamp { .. } => {
            &[Eq, Ne, Lt, Gt, IsNull, IsNotNull, In]
        }
        ColumnKind::Id | ColumnKind::ForeignKey { .. } => &[Eq, Ne, Contains, StartsWith, IsNull, IsNotNull, In],
        ColumnKind::Blob => &[IsNull, IsNotNull],
        ColumnKind::Text | ColumnKind::Enum { .. } | ColumnKind::Json | ColumnKind::Secret => {
            &[Eq, Ne, Contains, StartsWith, IsNull, IsNotNull, In]
        }
    }
}

/// Whether column `name` of `kind` holds comma-joined lists, where `has` (one item of the list)
/// means something: a role column (better-auth joins roles with commas), or an enum whose
/// values hold commas. Never a secret, nor plain text.
pub(super) fn holds_lists(name: &str, kind: &ColumnKind) -> bool {
    let role = crate::db::kinds::name_words(name).last().is_some_and(|w| w.starts_with("role"));
    match kind {
        ColumnKind::Enum { values } => role || values.iter().any(|v| v.contains(',')),
        ColumnKind::Text => role,
        _ => false,
    }
}

impl App {
    /// The filter bar's columns in the grid's order (the column chooser's: hidden ones where
    /// they would be), the user table's computed columns among them.
    pub(super) fn filter_columns(&self) -> Vec<usize> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let count = tab.column_count();
        let names: Vec<&str> =
            tab.meta().map_or(Vec::new(), |m| m.info.columns.iter().map(|c| c.name.as_str()).collect());
        let users = self.user_table_of(tab).is_some();
        // The computed columns where the grid shows them (`@status`, `@sessions`).
        let computed = |key: &str| {
            let name = key.strip_prefix('@').filter(|_| users)?;
            UserCondition::COLUMNS.iter().position(|(n, _)| *n == name).map(|i| count + i)
        };
        let mut columns: Vec<usize> = self
            .chooser_entries()
            .iter()
            .filter_map(|entry| names.iter().position(|n| *n == entry.key).or_else(|| computed(&entry.key)))
            .collect();
        let computed_all = (0..UserCondition::COLUMNS.len()).filter(|_| users).map(|i| count + i);
        for i in (0..count).chain(computed_all) {
            if !columns.contains(&i) {
                columns.push(i);
            }
        }
        columns
    }

    /// The operators column `column` offers (a computed column: its conditions).
    pub fn filter_ops(&self, column: usize) -> Vec<FilterOp> {
        let Some(tab) = self.active_tab() else { return Vec::new() };
        let count = tab.column_count();
        if let Some(i) = column.checked_sub(count) {
            return UserCondition::COLUMNS
                .get(i)
                .map_or(Vec::new(), |(_, conditions)| conditions.iter().map(|c| FilterOp::Status(*c)).collect());
        }
        let kind = tab.meta().and_then(|m| m.kinds.get(column)).unwrap_or(&ColumnKind::Text);
        let mut ops = ops_for(kind).to_vec();
        let name = tab.meta().and_then(|m| m.info.columns.get(column)).map_or("", |c| c.name.as_str());
        if holds_lists(name, kind) {
            ops.push(FilterOp::Has);
        }
        ops
    }

    /// The name a filter column shows.
    fn filter_column_name(&self, column: usize) -> String {
        let Some(tab) = self.active_tab() else { return String::new() };
        let count = tab.column_count();
        match column.checked_sub(count) {
            Some(i) => UserCondition::COLUMNS.get(i).map_or("?".into(), |(name, _)| name.to_string()),
            None => tab.meta().and_then(|m| m.info.columns.get(column)).map_or("?".into(), |c| c.name.clone()),
        }
    }

    /// Opens the filter bar on the selected column.
    pub(super) fn open_filter(&mut self) {
        let Some(tab) = self.active_tab().filter(|t| t.meta().is_some()) else { return };
        let selected = tab.selected_col;
        let columns = self.filter_columns();
        let names = columns.iter().map(|c| self.filter_column_name(*c)).collect();
        let at = columns.iter().position(|c| *c == selected).unwrap_or(0);
        let form = Form::of(vec![Field::choice(names, at), Field::choice(Vec::new(), 0), Field::Text(text_input(""))]);
        // Column first, as help reads; typing a value goes straight to the value field.
        self.overlay = Overlay::Filter(FilterForm { form, columns, typed_from: None });
        self.refresh_filter_ops(None);
        self.refresh_filter_stack(None);
        // The form's popup takes the grid's bottom rows: the row being filtered stays above it.
        let height = super::layout::grid_rows(self);
        if let Some(tab) = self.active_tab_mut() {
            tab.window.keep_visible(height);
        }
    }

    /// Puts the chosen column's operators in the operator field, keeping `keep` when offered,
    /// and makes the value a true / false choice on a boolean column (a text field otherwise).
    fn refresh_filter_ops(&mut self, keep: Option<FilterOp>) {
        let Overlay::Filter(bar) = &self.overlay else { return };
        let column = bar.column();
        let ops = self.filter_ops(column);
        let at = keep.and_then(|op| ops.iter().position(|o| *o == op)).unwrap_or(0);
        let labels = ops.iter().map(|op| op.label().to_string()).collect();
        let boolean = self
            .active_tab()
            .filter(|tab| column < tab.column_count())
            .and_then(|tab| tab.meta())
            .and_then(|m| m.kinds.get(column))
            .is_some_and(|kind| matches!(kind, ColumnKind::Boolean));
        if let Overlay::Filter(bar) = &mut self.overlay {
            if let Some(field) = bar.form.fields.get_mut(FilterField::Operator as usize) {
                *field = Field::choice(labels, at);
            }
            if let Some(value) = bar.form.fields.get_mut(FilterField::Value as usize) {
                match (boolean, &value) {
                    (true, Field::Text(_)) => *value = Field::choice(vec!["true".into(), "false".into()], 0),
                    (false, Field::Choice { .. }) => *value = Field::Text(text_input("")),
                    _ => {}
                }
            }
        }
        self.show_filter_value();
    }

    /// Shows the value field only when the chosen operator takes a value (as `ui::filter`
    /// draws it), so Tab and the arrows skip it under `is null` or a computed condition.
    fn show_filter_value(&mut self) {
        let Overlay::Filter(bar) = &self.overlay else { return };
        let shown = self.filter_form_labels(bar).is_none_or(|labels| labels.takes_value);
        if let Overlay::Filter(bar) = &mut self.overlay {
            bar.form.set_shown(FilterField::Value as usize, shown);
        }
    }

    /// The chosen operator of the open filter bar.
    fn chosen_filter_op(&self) -> Option<FilterOp> {
        let Overlay::Filter(bar) = &self.overlay else { return None };
        self.filter_ops(bar.column()).get(bar.op()).copied()
    }

    /// Chooses column `column` (schema index) in the open filter bar.
    pub fn filter_choose_column(&mut self, column: usize) {
        let keep = self.chosen_filter_op();
        if let Overlay::Filter(bar) = &mut self.overlay
            && let Some(at) = bar.columns.iter().position(|c| *c == column)
            && let Some(Field::Choice { selected: chosen, .. }) = bar.form.fields.get_mut(FilterField::Column as usize)
        {
            *chosen = at;
        }
        self.refresh_filter_ops(keep);
    }

    pub(super) fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let keep = self.chosen_filter_op();
        let Overlay::Filter(bar) = &mut self.overlay else { return Vec::new() };
        let field = bar.field();
        let had_text = !bar.value().is_empty();
        match bar.form.key_with(FILTER_KEYS, key) {
            Outcome::Owner(FilterKey::Close) => self.overlay = Overlay::None,
            Outcome::Owner(FilterKey::PickReference) => {
                return self.open_ref_picker(Some(FilterField::Value as usize));
            }
            Outcome::Owner(FilterKey::Add) if field == FilterField::Stack => {
                let chosen = bar.form.chosen(FilterField::Stack as usize);
                return self.edit_filter(chosen);
            }
            Outcome::Owner(FilterKey::Add) => return self.apply_filter_form(),
            Outcome::Owner(FilterKey::RemoveLast) if field == FilterField::Stack => {
                let chosen = bar.form.chosen(FilterField::Stack as usize);
                return self.remove_filter(Some(chosen));
            }
            // A computed column (`status`, `sessions`) has no value to type: its value is empty,
            // so Backspace on its column or operator removes the last condition as the hint says.
            Outcome::Owner(FilterKey::RemoveLast) if !bar.form.is_shown(FilterField::Value as usize) => {
                return self.remove_filter(None);
            }
            // Only on the value: Backspace on an empty one (or on a true / false choice, which
            // has no text to erase) removes the last condition; on the column or operator it
            // did so unseen.
            Outcome::Owner(FilterKey::RemoveLast) if field == FilterField::Value => {
                let choice = bar.form.input(FilterField::Value as usize).is_none();
                if !had_text || choice {
                    return self.remove_filter(None);
                }
                bar.form.type_key(key);
                back_where_typed_from(bar, had_text);
            }
            Outcome::Owner(_) => {}
            Outcome::Moved => bar.typed_from = None,
            Outcome::Chose if field == FilterField::Column => self.refresh_filter_ops(keep),
            Outcome::Chose => self.show_filter_value(),
            Outcome::Typed => back_where_typed_from(bar, had_text),
            // A letter on the column or operator starts the value (when there is one to type);
            // on a true / false value, Space flips it and a letter of a boolean (t, f, y, n, 1, 0)
            // picks it.
            Outcome::Unbound => {
                if let ratatui::crossterm::event::KeyCode::Char(c) = key.code
                    && bar.form.is_shown(FilterField::Value as usize)
                    && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && field != FilterField::Stack
                {
                    if field != FilterField::Value {
                        bar.typed_from = Some(field);
                        bar.set_field(FilterField::Value);
                    }
                    choose_or_type(bar, key, c, field == FilterField::Value);
                }
            }
        }
        Vec::new()
    }

    fn apply_filter_form(&mut self) -> Vec<Effect> {
        if let Some(effects) = self.apply_status_filter() {
            return effects;
        }
        let Some(op) = self.chosen_filter_op() else { return Vec::new() };
        let Overlay::Filter(bar) = &self.overlay else { return Vec::new() };
        let at = bar.column();
        let text = bar.value();
        let Some(meta) = self.active_tab().and_then(|t| t.meta()) else { return Vec::new() };
        let (Some(column), Some(kind)) = (meta.info.columns.get(at), meta.kinds.get(at)) else {
            return Vec::new();
        };
        // `name =` with nothing typed reads as a filter on the empty string nobody meant.
        if op.takes_value() && text.trim().is_empty() {
            if let Overlay::Filter(bar) = &mut self.overlay {
                bar.form.error = Some("type a value, or use is null".into());
            }
            return Vec::new();
        }
        let made = super::filter_time::time_filter(&column.name, op, &text, kind, &self.ctx).unwrap_or_else(|| {
            filter_values(op, &text, kind, &self.ctx).map(|values| Filter { column: column.name.clone(), op, values })
        });
        match made {
            Ok(filter) => {
                let shown = describe_filter(&filter, kind, &self.ctx);
                if let Some(tab) = self.active_tab_mut() {
                    tab.spec.filters.push(filter);
                }
                if let Overlay::Filter(bar) = &mut self.overlay {
                    bar.clear_value();
                }
                self.refresh_filter_stack(None);
                self.say(Level::Info, format!("filter added: {shown}"));
                self.reload_or_ask()
            }
            Err(reason) => {
                if let Overlay::Filter(bar) = &mut self.overlay {
                    bar.form.error = Some(reason);
                }
                Vec::new()
            }
        }
    }
}

impl App {
    /// The reference picker's row for the filter form: its key is the value, compared whole
    /// (`=`, unless the operator already compares whole values).
    pub(super) fn filter_picked(&mut self, key: &str) {
        let ops = match &self.overlay {
            Overlay::Filter(bar) => self.filter_ops(bar.column()),
            _ => return,
        };
        let Overlay::Filter(bar) = &mut self.overlay else { return };
        let whole = ops.get(bar.op()).is_some_and(|op| matches!(op, FilterOp::Eq | FilterOp::Ne));
        if !whole && let Some(eq) = ops.iter().position(|op| *op == FilterOp::Eq) {
            bar.form.choose(FilterField::Operator as usize, eq);
        }
        if let Some(input) = bar.form.input_mut(FilterField::Value as usize) {
            *input = text_input(key);
        }
        bar.typed_from = None;
        bar.form.error = None;
        bar.set_field(FilterField::Value);
    }
}

/// A character for the value field: typed into text; on a true / false choice, Space (when
/// the value already had the keyboard) flips it and a boolean's letter picks it.
fn choose_or_type(bar: &mut FilterForm, key: KeyEvent, c: char, on_value: bool) {
    let index = FilterField::Value as usize;
    if !matches!(bar.form.fields.get(index), Some(Field::Choice { .. })) {
        bar.form.type_key(key);
        return;
    }
    let chosen = bar.form.chosen(index);
    let pick = match c {
        ' ' if on_value => Some(1 - chosen.min(1)),
        c => crate::db::value::parse_bool(&c.to_string()).ok().map(|b| usize::from(!b)),
    };
    if let Some(option) = pick {
        bar.form.choose(index, option);
        bar.form.error = None;
    }
}

/// The value typed from the column or operator is erased: the keyboard goes back where it was
/// (the bar shows that field selected, and ← → change it again).
fn back_where_typed_from(bar: &mut FilterForm, had_text: bool) {
    if had_text
        && bar.value().is_empty()
        && let Some(from) = bar.typed_from.take()
    {
        bar.set_field(from);
    }
}

#[cfg(test)]
#[path = "tests_filter_form.rs"]
mod tests;
