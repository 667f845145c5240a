//! The SQL console's worker on a remote D1: a thread answering the console's requests over the
//! session's [`Remote`] (see `service::console_remote` for how reads stay bounded and writes go
//! through the write pipeline). Nothing is held open on the server between requests, so there is
//! no idle reset. A request cannot be stopped once sent: Esc drops its reply (the app no longer
//! waits on it), and a request cancelled while still queued is never sent.

use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::thread;

use anyhow::Result;

use super::console::ConsoleHandle;
use super::worker::Running;
use crate::app::AppEvent;
use crate::history::append_history;
use crate::service::console_remote::RemoteConsole;
use crate::service::protocol::{ConsoleRequest, DbReply, DbRequest, DbResult};
use crate::service::{ErrorKind, Remote, ReplyError};

impl ConsoleHandle {
    /// Starts the console's worker on a remote; statements run are appended to `history`.
    pub fn spawn_remote(remote: Remote, events: Sender<AppEvent>, history: Option<PathBuf>) -> Result<ConsoleHandle> {
        let (requests, inbox) = channel::<(crate::service::protocol::RequestId, DbRequest)>();
        let (done, closed) = channel();
        // No interrupt handle: a remote request runs to its end on the server.
        let running = Running::new(None, false);
        let worker_running = running.clone();
        thread::Builder::new().name("squall-db-console".into()).spawn(move || {
            let mut console = RemoteConsole::new(remote.clone());
            while let Ok((id, request)) = inbox.recv() {
                let result = if !worker_running.begin(id) {
                    Err(ReplyError::new(ErrorKind::Interrupted, "cancelled before it was sent; nothing was done"))
                } else {
                    match request {
                        DbRequest::Console(request) => {
                            if let (ConsoleRequest::Run { sql, .. }, Some(file)) = (&request, &history) {
                                // A history that cannot be written must not stop the statement.
                                let _ = append_history(file, sql);
                            }
                            let measure = remote.measure();
                            let answered = console.answer(id, request);
                            measure.finish(&remote);
                            answered.map(DbResult::Console).map_err(|err| ReplyError::from_error(&err))
                        }
                        _ => Err(ReplyError::new(ErrorKind::Other, "not a console request")),
                    }
                };
                worker_running.set(None);
                if events.send(AppEvent::Db(DbReply { id, result })).is_err() {
                    break;
                }
            }
            let _ = done.send(());
        })?;
        Ok(ConsoleHandle::from_parts(requests, running, closed))
    }
}
