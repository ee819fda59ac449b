//! The HTTP side shared by the providers: one client, a POST whose answer is
//! an event stream read with an idle timeout, and provider error mapping.

use std::time::Duration;

use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::header::HeaderMap;

use super::ProviderError;

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

/// Sends `request` and returns its server-sent events, each awaited for at most `idle`.
/// A non-2xx answer becomes [`ProviderError::Status`] with the delay `retry_after`
/// finds in its headers or body.
pub async fn event_stream(
    request: reqwest::RequestBuilder,
    idle: Duration,
    retry_after: fn(&HeaderMap, &[u8]) -> Option<Duration>,
) -> Result<impl Stream<Item = Result<Event, ProviderError>>, ProviderError> {
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
    let events = response.bytes_stream().eventsource();
    Ok(futures_util::stream::unfold(
        Box::pin(events),
        move |mut events| async move {
            let next = match tokio::time::timeout(idle, events.next()).await {
                Err(_) => Some(Err(ProviderError::Timeout)),
                Ok(None) => None,
                Ok(Some(Ok(event))) => Some(Ok(event)),
                Ok(Some(Err(e))) => Some(Err(ProviderError::Cut(e.to_string()))),
            };
            next.map(|item| (item, events))
        },
    ))
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
