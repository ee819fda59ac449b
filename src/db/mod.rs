//! Storage: the connection enum over SQLite and PostgreSQL, its pool, the
//! embedded migrations, the schema, and the model functions.
//!
//! Diesel is synchronous. Every query, `pool.get()` included, goes through
//! [`call`], which moves it to one of the pool's database threads (as many as
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
pub mod timing;

pub use connection::{Backend, CheckoutError, DbConnection, DbPool, Manager, PooledDb, build_pool};

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::{QueryResult, RunQueryDsl};

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
    /// What failed, and the operation it failed in ("list tasks").
    #[error("{operation}: {source}")]
    During {
        operation: &'static str,
        source: Box<DbError>,
    },
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
    /// This error, naming the operation it failed.
    pub fn during(self, operation: &'static str) -> DbError {
        DbError::During {
            operation,
            source: Box::new(self),
        }
    }

    /// What went wrong, under the operation's name.
    pub fn cause(&self) -> &DbError {
        match self {
            DbError::During { source, .. } => source.cause(),
            other => other,
        }
    }

    /// True when the row asked for is not there (for its owner).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.cause(),
            DbError::Query(diesel::result::Error::NotFound)
        )
    }

    /// True when the database could not be reached (as opposed to refusing a
    /// query): no connection could be had, or the one in use was lost.
    pub fn is_outage(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self.cause() {
            DbError::Pool(_) | DbError::Unavailable(_) => true,
            DbError::Query(
                Error::DatabaseError(
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                    _,
                )
                | Error::BrokenTransactionManager,
            ) => true,
            DbError::Query(_) | DbError::Blocking(_) | DbError::During { .. } => false,
        }
    }

    /// True when an insert hit a unique constraint (an email already taken, say).
    pub fn is_unique_violation(&self) -> bool {
        self.is_database_error(diesel::result::DatabaseErrorKind::UniqueViolation)
    }

    /// True when a write named a row that is not there (or not its owner's),
    /// through a foreign key.
    pub fn is_foreign_key_violation(&self) -> bool {
        self.is_database_error(diesel::result::DatabaseErrorKind::ForeignKeyViolation)
    }

    fn is_database_error(&self, kind: diesel::result::DatabaseErrorKind) -> bool {
        matches!(
            self.cause(),
            DbError::Query(diesel::result::Error::DatabaseError(k, _))
                if std::mem::discriminant(k) == std::mem::discriminant(&kind)
        )
    }
}

/// Runs `f` with a pooled connection on one of the pool's database threads,
/// keeping the caller's tracing span; the caller waits without a thread. The
/// connection goes back to the pool when `f` returns.
async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, DbError>
where
    F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
    T: Send + 'static,
{
    let threads = pool.threads().clone();
    let pool = pool.clone();
    let queued = timing::db_queued();
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

/// [`run`], with the error naming `operation` ("list tasks") when it fails,
/// so a log line says which database call went wrong.
pub async fn call<T, F>(pool: &DbPool, operation: &'static str, f: F) -> Result<T, DbError>
where
    F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
    T: Send + 'static,
{
    run(pool, f).await.map_err(|e| e.during(operation))
}

/// Asks the database for the smallest answer there is: whether it is up.
pub async fn ping(pool: &DbPool) -> Result<(), DbError> {
    call(pool, "check the database", |conn| {
        diesel::sql_query("SELECT 1").execute(conn).map(drop)
    })
    .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_operation_and_keeps_its_kind() {
        let e = DbError::Query(diesel::result::Error::NotFound).during("find a task");
        assert_eq!(e.to_string(), "find a task: Record not found");
        assert!(e.is_not_found() && !e.is_outage() && !e.is_unique_violation());
        let lost = DbError::Unavailable("connection refused".into()).during("list tasks");
        assert!(lost.is_outage());
    }
}
