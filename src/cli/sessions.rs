//! `tasktalk sessions list [EMAIL] | revoke ID | revoke --user EMAIL`.

use std::io::Write;

use chrono::NaiveDateTime;
use clap::Subcommand;

use super::{time, user_by_email};
use crate::db::models::{Session, SessionWithUser};
use crate::db::{DbConnection, now};

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List sessions, newest first (of one user, if an email is given).
    List { email: Option<String> },
    /// End a session at once, on every replica.
    Revoke {
        /// The session id (from `sessions list`).
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        id: Option<String>,
        /// End every session of the user with this email instead.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
    },
}

pub fn run(
    cmd: SessionsCommand,
    conn: &mut DbConnection,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match cmd {
        SessionsCommand::List { email } => list(conn, email.as_deref(), out)?,
        SessionsCommand::Revoke { id: Some(id), .. } => {
            if !Session::delete_by_id(conn, &id)? {
                anyhow::bail!("no session has the id {id}");
            }
            writeln!(out, "Revoked session {id}.")?;
        }
        SessionsCommand::Revoke {
            user: Some(email), ..
        } => {
            let user = user_by_email(conn, &email)?;
            let count = Session::delete_all_of_user(conn, &user.id)?;
            writeln!(out, "Revoked {count} session(s) of {}.", user.email)?;
        }
        SessionsCommand::Revoke { .. } => anyhow::bail!("give a session id or --user EMAIL"),
    }
    Ok(())
}

/// A table of the sessions (of the user with `email`, if given), newest first.
fn list(conn: &mut DbConnection, email: Option<&str>, out: &mut impl Write) -> anyhow::Result<()> {
    let user_id = email
        .map(|e| user_by_email(conn, e))
        .transpose()?
        .map(|u| u.id);
    let sessions = Session::list(conn, user_id.as_deref())?;
    let now = now();
    writeln!(
        out,
        "{:<36}  {:<32}  {:<20}  {:<20}  {:<15}  user agent",
        "id", "email", "created", "expires", "ip"
    )?;
    for s in &sessions {
        write_row(out, s, now)?;
    }
    writeln!(out, "{} session(s)", sessions.len())?;
    Ok(())
}

fn write_row(out: &mut impl Write, s: &SessionWithUser, now: NaiveDateTime) -> std::io::Result<()> {
    let expires = if s.session.expires_at <= now {
        "expired".to_owned()
    } else {
        time(&s.session.expires_at)
    };
    let agent: String = s
        .session
        .user_agent
        .as_deref()
        .unwrap_or("")
        .chars()
        .take(40)
        .collect();
    writeln!(
        out,
        "{:<36}  {:<32}  {:<20}  {:<20}  {:<15}  {}",
        s.session.id,
        s.user.email,
        time(&s.session.created_at),
        expires,
        s.session.ip_address.as_deref().unwrap_or("-"),
        agent
    )
}
