//! What an operator scrapes: the metric names, the process-wide Prometheus
//! recorder, and small recording helpers for the places that count.
//!
//! Nothing is recorded until [`install`] runs (when `METRICS_TOKEN` or
//! `METRICS_BIND` is set); before that the `metrics` macros are no-ops.
//! Labels only ever hold fixed words, route templates and status codes:
//! never a path as typed, a user's id, text or a secret.

mod exporter;
pub mod http;
pub mod record;
pub mod scrape;

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use crate::db::timing::{DB_CALL_DURATION, DB_WAIT_DURATION, DB_WAITING};

pub const HTTP_REQUESTS: &str = "tasktalk_http_requests_total";
pub const HTTP_DURATION: &str = "tasktalk_http_request_duration_seconds";
pub const DB_CONNECTIONS_IN_USE: &str = "tasktalk_db_connections_in_use";
pub const DB_CONNECTIONS_IDLE: &str = "tasktalk_db_connections_idle";
pub const DB_CONNECTIONS_MAX: &str = "tasktalk_db_connections_max";
pub const HASHES_IN_FLIGHT: &str = "tasktalk_password_hashes_in_flight";
pub const HASH_DURATION: &str = "tasktalk_password_hash_duration_seconds";
pub const RUNS_IN_FLIGHT: &str = "tasktalk_chat_runs_in_flight";
pub const RUNS: &str = "tasktalk_chat_runs_total";
pub const PROVIDER_CALLS: &str = "tasktalk_provider_calls_total";
pub const PROVIDER_DURATION: &str = "tasktalk_provider_call_duration_seconds";
pub const STREAMS_OPEN: &str = "tasktalk_reply_streams_open";

/// Histogram buckets (upper bounds, seconds) fitted to what each one times.
const BUCKETS: [(&str, &[f64]); 5] = [
    (
        HTTP_DURATION,
        &[
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ],
    ),
    (
        DB_WAIT_DURATION,
        &[
            0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
        ],
    ),
    (
        DB_CALL_DURATION,
        &[
            0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
        ],
    ),
    (
        HASH_DURATION,
        &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
    ),
    (
        PROVIDER_DURATION,
        &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0],
    ),
];

/// How often histogram samples are folded into their buckets when nobody
/// scrapes; without it they pile up in memory.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process-wide recorder on first call (later calls, such as
/// each test's app, get the same handle) and describes every metric.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    HANDLE
        .get_or_init(|| build().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(|e| anyhow::anyhow!("could not start the metrics recorder: {e}"))
}

fn build() -> anyhow::Result<PrometheusHandle> {
    let mut builder = PrometheusBuilder::new();
    for (name, buckets) in BUCKETS {
        builder = builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)?;
    }
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|_| anyhow::anyhow!("another metrics recorder is installed"))?;
    describe();
    crate::gauge::start_recording();
    Ok(handle)
}

/// Folds histogram samples into their buckets every few seconds, for as
/// long as the runtime it is spawned on lives (each test's app spawns its
/// own; folding twice is harmless). A task, not a thread: the server's
/// threads stay what the configuration says.
fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(UPKEEP_EVERY).await;
            handle.run_upkeep();
        }
    });
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by route template (\"unmatched\" for unknown paths), method and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        "Time from receiving an HTTP request to its response headers (a reply stream counts until it starts), by route, method and status."
    );
    describe_gauge!(
        DB_CONNECTIONS_IN_USE,
        "Pooled database connections checked out right now (as of the scrape)."
    );
    describe_gauge!(
        DB_CONNECTIONS_IDLE,
        "Open database connections idle in the pool (as of the scrape)."
    );
    describe_gauge!(
        DB_CONNECTIONS_MAX,
        "The pool's size (DATABASE_POOL_SIZE): connections and database threads."
    );
    describe_gauge!(
        DB_WAITING,
        "Database calls waiting for a database thread or a pooled connection."
    );
    describe_histogram!(
        DB_WAIT_DURATION,
        "Time a database call waited for a database thread and a pooled connection."
    );
    describe_histogram!(
        DB_CALL_DURATION,
        "Time a database call held its connection (the queries and transaction)."
    );
    describe_gauge!(
        HASHES_IN_FLIGHT,
        "Password hashes and verifications queued or running on the hashing threads."
    );
    describe_histogram!(
        HASH_DURATION,
        "Time a password hash or verification took, queueing included."
    );
    describe_gauge!(RUNS_IN_FLIGHT, "Assistant runs (chat turns) in progress.");
    describe_counter!(
        RUNS,
        "Assistant runs ended, by outcome: done, failed (the provider gave no answer), interrupted (stopped by a shutdown), panicked, lost (its lease lapsed)."
    );
    describe_counter!(
        PROVIDER_CALLS,
        "Model calls by provider (openai, gemini, offline) and outcome: ok, retried (failed, tried again), failed_over (failed, the fallback provider is tried), failed."
    );
    describe_histogram!(
        PROVIDER_DURATION,
        "Time a model call took, its streamed answer included, by provider and outcome."
    );
    describe_gauge!(STREAMS_OPEN, "Chat reply streams (SSE) open.");
    // Gauges show from the first scrape, at zero until something counts.
    for name in [DB_WAITING, HASHES_IN_FLIGHT, RUNS_IN_FLIGHT, STREAMS_OPEN] {
        gauge!(name).increment(0.0);
    }
}
