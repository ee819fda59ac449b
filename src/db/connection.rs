//! One connection type for both backends, chosen from `DATABASE_URL`, and
//! the pool that hands them out.
//!
//! When the database goes away, requests must not queue for r2d2's full
//! checkout timeout: the pool remembers when its last attempt to connect
//! failed, and while that is recent (r2d2 retries in the background at least
//! every [`RETRY_AT_MOST_EVERY`]) a checkout that finds no idle connection
//! fails at once. The first successful retry clears it, so service resumes
//! without a restart.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use scheduled_thread_pool::ScheduledThreadPool;

use crate::blocking::Threads;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// How long a checkout waits for a connection when every one is busy.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);
/// r2d2 retries a failed connect with a backoff capped at half the checkout timeout.
const RETRY_AT_MOST_EVERY: Duration = Duration::from_millis(2500);
/// A connect failure this recent means the database is still away: a retry
/// would have cleared it otherwise.
const DOWN_FOR_AT_LEAST: Duration = RETRY_AT_MOST_EVERY.saturating_add(Duration::from_millis(500));
/// How often a waiting checkout looks whether a connect attempt failed meanwhile.
const CHECKOUT_POLL: Duration = Duration::from_millis(25);
/// PostgreSQL's own limit on opening a connection (libpq waits forever by default).
const PG_CONNECT_TIMEOUT_SECS: u32 = 5;

/// The connection pool, and what its connect attempts last saw of the database.
/// Derefs to the r2d2 pool for everything else.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<Manager>,
    health: Arc<Health>,
    answers: Arc<Answers>,
    /// As many threads as connections: every database call runs on one, so
    /// a call waiting for its turn waits in a queue, not on a thread.
    threads: Threads,
}

impl std::ops::Deref for DbPool {
    type Target = r2d2::Pool<Manager>;
    fn deref(&self) -> &Self::Target {
        &self.pool
    }
}

/// Why [`DbPool::checkout`] gave no connection.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// Connecting failed just now: the database is down or refusing us.
    #[error("the database refuses connections: {0}")]
    Refused(String),
    /// No connection became free in time.
    #[error(transparent)]
    Timeout(#[from] r2d2::PoolError),
}

impl DbPool {
    /// The threads database calls run on.
    pub fn threads(&self) -> &Threads {
        &self.threads
    }

    /// Notes how a database call ended: it answered, or the database was away.
    pub fn note_answer(&self, answered: bool) {
        self.answers.note(answered);
    }

    /// True when the latest call that reached a verdict was answered, less
    /// than `lately` ago: the database is proven up without asking it again
    /// (a health check must not queue behind a busy database's work).
    pub fn answered_within(&self, lately: Duration) -> bool {
        self.answers.answered_within(lately)
    }

    /// A connection: an idle one at once; else, unless connecting just failed,
    /// one that frees up or is opened within the checkout timeout.
    pub fn checkout(&self) -> Result<r2d2::PooledConnection<Manager>, CheckoutError> {
        if let Some(conn) = self.pool.try_get() {
            return Ok(conn);
        }
        let start = Instant::now();
        let recently = start.checked_sub(DOWN_FOR_AT_LEAST).unwrap_or(start);
        if let Some(cause) = self.health.failure_since(recently) {
            return Err(CheckoutError::Refused(cause));
        }
        loop {
            // Short waits, so a connect that fails meanwhile ends the wait at once.
            match self.pool.get_timeout(CHECKOUT_POLL) {
                Ok(conn) => return Ok(conn),
                Err(e) => {
                    if let Some(cause) = self.health.failure_since(start) {
                        return Err(CheckoutError::Refused(cause));
                    }
                    if start.elapsed() >= CHECKOUT_TIMEOUT {
                        return Err(CheckoutError::Timeout(e));
                    }
                }
            }
        }
    }
}

/// The last failed connect attempt, until a connect succeeds.
#[derive(Debug, Default)]
struct Health {
    last_failure: Mutex<Option<(Instant, String)>>,
}

