//! A remote Cloudflare D1 database behind the seam, over its REST API (blocking HTTPS).
//!
//! - `query` posts to `…/raw` (rows as arrays, columns named), `execute` to `…/query`, and
//!   `atomic` sends ONE `{batch: [...]}` request to `…/raw` with guard statements after guarded
//!   steps ([`with_guards`]): D1 runs a batch in one transaction, so a guard that fails undoes it
//!   whole and comes back as [`GuardFailed`].
//! - Before every write (`execute`, `atomic`) it takes D1's time-travel bookmark, kept for the
//!   audit log with the command that restores it ([`D1Backend::restore_command`]).
//! - Reads that hit the rate limit (429) are retried after `Retry-After`, a bounded number of
//!   times; writes never are, and a write that timed out is reported as of unknown outcome.
//! - The API token is only ever put in the `Authorization` header: [`ApiToken`]'s `Debug` hides
//!   it and no message includes it.
//! - Rows read and written are added up for the session ([`D1Backend::session_cost`]).

mod limits;
mod transport;
mod wire;

#[cfg(test)]
mod tests;

use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Result, anyhow};
use serde_json::Value as Json;

use super::{
    Backend, Capabilities, Cost, Executed, Rows, Statement, Step, StepOutcome, parse_guard_failure, with_guards,
};
use crate::db::error::DbError;
use crate::db::schema::TableInfo;
pub use limits::{MAX_PARAMS, MAX_STATEMENT_BYTES, check_statement};
pub use transport::{CONNECT_TIMEOUT, Failure, Method, REQUEST_TIMEOUT, Reply, Transport, Ureq};
pub use wire::EXACT_JSON_INTEGER;

/// The default API base; wrangler honours `CLOUDFLARE_API_BASE_URL` to change it, and so do we.
pub const DEFAULT_API_BASE: &str = "https://api.cloudflare.com/client/v4";
/// Tries of a read that hit the rate limit, the first included.
const READ_ATTEMPTS: u32 = 3;
/// The longest single wait for `Retry-After`; a longer limit is reported instead of waited out.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// An API token. It prints as `ApiToken(…)` in Debug output and has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into().trim().to_string())
    }

    /// The secret itself: only for the `Authorization` header.
    fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(…)")
    }
}

/// Where the database is and how to reach it.
#[derive(Debug, Clone)]
pub struct D1Settings {
    /// `https://api.cloudflare.com/client/v4`, or `CLOUDFLARE_API_BASE_URL`.
    pub api_base: String,
    pub account_id: String,
    pub database_id: String,
    /// The database's name (wrangler's `database_name`), for messages and the restore command.
    pub name: Option<String>,
    pub token: ApiToken,
    /// Writes are refused (a remote session is read-only unless started with `--write`).
    pub read_only: bool,
}

/// What the session has spent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SessionCost {
    /// Rows read, rows written and engine time summed over every request.
    pub total: Cost,
    /// The last request's cost.
    pub last: Cost,
    pub requests: u64,
}

/// A D1 database over the REST API.
pub struct D1Backend {
    settings: D1Settings,
    transport: Box<dyn Transport>,
    /// How to wait for `Retry-After` (tests don't sleep).
    wait: fn(Duration),
    cost: Mutex<SessionCost>,
    bookmark: Mutex<Option<String>>,
}

impl std::fmt::Debug for D1Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("D1Backend").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl D1Backend {
    pub fn new(settings: D1Settings) -> Self {
        Self::with_transport(settings, Box::new(Ureq::new()))
    }

    pub fn with_transport(settings: D1Settings, transport: Box<dyn Transport>) -> Self {
        D1Backend {
            settings,
            transport,
            wait: std::thread::sleep,
            cost: Mutex::new(SessionCost::default()),
            bookmark: Mutex::new(None),
        }
    }

    #[cfg(test)]
    fn without_waiting(mut self) -> Self {
        self.wait = |_| {};
        self
    }

    pub fn settings(&self) -> &D1Settings {
        &self.settings
    }

    /// The name shown to people: the database name, else its id.
    pub fn display_name(&self) -> &str {
        self.settings.name.as_deref().unwrap_or(&self.settings.database_id)
    }

    /// Rows read and written so far, and by the last request (for the status line).
    pub fn session_cost(&self) -> SessionCost {
        self.cost.lock().map(|c| *c).unwrap_or_default()
    }

    /// The time-travel bookmark taken before the last write, if there was one.
    pub fn last_bookmark(&self) -> Option<String> {
        self.bookmark.lock().ok().and_then(|b| b.clone())
    }

    /// `wrangler d1 time-travel restore NAME --bookmark=…` for the last bookmark.
    pub fn restore_command(&self) -> Option<String> {
        self.last_bookmark().map(|b| restore_command(self.display_name(), &b))
    }

