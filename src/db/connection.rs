//! One connection type for both backends, chosen from `DATABASE_URL`.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type DbPool = r2d2::Pool<Manager>;

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
            Backend::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .context("could not connect to PostgreSQL"),
        }
    }
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
}

#[derive(Debug, thiserror::Error)]
#[error("{0:#}")]
pub struct ConnectError(anyhow::Error);

impl ManageConnection for Manager {
    type Connection = PooledDb;
    type Error = ConnectError;

    fn connect(&self) -> Result<PooledDb, ConnectError> {
        let conn = self.backend.connect().map_err(ConnectError)?;
        Ok(PooledDb { conn, lost: false })
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
    r2d2::Pool::builder()
        .max_size(max_size)
        // Open connections as load needs them, not all at start.
        .min_idle(Some(1))
        // No ping before every use (it cost a third of PostgreSQL's throughput):
        // a connection whose server went away is dropped when a query on it
        // fails (`PooledDb::note_error`), and the next checkout opens a new one.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build(Manager {
            backend: backend.clone(),
        })
        .context("could not build the database pool")
}

#[cfg(test)]
mod tests {
    use super::Backend;

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
