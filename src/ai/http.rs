//! The HTTP side shared by the providers: one client, a POST whose answer is
//! an event stream read with an idle timeout, and provider error mapping.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::HeaderMap;

use super::{ProviderError, sse};

/// How much of an error body is read (for the retry delay it may carry).
const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// The one outbound client: rustls with the ring provider, a connect timeout.
pub fn client(connect_timeout: Duration) -> anyhow::Result<reqwest::Client> {
    // Installing twice (a second app in the same process) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .user_agent(concat!("tasktalk/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// What a provider makes of one event: read on, or its answer is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    More,
    Done,
}

/// Sends `request` and hands the data of each server-sent event to `on_event`
/// until it says [`Flow::Done`] or the body ends, waiting at most `idle` for
/// each event. A non-2xx answer becomes [`ProviderError::Status`] with the
/// delay `retry_after` finds in its headers or body.
pub async fn read_events(
    request: reqwest::RequestBuilder,
    idle: Duration,
    retry_after: fn(&HeaderMap, &[u8]) -> Option<Duration>,
    mut on_event: impl FnMut(&str) -> Result<Flow, ProviderError>,
) -> Result<(), ProviderError> {
    let response = tokio::time::timeout(idle, request.send())
        .await
        .map_err(|_| ProviderError::Timeout)?
        .map_err(|e| ProviderError::Connect(without_url(e)))?;
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let body = read_bounded(response, idle).await;
        return Err(ProviderError::Status {
            status: status.as_u16(),
            retry_after: retry_after(&headers, &body),
        });
    }
    let mut body = response.bytes_stream();
    let mut decoder = sse::Decoder::default();
    let mut deadline = tokio::time::Instant::now() + idle;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, body.next()).await {
            Err(_) => return Err(ProviderError::Timeout),
            Ok(None) => return Ok(()),
            Ok(Some(Err(e))) => return Err(ProviderError::Cut(without_url(e))),
            Ok(Some(Ok(chunk))) => chunk,
        };
        match feed(&mut decoder, &chunk, &mut on_event)? {
            Some(Flow::Done) => return Ok(()),
            Some(Flow::More) => deadline = tokio::time::Instant::now() + idle,
            None => {}
        }
    }
}

/// Gives `on_event` every event `chunk` completes; `None` when it completed none.
fn feed(
    decoder: &mut sse::Decoder,
    chunk: &[u8],
    on_event: &mut impl FnMut(&str) -> Result<Flow, ProviderError>,
) -> Result<Option<Flow>, ProviderError> {
    decoder.push(chunk);
    let mut flow = None;
    while let Some(event) = decoder.next_event() {
        let data = event.map_err(|e| ProviderError::Malformed(e.to_string()))?;
        if on_event(&data)? == Flow::Done {
            return Ok(Some(Flow::Done));
        }
        flow = Some(Flow::More);
    }
    Ok(flow)
}

/// [`read_events`] over a body already in memory, in the chunks given.
#[cfg(test)]
pub fn read_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    mut on_event: impl FnMut(&str) -> Result<Flow, ProviderError>,
) -> Result<(), ProviderError> {
    let mut decoder = sse::Decoder::default();
    for chunk in chunks {
        if feed(&mut decoder, chunk, &mut on_event)? == Some(Flow::Done) {
            break;
        }
    }
    Ok(())
}

async fn read_bounded(response: reqwest::Response, idle: Duration) -> Vec<u8> {
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(idle, chunks.next()).await {
        body.extend_from_slice(&chunk);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    body
}

/// reqwest's errors print the URL, which may carry a key (`?key=`); keep only the kind.
fn without_url(e: reqwest::Error) -> String {
    e.without_url().to_string()
}

/// A provider's error code (`rate_limit_exceeded`, `RESOURCE_EXHAUSTED`) as
/// it may be logged, or `unknown` when what it sent is not code-like: some
/// servers quote the user's input in their errors.
pub fn error_code(code: Option<&str>) -> &str {
    code.filter(|code| {
        code.len() <= 64
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    })
    .unwrap_or("unknown")
}

/// Parses a JSON event payload.
pub fn parse_json(data: &str) -> Result<serde_json::Value, ProviderError> {
    serde_json::from_str(data).map_err(|e| ProviderError::Malformed(e.to_string()))
}

/// Joins a base URL and a path with exactly one slash between them.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
