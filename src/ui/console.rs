//! The SQL console: the editor (coloured by sqlparser's tokenizer), the result bar, and the
//! result in the table grid (or the query plan as a tree).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::grid::SPINNER;
use super::theme;
use crate::app::{App, ConsoleFocus, Load, Outcome, StatementResult, console_areas};
use crate::db::query::{PlanNode, WritePreview};
use crate::present::group_thousands;

/// The tick length of the event loop, to show how long a query has been running.
const TICK_MS: u64 = 250;

pub fn draw(frame: &mut Frame, app: &App, body: Rect) {
    let areas = console_areas(body);
    draw_editor(frame, app, areas.editor);
    draw_bar(frame, app, areas.bar);
    let below = areas.header.union(areas.grid);
    if let Some((sql, plan)) = &app.console.plan {
        draw_plan(frame, sql, plan, below);
        return;
    }
    let Some(result) = app.console.current() else {
        let text = " F5 or Ctrl-r runs the statement under the cursor · Tab completes (or indents) · Ctrl-e shows the plan · F1 keys";
        // Cut with `…` on a narrow terminal, never silently.
        let line = crate::present::fit(text, below.width);
        frame.render_widget(Paragraph::new(line.trim_end().to_string()).style(theme::dim()), below);
        return;
    };
    match &result.outcome {
        Outcome::Rows => super::grid::draw(frame, app, &result.grid, areas.header, areas.grid),
        Outcome::Running => {
            let text = format!(" {} running…", SPINNER[app.spinner % SPINNER.len()]);
            frame.render_widget(Paragraph::new(text).style(theme::dim()), below);
        }
        Outcome::Confirm { preview } => draw_confirm(frame, result, preview, below),
        Outcome::Written { changes, unchanged } => {
            let text = format!(
                " {}; recorded in squall's log (squall log).",
                crate::db::query::written_text(*changes, *unchanged)
            );
            frame.render_widget(Paragraph::new(text).style(theme::info()), below);
        }
        Outcome::Failed(message) => {
            let paragraph = Paragraph::new(format!(" {message}")).style(theme::error()).wrap(Wrap { trim: false });
            frame.render_widget(paragraph, below);
        }
        Outcome::Cancelled => frame.render_widget(Paragraph::new(" cancelled").style(theme::warning()), below),
    }
}

