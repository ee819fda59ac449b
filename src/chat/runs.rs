//! The assistant runs this server is answering and the reply streams it has
//! open: what a graceful shutdown waits for, and what caps one user's runs
//! and streams.
//!
//! Shutdown goes `Serving` → `Draining` (running ones may finish) →
//! `Stopping` (no new runs; runs still going are stopped and stored as
//! failed, so no reply is left pending and the user can retry it on another
//! replica).
//!
//! Runs live on the runtime the application was built on, not on the HTTP
//! worker that claimed them: workers stop when their connections close, and a
//! run whose viewer left must still be able to finish or store its failure.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::metrics::record::{self, InFlight};

/// How long a user told they have too many streams or runs going is asked
/// to wait (`Retry-After`).
pub const RETRY_WHEN_BUSY: Duration = Duration::from_secs(5);

/// How long runs get to save themselves once told to stop.
const STOP_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Serving,
    Draining,
    Stopping,
}

pub struct Runs {
    runtime: Option<tokio::runtime::Handle>,
    active: watch::Sender<usize>,
    phase: watch::Sender<Phase>,
    streams: Arc<PerUser>,
    user_runs: Arc<PerUser>,
}

/// How many of each a user may have at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Reply streams open.
    pub streams: usize,
    /// Runs in progress, however they were asked for (a run goes on after
    /// its client hangs up, so without this a client that asks and hangs
    /// up again and again would start runs without end).
    pub runs: usize,
}

impl Runs {
    pub fn new(limits: Limits) -> Arc<Runs> {
        Arc::new(Runs {
            runtime: tokio::runtime::Handle::try_current().ok(),
            active: watch::Sender::new(0),
            phase: watch::Sender::new(Phase::Serving),
            streams: PerUser::new(limits.streams),
            user_runs: PerUser::new(limits.runs),
        })
    }

    /// Counts a new run, or `None` once running work is being stopped.
    pub fn start(self: &Arc<Runs>) -> Option<RunGuard> {
        if *self.phase.borrow() == Phase::Stopping {
            return None;
        }
        self.active.send_modify(|n| *n += 1);
        Some(RunGuard {
            runs: self.clone(),
            _in_flight: record::run_in_flight(),
        })
    }

    /// Spawns a run where it outlives the HTTP workers.
    pub fn spawn(&self, run: impl Future<Output = ()> + Send + 'static) {
        match &self.runtime {
            Some(runtime) => drop(runtime.spawn(run)),
            None => drop(tokio::spawn(run)),
        }
    }

    /// Runs `work` to its end even if the caller stops waiting (a client that
    /// hangs up drops its request's future): what it stores and starts is
    /// never left half done.
    pub async fn detached<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        match &self.runtime {
            Some(runtime) => runtime.spawn(work).await,
            None => tokio::spawn(work).await,
        }
    }

    /// Whether a shutdown has begun.
    pub fn shutting_down(&self) -> bool {
        *self.phase.borrow() != Phase::Serving
    }

    /// Runs in progress.
    pub fn active(&self) -> usize {
        *self.active.borrow()
    }

    /// Resolves when running work must stop (the shutdown grace is over).
    pub fn stopping(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut phase = self.phase.subscribe();
        async move {
            let _ = phase.wait_for(|p| *p == Phase::Stopping).await;
        }
    }

    /// Shutdown has begun: running turns may finish (and new ones start,
    /// for requests already accepted) until [`Runs::stop_remaining`].
    pub fn begin_draining(&self) {
        self.phase.send_replace(Phase::Draining);
    }

    /// Resolves when no run is in progress.
    pub fn idle(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut active = self.active.subscribe();
        async move {
            let _ = active.wait_for(|n| *n == 0).await;
        }
    }

    /// The grace is over: runs still going are stopped (they store
    /// themselves as failed); waits briefly until they have.
    pub async fn stop_remaining(&self) {
        if self.active() > 0 {
            tracing::warn!(
                running = self.active(),
                "shutdown grace is over: stopping the replies still running"
            );
        }
        self.phase.send_replace(Phase::Stopping);
        let _ = tokio::time::timeout(STOP_WAIT, self.idle()).await;
    }

    /// Counts an open reply stream of `user_id`, or `None` when they already
    /// have as many as one user may.
    pub fn open_stream(&self, user_id: &str) -> Option<StreamGuard> {
        Some(StreamGuard {
            _slot: self.streams.claim(user_id)?,
            _open: record::stream_open(),
        })
    }

    /// A place for a new run of `user_id`, taken before anything of the
    /// turn is stored, or `None` when they already have as many runs going
    /// as one user may. The run holds it until it ends.
    pub fn reserve_run(&self, user_id: &str) -> Option<RunSlot> {
        Some(RunSlot {
            _slot: self.user_runs.claim(user_id)?,
        })
    }
}

