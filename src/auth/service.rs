//! Signing up, in and out, and turning a session token into a user. Shared
//! by the JSON API and the HTML pages, which differ only in how they answer.

use chrono::{Duration, NaiveDateTime};
use diesel::Connection;

use super::credentials::{DisplayName, Email, Password};
use super::{password, session_token};
use crate::db::models::account::CREDENTIAL_PROVIDER;
use crate::db::models::{Account, NewAccount, NewSession, NewUser, Session, SessionWithUser, User};
use crate::db::{self, DbConnection, DbError, DbPool};

/// How long a session lives without use.
pub const SESSION_TTL: Duration = Duration::days(7);
/// How old a session's last refresh may get before a request slides it forward.
pub const SESSION_UPDATE_AGE: Duration = Duration::days(1);

/// What we record about the client that opened a session.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// A new session: the row, and the token only the client will hold.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
    pub token: String,
}

#[derive(Debug)]
pub enum SignUpOutcome {
    Created(Box<SignedIn>),
    /// The email has an account already. Answer neutrally.
    EmailTaken,
}

/// Why signing up or in did not work.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No account has this email, or the password is not its own: the two
    /// look the same.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// A password could not be hashed or checked.
    #[error("could not hash or check a password: {0:#}")]
    Hashing(anyhow::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub async fn sign_up(
    pool: &DbPool,
    email: Email,
    password: Password,
    name: DisplayName,
    client: ClientInfo,
) -> Result<SignUpOutcome, AuthError> {
    // Hash before touching the database: a taken email costs the same time,
    // and no connection is held during the slow part.
    let hash = password::on_hashing_threads(move || password::hash(&password))
        .await
        .and_then(|hashed| hashed)
        .map_err(AuthError::Hashing)?;
    let result = db::call(pool, "sign up", move |conn| {
        conn.transaction(|conn| {
            let now = db::now();
            let user_id = uuid::Uuid::new_v4().to_string();
            let user = User::insert(
                conn,
                &NewUser {
                    id: &user_id,
                    name: name.as_str(),
                    email: email.as_str(),
                    email_verified: false,
                    image: None,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            Account::insert(
                conn,
                &NewAccount {
                    id: &uuid::Uuid::new_v4().to_string(),
                    account_id: &user_id,
                    provider_id: CREDENTIAL_PROVIDER,
                    user_id: &user_id,
                    password: Some(&hash),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            open_session(conn, user, &client, now)
        })
    })
    .await;
    match result {
        Ok(signed_in) => Ok(SignUpOutcome::Created(Box::new(signed_in))),
        Err(e) if e.is_unique_violation() => Ok(SignUpOutcome::EmailTaken),
        Err(e) => Err(AuthError::Db(e)),
    }
}

pub async fn sign_in(
    pool: &DbPool,
    email: Email,
    password: Password,
    client: ClientInfo,
) -> Result<SignedIn, AuthError> {
    let found = db::call(pool, "find a credential", move |conn| {
        Account::find_credential_by_email(conn, email.as_str())
    })
    .await?;
    let (user, upgrade) = password::on_hashing_threads(move || match found {
        Some((user, stored)) => match password::check(&password, &stored) {
            password::Checked::Match => Ok(Some((user, None))),
            password::Checked::MatchInOldFormat => password::hash_for_upgrade(&password)
                .map(|new| Some((user, Some(HashUpgrade { old: stored, new })))),
            password::Checked::NoMatch => Ok(None),
        },
        None => {
            password::verify_dummy(&password);
            Ok(None)
        }
    })
    .await
    .and_then(|checked| checked)
    .map_err(AuthError::Hashing)?
    .ok_or(AuthError::InvalidCredentials)?;
    Ok(db::call(pool, "open a session", move |conn| match upgrade {
        // The old hash goes in the transaction that starts the session, so a
        // session never exists while the account still holds it.
        Some(upgrade) => conn.transaction(|conn| {
            Account::replace_password(conn, &user.id, &upgrade.old, &upgrade.new)?;
            open_session(conn, user, &client, db::now())
        }),
        None => open_session(conn, user, &client, db::now()),
    })
    .await?)
}

/// A Better-Auth hash that was just verified, and the argon2id one replacing it.
struct HashUpgrade {
    old: String,
    new: String,
}

fn open_session(
    conn: &mut DbConnection,
    user: User,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> diesel::QueryResult<SignedIn> {
    let token = session_token::generate();
    let session = Session::insert(
        conn,
        &NewSession {
            id: &uuid::Uuid::new_v4().to_string(),
            token: &session_token::hash(&token),
            user_id: &user.id,
            expires_at: now + SESSION_TTL,
            ip_address: client.ip_address.as_deref(),
            user_agent: client.user_agent.as_deref(),
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(SignedIn {
        user,
        session,
        token,
    })
}

/// Ends the session holding `token`, if there is one.
pub async fn sign_out(pool: &DbPool, token: &str) -> Result<(), DbError> {
    let token_hash = session_token::hash(token);
    db::call(pool, "end a session by token", move |conn| {
        Session::delete_by_token_hash(conn, &token_hash)
    })
    .await?;
    Ok(())
}

/// Ends the user's session `session_id`: signing out with a JWT ends the
/// session it was issued from, and so every JWT of that session.
pub async fn end_session(pool: &DbPool, session_id: &str, user_id: &str) -> Result<(), DbError> {
    let (session_id, user_id) = (session_id.to_owned(), user_id.to_owned());
    db::call(pool, "end a session", move |conn| {
        Session::delete_by_id_and_user(conn, &session_id, &user_id)
    })
    .await?;
    Ok(())
}

/// A live session found by its token.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub found: SessionWithUser,
    /// The expiry was slid forward by this request: re-send the cookie.
    pub extended: bool,
}

/// Looks the token's session up; an expired one is deleted and counts as none.
/// Slides the expiry forward when the session was last refreshed over a day ago.
pub async fn authenticate_session(
    pool: &DbPool,
    token: &str,
) -> Result<Option<ActiveSession>, DbError> {
    let token_hash = session_token::hash(token);
    let found = db::call(pool, "authenticate a session", move |conn| {
        let now = db::now();
        let Some(mut found) = Session::find_active_by_token_hash(conn, &token_hash, now)? else {
            Session::delete_expired_by_token_hash(conn, &token_hash, now)?;
            return Ok(None);
        };
        let extended = found.session.updated_at <= now - SESSION_UPDATE_AGE;
        if extended {
            let expires_at = now + SESSION_TTL;
            Session::extend(conn, &found.session.id, expires_at, now)?;
            found.session.expires_at = expires_at;
            found.session.updated_at = now;
        }
        Ok(Some(ActiveSession { found, extended }))
    })
    .await?;
    Ok(found)
}

/// The live session a verified JWT was issued from, with its user: none if
/// the session was ended (signed out, revoked, expired) or is not that user's.
/// One lookup by primary key; it does not slide the session's expiry, which
/// only the session's own token does.
pub async fn authenticate_jwt_session(
    pool: &DbPool,
    session_id: String,
    user_id: String,
) -> Result<Option<SessionWithUser>, DbError> {
    db::call(pool, "find a token's session", move |conn| {
        Session::find_active_by_id_and_user(conn, &session_id, &user_id, db::now())
    })
    .await
}

/// Deletes sessions that expired without being used again (a used one is
/// deleted on the spot). Idempotent, so every replica may run it.
pub async fn delete_expired_sessions(pool: &DbPool) -> Result<usize, DbError> {
    db::call(pool, "delete expired sessions", |conn| {
        Session::delete_expired(conn, db::now())
    })
    .await
}

/// Runs [`delete_expired_sessions`] now and then every `period`, for as long as the server runs.
pub async fn sweep_expired_sessions(pool: DbPool, period: std::time::Duration) {
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        match delete_expired_sessions(&pool).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "deleted expired sessions"),
            Err(e) => tracing::warn!(error = ?e, "could not delete expired sessions"),
        }
    }
}
