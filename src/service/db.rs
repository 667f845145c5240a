//! The database a worker owns, behind the seam. Requests go through [`Db::backend`]; the few
//! powers only a local file has (interrupt, backup, polling `data_version`, the db/ functions not
//! yet over the seam) go through [`Db::local`], which a remote database will answer with `None`.

use rusqlite::{Connection, InterruptHandle};

use crate::db::backend::Backend;

/// One worker's database.
pub struct Db {
    /// Today always a local file; a remote D1 (issue 13) becomes a second kind of holder here.
    local: Connection,
}

impl Db {
    /// A worker's database over a local SQLite file.
    pub fn from_connection(conn: Connection) -> Db {
        Db { local: conn }
    }

    /// The database as the seam sees it: what every request should go through.
    pub fn backend(&self) -> &dyn Backend {
        &self.local
    }

    /// The local file's connection, for local-only powers; `None` on a backend without one.
    pub fn local(&self) -> Option<&Connection> {
        Some(&self.local)
    }

    /// The local connection, or an error saying the request needs one.
    pub fn local_connection(&mut self) -> anyhow::Result<&mut Connection> {
        Ok(&mut self.local)
    }

    /// A handle that stops the running statement, when the backend can be interrupted.
    pub fn interrupt_handle(&self) -> Option<InterruptHandle> {
        if !self.backend().capabilities().interrupt {
            return None;
        }
        self.local().map(Connection::get_interrupt_handle)
    }

    /// Hands back the local connection for closing (closing removes the `-wal` and `-shm` files).
    pub fn into_local(self) -> Option<Connection> {
        Some(self.local)
    }
}