/// Under the question (the one confirmation popup): what waits, so the pane says it too once
/// the popup is put away for help.
fn draw_confirm(frame: &mut Frame, result: &StatementResult, preview: &WritePreview, area: Rect) {
    let what = preview.describe();
    let mut lines =
        vec![Line::styled(format!(" {what}"), theme::warning().add_modifier(Modifier::BOLD)), Line::raw("")];
    lines.extend(result.sql.lines().map(|l| Line::raw(format!("   {l}"))));
    lines.push(Line::raw(""));
    lines.push(Line::styled(" waiting for the answer: y runs it · n skips it · Esc stops", theme::dim()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_plan(frame: &mut Frame, sql: &str, plan: &Load<Vec<PlanNode>>, area: Rect) {
    let mut lines = vec![Line::styled(format!(" QUERY PLAN  {}", sql.replace('\n', " ")), theme::header())];
    match plan {
        Load::Loading => lines.push(Line::styled(" reading the plan…", theme::dim())),
        Load::Failed(message) => lines.push(Line::styled(format!(" {message}"), theme::error())),
        Load::Loaded(nodes) => {
            for (i, node) in nodes.iter().enumerate() {
                let last_sibling =
                    !nodes[i + 1..].iter().take_while(|n| n.depth >= node.depth).any(|n| n.depth == node.depth);
                let branch = if last_sibling { "└─ " } else { "├─ " };
                let indent = "   ".repeat(node.depth);
                let style = if node.warning.is_some() { theme::warning() } else { Style::new() };
                lines.push(Line::from(vec![
                    Span::raw(format!(" {indent}{branch}")),
                    Span::styled(node.detail.clone(), style),
                ]));
                if let Some(warning) = &node.warning {
                    lines.push(Line::styled(format!(" {indent}   ⚠ {warning}"), theme::warning()));
                }
                if let Some(note) = &node.note {
                    lines.push(Line::styled(format!(" {indent}   {note}"), theme::dim()));
                }
            }
        }
    }
    lines.push(Line::styled(" Esc closes the plan", theme::dim()));
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_bar(frame: &mut Frame, app: &App, area: Rect) {
    let console = &app.console;
    let mut spans: Vec<Span> = Vec::new();
    for i in 0..console.results.len() {
        let label = format!(" {} ", i + 1);
        let style = if i == console.shown { theme::tab_active() } else { theme::tab() };
        spans.push(Span::styled(label, style));
    }
    if let Some(completion) = console.completion.as_ref().filter(|c| c.candidates.len() > 1) {
        // The candidates Tab cycles through, the one in the editor marked.
        spans.push(Span::styled(" Tab: ", theme::dim()));
        for (i, name) in completion.candidates.iter().enumerate().take(12) {
            let style = if i == completion.index { theme::tab_active() } else { theme::info() };
            spans.push(Span::styled(name.clone(), style));
            spans.push(Span::raw(" "));
        }
        if completion.candidates.len() > 12 {
            spans.push(Span::styled(format!("+{} more", completion.candidates.len() - 12), theme::dim()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    if let Some(result) = console.current() {
        spans.push(Span::raw(" "));
        let count = group_thousands(result.seen);
        let mut parts = Vec::new();
        match (&result.outcome, result.done) {
            (Outcome::Rows, true) if result.seen == 1 => parts.push("1 row".to_string()),
            (Outcome::Rows, true) => parts.push(format!("{count} rows")),
            (Outcome::Rows, false) => parts.push(format!("{count} rows so far")),
            _ => {}
        }
        if let Some(number) = result.row_number().filter(|_| result.outcome == Outcome::Rows) {
            parts.push(format!("row {}", group_thousands(number)));
        }
        if let Some(ms) = result.first_ms {
            parts.push(format!("first rows {}", millis(ms)));
        }
        if let Some(ms) = result.end_ms {
            parts.push(format!("to the end {}", millis(ms)));
        }
        if let Some((column, direction)) = result.sort {
            let name = result.grid.meta().and_then(|m| m.info.columns.get(column)).map_or("", |c| c.name.as_str());
            parts.push(format!("on-screen sort {name} {}", crate::app::arrow(direction)));
        }
        spans.push(Span::styled(parts.join(" · "), theme::info()));
    }
    if let Some((_, _, sent_at_tick)) = app.console_running() {
        let ms = (app.spinner.saturating_sub(sent_at_tick) as u64) * TICK_MS;
        let text = format!("  {} running {} · Esc cancels", SPINNER[app.spinner % SPINNER.len()], millis(ms));
        spans.push(Span::styled(text, theme::warning()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn millis(ms: u64) -> String {
    if ms < 1000 { format!("{ms} ms") } else { format!("{:.1} s", ms as f64 / 1000.0) }
}

fn draw_editor(frame: &mut Frame, app: &App, area: Rect) {
    let console = &app.console;
    let focused = console.focus == ConsoleFocus::Editor;
    let border = if focused { theme::popup_border() } else { theme::dim() };
    let title = match &console.search {
        Some(search) => format!(" history search: {}▏ (Ctrl-r older · Enter takes · Esc) ", search.query),
        None => " SQL · F5 run · Tab complete/indent · Ctrl-e plan · Ctrl-p/n history ".to_string(),
    };
    let block = Block::default().borders(Borders::ALL).border_style(border).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(search) = &console.search {
        let text = app.history_match().map_or_else(
            || if search.query.is_empty() { String::new() } else { "no match".to_string() },
            str::to_string,
        );
        frame.render_widget(Paragraph::new(highlight(&text)), inner);
        return;
    }
    let lines = console.editor.lines();
    let cursor = console.editor.cursor();
    let (row, col) = (cursor.0, cursor.1);
    let height = inner.height.max(1) as usize;
    let width = inner.width.max(1) as usize;
    let top = row.saturating_sub(height - 1);
    let left = col.saturating_sub(width - 1);
    let selection = console.editor.selection_range();
    let mut styled = highlight(&lines.join("\n"));
    styled.truncate(lines.len().max(1));
    let shown: Vec<Line> = styled
        .into_iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(r, line)| {
            let mut chars: Vec<(char, Style)> =
                line.spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, s.style))).collect();
            if focused && r == row && col >= chars.len() {
                chars.push((' ', Style::new()));
            }
            let spans: Vec<Span> = chars
                .into_iter()
                .enumerate()
                .skip(left)
                .map(|(c, (ch, mut style))| {
                    if selection.is_some_and(|(s, e)| (r, c) >= s && (r, c) < e) {
                        style = style.bg(Color::Blue);
                    }
                    if focused && r == row && c == col {
                        style = style.add_modifier(Modifier::REVERSED);
                    }
                    Span::styled(ch.to_string(), style)
                })
                .collect();
            Line::from(spans)
        })
        .collect();
    if lines.iter().all(|l| l.is_empty()) && !focused {
        frame.render_widget(Paragraph::new(" i or : to write SQL").style(theme::dim()), inner);
        return;
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

fn keyword_style() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

/// The text's lines with SQL colouring from sqlparser's tokenizer: keywords, strings, numbers,
/// quoted names, comments. Text the tokenizer cannot read (an unterminated string) is shown plain.
pub fn highlight(text: &str) -> Vec<Line<'static>> {
    let dialect = SQLiteDialect {};
    let plain = || text.split('\n').map(|l| Line::raw(l.to_string())).collect::<Vec<_>>();
    let Ok(tokens) = Tokenizer::new(&dialect, text).with_unescape(false).tokenize_with_location() else {
        return plain();
    };
    let mut styles: Vec<Vec<Style>> = text.split('\n').map(|l| vec![Style::new(); l.chars().count()]).collect();
    for token in &tokens {
        let style = match &token.token {
            Token::Word(w) if w.quote_style.is_some() => Style::new().fg(Color::Cyan),
            Token::Word(w) if w.keyword != Keyword::NoKeyword => keyword_style(),
            Token::SingleQuotedString(_) | Token::DoubleQuotedString(_) | Token::HexStringLiteral(_) => {
                Style::new().fg(Color::Green)
            }
            Token::Number(..) => Style::new().fg(Color::Yellow),
            Token::Placeholder(_) => Style::new().fg(Color::LightBlue),
            Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)) => theme::dim(),
            _ => continue,
        };
        let (start, end) = (token.span.start, token.span.end);
        for line in start.line..=end.line {
            let Some(cells) = styles.get_mut((line as usize).saturating_sub(1)) else { continue };
            let from = if line == start.line { (start.column as usize).saturating_sub(1) } else { 0 };
            let to = if line == end.line { (end.column as usize).saturating_sub(1) } else { cells.len() };
            for cell in cells.iter_mut().take(to).skip(from) {
                *cell = style;
            }
        }
    }
    text.split('\n')
        .zip(styles)
        .map(|(line, cells)| {
            let mut spans: Vec<Span> = Vec::new();
            let mut current = String::new();
            let mut current_style = Style::new();
            for (ch, style) in line.chars().zip(cells) {
                if style != current_style && !current.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut current), current_style));
                }
                current_style = style;
                current.push(ch);
            }
            if !current.is_empty() {
                spans.push(Span::styled(current, current_style));
            }
            Line::from(spans)
        })
        .collect()
}
