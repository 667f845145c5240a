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

/// The warning for changing `column` of `table`, part of its primary key: which tables (of those
/// squall has read) point at it and what their foreign keys do on update.
pub(super) fn key_change_warning(
    app: &super::App,
    table: &crate::db::schema::TableInfo,
    column: usize,
) -> Option<String> {
    let name = &table.columns.get(column)?.name;
    let (mut fail, mut follow) = (Vec::new(), Vec::new());
    for meta in app.tabs.iter().filter_map(|t| t.meta()) {
        for fk in meta.info.foreign_keys.iter().filter(|fk| fk.ref_table == table.name) {
            if fk.ref_columns.iter().any(|c| c == name) {
                let from = format!("{}.{}", meta.info.name, fk.columns.join(","));
                match fk.on_update.to_ascii_uppercase().as_str() {
                    "CASCADE" | "SET NULL" | "SET DEFAULT" => follow.push(from),
                    _ => fail.push(from),
                }
            }
        }
    }
    let key = if table.primary_key.len() > 1 { "part of the primary key" } else { "the primary key" };
    let mut text = format!("{}.{name} is {key}.", table.name);
    if !fail.is_empty() {
        text.push_str(&format!(" Rows of {} pointing at this row make the commit fail.", fail.join(", ")));
    }
    if !follow.is_empty() {
        text.push_str(&format!(" Rows of {} pointing at this row change with it (ON UPDATE).", follow.join(", ")));
    }
    if fail.is_empty() && follow.is_empty() {
        // The other tables' keys are not read yet: say what can happen and where to look.
        text.push_str(" Rows of other tables pointing at this row (gr lists them) make the commit fail, or change with it where their key cascades.");
    }
    text.push_str(" Enter again stages it anyway");
    Some(text)
}
