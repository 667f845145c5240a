//! Migration folders (drizzle-kit journals and plain `.sql` folders) and the trackers that record
//! what was applied.

pub mod folder;
pub mod wrangler;