impl Health {
    fn record(&self, result: Result<(), String>) {
        let mut last = self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *last = result.err().map(|cause| (Instant::now(), cause));
    }

    /// The cause of a connect failure at or after `since`, if the latest attempt failed then.
    fn failure_since(&self, since: Instant) -> Option<String> {
        let last = self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        last.as_ref()
            .filter(|(at, _)| *at >= since)
            .map(|(_, cause)| cause.clone())
    }
}

/// When the database last answered a call, and when a call last found it
/// away, in milliseconds since the pool was built (0: never).
#[derive(Debug)]
struct Answers {
    epoch: Instant,
    answered: AtomicU64,
    away: AtomicU64,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            epoch: Instant::now(),
            answered: AtomicU64::new(0),
            away: AtomicU64::new(0),
        }
    }
}

impl Answers {
    /// Milliseconds since the epoch, at least 1 so that 0 means never.
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn note(&self, answered: bool) {
        let slot = if answered { &self.answered } else { &self.away };
        slot.fetch_max(self.now(), Ordering::Relaxed);
    }

    fn answered_within(&self, lately: Duration) -> bool {
        let answered = self.answered.load(Ordering::Relaxed);
        let away = self.away.load(Ordering::Relaxed);
        let lately = u64::try_from(lately.as_millis()).unwrap_or(u64::MAX);
        answered != 0 && answered > away && self.now().saturating_sub(answered) < lately
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A file path (`sqlite://data/tasktalk.db`, `sqlite:///abs/path.db` or a bare path).
    Sqlite(String),
    Postgres(String),
}

impl Backend {
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            bail!(
                "DATABASE_URL must be postgres://… or a SQLite path such as sqlite://data/tasktalk.db"
            );
        }
        Ok(Backend::Sqlite(path.to_owned()))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Opens one connection, reporting the backend's own error (the derived
    /// `MultiConnection::establish` would hide it behind a generic message).
    pub fn connect(&self) -> anyhow::Result<DbConnection> {
        match self {
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .with_context(|| format!("could not open the SQLite database {path}"))?;
                // Per connection: without foreign_keys, cascades silently do nothing.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
                )
                .context("could not configure the SQLite connection")?;
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::Postgres(url) => PgConnection::establish(&with_connect_timeout(url))
                .map(DbConnection::Pg)
                .context("could not connect to PostgreSQL"),
        }
    }
}

/// `url` with a `connect_timeout`, unless it sets one: a server that accepts
/// but never answers must not hang the pool's connect attempts forever.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={PG_CONNECT_TIMEOUT_SECS}")
}

/// A pooled connection, with a mark for when its server went away.
pub struct PooledDb {
    conn: DbConnection,
    lost: bool,
}

impl PooledDb {
    /// Remembers that `error` showed the connection to be dead, so the pool
    /// drops it instead of handing it out again.
    pub fn note_error(&mut self, error: &diesel::result::Error) {
        use diesel::result::{DatabaseErrorKind, Error};
        if matches!(
            error,
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _
            ) | Error::BrokenTransactionManager
        ) {
            self.lost = true;
        }
    }
}

impl std::ops::Deref for PooledDb {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledDb {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// An r2d2 manager that opens connections through [`Backend::connect`].
#[derive(Debug)]
pub struct Manager {
    backend: Backend,
    health: Arc<Health>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0:#}")]
pub struct ConnectError(anyhow::Error);

impl ManageConnection for Manager {
    type Connection = PooledDb;
    type Error = ConnectError;

    fn connect(&self) -> Result<PooledDb, ConnectError> {
        let connected = self.backend.connect();
        self.health
            .record(connected.as_ref().map(|_| ()).map_err(|e| format!("{e:#}")));
        Ok(PooledDb {
            conn: connected.map_err(ConnectError)?,
            lost: false,
        })
    }

    fn is_valid(&self, conn: &mut PooledDb) -> Result<(), ConnectError> {
        conn.conn.ping().map_err(|e| ConnectError(e.into()))
    }

