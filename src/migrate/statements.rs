//! Splitting a migration into single statements, so a failure can name the statement that failed
//! and the migrations screen can show them one by one.

use std::ffi::CString;

/// The separator drizzle-kit writes between statements (a plain SQL comment to anyone else).
pub const STATEMENT_BREAKPOINT: &str = "--> statement-breakpoint";

/// Splits a migration into statements at drizzle-kit's breakpoints, dropping empty pieces.
pub fn split_statements(sql: &str) -> Vec<String> {
    sql.split(STATEMENT_BREAKPOINT).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The statements of a migration: first at drizzle-kit's breakpoints, then wherever SQLite itself
/// says a statement is complete (so `;` inside strings, comments and trigger bodies stays put).
/// Pieces that hold only comments are dropped.
pub fn split_sql(sql: &str) -> Vec<String> {
    split_statements(sql).iter().flat_map(|piece| split_complete(piece)).collect()
}

fn split_complete(piece: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut start = 0;
    for (at, _) in piece.match_indices(';') {
        let candidate = &piece[start..=at];
        if is_complete_statement(candidate) {
            push_statement(&mut statements, candidate);
            start = at + 1;
        }
    }
    push_statement(&mut statements, &piece[start..]);
    statements
}

fn push_statement(statements: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if !text.is_empty() && !is_only_comments(text) {
        statements.push(text.to_string());
    }
}

/// SQLite's own test for "this text ends with a complete statement" (`sqlite3_complete`).
fn is_complete_statement(sql: &str) -> bool {
    let Ok(text) = CString::new(sql) else {
        return false;
    };
    // SAFETY: `text` is a valid NUL-terminated string that outlives the call, and
    // sqlite3_complete only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(text.as_ptr()) != 0 }
}

/// Whether `text` is nothing but `--` line comments and `/* */` block comments.
fn is_only_comments(text: &str) -> bool {
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail);
        } else {
            return false;
        }
        rest = rest.trim_start();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_breakpoints_and_plain_semicolons() {
        let sql = "CREATE TABLE a(x);\n--> statement-breakpoint\nCREATE INDEX i ON a(x);--> statement-breakpoint\nINSERT INTO a VALUES ('x;y'); -- note; here\nINSERT INTO a VALUES (2);\n-- trailing comment\n";
        assert_eq!(
            split_sql(sql),
            [
                "CREATE TABLE a(x);",
                "CREATE INDEX i ON a(x);",
                "INSERT INTO a VALUES ('x;y');",
                "-- note; here\nINSERT INTO a VALUES (2);",
            ]
        );
    }

    #[test]
    fn keeps_trigger_bodies_whole() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; DELETE FROM a; END;\nSELECT 1";
        assert_eq!(
            split_sql(sql),
            ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; DELETE FROM a; END;", "SELECT 1"]
        );
    }

    #[test]
    fn comment_only_pieces_are_dropped() {
        assert!(split_sql("-- nothing\n/* at all; */\n").is_empty());
        assert!(is_only_comments("-- a\n  /* b */ -- c"));
        assert!(!is_only_comments("-- a\nSELECT 1"));
    }
}
