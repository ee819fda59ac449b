//! `tasktalk users list | show EMAIL | delete EMAIL`.

use std::io::Write;

use clap::Subcommand;

use super::{time, user_by_email};
use crate::auth::password::HashFormat;
use crate::db::DbConnection;
use crate::db::models::{Account, User};

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List every user, oldest first.
    List,
    /// Show one user and how much they own.
    Show { email: String },
    /// Delete a user and everything they own (sessions, tasks, conversations, messages).
    Delete { email: String },
}

pub fn run(cmd: UsersCommand, conn: &mut DbConnection, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::List => {
            let users = User::list(conn)?;
            writeln!(
                out,
                "{:<36}  {:<32}  {:<24}  created",
                "id", "email", "name"
            )?;
            for u in &users {
                writeln!(
                    out,
                    "{:<36}  {:<32}  {:<24}  {}",
                    u.id,
                    u.email,
                    u.name,
                    time(&u.created_at)
                )?;
            }
            writeln!(out, "{} user(s)", users.len())?;
        }
        UsersCommand::Show { email } => {
            let u = user_by_email(conn, &email)?;
            let f = User::footprint(conn, &u.id)?;
            writeln!(out, "id:             {}", u.id)?;
            writeln!(out, "email:          {}", u.email)?;
            writeln!(out, "name:           {}", u.name)?;
            writeln!(out, "email verified: {}", u.email_verified)?;
            let password = Account::find_password_by_user(conn, &u.id)?;
            writeln!(
                out,
                "password:       {}",
                password_format(password.as_deref())
            )?;
            writeln!(out, "created:        {}", time(&u.created_at))?;
            writeln!(out, "updated:        {}", time(&u.updated_at))?;
            writeln!(
                out,
                "owns:           {} session(s), {} account(s), {} task(s), {} conversation(s), {} message(s)",
                f.sessions, f.accounts, f.tasks, f.conversations, f.messages
            )?;
        }
        UsersCommand::Delete { email } => {
            let u = user_by_email(conn, &email)?;
            let f = User::footprint(conn, &u.id)?;
            User::delete_by_id(conn, &u.id)?;
            writeln!(
                out,
                "Deleted {} with {} session(s), {} task(s), {} conversation(s) and {} message(s).",
                u.email, f.sessions, f.tasks, f.conversations, f.messages
            )?;
        }
    }
    Ok(())
}

/// Which kind of hash an account holds, for operators following an import.
fn password_format(stored: Option<&str>) -> &'static str {
    match stored.map(HashFormat::of) {
        None => "none",
        Some(HashFormat::Argon2id) => "argon2id",
        Some(HashFormat::BetterAuthScrypt) => {
            "scrypt (from Better-Auth; replaced by argon2id at the next sign-in)"
        }
        Some(HashFormat::Unknown) => "in an unknown format (cannot sign in)",
    }
}
