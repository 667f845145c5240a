//! Refusing migrations that control transactions themselves. squall runs each migration in its
//! own transaction together with its tracker row; a `COMMIT` or `ROLLBACK` inside the file would
//! end that transaction early, so a failure could leave the migration half-applied and recorded
//! (issue 18). D1 refuses these statements too, so the same file would fail in production.

use sqlparser::dialect::SQLiteDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::folder::MigrationFile;
use super::statements::split_sql;

/// A transaction-control statement found in a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionControl {
    /// The migration's file name.
    pub file: String,
    /// 1-based line in the file where the statement starts.
    pub line: usize,
    /// The statement's first word as written (`COMMIT`, `rollback`, ...).
    pub keyword: String,
}

impl std::fmt::Display for TransactionControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line {}: {} — a migration may not begin or end transactions (squall runs each migration in its own transaction, and D1 refuses them); remove it",
            self.file, self.line, self.keyword
        )
    }
}

/// The transaction-control statements (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`,
/// `RELEASE`) of a migration, in file order. The statement's first token decides, read with
/// sqlparser's tokenizer so words inside strings, comments or trigger bodies never count.
pub fn transaction_control(file: &MigrationFile) -> Vec<TransactionControl> {
    let mut found = Vec::new();
    let mut cursor = 0;
    for statement in split_sql(&file.sql) {
        // Statements are trimmed slices of the file, in order: find where this one starts.
        let start = file.sql[cursor..].find(statement.as_str()).map_or(cursor, |at| cursor + at);
        cursor = start + statement.len();
        let Some((keyword, line_in_statement)) = first_word(&statement) else { continue };
        if is_transaction_control(keyword.keyword) {
            let line = file.sql[..start].matches('\n').count() + line_in_statement;
            found.push(TransactionControl { file: file.name.clone(), line, keyword: keyword.value });
        }
    }
    found
}

fn is_transaction_control(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::BEGIN | Keyword::COMMIT | Keyword::END | Keyword::ROLLBACK | Keyword::SAVEPOINT | Keyword::RELEASE
    )
}

/// The first word of a statement and its 1-based line, skipping whitespace and comments.
/// `None` when the first token is not a word, or the text does not tokenize (SQLite will then
/// report the error itself when the statement runs).
fn first_word(statement: &str) -> Option<(sqlparser::tokenizer::Word, usize)> {
    let tokens = Tokenizer::new(&SQLiteDialect {}, statement).tokenize_with_location().ok()?;
    let first = tokens.into_iter().find(|token| !matches!(token.token, Token::Whitespace(_)))?;
    let line = usize::try_from(first.span.start.line).unwrap_or(1).max(1);
    match first.token {
        Token::Word(word) => Some((word, line)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(sql: &str) -> MigrationFile {
        MigrationFile::new(PathBuf::from("0001_x.sql"), sql.to_string(), Some(1))
    }

    fn lines(sql: &str) -> Vec<(usize, String)> {
        transaction_control(&file(sql)).into_iter().map(|t| (t.line, t.keyword)).collect()
    }

    #[test]
    fn finds_each_keyword_with_its_line() {
        let sql = "CREATE TABLE t1 (x);\n--> statement-breakpoint\n-- undo\nROLLBACK;\n--> statement-breakpoint\nCREATE TABLE t2 (x);\nbegin transaction; commit;\nSAVEPOINT a; RELEASE a;\nEND;";
        assert_eq!(
            lines(sql),
            [
                (4, "ROLLBACK".to_string()),
                (7, "begin".to_string()),
                (7, "commit".to_string()),
                (8, "SAVEPOINT".to_string()),
                (8, "RELEASE".to_string()),
                (9, "END".to_string()),
            ]
        );
        let message = transaction_control(&file("SELECT 1;\nCOMMIT;"))[0].to_string();
        assert!(message.starts_with("0001_x.sql line 2: COMMIT — a migration may not"), "{message}");
    }

    #[test]
    fn strings_comments_and_trigger_bodies_do_not_count() {
        let sql = "INSERT INTO t VALUES ('x;\nCOMMIT;');\n/* ROLLBACK; */ -- BEGIN;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = CASE WHEN 1 THEN 2 END;\nEND;\nCREATE TABLE \"commit\" (\"end\" text);";
        assert_eq!(lines(sql), []);
    }
}
