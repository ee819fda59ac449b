//! Recording helpers, so each instrumented place needs a line or two: guards
//! for what is in flight, and the outcome words that become labels.

use std::time::Instant;

use metrics::{counter, histogram};

use super::{
    HASH_DURATION, HASHES_IN_FLIGHT, PROVIDER_CALLS, PROVIDER_DURATION, RUNS, RUNS_IN_FLIGHT,
    STREAMS_OPEN,
};
pub use crate::gauge::InFlight;

/// An assistant run in progress, counted until dropped.
pub fn run_in_flight() -> InFlight {
    InFlight::start(RUNS_IN_FLIGHT)
}

/// An open reply stream, counted until dropped.
pub fn stream_open() -> InFlight {
    InFlight::start(STREAMS_OPEN)
}

/// A password hash or verification, queued or running, timed until dropped.
pub struct Hashing {
    _in_flight: InFlight,
    since: Instant,
}

pub fn hashing() -> Hashing {
    Hashing {
        _in_flight: InFlight::start(HASHES_IN_FLIGHT),
        since: Instant::now(),
    }
}

impl Drop for Hashing {
    fn drop(&mut self) {
        histogram!(HASH_DURATION).record(self.since.elapsed().as_secs_f64());
    }
}

/// How an assistant run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    Done,
    /// The provider gave no (complete) answer.
    Failed,
    /// A shutdown stopped it.
    Interrupted,
    Panicked,
    /// Its lease lapsed and another run may have taken the reply over.
    Lost,
}

impl RunEnd {
    fn label(self) -> &'static str {
        match self {
            RunEnd::Done => "done",
            RunEnd::Failed => "failed",
            RunEnd::Interrupted => "interrupted",
            RunEnd::Panicked => "panicked",
            RunEnd::Lost => "lost",
        }
    }
}

pub fn run_ended(end: RunEnd) {
    counter!(RUNS, "outcome" => end.label()).increment(1);
}

/// What came of one model call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    Ok,
    /// Failed; the same provider is tried again.
    Retried,
    /// Failed; the fallback provider is tried next.
    FailedOver,
    /// Failed, and the turn fails with it.
    Failed,
}

impl CallOutcome {
    fn label(self) -> &'static str {
        match self {
            CallOutcome::Ok => "ok",
            CallOutcome::Retried => "retried",
            CallOutcome::FailedOver => "failed_over",
            CallOutcome::Failed => "failed",
        }
    }
}

/// A model call to `provider` (its fixed name) that began at `since` ended.
pub fn provider_call(provider: &'static str, outcome: CallOutcome, since: Instant) {
    let outcome = outcome.label();
    counter!(PROVIDER_CALLS, "provider" => provider, "outcome" => outcome).increment(1);
    histogram!(PROVIDER_DURATION, "provider" => provider, "outcome" => outcome)
        .record(since.elapsed().as_secs_f64());
}
