//! D1's limits on one statement, checked before anything is sent so the user gets a clear
//! refusal instead of an engine error after a round trip. The in-process test backend
//! (`rules::D1Rules`) applies the same checks.

use anyhow::Result;

use crate::db::backend::Statement;
use crate::db::error::DbError;
use crate::db::query::split_statements;

/// Bound parameters D1 allows in one statement (101 fails: "too many SQL variables").
pub const MAX_PARAMS: usize = 100;
/// Bytes of SQL D1 allows in one statement ("statement too long: SQLITE_TOOBIG").
pub const MAX_STATEMENT_BYTES: usize = 100_000;

/// Refuses what D1 would refuse about `statement`'s shape: too many parameters, too much SQL,
/// or parameters given with several statements in one text (D1's code 7400).
pub fn check_statement(statement: &Statement) -> Result<()> {
    if statement.params.len() > MAX_PARAMS {
        return Err(DbError::Invalid(format!(
            "the statement binds {} parameters; D1 allows at most {MAX_PARAMS} per statement (split it): nothing was sent",
            statement.params.len()
        ))
        .into());
    }
    if statement.sql.len() > MAX_STATEMENT_BYTES {
        return Err(DbError::Invalid(format!(
            "the statement is {} bytes long; D1 allows at most {MAX_STATEMENT_BYTES} bytes per statement: nothing was sent",
            statement.sql.len()
        ))
        .into());
    }
    if !statement.params.is_empty() && split_statements(&statement.sql).len() > 1 {
        return Err(DbError::Invalid(
            "params with multiple statements is not supported by D1 (code 7400): send each statement on its own, or as a batch: nothing was sent".into(),
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::Value;

    #[test]
    fn refuses_what_d1_refuses_before_sending() {
        let ok = Statement::new("SELECT ?1", vec![Value::Integer(1)]);
        assert!(check_statement(&ok).is_ok());
        let hundred = Statement::new("SELECT 1", vec![Value::Null; MAX_PARAMS]);
        assert!(check_statement(&hundred).is_ok());
        let many = Statement::new("SELECT 1", vec![Value::Null; MAX_PARAMS + 1]);
        assert!(check_statement(&many).unwrap_err().to_string().contains("at most 100"));
        let long = Statement::plain(format!("SELECT '{}'", "x".repeat(MAX_STATEMENT_BYTES)));
        assert!(check_statement(&long).unwrap_err().to_string().contains("bytes"));
        let two = Statement::new("SELECT ?1; SELECT 2", vec![Value::Integer(1)]);
        assert!(check_statement(&two).unwrap_err().to_string().contains("7400"));
        assert!(check_statement(&Statement::plain("SELECT 1; SELECT 2")).is_ok());
    }
}
