//! Plain data access: free functions over `&Connection`, no UI types.

pub mod backend;
pub mod busy;
pub mod change;
pub mod conflict;
pub mod edit;
pub mod error;
pub mod export;
pub mod instant;
pub mod kinds;
pub mod labels;
pub mod literal;
pub mod open;
pub mod page;
pub mod password;
pub mod query;
pub mod relations;
pub mod scan;
pub mod schema;
pub mod users;
pub mod value;
pub mod watch;
pub mod write;

#[cfg(test)]
mod overflow_props;
