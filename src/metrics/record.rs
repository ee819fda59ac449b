//! Recording helpers, so each instrumented place needs a line or two: guards
//! for what is in flight, and the outcome words that become labels.

use std::time::Instant;

use metrics::{counter, gauge, histogram};

use super::{
    DB_CALL_DURATION, DB_WAIT_DURATION, DB_WAITING, HASH_DURATION, HASHES_IN_FLIGHT,
    PROVIDER_CALLS, PROVIDER_DURATION, RUNS, RUNS_IN_FLIGHT, STREAMS_OPEN, installed,
};
use crate::ai::{ProviderError, Reply};

/// One thing in flight on a gauge, until dropped. What started before the
/// recorder was installed is not uncounted after it (the gauge would go
/// below zero).
pub struct InFlight {
    gauge: &'static str,
    counted: bool,
}

impl InFlight {
    fn start(gauge: &'static str) -> InFlight {
        let counted = installed();
        if counted {
            gauge!(gauge).increment(1.0);
        }
        InFlight { gauge, counted }
    }

    /// An assistant run in progress.
    pub fn run() -> InFlight {
        InFlight::start(RUNS_IN_FLIGHT)
    }

    /// An open reply stream.
    pub fn stream() -> InFlight {
        InFlight::start(STREAMS_OPEN)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.counted {
            gauge!(self.gauge).decrement(1.0);
        }
    }
}

/// A database call waiting for a database thread and a connection.
pub struct DbQueued {
    _waiting: InFlight,
    since: Instant,
}

/// A database call holding its connection.
pub struct DbCall {
    since: Instant,
}

/// A database call was queued.
pub fn db_queued() -> DbQueued {
    DbQueued {
        _waiting: InFlight::start(DB_WAITING),
        since: Instant::now(),
    }
}

impl DbQueued {
    /// The checkout is over (with a connection or not): it waits no more.
    pub fn connected(self) -> DbCall {
        histogram!(DB_WAIT_DURATION).record(self.since.elapsed().as_secs_f64());
        DbCall {
            since: Instant::now(),
        }
    }
}

impl DbCall {
    /// The call is done with its connection.
    pub fn finished(self) {
        histogram!(DB_CALL_DURATION).record(self.since.elapsed().as_secs_f64());
    }
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
    /// How a run that returned its reply ended.
    pub fn of(reply: &Reply) -> RunEnd {
        match &reply.failure {
            None => RunEnd::Done,
            Some(ProviderError::Interrupted) => RunEnd::Interrupted,
            Some(_) => RunEnd::Failed,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_interrupted_by_a_shutdown_is_not_a_provider_failure() {
        let reply = |failure| Reply {
            failure,
            ..Reply::default()
        };
        assert_eq!(RunEnd::of(&reply(None)), RunEnd::Done);
        let stopped = reply(Some(ProviderError::Interrupted));
        assert_eq!(RunEnd::of(&stopped), RunEnd::Interrupted);
        let timed_out = reply(Some(ProviderError::Timeout));
        assert_eq!(RunEnd::of(&timed_out), RunEnd::Failed);
    }
}
