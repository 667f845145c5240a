//! SQL syntax highlighting, from sqlparser's tokenizer (SQLite dialect).

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

fn style_of(token: &Token) -> Style {
    match token {
        Token::Word(word) if word.quote_style.is_some() => Style::new().fg(Color::Cyan),
        Token::Word(word) if word.keyword != Keyword::NoKeyword => {
            Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
        }
        Token::Number(..) => Style::new().fg(Color::Yellow),
        Token::SingleQuotedString(_) | Token::DoubleQuotedString(_) => Style::new().fg(Color::Green),
        Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)) => {
            Style::new().fg(Color::DarkGray)
        }
        _ => Style::new(),
    }
}

/// The token as it was written: sqlparser's `Display` drops the doubling of quotes inside
/// quoted strings and names, which would turn `'O''Brien'` into invalid SQL on screen.
fn token_text(token: &Token) -> String {
    match token {
        Token::SingleQuotedString(text) => format!("'{}'", text.replace('\'', "''")),
        Token::Word(word) => match word.quote_style {
            Some(open @ ('"' | '`')) => {
                let doubled: String = [open, open].iter().collect();
                format!("{open}{}{open}", word.value.replace(open, &doubled))
            }
            Some('[') => format!("[{}]", word.value),
            _ => token.to_string(),
        },
        _ => token.to_string(),
    }
}

/// Highlighted lines of `sql`. Text the tokenizer cannot read is shown plain.
pub fn highlight(sql: &str) -> Vec<Line<'static>> {
    let Ok(tokens) = Tokenizer::new(&SQLiteDialect {}, sql).tokenize() else {
        return sql.lines().map(|line| Line::raw(line.to_string())).collect();
    };
    let mut lines: Vec<Line<'static>> = vec![Line::default()];
    for token in tokens {
        let style = style_of(&token);
        let text = token_text(&token);
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Line::default());
            }
            if !piece.is_empty()
                && let Some(line) = lines.last_mut()
            {
                line.spans.push(Span::styled(piece.replace('\t', "    "), style));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_identifiers_and_strings_get_their_colours() {
        let lines = highlight("CREATE TABLE `user` (\n\t`id` text DEFAULT 'x' -- note\n);");
        assert_eq!(lines.len(), 3);
        let first = &lines[0].spans;
        assert_eq!(first[0].content, "CREATE");
        assert_eq!(first[0].style.fg, Some(Color::Magenta));
        assert!(first.iter().any(|s| s.content == "`user`" && s.style.fg == Some(Color::Cyan)));
        assert!(lines[1].spans.iter().any(|s| s.content == "'x'" && s.style.fg == Some(Color::Green)));
        let text: String = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(text, "CREATE TABLE `user` (\n    `id` text DEFAULT 'x' -- note\n);");
    }

    #[test]
    fn quotes_inside_strings_and_names_stay_doubled() {
        let sql = r#"UPDATE "we""ird" SET "name" = 'Ivan O''Edited' /* ?1 */ WHERE "id" = 'u1'"#;
        let text: String = highlight(sql).iter().flat_map(|l| l.spans.iter().map(|s| s.content.to_string())).collect();
        assert_eq!(text, sql);
    }
}
