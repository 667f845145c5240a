//! Plain data access: free functions over `&Connection`, no UI types.

pub mod error;
pub mod kinds;
pub mod open;
pub mod page;
pub mod password;
pub mod relations;
pub mod schema;
pub mod value;
pub mod labels;
