//! The migrations of both backends, embedded in the binary.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the names of those applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, BoxError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration, newest first; returns the names reverted.
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, BoxError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(reverted.iter().map(ToString::to_string).collect())
}
