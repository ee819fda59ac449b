//! `tasktalk keys list | rotate`: the EdDSA keys JWTs are signed with.

use std::io::Write;

use clap::Subcommand;
use secrecy::ExposeSecret;

use super::time;
use crate::auth::jwks::{self, key};
use crate::config::{JwtAlgorithm, Settings};
use crate::db::models::KeyPair;
use crate::db::{DbConnection, now};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the signing keys, newest first.
    List,
    /// Sign with a new key from now on (every server within
    /// JWT_KEY_REFRESH_SECONDS). The old key stays published at
    /// /api/auth/jwks until the tokens it signed have expired.
    Rotate,
}

pub fn run(
    cmd: KeysCommand,
    conn: &mut DbConnection,
    settings: &Settings,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if settings.jwt_algorithm == JwtAlgorithm::Hs256 {
        writeln!(
            out,
            "Note: JWT_ALGORITHM=HS256, so tokens are signed with AUTH_SECRET, not with these keys."
        )?;
    }
    match cmd {
        KeysCommand::List => {
            let keys = KeyPair::list(conn)?;
            writeln!(
                out,
                "{:<32}  {:<6}  {:<20}  stopped signing",
                "kid", "alg", "created"
            )?;
            for k in &keys {
                let stopped = k.expires_at.as_ref().map_or("- (current)".to_owned(), time);
                writeln!(
                    out,
                    "{:<32}  {:<6}  {:<20}  {stopped}",
                    k.id,
                    k.alg,
                    time(&k.created_at)
                )?;
            }
            writeln!(out, "{} key(s)", keys.len())?;
        }
        KeysCommand::Rotate => {
            let cipher = key::KeyCipher::from_secret(settings.auth_secret.expose_secret());
            let now = now();
            let new = key::generate(&cipher, now)?;
            let published_for = jwks::published_for(settings.jwt_ttl, settings.jwt_key_refresh);
            let forget_before = now.checked_sub_signed(published_for).unwrap_or(now);
            let forgotten = KeyPair::rotate(conn, &new, now, forget_before)?;
            writeln!(out, "New signing key {}.", new.id)?;
            writeln!(
                out,
                "The previous key stays published until {} (its tokens have expired by then).",
                time(&now.checked_add_signed(published_for).unwrap_or(now))
            )?;
            if forgotten > 0 {
                writeln!(
                    out,
                    "Deleted {forgotten} key(s) whose tokens have all expired."
                )?;
            }
        }
    }
    Ok(())
}
