//! The command line: `tasktalk` serves; the subcommands are for operators.

mod import;
mod keys;
mod sessions;
mod users;

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{Backend, DbConnection, migrations};

#[derive(Debug, Parser)]
#[command(
    name = "tasktalk",
    version,
    about = "A multi-user task manager you talk to."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Inspect or delete user accounts.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Inspect or revoke sign-in sessions.
    #[command(subcommand)]
    Sessions(sessions::SessionsCommand),
    /// Inspect or rotate the keys JWTs are signed with.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Move users and their data in from another deployment.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

/// Runs an operator command against the configured database, writing to `out`.
pub fn run(command: Command, settings: &Settings, out: &mut impl Write) -> anyhow::Result<()> {
    let backend = Backend::from_url(&settings.database_url)?;
    let mut conn = backend.connect()?;
    // Every command works on an up-to-date schema.
    let applied = migrations::run_pending(&mut conn)
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    match command {
        Command::Serve => anyhow::bail!("serve is not an operator command"),
        Command::Migrate => {
            if applied.is_empty() {
                writeln!(out, "The {} database is up to date.", backend.name())?;
            }
            for name in applied {
                writeln!(out, "applied {name}")?;
            }
            Ok(())
        }
        Command::Users(cmd) => users::run(cmd, &mut conn, out),
        Command::Sessions(cmd) => sessions::run(cmd, &mut conn, out),
        Command::Keys(cmd) => keys::run(cmd, &mut conn, settings, out),
        Command::Import(cmd) => import::run(cmd, &mut conn, &settings.database_url, out),
    }
}

/// The user with this email, or an error that says so.
fn user_by_email(conn: &mut DbConnection, email: &str) -> anyhow::Result<crate::db::models::User> {
    let email = email.trim().to_lowercase();
    crate::db::models::User::find_by_email(conn, &email)
        .context("could not read users")?
        .with_context(|| format!("no user has the email {email}"))
}

fn time(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
