//! The assistant runs this server is answering and the reply streams it has
//! open: what a graceful shutdown waits for, and what caps one user's streams.
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
    streams: Mutex<HashMap<String, usize>>,
    max_streams_per_user: usize,
}

impl Runs {
    pub fn new(max_streams_per_user: usize) -> Arc<Runs> {
        Arc::new(Runs {
            runtime: tokio::runtime::Handle::try_current().ok(),
            active: watch::Sender::new(0),
            phase: watch::Sender::new(Phase::Serving),
            streams: Mutex::new(HashMap::new()),
            max_streams_per_user,
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
    pub fn open_stream(self: &Arc<Runs>, user_id: &str) -> Option<StreamGuard> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let open = streams.entry(user_id.to_owned()).or_default();
        if *open >= self.max_streams_per_user {
            return None;
        }
        *open += 1;
        Some(StreamGuard {
            runs: self.clone(),
            user_id: user_id.to_owned(),
            _open: record::stream_open(),
        })
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
    runs: Arc<Runs>,
    user_id: String,
    _open: InFlight,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut streams = self.runs.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = streams.get_mut(&self.user_id) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                streams.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_only_so_many_streams_and_closing_one_frees_it() {
        let runs = Runs::new(2);
        let a = runs.open_stream("u1");
        let b = runs.open_stream("u1");
        assert!(a.is_some() && b.is_some());
        assert!(runs.open_stream("u1").is_none());
        assert!(runs.open_stream("u2").is_some());
        drop(a);
        assert!(runs.open_stream("u1").is_some());
    }

    #[tokio::test]
    async fn draining_lets_runs_start_and_finish_and_stopping_refuses_new_ones() {
        let runs = Runs::new(1);
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
        let runs = Runs::new(1);
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
