//! `tasktalk import better-auth --from URL [--dry-run]`.

use std::io::Write;

use clap::Subcommand;

use crate::db::{Backend, DbConnection};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Users (who keep their passwords), tasks, conversations and messages
    /// from a Better-Auth deployment's database. Safe to run again.
    BetterAuth {
        /// The old database: postgres://… or sqlite://…
        #[arg(long, value_name = "URL")]
        from: String,
        /// Print what would be imported, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(
    cmd: ImportCommand,
    target: &mut DbConnection,
    target_url: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::BetterAuth { from, dry_run } => {
            if Backend::from_url(&from)? == Backend::from_url(target_url)? {
                anyhow::bail!("--from names Tasktalk's own database (DATABASE_URL)");
            }
            crate::import::better_auth(target, &from, dry_run, out)?;
            Ok(())
        }
    }
}
