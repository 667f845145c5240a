//! Whether a console statement is a read of one table (`SELECT cols FROM t [AS a] [WHERE …]
//! [ORDER BY …] [LIMIT …]`): then what it reads is at most that table's rows, which the remote's
//! cost questions can put a number on. Told by the tokenizer alone; nothing is built from it.

use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

/// The table `sql` reads whole, when it is `SELECT <columns or *> FROM <table>` and nothing more
/// (no WHERE, JOIN, ORDER, LIMIT, function or subquery): otherwise `None`, its reads unknown.
pub fn plain_table_read(sql: &str) -> Option<String> {
    one_table_read(sql).filter(|read| read.whole).map(|read| read.table)
}

/// A console statement that reads one table, and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRead {
    /// The table, as written.
    pub table: String,
    /// Every row, nothing after the table (else a WHERE, ORDER BY or LIMIT: up to every row).
    pub whole: bool,
}

/// The one table `sql` reads, when it is `SELECT <columns or *> FROM <table> [[AS] alias]`
/// followed by nothing, or by a WHERE, ORDER BY or LIMIT without a subquery, a join or a
/// compound: otherwise `None`, its reads unknown.
pub fn one_table_read(sql: &str) -> Option<TableRead> {
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
    let mut rest: Vec<Token> = words.collect();
    if rest.last() == Some(&Token::SemiColon) {
        rest.pop();
    }
    // An alias: `AS a`, or a bare name that is no keyword.
    let alias = match rest.as_slice() {
        [first, Token::Word(_), ..] if keyword(first, Keyword::AS) => 2,
        [Token::Word(w), ..] if w.quote_style.is_some() || w.keyword == Keyword::NoKeyword => 1,
        _ => 0,
    };
    let rest = &rest[alias..];
    let Some(first) = rest.first() else { return Some(TableRead { table: table.value, whole: true }) };
    if ![Keyword::WHERE, Keyword::ORDER, Keyword::LIMIT].iter().any(|k| keyword(first, *k)) {
        return None;
    }
    // Another table read anywhere after it (a subquery, a join, a compound) makes it unknown.
    let other = [Keyword::SELECT, Keyword::FROM, Keyword::JOIN, Keyword::UNION, Keyword::INTERSECT, Keyword::EXCEPT];
    if rest.iter().any(|token| other.iter().any(|k| keyword(token, *k)) || *token == Token::SemiColon) {
        return None;
    }
    Some(TableRead { table: table.value, whole: false })
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

    #[test]
    fn a_one_table_read_with_a_where_order_or_limit_names_it_and_joins_do_not() {
        let narrowed = |table: &str| Some(TableRead { table: table.to_string(), whole: false });
        for one in [
            "SELECT id,name,email,role FROM user WHERE role='user'",
            "select * from user where id = 1",
            "select * from user order by name desc;",
            "select * from user limit 5",
            "select u.id from user u where u.role in ('a', 'b') order by u.name, u.id limit 10",
            "select u.id from user as u where u.name like '%x%'",
        ] {
            assert_eq!(one_table_read(one), narrowed("user"), "{one}");
        }
        assert_eq!(one_table_read("select * from \"user\";").map(|r| r.whole), Some(true));
        assert_eq!(one_table_read("select * from user u").map(|r| r.whole), Some(true));
        for other in [
            "select * from user join session on 1",
            "select * from user u left join session s on s.userId = u.id",
            "select * from user, session",
            "select * from user where id in (select userId from session)",
            "select * from user where 1 union select * from user",
            "with t as (select * from user) select * from t",
            "select * from user where id = 1; delete from user",
            "select * from user group by role",
            "select count(*) from user where role = 'user'",
        ] {
            assert_eq!(one_table_read(other), None, "{other}");
        }
    }
}