    /// The current time-travel bookmark (one GET). Taken before every write.
    pub fn current_bookmark(&self) -> Result<String> {
        let result = self.request(Method::Get, "/time_travel/bookmark", None, Retry::Read)?;
        result
            .get("bookmark")
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("D1 answered the bookmark request without a bookmark"))
    }

    /// Takes and keeps the bookmark before a write. A write without one is not sent: the undo
    /// path must exist before the change does.
    fn bookmark_before_write(&self) -> Result<()> {
        let bookmark = self.current_bookmark().map_err(|err| Unanswered {
            text: format!("taking the time-travel bookmark before the write failed: {err:#}; nothing was written"),
            sent: false,
        })?;
        if let Ok(mut slot) = self.bookmark.lock() {
            *slot = Some(bookmark);
        }
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/accounts/{}/d1/database/{}{path}",
            self.settings.api_base.trim_end_matches('/'),
            self.settings.account_id,
            self.settings.database_id
        )
    }

    /// The host requests go to, for network errors.
    fn host(&self) -> &str {
        let base = &self.settings.api_base;
        let rest = base.split_once("://").map_or(base.as_str(), |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest)
    }

    /// Sends one request and returns the envelope's `result`, mapping every failure onto a
    /// message a person can act on.
    fn request(&self, method: Method, path: &str, body: Option<&Json>, retry: Retry) -> Result<Json> {
        let url = self.url(path);
        let body = body.map(Json::to_string);
        let mut attempt = 1;
        loop {
            let reply = match self.transport.send(method, &url, self.settings.token.secret(), body.as_deref()) {
                // Only a request that got an answer is counted: one that never reached the
                // server (a reset connection) is not in its log, and the session's count matches it.
                Ok(reply) => {
                    self.count_request();
                    reply
                }
                // ureq's own words ("timeout: global") mean nothing to a reader: say what happened.
                Err(Failure::Timeout(_)) => return Err(self.unanswered(retry).into()),
                Err(Failure::Network(detail)) => {
                    return Err(anyhow!("cannot reach the D1 API at {}: {detail}", self.host()));
                }
            };
            if reply.status == 429 {
                let wait = Duration::from_secs(reply.retry_after.unwrap_or(1));
                if retry == Retry::Read && attempt < READ_ATTEMPTS && wait <= MAX_RETRY_WAIT {
                    (self.wait)(wait);
                    attempt += 1;
                    continue;
                }
                let after = reply.retry_after.map_or(String::new(), |s| format!(" (retry after {s} s)"));
                let unsent = if retry == Retry::Write { ": nothing was written" } else { "" };
                return Err(DbError::Busy(format!(
                    "D1 rate limit reached{after}: Cloudflare allows 1,200 requests per 5 minutes per token{unsent}"
                ))
                .into());
            }
            return self.read_reply(&reply);
        }
    }

    /// A request sent that got no answer in [`REQUEST_TIMEOUT`]. A write may have happened.
    fn unanswered(&self, retry: Retry) -> Unanswered {
        let waited = format!("D1 at {} did not answer within {} s", self.host(), REQUEST_TIMEOUT.as_secs());
        let text = match retry {
            Retry::Read => waited,
            Retry::Write => format!(
                "{waited} after the write was sent: its outcome is unknown; check the data before repeating it (squall did not repeat it)"
            ),
        };
        Unanswered { text, sent: retry == Retry::Write }
    }

    fn read_reply(&self, reply: &Reply) -> Result<Json> {
        let envelope = match wire::parse_envelope(&reply.body) {
            Ok(envelope) => envelope,
            Err(err) if reply.status >= 400 => {
                return Err(anyhow!("D1 API at {} answered HTTP {}: {err}", self.host(), reply.status));
            }
            Err(err) => return Err(err),
        };
        let rejected = matches!(reply.status, 401 | 403) || envelope.errors.iter().any(|e| e.code == 10000);
        if rejected {
            return Err(anyhow!(
                "D1 rejected the API token (HTTP {}{}): check CLOUDFLARE_API_TOKEN (it needs Account → D1 → Read, and Edit to write) and CLOUDFLARE_ACCOUNT_ID",
                reply.status,
                envelope.errors.first().map_or(String::new(), |e| format!(", code {}: {}", e.code, e.message))
            ));
        }
        if envelope.success && reply.status < 400 {
            return Ok(envelope.result);
        }
        let message = match envelope.errors.first() {
            Some(e) => format!("{} [code {}]", e.message, e.code),
            None => format!("HTTP {} without an error message", reply.status),
        };
        match reply.status {
            404 => Err(DbError::NotFound(format!("D1: {message} (database {})", self.settings.database_id)).into()),
            _ => Err(anyhow!("D1: {message}")),
        }
    }

    fn count_request(&self) {
        if let Ok(mut cost) = self.cost.lock() {
            cost.requests += 1;
        }
    }

    fn spend(&self, cost: Cost) {
        if let Ok(mut session) = self.cost.lock() {
            session.last = cost;
            session.total = wire::add_cost(session.total, cost);
        }
    }

    /// Posts `body` to `path` and reads the per-statement results, adding up their cost.
    fn run(&self, path: &str, body: &Json, retry: Retry) -> Result<Vec<wire::StatementResult>> {
        let result = self.request(Method::Post, path, Some(body), retry)?;
        let results = wire::statement_results(&result)?;
        self.spend(results.iter().fold(Cost::default(), |total, r| wire::add_cost(total, r.cost)));
        Ok(results)
    }
}

