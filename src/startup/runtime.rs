//! The runtime the server's main thread drives: startup, the signal
//! handler, and the assistant's runs (see `crate::chat::runs`).

use std::io;

/// Blocking threads the main runtime may start. What blocks there is rare
/// and short: opening the database at startup, and the address lookup of a
/// new connection to an AI provider (reqwest resolves with the system's
/// `getaddrinfo` on a blocking thread). Tokio's default of 512 would let a
/// burst of runs on new provider connections, or a resolver that does not
/// answer, start one thread per lookup; beyond these the lookups queue.
/// Two keep the server within its budget of threads (workers + database
/// pool + 8) at any load.
pub const MAIN_BLOCKING_THREADS: usize = 2;

/// Name of those threads (`/proc/<pid>/task/*/comm`).
const BLOCKING_THREAD_NAME: &str = "main-blocking";

/// A current-thread runtime, as actix's own, with the blocking bound.
pub fn main_runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(MAIN_BLOCKING_THREADS)
        .thread_name(BLOCKING_THREAD_NAME)
        .build()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// Threads of this process named like the main runtime's blocking ones.
    fn blocking_threads() -> usize {
        std::fs::read_dir("/proc/self/task")
            .map(|tasks| {
                tasks
                    .filter_map(Result::ok)
                    .filter(|task| {
                        std::fs::read_to_string(task.path().join("comm"))
                            .is_ok_and(|name| name.trim() == BLOCKING_THREAD_NAME)
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    #[test]
    fn a_burst_of_blocking_work_queues_on_a_few_threads() {
        let runtime = main_runtime().expect("runtime");
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let done = runtime.block_on(async {
            let jobs: Vec<_> = (0..32)
                .map(|_| {
                    let (running, most) = (running.clone(), most.clone());
                    tokio::task::spawn_blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                })
                .collect();
            let threads = blocking_threads();
            let mut done = 0;
            for job in jobs {
                job.await.expect("job");
                done += 1;
            }
            assert!(threads <= MAIN_BLOCKING_THREADS, "{threads} threads");
            done
        });
        assert_eq!(done, 32);
        assert_eq!(most.load(Ordering::SeqCst), MAIN_BLOCKING_THREADS);
    }
}
