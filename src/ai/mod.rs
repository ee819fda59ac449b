//! The assistant: a provider (OpenAI, Gemini or the offline rules) behind one
//! interface, the retry and fallback policy around it, and the agent loop that
//! runs the task tools between model calls.
//!
//! A provider takes the conversation so far ([`Entry`]s, in a provider-neutral
//! form) and produces one [`ModelStep`]: text, streamed out through a sink as
//! it arrives, and the tool calls the model wants made.

pub mod agent;
mod bounds;
mod gemini;
mod http;
pub mod offline;
mod openai;
mod prompt;
mod retry_after;
pub(crate) mod sse;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::config::{AiSettings, ProviderKind};
use crate::metrics::record::{CallOutcome, provider_call};

pub use agent::{AgentEvent, CallRecord, Reply};
pub use prompt::SYSTEM_PROMPT;

/// A tool call the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallRequest {
    /// The provider's id for the call (generated when it gave none).
    pub id: String,
    pub name: String,
    /// The arguments object; a string when the model's JSON did not parse.
    pub arguments: Value,
    /// Gemini's opaque `thoughtSignature`, sent back unchanged.
    pub signature: Option<String>,
}

/// One model answer: text and/or tool calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelStep {
    pub text: String,
    pub calls: Vec<ToolCallRequest>,
}

/// The outcome of one tool call, as fed back to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    pub call_id: String,
    pub name: String,
    pub result: Value,
}

/// The conversation as every provider receives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    User(String),
    Model(ModelStep),
    Tools(Vec<ToolResult>),
}

/// Where a provider sends text as it arrives.
pub type TextSink<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Why a provider gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the provider answered HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("could not reach the provider: {0}")]
    Connect(String),
    #[error("the provider stopped sending for longer than the timeout")]
    Timeout,
    #[error("the provider's stream ended early: {0}")]
    Cut(String),
    #[error("the provider sent something unreadable: {0}")]
    Malformed(String),
    /// Not the provider's doing: this server is stopping and ended the turn
    /// between steps, to be retried elsewhere.
    #[error("the server stopped before the answer was finished")]
    Interrupted,
}

impl ProviderError {
    /// Worth trying the same provider again after a pause.
    fn retryable(&self) -> bool {
        match self {
            ProviderError::Status { status, .. } => {
                matches!(status, 408 | 409 | 429) || *status >= 500
            }
            ProviderError::Connect(_) => true,
            _ => false,
        }
    }
}

/// One configured provider.
pub enum Provider {
    OpenAi(openai::OpenAi),
    Gemini(gemini::Gemini),
    Offline,
}

impl Provider {
    fn build(kind: ProviderKind, settings: &AiSettings, client: &reqwest::Client) -> Provider {
        match kind {
            ProviderKind::OpenAi => Provider::OpenAi(openai::OpenAi::new(client.clone(), settings)),
            ProviderKind::Gemini => Provider::Gemini(gemini::Gemini::new(client.clone(), settings)),
            ProviderKind::Offline => Provider::Offline,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Provider::OpenAi(_) => "openai",
            Provider::Gemini(_) => "gemini",
            Provider::Offline => "offline",
        }
    }

    async fn step(
        &self,
        system: &str,
        entries: &[Entry],
        sink: TextSink<'_>,
        idle: Duration,
    ) -> Result<ModelStep, ProviderError> {
        match self {
            Provider::OpenAi(p) => p.step(system, entries, sink, idle).await,
            Provider::Gemini(p) => p.step(system, entries, sink, idle).await,
            Provider::Offline => Ok(offline::step(entries, sink)),
        }
    }
}

/// The providers in the order they are tried, and how patiently.
pub struct Assistant {
    providers: Vec<Provider>,
    idle_timeout: Duration,
    answer_timeout: Duration,
    max_retries: u32,
    max_retry_wait: Duration,
    pub max_steps: u32,
}

impl Assistant {
    pub fn from_settings(settings: &AiSettings) -> anyhow::Result<Arc<Assistant>> {
        let (primary, fallback) = settings.chain()?;
        let client = http::client(settings.connect_timeout)?;
        let providers = std::iter::once(primary)
            .chain(fallback)
            .map(|kind| Provider::build(kind, settings, &client))
            .collect();
        Ok(Arc::new(Assistant {
            providers,
            idle_timeout: settings.idle_timeout,
            answer_timeout: settings.answer_timeout,
            max_retries: settings.max_retries,
            max_retry_wait: settings.max_retry_wait,
            max_steps: settings.max_steps,
        }))
    }

    /// The primary provider's name, for the startup log.
    pub fn describe(&self) -> String {
        self.providers
            .iter()
            .map(Provider::name)
            .collect::<Vec<_>>()
            .join(", then ")
    }

    /// One model step: the primary provider with retries, then the fallback.
    /// Once text has streamed out, a failure is final: repeating the answer
    /// from elsewhere would show the user two beginnings.
    pub async fn step(
        &self,
        entries: &[Entry],
        sink: TextSink<'_>,
    ) -> Result<ModelStep, ProviderError> {
        let emitted = std::sync::atomic::AtomicBool::new(false);
        let tracking = |text: &str| {
            emitted.store(true, std::sync::atomic::Ordering::Relaxed);
            sink(text);
        };
        let mut last_error = None;
        for (n, provider) in self.providers.iter().enumerate() {
            let mut attempt = 0;
            loop {
                let started = std::time::Instant::now();
                let answer = provider.step(SYSTEM_PROMPT, entries, &tracking, self.idle_timeout);
                let result = tokio::time::timeout(self.answer_timeout, answer)
                    .await
                    .unwrap_or(Err(ProviderError::Timeout));
                let err = match result {
                    Ok(step) => {
                        provider_call(provider.name(), CallOutcome::Ok, started);
                        return Ok(step);
                    }
                    Err(err) => err,
                };
                tracing::warn!(provider = provider.name(), attempt, error = %err, "model call failed");
                if emitted.load(std::sync::atomic::Ordering::Relaxed) {
                    provider_call(provider.name(), CallOutcome::Failed, started);
                    return Err(err);
                }
                let wait = self.retry_wait(&err, attempt);
                let outcome = match (&wait, n + 1 < self.providers.len()) {
                    (Some(_), _) => CallOutcome::Retried,
                    (None, true) => CallOutcome::FailedOver,
                    (None, false) => CallOutcome::Failed,
                };
                provider_call(provider.name(), outcome, started);
                last_error = Some(err);
                match wait {
                    Some(wait) => {
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => break,
                }
            }
        }
        Err(last_error.unwrap_or(ProviderError::Connect("no provider is configured".into())))
    }

    /// How long to wait before retrying, or `None` to give up on this provider.
    fn retry_wait(&self, err: &ProviderError, attempt: u32) -> Option<Duration> {
        if !err.retryable() || attempt >= self.max_retries {
            return None;
        }
        let backoff = Duration::from_millis(500 * 2u64.pow(attempt));
        match err {
            ProviderError::Status {
                retry_after: Some(wait),
                ..
            } if *wait > self.max_retry_wait => None,
            ProviderError::Status {
                retry_after: Some(wait),
                ..
            } => Some(*wait),
            _ => Some(backoff),
        }
    }
}
