//! The filter bar on better-auth's user table also offers the computed columns (`status`:
//! banned, ban expired, unverified; `sessions`: has active sessions). They come after the
//! table's own columns; their "operator" is the condition. The clock is the app's.

use rusqlite::types::Value;

use crate::db::page::{Filter, FilterOp};
use crate::db::users::UserCondition;

use super::input::text_input;
use super::{App, Effect, FilterForm, Level, Overlay};

/// What the filter bar shows for its column and operator fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterFormLabels {
    pub column: String,
    /// The column's kind (`computed` for a status column).
    pub kind: String,
    pub op: String,
    pub takes_value: bool,
}

impl App {
    /// The computed column the form's column field is on, with its conditions (user table only).
    fn computed_filter_column(&self, form: &FilterForm) -> Option<(&'static str, &'static [UserCondition])> {
        let tab = self.active_tab()?;
        self.user_table_of(tab)?;
        let real = tab.column_count();
        form.column().checked_sub(real).and_then(|i| UserCondition::COLUMNS.get(i)).copied()
    }

    /// The labels of the filter bar's fields, `None` while the table's columns are not known.
    pub fn filter_form_labels(&self, form: &FilterForm) -> Option<FilterFormLabels> {
        if let Some((column, conditions)) = self.computed_filter_column(form) {
            let condition = conditions[form.op() % conditions.len().max(1)];
            return Some(FilterFormLabels {
                column: column.to_string(),
                kind: "computed".into(),
                op: condition.label().into(),
                takes_value: false,
            });
        }
        let meta = self.active_tab()?.meta()?;
        let op = self.filter_ops(form.column()).get(form.op()).copied();
        Some(FilterFormLabels {
            column: meta.info.columns.get(form.column()).map_or("?".into(), |c| c.name.clone()),
            kind: meta.kinds.get(form.column()).map_or(String::new(), |k| k.label().to_string()),
            op: op.map_or("", FilterOp::label).into(),
            takes_value: op.is_some_and(FilterOp::takes_value),
        })
    }

    /// Enter on a computed column: adds its condition, judged at the app's clock. `None` when
    /// the form is on one of the table's own columns.
    pub(super) fn apply_status_filter(&mut self) -> Option<Vec<Effect>> {
        let Overlay::Filter(form) = &self.overlay else { return None };
        let (column, conditions) = self.computed_filter_column(form)?;
        let condition = conditions[form.op() % conditions.len().max(1)];
        let filter = Filter {
            column: column.to_string(),
            op: FilterOp::Status(condition),
            values: vec![Value::Integer(self.ctx.now.timestamp_millis())],
        };
        let shown = status_filter_text(&filter).unwrap_or_default();
        if let Some(tab) = self.active_tab_mut() {
            tab.spec.filters.push(filter);
        }
        if let Overlay::Filter(form) = &mut self.overlay
            && let Some(input) = form.form.input_mut(super::FilterField::Value as usize)
        {
            *input = text_input("");
        }
        self.say(Level::Info, format!("filter added: {shown}"));
        Some(self.reload_or_ask())
    }
}

/// `status: banned`, `sessions: has active sessions`; `None` for other filters.
pub fn status_filter_text(filter: &Filter) -> Option<String> {
    match filter.op {
        FilterOp::Status(condition) => Some(format!("{}: {}", filter.column, condition.label())),
        _ => None,
    }
}