/// A count per user, each capped.
struct PerUser {
    counts: Mutex<HashMap<String, usize>>,
    max: usize,
}

impl PerUser {
    fn new(max: usize) -> Arc<PerUser> {
        Arc::new(PerUser {
            counts: Mutex::new(HashMap::new()),
            max,
        })
    }

    fn claim(self: &Arc<PerUser>, user_id: &str) -> Option<Slot> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(user_id.to_owned()).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Slot {
            of: self.clone(),
            user_id: user_id.to_owned(),
        })
    }
}

/// One of a user's counted places; dropping it frees it.
struct Slot {
    of: Arc<PerUser>,
    user_id: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.of.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.user_id);
            }
        }
    }
}

/// One run in progress; dropping it (however the run ends) uncounts it.
pub struct RunGuard {
    runs: Arc<Runs>,
    _in_flight: InFlight,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.runs.active.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// One open reply stream; dropping it uncounts it.
pub struct StreamGuard {
    _slot: Slot,
    _open: InFlight,
}

/// A user's place for one run ([`Runs::reserve_run`]); dropping it frees it.
pub struct RunSlot {
    _slot: Slot,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_only_so_many_streams_and_closing_one_frees_it() {
        let runs = Runs::new(Limits {
            streams: 2,
            runs: 1,
        });
        let a = runs.open_stream("u1");
        let b = runs.open_stream("u1");
        assert!(a.is_some() && b.is_some());
        assert!(runs.open_stream("u1").is_none());
        assert!(runs.open_stream("u2").is_some());
        drop(a);
        assert!(runs.open_stream("u1").is_some());
    }

    #[test]
    fn a_user_gets_only_so_many_runs_and_the_end_of_one_frees_it() {
        let runs = Runs::new(Limits {
            streams: 1,
            runs: 2,
        });
        let a = runs.reserve_run("u1");
        let b = runs.reserve_run("u1");
        assert!(a.is_some() && b.is_some());
        assert!(runs.reserve_run("u1").is_none());
        assert!(runs.reserve_run("u2").is_some());
        assert!(runs.open_stream("u1").is_some(), "streams count apart");
        drop(b);
        assert!(runs.reserve_run("u1").is_some());
    }

    #[tokio::test]
    async fn draining_lets_runs_start_and_finish_and_stopping_refuses_new_ones() {
        let runs = Runs::new(Limits {
            streams: 1,
            runs: 1,
        });
        let guard = runs.start().expect("serving");
        runs.begin_draining();
        assert!(runs.shutting_down());
        let late = runs
            .start()
            .expect("a request accepted before the stop still runs");
        let idle = runs.idle();
        drop((guard, late));
        tokio::time::timeout(Duration::from_secs(1), idle)
            .await
            .expect("idle once the runs end");
        runs.stop_remaining().await;
        assert!(runs.start().is_none());
    }

    #[tokio::test]
    async fn runs_still_going_after_the_grace_are_told_to_stop() {
        let runs = Runs::new(Limits {
            streams: 1,
            runs: 1,
        });
        let guard = runs.start().expect("serving");
        let stopping = runs.stopping();
        let holder = tokio::spawn(async move {
            stopping.await;
            drop(guard);
        });
        runs.begin_draining();
        tokio::time::timeout(Duration::from_secs(2), runs.stop_remaining())
            .await
            .expect("stopping ends once the stopped run lets go");
        holder.await.expect("no panic");
        assert_eq!(runs.active(), 0);
    }
}
