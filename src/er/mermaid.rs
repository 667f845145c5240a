//! The schema as a mermaid `erDiagram`, in the style of the app's own data-models document:
//! relationship lines first, then one entity block per table with `type name PK/FK/UK
//! "comment"` attributes.

use super::model::{ErColumn, ErModel};
use crate::db::relations::RelationOrigin;

/// The `erDiagram` text (no markdown fence), ending with a newline.
pub fn render_mermaid(model: &ErModel) -> String {
    let mut out = String::from("erDiagram\n");
    let mut relations: Vec<_> = model.relations.iter().collect();
    let position = |table: &str| model.table_index(table).unwrap_or(usize::MAX);
    // "USER has sessions" lines first, ordered by parent then child; lines that read from the
    // child's side (`SESSION impersonated by USER`) after them.
    relations.sort_by_key(|r| {
        if r.named_after_parent() {
            (0, position(&r.to_table), position(&r.from_table))
        } else {
            (1, position(&r.from_table), position(&r.to_table))
        }
    });
    for relation in &relations {
        let line = relation.mermaid_line(&entity_name(&relation.from_table), &entity_name(&relation.to_table));
        out.push_str(&format!("    {line}\n"));
    }
    for table in &model.tables {
        out.push_str(&format!("\n    {} {{\n", entity_name(&table.name)));
        for column in &table.columns {
            out.push_str(&format!("        {}\n", attribute(column)));
        }
        out.push_str("    }\n");
    }
    out
}

/// `user` → `USER`, `audit_log` → `AUDIT_LOG`; characters mermaid does not accept in a name
/// become `_`.
fn entity_name(table: &str) -> String {
    sanitize(table).to_uppercase()
}

fn sanitize(text: &str) -> String {
    let mut out: String =
        text.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        out.insert(0, '_');
    }
    out
}

/// `text email UK`, `text role "admin | user"`, `text impersonatedBy FK "inferred"`.
fn attribute(column: &ErColumn) -> String {
    let decl = column.decl_type.trim().to_lowercase();
    let mut kind: String =
        decl.chars().map(|c| if c.is_alphanumeric() || "_-()[]".contains(c) { c } else { '_' }).collect();
    if kind.is_empty() {
        kind = "any".to_string();
    }
    let mut line = format!("{kind} {}", sanitize(&column.name));
    let keys: Vec<&str> = column.markers().into_iter().map(|m| if m == "fk" { "FK" } else { m }).collect();
    if !keys.is_empty() {
        line.push(' ');
        line.push_str(&keys.join(", "));
    }
    let mut notes: Vec<String> = Vec::new();
    if !column.enum_values.is_empty() {
        notes.push(column.enum_values.join(" | "));
    }
    match column.reference {
        Some(RelationOrigin::Inferred) => notes.push("inferred".into()),
        Some(RelationOrigin::InferredUnverified) => notes.push("inferred, unverified".into()),
        _ => {}
    }
    if !notes.is_empty() {
        // Mermaid comments end at a double quote: none may appear inside.
        line.push_str(&format!(" \"{}\"", notes.join("; ").replace('"', "'")));
    }
    line
}
