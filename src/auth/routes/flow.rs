//! The steps the JSON API and the pages share when signing up, in and out:
//! rate-limit, parse, call the service, set or clear the cookie. They differ
//! only in how they answer.

use actix_session::Session as CookieSession;
use actix_web::HttpRequest;

use crate::AppState;
use crate::auth::credentials::{DisplayName, Email, Password};
use crate::auth::current_user::{
    Credential, CurrentUser, client_info, client_ip, cookie_token, start_cookie_session,
};
use crate::auth::service::{self, AuthError, SignUpOutcome, SignedIn};
use crate::error::AppError;

/// Signs in with what the person typed and puts the new session in the cookie.
pub(super) async fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    cookie: &CookieSession,
    email: &str,
    password: String,
) -> Result<SignedIn, AppError> {
    state
        .auth_limiter
        .check(client_ip(req, state.trust_proxy_headers))?;
    // A malformed email cannot have an account: same answer as a wrong password.
    let email = Email::parse(email).map_err(|_| AuthError::InvalidCredentials)?;
    let password = Password::parse_attempt(password)?;
    let client = client_info(req, state.trust_proxy_headers);
    let signed_in = service::sign_in(&state.pool, email, password, client).await?;
    replace_cookie_session(state, cookie, &signed_in.token).await?;
    Ok(signed_in)
}

/// Puts a new session in the cookie and ends the one the cookie held before,
/// so signing in again (or as someone else) leaves no forgotten session alive.
async fn replace_cookie_session(
    state: &AppState,
    cookie: &CookieSession,
    token: &str,
) -> Result<(), AppError> {
    if let Some(previous) = cookie_token(cookie) {
        service::sign_out(&state.pool, &previous).await?;
    }
    start_cookie_session(cookie, token)
}

/// What a sign-up attempt came to, with the parsed details for the answer.
pub(super) struct SignUpAttempt {
    pub(super) outcome: SignUpOutcome,
    pub(super) email: Email,
    pub(super) name: DisplayName,
}

/// Creates the account and, if it is new, puts its session in the cookie.
pub(super) async fn sign_up(
    req: &HttpRequest,
    state: &AppState,
    cookie: &CookieSession,
    email: &str,
    password: String,
    name: Option<&str>,
) -> Result<SignUpAttempt, AppError> {
    state
        .auth_limiter
        .check(client_ip(req, state.trust_proxy_headers))?;
    let email = Email::parse(email)?;
    let password = Password::parse(password)?;
    let name = DisplayName::parse(name, &email)?;
    let client = client_info(req, state.trust_proxy_headers);
    let outcome =
        service::sign_up(&state.pool, email.clone(), password, name.clone(), client).await?;
    if let SignUpOutcome::Created(signed_in) = &outcome {
        replace_cookie_session(state, cookie, &signed_in.token).await?;
    }
    Ok(SignUpAttempt {
        outcome,
        email,
        name,
    })
}

/// Ends the session this request came with (not the person's others) and clears the cookie.
pub(super) async fn sign_out(
    state: &AppState,
    cookie: &CookieSession,
    current: Option<&CurrentUser>,
) -> Result<(), AppError> {
    if let Some(current) = current {
        match (&current.credential, current.session()) {
            (Credential::Jwt { session_id }, _) => {
                service::end_session(&state.pool, session_id, &current.user.id).await?;
            }
            (_, Some((_, token))) => service::sign_out(&state.pool, token).await?,
            (_, None) => {}
        }
    }
    cookie.purge();
    Ok(())
}
