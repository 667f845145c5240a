//! Whether a console statement is a plain read of one table (`SELECT cols FROM t`): then what it
//! reads is that table's rows, which the remote's cost questions can put a number on.

use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

/// The table `sql` reads whole, when it is `SELECT <columns or *> FROM <table>` and nothing more
/// (no WHERE, JOIN, ORDER, LIMIT, function or subquery): otherwise `None`, its reads unknown.
pub fn plain_table_read(sql: &str) -> Option<String> {
    let tokens = Tokenizer::new(&SQLiteDialect {}, sql).tokenize().ok()?;
    let mut words = tokens.into_iter().filter(|t| !matches!(t, Token::Whitespace(_)));
    let keyword = |token: &Token, wanted: Keyword| matches!(token, Token::Word(w) if w.keyword == wanted && w.quote_style.is_none());
    if !keyword(&words.next()?, Keyword::SELECT) {
        return None;
    }
    // The columns: names, `*`, `t.col`, commas, up to FROM.
    loop {
        let token = words.next()?;
        if keyword(&token, Keyword::FROM) {
            break;
        }
        let plain = match &token {
            Token::Word(w) => w.quote_style.is_some() || !matches!(w.keyword, Keyword::DISTINCT | Keyword::SELECT),
            Token::Mul | Token::Comma | Token::Period => true,
            _ => false,
        };
        if !plain {
            return None;
        }
    }
    let Token::Word(table) = words.next()? else { return None };
    let rest: Vec<Token> = words.collect();
    match rest.as_slice() {
        [] | [Token::SemiColon] => Some(table.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_select_of_one_table_names_it() {
        assert_eq!(plain_table_read("select * from user").as_deref(), Some("user"));
        assert_eq!(plain_table_read("SELECT id, \"email\" FROM \"user\";").as_deref(), Some("user"));
        assert_eq!(plain_table_read("select u.id from user").as_deref(), Some("user"));
        for other in [
            "select * from user where id = 1",
            "select * from user order by id",
            "select * from user limit 5",
            "select count(*) from user",
            "select * from user join session on 1",
            "select * from user, session",
            "select distinct role from user",
            "select * from (select * from user)",
            "select 1",
            "delete from user",
        ] {
            assert_eq!(plain_table_read(other), None, "{other}");
        }
    }
}