/// Whether a request may be repeated after a 429: reads may, writes never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    Read,
    Write,
}

/// A request that failed before an answer came, worded whole: it already says whether anything
/// was written (nothing, or unknown), so callers pass it on instead of adding "nothing was written".
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct Unanswered {
    pub text: String,
    /// A write was sent and no answer came: it may have landed (its outcome is unknown).
    pub sent: bool,
}

/// Whether `err` is a write sent to D1 that got no answer: it may have landed, so its audit
/// entry and its restore point must not be lost.
pub fn outcome_unknown(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.downcast_ref::<Unanswered>().is_some_and(|u| u.sent))
}

/// What a session cost, in one line (`D1 app-db (…): 7 requests, 1,468 rows read, 1 row
/// written`): printed on stderr when a remote command or the terminal UI ends, as D1 bills rows read.
pub fn cost_line(target: &str, cost: &SessionCost) -> String {
    use crate::present::plural;
    format!(
        "{target}: {}, {} read, {} written",
        plural(cost.requests, "request"),
        plural(cost.total.rows_read.unwrap_or(0), "row"),
        plural(cost.total.rows_written.unwrap_or(0), "row")
    )
}

/// The one-line command that puts the database back as it was at `bookmark`.
pub fn restore_command(name: &str, bookmark: &str) -> String {
    format!("wrangler d1 time-travel restore {name} --bookmark={bookmark}")
}

/// How a restore command is shown everywhere. It is no undo of one change: restoring a bookmark
/// rolls the WHOLE database back, taking every later write with it (squall's and the app's).
pub fn restore_point(restore: &str) -> String {
    format!("restore point (rolls the whole database back to before this change, losing later writes): {restore}")
}

impl Backend for D1Backend {
    fn query(&self, statement: &Statement) -> Result<Rows> {
        check_statement(statement)?;
        let mut results = self.run("/raw", &wire::statement_json(statement), Retry::Read)?;
        let last = results.pop().unwrap_or_default();
        Ok(Rows { columns: last.columns, rows: last.rows, cost: last.cost })
    }

    fn execute(&self, statement: &Statement) -> Result<Executed> {
        self.check_writable()?;
        check_statement(statement)?;
        self.bookmark_before_write()?;
        let results = self.run("/query", &wire::statement_json(statement), Retry::Write)?;
        let cost = results.iter().fold(Cost::default(), |total, r| wire::add_cost(total, r.cost));
        let last = results.last().cloned().unwrap_or_default();
        Ok(Executed { changes: last.changes, last_insert_rowid: last.last_row_id, cost })
    }

    fn atomic(&self, steps: &[Step]) -> Result<Vec<StepOutcome>> {
        self.check_writable()?;
        for step in steps {
            check_statement(&step.statement)?;
        }
        if steps.is_empty() {
            return Ok(Vec::new());
        }
        let (statements, origin) = with_guards(steps);
        self.bookmark_before_write()?;
        let results = match self.run("/raw", &wire::batch_json(&statements), Retry::Write) {
            Ok(results) => results,
            Err(err) => {
                return Err(match parse_guard_failure(&format!("{err:#}"), steps) {
                    Some(failed) => failed.into(),
                    None => err,
                });
            }
        };
        if results.len() != statements.len() {
            return Err(anyhow!(
                "D1 answered {} results for a batch of {} statements; the batch ran as one transaction, so check the data",
                results.len(),
                statements.len()
            ));
        }
        Ok(results
            .into_iter()
            .zip(origin)
            .filter(|(_, from)| from.is_some())
            .map(|(r, _)| StepOutcome {
                rows: Rows { columns: r.columns, rows: r.rows, cost: r.cost },
                changes: r.changes,
                last_insert_rowid: r.last_row_id,
            })
            .collect())
    }

    fn describe(&self) -> Result<Vec<TableInfo>> {
        crate::db::schema::describe_schema(self)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            interrupt: false,
            backup: false,
            interactive_transactions: false,
            read_only: self.settings.read_only,
            remote: true,
        }
    }

    fn check_writable(&self) -> Result<()> {
        if self.settings.read_only {
            return Err(DbError::ReadOnly(format!(
                "{} is read-only in this session (start squall with --remote --write to change it): nothing was written",
                self.describe_target()
            ))
            .into());
        }
        Ok(())
    }

    fn describe_target(&self) -> String {
        match &self.settings.name {
            Some(name) => format!("D1 {name} ({})", self.settings.database_id),
            None => format!("D1 {}", self.settings.database_id),
        }
    }
}
