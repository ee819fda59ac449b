//! What the database calls record for an operator: how many wait for a
//! database thread and a connection, how long they wait, and how long they
//! hold the connection. The names are described with the others in
//! `crate::metrics`.

use std::time::Instant;

use metrics::histogram;

use crate::gauge::InFlight;

pub const DB_WAITING: &str = "tasktalk_db_waiting";
pub const DB_WAIT_DURATION: &str = "tasktalk_db_wait_duration_seconds";
pub const DB_CALL_DURATION: &str = "tasktalk_db_call_duration_seconds";

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
