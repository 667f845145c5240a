//! Helpers of the editors that read or step typed values: Space on a boolean, ↑ ↓ on an
//! enum, the warning for a value an enum never held.

use ratatui_textarea::TextArea;

use super::input::{field_text, text_input};

/// Roles better-auth's admin plugin defines, known even before any row holds them.
const BETTER_AUTH_ROLES: [&str; 2] = ["admin", "user"];

/// The warning for values of `typed` (comma-joined, as roles are) that `column` never held.
pub(super) fn unknown_enum_warning(column: &str, seen: &[String], typed: &str) -> Option<String> {
    let is_role = crate::db::kinds::name_words(column).concat() == "role";
    let known = |v: &str| seen.iter().any(|s| s == v) || (is_role && BETTER_AUTH_ROLES.contains(&v));
    let unknown: Vec<&str> = typed.split(',').map(str::trim).filter(|v| !v.is_empty() && !known(v)).collect();
    if unknown.is_empty() {
        return None;
    }
    let what = if is_role { "a better-auth role or one in use" } else { "a value in use" };
    Some(format!(
        "{} is not {what} ({}): Enter again stages it anyway (the app may define it)",
        unknown.join(", "),
        seen.join(", ")
    ))
}

/// The value seen after (or before, `up`) the typed one, wrapping; the first when none matches.
pub(super) fn step_value(values: &[String], current: &str, up: bool) -> String {
    let Some(last) = values.len().checked_sub(1) else { return current.to_string() };
    let next = match values.iter().position(|v| v == current.trim()) {
        Some(0) if up => last,
        Some(i) if up => i - 1,
        Some(i) if i == last => 0,
        Some(i) => i + 1,
        None => 0,
    };
    values[next].clone()
}

/// A boolean field after Space: true becomes false, anything else (false, empty, NULL) true.
pub(super) fn toggled(input: &TextArea<'static>) -> TextArea<'static> {
    let now = crate::db::value::parse_bool(field_text(input).trim()).unwrap_or(false);
    text_input(if now { "false" } else { "true" })
}

/// The warning's first sentence for changing `column` of `table`, part of its primary key.
pub(super) fn key_warning_head(table: &crate::db::schema::TableInfo, column: usize) -> Option<String> {
    let name = &table.columns.get(column)?.name;
    let key = if table.primary_key.len() > 1 { "part of the primary key" } else { "the primary key" };
    Some(format!("{}.{name} is {key}.", table.name))
}

/// What the editor shows while the rows pointing at the row are counted.
pub(super) const KEY_COUNTING: &str = " Counting the rows that point at this row…";

/// The warning for changing a key column: after `head`, each table pointing at the row with how
/// many of its rows do and what the change does to them.
pub(super) fn key_change_warning(head: &str, refs: &[crate::db::relations::KeyReference]) -> String {
    let mut text = head.to_string();
    if refs.is_empty() {
        text.push_str(" No table points at this table's key.");
    } else {
        let parts: Vec<String> = refs
            .iter()
            .map(|r| {
                let name = format!("{}.{}", r.table, r.columns.join(","));
                let effect = match r.on_update.as_deref() {
                    Some("CASCADE") => "they change with it",
                    Some("SET NULL") | Some("SET DEFAULT") => "their key is reset",
                    Some(_) => "the commit fails",
                    None => "inferred: they would dangle",
                };
                match r.count {
                    None => format!("{name} not counted (no index)"),
                    Some(0) => format!("{name} 0 rows"),
                    Some(n) => format!("{name} {} ({effect})", crate::present::plural(n, "row")),
                }
            })
            .collect();
        text.push_str(&format!(" Pointing at this row: {}.", parts.join("; ")));
    }
    text.push_str(" Enter again stages it anyway");
    text
}

impl super::App {
    /// The counts behind a key change's warning: shown in the editor if it still waits for them.
    pub(super) fn on_key_references(&mut self, found: Result<Vec<crate::db::relations::KeyReference>, String>) {
        let super::Overlay::Edit(super::EditPopup::Cell { error: Some(error), .. }) = &mut self.overlay else {
            return;
        };
        let Some(head) = error.strip_suffix(KEY_COUNTING) else { return };
        *error = match found {
            Ok(refs) => key_change_warning(head, &refs),
            Err(message) => {
                format!("{head} Counting the rows that point at it failed ({message}). Enter again stages it anyway")
            }
        };
    }
}
