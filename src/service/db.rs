//! The database a worker owns, behind the seam. Requests go through [`Db::backend`]; the few
//! powers only a local file has (interrupt, backup, polling `data_version`, the db/ functions not
//! yet over the seam) go through [`Db::local`], which a remote database answers with `None`.

use rusqlite::{Connection, InterruptHandle};

use super::remote::Remote;
use crate::db::backend::Backend;
use crate::db::page::{Anchor, Page, View};

/// One worker's database.
pub struct Db {
    holder: Holder,
    /// On a remote: the page after the last one read, read ahead so paging on does not wait.
    pub(super) ahead: Option<Ahead>,
}

enum Holder {
    Local(Connection),
    Remote(Remote),
}

/// A page read ahead (or to be read): the request it answers, and the page once read.
pub(super) struct Ahead {
    pub view: View,
    pub anchor: Anchor,
    pub limit: usize,
    pub page: Option<Page>,
}

impl Db {
    /// A worker's database over a local SQLite file.
    pub fn from_connection(conn: Connection) -> Db {
        Db { holder: Holder::Local(conn), ahead: None }
    }

    /// A worker's database on a remote D1 (shared with the other workers).
    pub fn from_remote(remote: Remote) -> Db {
        Db { holder: Holder::Remote(remote), ahead: None }
    }

    /// The database as the seam sees it: what every request should go through.
    pub fn backend(&self) -> &dyn Backend {
        match &self.holder {
            Holder::Local(conn) => conn,
            Holder::Remote(remote) => remote,
        }
    }

    /// The remote database, when this is one.
    pub fn remote(&self) -> Option<&Remote> {
        match &self.holder {
            Holder::Local(_) => None,
            Holder::Remote(remote) => Some(remote),
        }
    }

    /// The local file's connection, for local-only powers; `None` on a backend without one.
    pub fn local(&self) -> Option<&Connection> {
        match &self.holder {
            Holder::Local(conn) => Some(conn),
            Holder::Remote(_) => None,
        }
    }

    /// The local connection, or an error saying the request needs one.
    pub fn local_connection(&mut self) -> anyhow::Result<&mut Connection> {
        match &mut self.holder {
            Holder::Local(conn) => Ok(conn),
            Holder::Remote(_) => Err(crate::db::error::DbError::Invalid(
                "not available on a remote database (--remote): it needs a local SQLite file".into(),
            )
            .into()),
        }
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
        match self.holder {
            Holder::Local(conn) => Some(conn),
            Holder::Remote(_) => None,
        }
    }
}
