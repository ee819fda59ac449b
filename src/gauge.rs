//! Whether metrics are recorded, and a gauge held up while something is in
//! flight. At the bottom floor, so the database layer can count its calls
//! without knowing the metrics module (which reads the pool when scraped).

use std::sync::atomic::{AtomicBool, Ordering};

use metrics::gauge;

static RECORDING: AtomicBool = AtomicBool::new(false);

/// Whether the metrics recorder is installed: recording is then worth its cost.
pub fn recording() -> bool {
    RECORDING.load(Ordering::Acquire)
}

/// The metrics recorder is installed: from now on things are counted.
pub fn start_recording() {
    RECORDING.store(true, Ordering::Release);
}

/// One thing in flight on a gauge, until dropped. What started before the
/// recorder was installed is not uncounted after it (the gauge would go
/// below zero).
pub struct InFlight {
    gauge: &'static str,
    counted: bool,
}

impl InFlight {
    /// Counts one more on the gauge named `gauge` until dropped.
    pub fn start(gauge: &'static str) -> InFlight {
        let counted = recording();
        if counted {
            gauge!(gauge).increment(1.0);
        }
        InFlight { gauge, counted }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.counted {
            gauge!(self.gauge).decrement(1.0);
        }
    }
}
