//! The diagram as plain text: the drawing, a legend, and the relations spelled out (the list
//! stays readable when a big schema's lines get dense).

use super::canvas::{CellStyle, Segment, text_width};
use super::diagram::ErDiagram;
use super::model::ErModel;
use crate::db::relations::Cardinality;

/// The legend, as styled pieces the TUI can draw in a footer.
pub fn legend() -> Vec<Segment> {
    let pieces: [(&str, CellStyle); 14] = [
        ("──", CellStyle::EdgeDeclared),
        (" foreign key   ", CellStyle::Blank),
        ("┄┄", CellStyle::EdgeInferred),
        (" inferred (no FK in the DDL)   ", CellStyle::Blank),
        ("1", CellStyle::Cardinality),
        (" one  ", CellStyle::Blank),
        ("*", CellStyle::Cardinality),
        (" many   ", CellStyle::Blank),
        ("PK", CellStyle::Pk),
        (" primary key  ", CellStyle::Blank),
        ("FK", CellStyle::Fk),
        (" / ", CellStyle::Blank),
        ("fk", CellStyle::FkInferred),
        (" references (declared / inferred)", CellStyle::Blank),
    ];
    let mut segments: Vec<Segment> =
        pieces.iter().map(|(text, style)| Segment { text: text.to_string(), style: *style }).collect();
    segments.push(Segment { text: "  ".into(), style: CellStyle::Blank });
    segments.push(Segment { text: "UK".into(), style: CellStyle::Uk });
    segments.push(Segment { text: " unique".into(), style: CellStyle::Blank });
    segments
}

/// One line per relation: `session.userId → user.id   many-to-one   declared, on delete CASCADE`.
pub fn relation_lines(model: &ErModel) -> Vec<String> {
    let described: Vec<String> = model.relations.iter().map(|r| r.describe()).collect();
    let width = described.iter().map(|d| text_width(d)).max().unwrap_or(0);
    model
        .relations
        .iter()
        .zip(described)
        .map(|(relation, description)| {
            let cardinality = match relation.cardinality {
                Cardinality::OneToMany => "many-to-one",
                Cardinality::OneToOne => "one-to-one ",
            };
            let mut origin = relation.origin.label().to_string();
            if let Some(action) = &relation.on_delete {
                origin.push_str(&format!(", on delete {}", action.to_lowercase()));
            }
            let padding = " ".repeat(width - text_width(&description));
            format!("{description}{padding}  {cardinality}  {origin}")
        })
        .collect()
}

/// Drawing, legend and relation list as one string.
pub fn render_text(diagram: &ErDiagram, model: &ErModel) -> String {
    let canvas = &diagram.canvas;
    let lines: Vec<String> = (0..canvas.height()).map(|y| canvas.line_text(y)).collect();
    let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let last = lines.iter().rposition(|l| !l.is_empty()).map_or(0, |i| i + 1);
    let mut out = String::new();
    for line in &lines[first..last.max(first)] {
        out.push_str(line);
        out.push('\n');
    }
    if model.tables.is_empty() {
        out.push_str("(no tables)\n");
        return out;
    }
    out.push('\n');
    let legend: String = legend().into_iter().map(|s| s.text).collect();
    out.push_str(&legend);
    out.push('\n');
    if !model.relations.is_empty() {
        out.push_str("\nRelations:\n");
        for line in relation_lines(model) {
            out.push_str("  ");
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    for index in &diagram.undrawn {
        out.push_str(&format!("  (not drawn: {})\n", model.relations[*index].describe()));
    }
    out
}
