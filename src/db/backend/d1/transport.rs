//! Sending one HTTP request and getting the status, the `Retry-After` header and the body back.
//! Behind a trait so the retry, error and redaction rules are tested with scripted replies.

use std::time::Duration;

/// GET or POST: all D1 needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// What came back, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// `Retry-After` in seconds, when sent (with a 429).
    pub retry_after: Option<u64>,
    pub body: String,
}

/// Why no reply came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The request went out but no answer came in time: a write may or may not have happened.
    Timeout(String),
    /// The request could not be sent or its answer not read (DNS, refused, TLS, reset).
    Network(String),
}

/// Sends requests. `token` goes in `Authorization: Bearer` and nowhere else.
pub trait Transport: Send + Sync {
    fn send(&self, method: Method, url: &str, token: &str, body: Option<&str>) -> Result<Reply, Failure>;
}

/// How long to wait for a connection to the API (nothing has been sent until it is made).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take: D1 stops a query after 30 s, so a little more lets its own
/// error arrive first. Without it a paused server held the TUI for minutes.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(35);

/// Answers past this many bytes are refused (D1 caps a result near 50 MB).
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// The real transport: blocking HTTPS through ureq with rustls.
pub struct Ureq {
    agent: ureq::Agent,
}

impl Ureq {
    /// Explicit timeouts: [`CONNECT_TIMEOUT`] and [`REQUEST_TIMEOUT`] for the whole request.
    pub fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .user_agent(concat!("squall/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ureq { agent }
    }
}

impl Default for Ureq {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for Ureq {
    fn send(&self, method: Method, url: &str, token: &str, body: Option<&str>) -> Result<Reply, Failure> {
        let bearer = format!("Bearer {token}");
        let sent = match method {
            Method::Get => self.agent.get(url).header("Authorization", &bearer).call(),
            Method::Post => self
                .agent
                .post(url)
                .header("Authorization", &bearer)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or("{}")),
        };
        let mut response = sent.map_err(failure)?;
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        let body = response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_string().map_err(failure)?;
        Ok(Reply { status, retry_after, body })
    }
}

/// ureq's errors name the host and never the headers, so their text is safe to show. A timeout
/// before the connection was made sent nothing, so it is a network failure, not an unknown outcome.
fn failure(err: ureq::Error) -> Failure {
    match err {
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
            Failure::Network(format!("no connection within {} s", CONNECT_TIMEOUT.as_secs()))
        }
        ureq::Error::Timeout(_) => Failure::Timeout(err.to_string()),
        ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::TimedOut => Failure::Timeout(err.to_string()),
        other => Failure::Network(other.to_string()),
    }
}
