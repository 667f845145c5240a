//! Words and numbers as people read them, shared by the CLI and the TUI: counts with thousands
//! separators and agreeing nouns, how long ago or how soon an instant is, text cut to a width
//! every terminal measures alike, and an error chain as one line.
//!
//! This room sits at the bottom: it names nothing else in the crate, so `db/` (whose value
//! display says "3d ago"), `er/`, `app/`, `ui/`, `cli/` and `tui/` can all use it without a cycle.
//! What needs the data's own types (a better-auth ban, the effects of a user action) is worded
//! next to those types, in `db/users/phrases.rs`.

mod error;
mod numbers;
pub mod text;
mod time;

pub use error::{cause_first, error_chain};
pub use numbers::{group_thousands, plural};
pub use text::{fit, terminal_safe};
pub use time::relative_age;
