//! The ER screen: the laid-out canvas, scrolled, with the selected table and its lines
//! highlighted, and the legend at the bottom.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::layout::text_width;
use crate::app::{App, Load};
use crate::er::{CellStyle, legend_rows};

fn style_of(style: CellStyle) -> Style {
    match style {
        CellStyle::Blank | CellStyle::ColumnName => Style::new(),
        CellStyle::Border => Style::new().fg(Color::Gray),
        CellStyle::Title => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        CellStyle::RowCount | CellStyle::ColumnKind => theme::dim(),
        CellStyle::Pk => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        CellStyle::Fk => Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
        CellStyle::FkInferred => Style::new().fg(Color::LightBlue),
        CellStyle::Uk => Style::new().fg(Color::Magenta),
        CellStyle::EdgeDeclared => Style::new().fg(Color::Green),
        CellStyle::EdgeInferred => Style::new().fg(Color::LightYellow),
        CellStyle::Cardinality => Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let view = match &app.er.view {
        Some(Load::Loaded(view)) => view,
        Some(Load::Failed(message)) => {
            frame.render_widget(
                Paragraph::new(format!("Could not draw the schema: {message}")).style(theme::error()),
                area,
            );
            return;
        }
        _ => {
            frame.render_widget(Paragraph::new("Reading the schema and counting rows…").style(theme::dim()), area);
            return;
        }
    };
    // The legend wraps by entries (the keys are on the hint line below).
    let legend = legend_rows(usize::from(area.width));
    let legend_height = u16::try_from(legend.len()).unwrap_or(1);
    let [canvas_area, legend_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(legend_height)]).areas(area);
    let diagram = &view.diagram;
    let selected = diagram.boxes.get(app.er.selected);
    let highlighted: HashSet<(usize, usize)> = selected
        .map(|b| diagram.edges_touching(&view.model, &b.table).flat_map(|e| e.cells.iter().copied()).collect())
        .unwrap_or_default();
    let (sx, sy) = app.er.scroll;
    let width = canvas_area.width as usize;
    let lines: Vec<Line> = (sy..sy + canvas_area.height as usize)
        .map(|y| {
            if y >= diagram.canvas.height() {
                return Line::default();
            }
            let mut x = sx;
            let mut spans = Vec::new();
            for segment in diagram.canvas.segments(y, sx, width) {
                let mut style = style_of(segment.style);
                let is_edge = matches!(segment.style, CellStyle::EdgeDeclared | CellStyle::EdgeInferred);
                if is_edge {
                    // Lines are drawn cell by cell so the selected table's lines stand out.
                    for ch in segment.text.chars() {
                        let lit = highlighted.contains(&(x, y));
                        let cell_style = if lit { style.fg(Color::Cyan).add_modifier(Modifier::BOLD) } else { style };
                        spans.push(Span::styled(ch.to_string(), cell_style));
                        x += text_width(&ch.to_string()) as usize;
                    }
                    continue;
                }
                if segment.style == CellStyle::Border && selected.is_some_and(|b| b.rect.on_border(x, y)) {
                    style = theme::popup_border().add_modifier(Modifier::BOLD);
                }
                x += text_width(&segment.text) as usize;
                spans.push(Span::styled(segment.text, style));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), canvas_area);
    let legend: Vec<Line> = legend
        .into_iter()
        .map(|row| Line::from(row.into_iter().map(|s| Span::styled(s.text, style_of(s.style))).collect::<Vec<_>>()))
        .collect();
    frame.render_widget(Paragraph::new(legend), legend_area);
}
