//! Plain data access: free functions over `&Connection`, no UI types.

pub mod edit;
pub mod error;
pub mod kinds;
pub mod open;
pub mod page;
pub mod password;
pub mod schema;
pub mod value;
pub mod labels;
