//! Better-Auth's sign-up, sign-in and sign-out endpoints under `/api/auth`,
//! with the JSON shapes its client expects.

use actix_session::Session as CookieSession;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::current_user::MaybeUser;
use crate::auth::input::JsonOrForm;
use crate::auth::json::{SignedInView, SignedUp, Success, UserView};
use crate::auth::service::{SignUpOutcome, SignedIn};
use crate::db;
use crate::error::{AppError, AuthApiError};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignUpBody {
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignInBody {
    email: String,
    password: String,
}

/// Creates an account and signs in.
#[utoipa::path(post, path = "/api/auth/sign-up/email", tag = "auth",
    request_body(content((SignUpBody = "application/json"), (SignUpBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The session cookie is set; `token: null` when the email is taken", body = SignedUp),
        (status = 400, description = "`INVALID_EMAIL`, `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`, `VALIDATION_ERROR`", body = AuthApiError),
        (status = 429, description = "Too many attempts from this address (no `code`)", body = AuthApiError)))]
#[post("/sign-up/email")]
pub async fn sign_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    cookie: CookieSession,
    JsonOrForm(body): JsonOrForm<SignUpBody>,
) -> Result<HttpResponse, AppError> {
    let attempt = super::flow::sign_up(
        &req,
        &state,
        &cookie,
        &body.email,
        body.password,
        body.name.as_deref(),
    )
    .await?;
    match attempt.outcome {
        SignUpOutcome::Created(signed_in) => {
            let body = SignedUp {
                token: Some(signed_in.token.clone()),
                user: UserView::from(&signed_in.user),
            };
            Ok(signed_in_response(&signed_in, &body))
        }
        // Better-Auth's enumeration-safe answer: the same shape, a stand-in
        // user, no token and no cookie.
        SignUpOutcome::EmailTaken => {
            let now = db::now().into();
            let stand_in = UserView {
                id: uuid::Uuid::new_v4().to_string(),
                name: attempt.name.as_str().to_owned(),
                email: attempt.email.as_str().to_owned(),
                email_verified: false,
                image: None,
                created_at: now,
                updated_at: now,
            };
            Ok(HttpResponse::Ok().json(SignedUp {
                token: None,
                user: stand_in,
            }))
        }
    }
}

/// Signs in with email and password.
#[utoipa::path(post, path = "/api/auth/sign-in/email", tag = "auth",
    request_body(content((SignInBody = "application/json"), (SignInBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The session cookie is set", body = SignedInView),
        (status = 400, description = "`VALIDATION_ERROR`, `PASSWORD_TOO_LONG`", body = AuthApiError),
        (status = 401, description = "`INVALID_EMAIL_OR_PASSWORD`", body = AuthApiError),
        (status = 429, description = "Too many attempts from this address (no `code`)", body = AuthApiError)))]
#[post("/sign-in/email")]
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    cookie: CookieSession,
    JsonOrForm(body): JsonOrForm<SignInBody>,
) -> Result<HttpResponse, AppError> {
    let signed_in = super::flow::sign_in(&req, &state, &cookie, &body.email, body.password).await?;
    let body = SignedInView {
        redirect: false,
        token: signed_in.token.clone(),
        user: UserView::from(&signed_in.user),
    };
    Ok(signed_in_response(&signed_in, &body))
}

/// Better-Auth's bearer plugin echoes the token in `set-auth-token`.
fn signed_in_response(signed_in: &SignedIn, body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("set-auth-token", signed_in.token.as_str()))
        .insert_header((header::ACCESS_CONTROL_EXPOSE_HEADERS, "set-auth-token"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// Ends this session (only this device's; with a JWT, the session it came from).
#[utoipa::path(post, path = "/api/auth/sign-out", tag = "auth",
    responses((status = 200, body = Success)))]
#[post("/sign-out")]
pub async fn sign_out(
    state: web::Data<AppState>,
    cookie: CookieSession,
    MaybeUser(current): MaybeUser,
) -> Result<HttpResponse, AppError> {
    super::flow::sign_out(&state, &cookie, current.as_ref()).await?;
    Ok(HttpResponse::Ok().json(Success { success: true }))
}
