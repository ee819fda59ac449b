//! A fixed set of threads for blocking work (database calls, password
//! hashing), so the number of threads is a property of the configuration,
//! not of the load.
//!
//! Tokio's blocking pool grows a thread for every waiting call (up to 512):
//! when more requests wait for the database than it has connections, each
//! waiter parks a thread with its own stack and allocator heap, though the
//! work is bounded by the connections anyway. Here a waiting call is a job in
//! a queue and a future waiting on its answer; the threads stay as many as
//! were asked for. The queue is an MPMC channel: every idle thread waits on
//! it directly (no lock held across the wait, as a shared `Mutex<Receiver>`
//! would need).
//!
//! A job whose caller stopped waiting before a thread took it is skipped: a
//! crowd that sends sign-ins and hangs up at once must not leave hundreds of
//! password hashes for the next person to wait behind.
//!
//! The threads run at a lower scheduling priority than the HTTP workers
//! (nice +[`NICENESS`]): when a crowd keeps every database thread busy, ten
//! of them would otherwise take five times the CPU of the two workers, and
//! a request that needs no database (`/healthz`, a stream's next event)
//! would wait behind them. Work is not lost by this, only ordered: the
//! database threads run whenever the workers are waiting, which is what a
//! worker with nothing left to do but wait for the database does.

use std::panic::AssertUnwindSafe;

use crossbeam_channel::{Receiver, Sender, unbounded};

use tracing::Span;

type Job = Box<dyn FnOnce() + Send>;

/// How many nice levels below the rest of the process these threads run.
/// At +10 a busy thread weighs a tenth of a worker (110 against 1024).
pub const NICENESS: i32 = 10;

/// Why a job gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("the {0} threads have stopped")]
    Stopped(&'static str),
    #[error("a job on the {0} threads panicked")]
    Panicked(&'static str),
}

/// The threads; they end when the last clone of this is dropped.
#[derive(Clone)]
pub struct Threads {
    name: &'static str,
    jobs: Sender<Job>,
}

impl Threads {
    /// Starts `count` (at least one) threads named `name-N`.
    pub fn start(name: &'static str, count: usize) -> std::io::Result<Threads> {
        let (jobs, queue) = unbounded::<Job>();
        for n in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    lower_priority();
                    work(&queue)
                })?;
        }
        Ok(Threads { name, jobs })
    }

    /// Runs `f` on one of the threads, inside the caller's tracing span, and
    /// waits for its answer without holding a thread of the caller's.
    pub async fn run<T, F>(&self, f: F) -> Result<T, JobError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let span = Span::current();
        let job: Job = Box::new(move || {
            // Nobody waits any more (the client hung up and its request was
            // dropped): the job has not started, so skipping it leaves
            // nothing half done, and the thread goes to a caller still
            // waiting. Work that must outlive its client is spawned
            // (`Runs::detached`), so its caller is never dropped.
            if answer.is_closed() {
                return;
            }
            let _ = answer.send(span.in_scope(f));
        });
        self.jobs
            .send(job)
            .map_err(|_| JobError::Stopped(self.name))?;
        // The sender is dropped unanswered only when the job panicked.
        answered.await.map_err(|_| JobError::Panicked(self.name))
    }
}

/// Moves the calling thread [`NICENESS`] levels down (Linux keeps a nice
/// value per thread). Lowering needs no privilege; where it fails anyway
/// the thread runs as before.
fn lower_priority() {
    let me = rustix::thread::gettid();
    let lowered = rustix::process::getpriority_process(Some(me))
        .and_then(|now| rustix::process::setpriority_process(Some(me), (now + NICENESS).min(19)));
    if let Err(e) = lowered {
        tracing::debug!(error = %e, "could not lower a blocking thread's priority");
    }
}

/// One thread: takes jobs until every sender is gone. A panicking job is
/// caught (its caller learns it from the dropped answer), and the thread
/// goes on.
fn work(queue: &Receiver<Job>) {
    while let Ok(job) = queue.recv() {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn many_waiting_jobs_share_the_few_threads() {
        let threads = Threads::start("test", 2).expect("threads");
        let jobs = (0..200).map(|i| {
            threads.run(move || {
                std::thread::sleep(Duration::from_millis(1));
                (i, std::thread::current().name().map(str::to_owned))
            })
        });
        let done = futures_util::future::join_all(jobs).await;
        let names: HashSet<_> = done
            .iter()
            .map(|r| r.as_ref().expect("answered").1.clone())
            .collect();
        assert_eq!(done.len(), 200);
        assert!(names.len() <= 2, "{names:?}");
    }

    #[tokio::test]
    async fn a_job_whose_caller_stopped_waiting_is_skipped() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        let threads = Threads::start("test", 1).expect("threads");
        let (release, held) = std::sync::mpsc::channel::<()>();
        let busy = tokio::spawn({
            let threads = threads.clone();
            async move {
                threads
                    .run(move || held.recv_timeout(Duration::from_secs(10)).is_ok())
                    .await
            }
        });
        // The busy job is queued first (the queue is first in, first out).
        tokio::task::yield_now().await;
        let ran = Arc::new(AtomicUsize::new(0));
        let abandoned = {
            let ran = ran.clone();
            threads.run(move || ran.fetch_add(1, Ordering::SeqCst))
        };
        // The caller gives up while the only thread is busy.
        let gave_up = tokio::time::timeout(Duration::from_millis(50), abandoned).await;
        assert!(gave_up.is_err(), "it could not have been answered yet");
        release.send(()).expect("the busy job waits");
        assert!(busy.await.expect("joined").expect("answered"));
        let counted = {
            let ran = ran.clone();
            threads.run(move || ran.load(Ordering::SeqCst)).await
        };
        assert_eq!(counted.expect("answered"), 0, "the abandoned job ran");
    }

    #[tokio::test]
    async fn the_threads_run_below_the_callers_priority() {
        let niceness = || rustix::process::getpriority_process(Some(rustix::thread::gettid()));
        let caller = niceness().expect("own priority");
        let threads = Threads::start("test", 1).expect("threads");
        let worker = threads
            .run(niceness)
            .await
            .expect("answered")
            .expect("priority");
        assert_eq!(worker, (caller + NICENESS).min(19), "caller at {caller}");
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_thread_goes_on() {
        let threads = Threads::start("test", 1).expect("threads");
        let failed = threads.run(|| panic!("a job that fails")).await;
        assert!(matches!(failed, Err(JobError::Panicked("test"))));
        assert_eq!(threads.run(|| 7).await.expect("still working"), 7);
    }
}
