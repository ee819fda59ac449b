//! Storage: the connection enum over SQLite and PostgreSQL, its pool, the
//! embedded migrations, the schema, and the model functions.
//!
//! Diesel is synchronous. Every query, `pool.get()` included, goes through
//! [`run`], which moves it to one of the pool's database threads (as many as
//! connections) so actix workers never wait on the database, and a crowd
//! waiting for a connection costs queue entries, not threads.
//!
//! On SQLite a transaction that reads and then writes fails at once with
//! "database is locked" when another writer got in between (the busy timeout
//! does not apply to lock upgrades), so write transactions start with their
//! write, and read-modify-write is one statement (`RETURNING`) where it can be.
//!
//! Lookups by a unique key use `get_result`, not `first`: `first` adds
//! `LIMIT ?`, and SQLite re-prepares a statement whose LIMIT is rebound on
//! every execution, which tripled the cost of the session lookup.

mod connection;
pub mod migrations;
pub mod models;
pub mod schema;

pub use connection::{Backend, CheckoutError, DbConnection, DbPool, Manager, PooledDb, build_pool};

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::QueryResult;

/// Why a database call did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Connecting just failed: the database is down or refusing connections.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("the database call did not finish: {0}")]
    Blocking(#[from] crate::blocking::JobError),
}

impl From<CheckoutError> for DbError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::Refused(cause) => DbError::Unavailable(cause),
            CheckoutError::Timeout(e) => DbError::Pool(e),
        }
    }
}

impl DbError {
    /// True when the database could not be reached (as opposed to refusing a
    /// query): no connection could be had, or the one in use was lost.
    pub fn is_outage(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            DbError::Pool(_) | DbError::Unavailable(_) => true,
            DbError::Query(
                Error::DatabaseError(
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                    _,
                )
                | Error::BrokenTransactionManager,
            ) => true,
            DbError::Query(_) | DbError::Blocking(_) => false,
        }
    }

    /// True when an insert hit a unique constraint (an email already taken, say).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// Runs `f` with a pooled connection on one of the pool's database threads,
/// keeping the caller's tracing span; the caller waits without a thread. The
/// connection goes back to the pool when `f` returns.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, DbError>
where
    F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
    T: Send + 'static,
{
    let threads = pool.threads().clone();
    let pool = pool.clone();
    let queued = crate::metrics::record::db_queued();
    threads
        .run(move || {
            let checkout = pool.checkout().map_err(DbError::from);
            let call = queued.connected();
            let result = checkout.and_then(|mut conn| {
                f(&mut conn).map_err(|e| {
                    conn.note_error(&e);
                    DbError::Query(e)
                })
            });
            call.finished();
            match &result {
                Err(e) if e.is_outage() => pool.note_answer(false),
                Ok(_) | Err(DbError::Query(_)) => pool.note_answer(true),
                Err(_) => {}
            }
            result
        })
        .await?
}

/// The current UTC time at the millisecond precision every row stores.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(3)
}

/// Runs `$body` with `$c` bound to the concrete connection inside `$conn`.
/// For what does not compile through the shared enum: `RETURNING` clauses.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Pg($c) => $body,
        }
    };
}

/// `INSERT … RETURNING <column>` on whichever backend `conn` is.
#[macro_export]
macro_rules! insert_returning {
    ($conn:expr, $table:expr, $values:expr, $column:expr) => {{
        use diesel::RunQueryDsl as _;
        $crate::per_backend!($conn, c => diesel::insert_into($table)
            .values($values)
            .returning($column)
            .get_result(c))
    }};
}