    fn has_broken(&self, conn: &mut PooledDb) -> bool {
        conn.lost || std::thread::panicking() || conn.conn.is_broken()
    }
}

/// Builds the pool, creating the SQLite file's folder if needed, and fails
/// fast with the real cause when the database cannot be reached.
pub fn build_pool(backend: &Backend, max_size: u32) -> anyhow::Result<DbPool> {
    if let Backend::Sqlite(path) = backend
        && let Some(dir) = Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create the folder {}", dir.display()))?;
    }
    // Try once by hand so the operator sees why, instead of r2d2's timeout.
    backend.connect()?;
    let health = Arc::new(Health::default());
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        // Open connections as load needs them, not all at start.
        .min_idle(Some(1))
        // No ping before every use (it cost a third of PostgreSQL's throughput):
        // a connection whose server went away is dropped when a query on it
        // fails (`PooledDb::note_error`), and the next checkout opens a new one.
        .test_on_check_out(false)
        .connection_timeout(CHECKOUT_TIMEOUT)
        // Connect failures are the pool's business (see `Health`), not a log line each.
        .error_handler(Box::new(r2d2::NopErrorHandler))
        // Its chores (closing idle connections, opening `min_idle`) need one
        // thread, not r2d2's default three.
        .thread_pool(Arc::new(
            ScheduledThreadPool::builder()
                .num_threads(1)
                .thread_name_pattern("db-pool")
                .build(),
        ))
        .build(Manager {
            backend: backend.clone(),
            health: Arc::clone(&health),
        })
        .context("could not build the database pool")?;
    let threads =
        Threads::start("db", max_size as usize).context("could not start the database threads")?;
    Ok(DbPool {
        pool,
        health,
        answers: Arc::default(),
        threads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_get_a_connect_timeout_unless_they_set_one() {
        assert_eq!(
            with_connect_timeout("postgres://u@h/db"),
            "postgres://u@h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?sslmode=disable"),
            "postgres://u@h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://u@h/db?connect_timeout=2"),
            "postgres://u@h/db?connect_timeout=2"
        );
    }

    #[test]
    fn a_recent_connect_failure_is_remembered_until_a_success() {
        let health = Health::default();
        let before = Instant::now();
        assert!(health.failure_since(before).is_none());
        health.record(Err("refused".into()));
        assert_eq!(health.failure_since(before).as_deref(), Some("refused"));
        assert!(
            health
                .failure_since(Instant::now() + Duration::from_secs(1))
                .is_none()
        );
        health.record(Ok(()));
        assert!(health.failure_since(before).is_none());
    }

    #[test]
    fn an_answer_counts_while_recent_and_until_the_database_is_found_away() {
        let answers = Answers::default();
        assert!(
            !answers.answered_within(Duration::from_secs(60)),
            "never asked"
        );
        answers.note(true);
        assert!(answers.answered_within(Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(30));
        assert!(
            !answers.answered_within(Duration::from_millis(20)),
            "too old"
        );
        answers.note(false);
        assert!(
            !answers.answered_within(Duration::from_secs(60)),
            "away since"
        );
        std::thread::sleep(Duration::from_millis(5));
        answers.note(true);
        assert!(answers.answered_within(Duration::from_secs(60)), "back");
    }

    #[test]
    fn database_urls_pick_their_backend() {
        let sqlite = |p: &str| Backend::Sqlite(p.to_owned());
        assert_eq!(
            Backend::from_url("sqlite://data/t.db").ok(),
            Some(sqlite("data/t.db"))
        );
        assert_eq!(
            Backend::from_url("sqlite:///abs/t.db").ok(),
            Some(sqlite("/abs/t.db"))
        );
        assert_eq!(
            Backend::from_url("data/t.db").ok(),
            Some(sqlite("data/t.db"))
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").ok(),
            Some(Backend::Postgres("postgresql://u@h/db".into()))
        );
        assert!(Backend::from_url("mysql://h/db").is_err());
        assert!(Backend::from_url("").is_err());
    }
}
