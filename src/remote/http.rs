//! Files fetched over HTTP(S), as kustomize's loader fetches a `resources`
//! (or patch, or generator) entry that is an `http://` or `https://` URL.

use std::time::Duration;

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered with a status outside 200–299 (kustomize's
    /// `ErrHTTP` unless the URL could name a git repository).
    Status(u16),
    /// No answer: connection, TLS, timeout, a body too large.
    Failed(String),
}

/// The longest a server may stay silent (connecting, or between two reads).
const STALL_LIMIT: Duration = Duration::from_secs(27);

/// The longest one fetch may take in all.
const TOTAL_LIMIT: Duration = Duration::from_secs(300);

/// The largest body accepted.
const MAX_BODY: u64 = 256 << 20;

/// GETs `url` (redirects followed, proxies from the environment) and
/// returns the body of a 2xx answer.
pub fn get(url: &str) -> Result<Vec<u8>, FetchError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TOTAL_LIMIT))
        .timeout_connect(Some(STALL_LIMIT))
        .timeout_resolve(Some(STALL_LIMIT))
        .timeout_per_read(Some(STALL_LIMIT))
        .timeout_per_write(Some(STALL_LIMIT))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| FetchError::Failed(e.to_string()))?;
    let status = response.status().as_u16();
    if !(200..=299).contains(&status) {
        return Err(FetchError::Status(status));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| FetchError::Failed(e.to_string()))
}

/// The reason phrase Go's `http.StatusText` gives a status code.
pub fn status_text(code: u16) -> &'static str {
    match code {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
