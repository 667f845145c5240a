//! The diagram as plain text: the drawing, a legend, and the relations spelled out (the list
//! stays readable when a big schema's lines get dense).

use super::canvas::{CellStyle, Segment, text_width};
use super::diagram::ErDiagram;
use super::model::ErModel;
use crate::db::relations::Cardinality;

/// The legend's entries: the gap before it on a line, a styled glyph and what it means.
const LEGEND: [(&str, &str, CellStyle, &str); 7] = [
    ("", "──", CellStyle::EdgeDeclared, " foreign key"),
    ("   ", "┄┄", CellStyle::EdgeInferred, " inferred (no FK in the DDL)"),
    ("   ", "1", CellStyle::Cardinality, " one"),
    ("  ", "*", CellStyle::Cardinality, " many"),
    ("   ", "PK", CellStyle::Pk, " primary key"),
    ("  ", "FK", CellStyle::Fk, " / "),
    ("  ", "UK", CellStyle::Uk, " unique"),
];

/// One entry of the legend as styled pieces (`FK / fk` is one entry of three pieces).
fn legend_entry(index: usize) -> Vec<Segment> {
    let Some((_, glyph, style, meaning)) = LEGEND.get(index) else { return Vec::new() };
    let mut entry = vec![
        Segment { text: glyph.to_string(), style: *style },
        Segment { text: meaning.to_string(), style: CellStyle::Blank },
    ];
    if *style == CellStyle::Fk {
        entry.push(Segment { text: "fk".into(), style: CellStyle::FkInferred });
        entry.push(Segment { text: " references (declared / inferred)".into(), style: CellStyle::Blank });
    }
    entry
}

/// The legend, as styled pieces the TUI can draw in a footer.
pub fn legend() -> Vec<Segment> {
    legend_rows(usize::MAX).into_iter().flatten().collect()
}

/// The legend in as few lines of at most `width` cells as its entries allow, an entry never
/// cut across two lines (a footer that cuts it leaves half a meaning).
pub fn legend_rows(width: usize) -> Vec<Vec<Segment>> {
    let mut rows: Vec<Vec<Segment>> = Vec::new();
    let mut row: Vec<Segment> = Vec::new();
    let mut used = 0usize;
    for index in 0..LEGEND.len() {
        let entry = legend_entry(index);
        let entry_width: usize = entry.iter().map(|s| text_width(&s.text)).sum();
        let gap = LEGEND.get(index).map_or("", |e| e.0);
        if used > 0 && used + gap.len() + entry_width > width {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        if used > 0 {
            row.push(Segment { text: gap.into(), style: CellStyle::Blank });
            used += gap.len();
        }
        used += entry_width;
        row.extend(entry);
    }
    rows.push(row);
    rows
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
