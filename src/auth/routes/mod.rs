//! Where the auth routes are mounted, and what their pages share: the
//! `next` to go to, and the blank forms. The sign-in, sign-up and sign-out
//! steps the JSON API and the pages share are in [`flow`].

pub(crate) mod api;
mod flow;
mod login;
pub(crate) mod me;
mod signup;
pub(crate) mod tokens;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::credentials::CredentialError;
use crate::auth::current_user::CurrentUser;
use crate::auth::jwks::KeyError;
use crate::auth::redirect;
use crate::auth::service::AuthError;
use crate::error::AppError;
use crate::respond::{html as render, see_other};

/// A refused email, password or name is a 400 with Better-Auth's code.
impl From<CredentialError> for AppError {
    fn from(e: CredentialError) -> Self {
        AppError::invalid(e.code(), e.to_string())
    }
}

/// Wrong credentials are a 401 with Better-Auth's code; a password that could
/// not be hashed or checked is ours (500); a database error maps as any does.
impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => AppError::Unauthorized {
                code: "INVALID_EMAIL_OR_PASSWORD",
                message: "Invalid email or password",
            },
            AuthError::Hashing(e) => AppError::Internal(e),
            AuthError::Db(e) => e.into(),
        }
    }
}

/// Keys that could not be read are the database's error; keys that could
/// not be made or used are ours (500).
impl From<KeyError> for AppError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Db(e) => e.into(),
            KeyError::Crypto(e) => AppError::Internal(e),
        }
    }
}

/// `/api/auth/*` (Better-Auth's paths).
pub fn auth_api(cfg: &mut web::ServiceConfig) {
    cfg.service(api::sign_up)
        .service(api::sign_in)
        .service(api::sign_out)
        .service(tokens::get_session)
        .service(tokens::issue_token)
        .service(tokens::jwks);
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
