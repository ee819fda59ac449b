//! Where the auth routes are mounted, and the steps the JSON API and the
//! pages share: rate-limit, parse, call the service, set or clear the cookie.

pub(crate) mod api;
mod login;
pub(crate) mod me;
mod signup;

use actix_session::Session as CookieSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::auth::credentials::{CredentialError, DisplayName, Email, Password};
use crate::auth::current_user::{
    Credential, CurrentUser, client_info, client_ip, cookie_token, start_cookie_session,
};
use crate::auth::redirect;
use crate::auth::service::{self, SignUpOutcome, SignedIn};
use crate::error::AppError;
use crate::respond::{html as render, see_other};

/// A refused email, password or name is a 400 with Better-Auth's code.
impl From<CredentialError> for AppError {
    fn from(e: CredentialError) -> Self {
        AppError::invalid(e.code(), e.to_string())
    }
}

/// `/api/auth/*` (Better-Auth's paths).
pub fn auth_api(cfg: &mut web::ServiceConfig) {
    cfg.service(api::sign_up)
        .service(api::sign_in)
        .service(api::sign_out)
        .service(api::get_session)
        .service(api::issue_token)
        .service(api::jwks);
}

/// `/api/me`.
pub fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(me::me);
}

/// `/login`, `/signup`, `/logout`.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.service(login::login_form)
        .service(login::login)
        .service(login::logout)
        .service(signup::signup_form)
        .service(signup::signup);
}

/// Where to go after signing in: a path on this site only (see [`redirect`]).
pub fn safe_next(next: Option<&str>) -> String {
    redirect::local_path(next)
}

/// `?next=` on the form pages.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// A blank sign-in or sign-up form, unless the person is signed in already.
fn blank_form<P: Template>(
    current: Option<CurrentUser>,
    query: &NextQuery,
    page: impl FnOnce(String) -> P,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if current.is_some() {
        return Ok(see_other(&next));
    }
    render(&page(next), StatusCode::OK)
}

/// Signs in with what the person typed and puts the new session in the cookie.
async fn sign_in(
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
    let email = Email::parse(email).map_err(|_| service::invalid_credentials())?;
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
struct SignUpAttempt {
    outcome: SignUpOutcome,
    email: Email,
    name: DisplayName,
}

/// Creates the account and, if it is new, puts its session in the cookie.
async fn sign_up(
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
async fn sign_out(
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
