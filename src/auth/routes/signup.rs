//! `/signup`: create an account and land signed in where you were going.

use actix_session::Session as CookieSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::{NextQuery, render, safe_next, see_other};
use crate::AppState;
use crate::auth::current_user::MaybeUser;
use crate::auth::service::SignUpOutcome;
use crate::error::AppError;

/// Said whether or not the email has an account, so the page reveals neither.
const EMAIL_TAKEN: &str = "We could not create an account with these details. \
                           If you already have an account, sign in instead.";

#[derive(Template, Default)]
#[template(path = "auth/signup.html")]
struct SignupPage {
    error: Option<String>,
    email: String,
    name: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    email: String,
    password: String,
    name: String,
    next: Option<String>,
}

#[get("/signup")]
pub async fn signup_form(
    MaybeUser(current): MaybeUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    super::blank_form(current, &query, |next| SignupPage {
        next,
        ..Default::default()
    })
}

#[post("/signup")]
pub async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    cookie: CookieSession,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let SignupForm {
        email,
        password,
        name,
        next,
    } = form.into_inner();
    let next = safe_next(next.as_deref());
    let (error, status, cause) =
        match super::flow::sign_up(&req, &state, &cookie, &email, password, Some(&name)).await {
            Ok(attempt) => match attempt.outcome {
                SignUpOutcome::Created(_) => return Ok(see_other(&next)),
                SignUpOutcome::EmailTaken => (
                    EMAIL_TAKEN.to_owned(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                ),
            },
            Err(e @ AppError::Internal(_)) => return Err(e),
            Err(e) => (e.to_string(), e.status_code(), Some(e)),
        };
    let page = SignupPage {
        error: Some(error),
        email,
        name,
        next,
    };
    let shown = render(&page, status)?;
    Ok(match cause {
        Some(e) => crate::error::with_common_headers(&e, shown),
        None => shown,
    })
}
