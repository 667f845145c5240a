//! The conditions already on, listed in the filter form (its fourth field while there are
//! some): any one of them removed (Backspace / Delete) or taken back into the fields to edit
//! (Enter), not only the last; each removal said on the status line with what is left.

use crate::db::kinds::ColumnKind;
use crate::db::page::{Filter, FilterOp};
use crate::db::value::{edit_text, raw_text};

use super::filter_form::FilterField;
use super::form::Field;
use super::input::text_input;
use super::overlay::describe_filter;
use super::{App, Effect, Level, Overlay};

impl App {
    /// How filter `filter` of the active tab reads (`role = admin`).
    fn shown_filter(&self, filter: &Filter) -> String {
        describe_filter(filter, &self.filter_kind(&filter.column), &self.ctx)
    }

    fn filter_kind(&self, column: &str) -> ColumnKind {
        let meta = self.active_tab().and_then(|t| t.meta());
        meta.and_then(|m| m.info.columns.iter().position(|c| c.name == column).and_then(|i| m.kinds.get(i)))
            .cloned()
            .unwrap_or(ColumnKind::Text)
    }

    /// Lists the tab's conditions in the form's fourth field (none: no such field), `chosen`
    /// chosen (default: the last, the one just added).
    pub(super) fn refresh_filter_stack(&mut self, chosen: Option<usize>) {
        let filters = self.active_tab().map(|t| t.spec.filters.clone()).unwrap_or_default();
        let shown: Vec<String> = filters.iter().map(|f| self.shown_filter(f)).collect();
        let Overlay::Filter(bar) = &mut self.overlay else { return };
        let at = FilterField::Stack as usize;
        if shown.is_empty() {
            bar.form.fields.truncate(at);
            if bar.form.focus >= at {
                bar.set_field(FilterField::Column);
            }
            return;
        }
        let last = shown.len() - 1;
        let field = Field::choice(shown, chosen.unwrap_or(last));
        match bar.form.fields.get_mut(at) {
            Some(stack) => *stack = field,
            None => bar.form.fields.push(field),
        }
    }

    /// Removes condition `index` (`None`: the last), saying which and what is left.
    pub(super) fn remove_filter(&mut self, index: Option<usize>) -> Vec<Effect> {
        let Some(tab) = self.active_tab_mut() else { return Vec::new() };
        let Some(at) = index.or(tab.spec.filters.len().checked_sub(1)).filter(|i| *i < tab.spec.filters.len()) else {
            self.say(Level::Info, "no filter to remove");
            return Vec::new();
        };
        let filter = tab.spec.filters.remove(at);
        let left = tab.spec.filters.len();
        let shown = self.shown_filter(&filter);
        let rest = match left {
            0 => "no filters left".to_string(),
            1 => "1 filter left".to_string(),
            n => format!("{n} filters left"),
        };
        self.say(Level::Info, format!("filter removed: {shown} ({rest})"));
        self.refresh_filter_stack(Some(at.min(left.saturating_sub(1))));
        self.reload_rows()
    }

    /// Takes condition `index` off and back into the fields, to change and add again.
    pub(super) fn edit_filter(&mut self, index: usize) -> Vec<Effect> {
        let Some(filter) = self.active_tab().and_then(|t| t.spec.filters.get(index)).cloned() else {
            return Vec::new();
        };
        let kind = self.filter_kind(&filter.column);
        let (op, text) = self.filter_as_typed(&filter, &kind);
        let column = match filter.op {
            FilterOp::Status(condition) => {
                self.filter_columns().into_iter().find(|c| self.filter_ops(*c).contains(&FilterOp::Status(condition)))
            }
            _ => self
                .active_tab()
                .and_then(|t| t.meta())
                .and_then(|m| m.info.columns.iter().position(|c| c.name == filter.column)),
        };
        let Some(column) = column else { return Vec::new() };
        self.filter_choose_column(column);
        let ops = self.filter_ops(column);
        let shown = self.shown_filter(&filter);
        if let Some(tab) = self.active_tab_mut() {
            tab.spec.filters.remove(index);
        }
        let Overlay::Filter(bar) = &mut self.overlay else { return Vec::new() };
        if let Some(at) = ops.iter().position(|o| *o == op) {
            bar.form.choose(FilterField::Operator as usize, at);
        }
        let value = FilterField::Value as usize;
        match bar.form.fields.get_mut(value) {
            Some(Field::Text(input)) => *input = text_input(&text),
            Some(Field::Choice { .. }) => bar.form.choose(value, usize::from(text != "true")),
            None => {}
        }
        bar.typed_from = None;
        bar.form.error = None;
        bar.set_field(if op.takes_value() { FilterField::Value } else { FilterField::Operator });
        self.say(Level::Info, format!("editing filter {shown}: Enter adds it back, Esc drops it"));
        self.refresh_filter_stack(Some(index.saturating_sub(1)));
        self.reload_rows()
    }

    /// The operator and value text the form would take to make `filter` again.
    fn filter_as_typed(&self, filter: &Filter, kind: &ColumnKind) -> (FilterOp, String) {
        let typed = |value: &rusqlite::types::Value| -> String {
            match (value, kind) {
                (rusqlite::types::Value::Integer(n), ColumnKind::Boolean) => {
                    (if *n != 0 { "true" } else { "false" }).into()
                }
                (
                    value,
                    ColumnKind::Text
                    | ColumnKind::Enum { .. }
                    | ColumnKind::Id
                    | ColumnKind::ForeignKey { .. }
                    | ColumnKind::Secret,
                ) => raw_text(value),
                (value, kind) => edit_text(value, kind, &self.ctx),
            }
        };
        match filter.op {
            FilterOp::Within { .. } => super::filter_time::within_text(filter, &self.ctx),
            op => (op, filter.values.iter().map(typed).collect::<Vec<String>>().join(", ")),
        }
    }
}
