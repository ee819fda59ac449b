//! The sign-up, sign-in and sign-out pages: plain forms that work without
//! JavaScript, re-shown with the problem beside them when something is off.

use actix_session::Session as CookieSession;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::auth::credentials::{DisplayName, Email, Password};
use crate::auth::current_user::{
    CurrentUser, MaybeUser, client_info, client_ip, start_cookie_session,
};
use crate::auth::service::{self, SignUpOutcome};
use crate::error::AppError;

/// Where to go after signing in: a local path only, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template, Default)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    error: Option<String>,
    email: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

#[get("/login")]
pub async fn login_form(
    MaybeUser(current): MaybeUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if current.is_some() {
        return Ok(see_other(&next));
    }
    render(
        &LoginPage {
            next,
            ..Default::default()
        },
        StatusCode::OK,
    )
}

#[post("/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    cookie: CookieSession,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password,
        next,
    } = form.into_inner();
    let next = safe_next(next.as_deref());
    let attempt = async {
        state
            .auth_limiter
            .check(client_ip(&req, state.trust_proxy_headers))?;
        let parsed = Email::parse(&email).map_err(|_| service::invalid_credentials())?;
        let password = Password::parse_attempt(password)?;
        service::sign_in(
            &state.pool,
            parsed,
            password,
            client_info(&req, state.trust_proxy_headers),
        )
        .await
    };
    match attempt.await {
        Ok(signed_in) => {
            start_cookie_session(&cookie, &signed_in.token)?;
            Ok(see_other(&next))
        }
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => render(
            &LoginPage {
                error: Some(e.to_string()),
                email,
                next,
            },
            e.status_code(),
        ),
    }
}

#[derive(Template, Default)]
#[template(path = "auth/signup.html")]
pub struct SignupPage {
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
    let next = safe_next(query.next.as_deref());
    if current.is_some() {
        return Ok(see_other(&next));
    }
    render(
        &SignupPage {
            next,
            ..Default::default()
        },
        StatusCode::OK,
    )
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
    let attempt = async {
        state
            .auth_limiter
            .check(client_ip(&req, state.trust_proxy_headers))?;
        let parsed = Email::parse(&email)?;
        let password = Password::parse(password)?;
        let display = DisplayName::parse(Some(&name), &parsed)?;
        service::sign_up(
            &state.pool,
            parsed,
            password,
            display,
            client_info(&req, state.trust_proxy_headers),
        )
        .await
    };
    let page = |error: String, status| {
        let page = SignupPage {
            error: Some(error),
            email: email.clone(),
            name: name.clone(),
            next: next.clone(),
        };
        render(&page, status)
    };
    match attempt.await {
        Ok(SignUpOutcome::Created(signed_in)) => {
            start_cookie_session(&cookie, &signed_in.token)?;
            Ok(see_other(&next))
        }
        Ok(SignUpOutcome::EmailTaken) => page(
            "We could not create an account with these details. If you already have an account, sign in instead.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => page(e.to_string(), e.status_code()),
    }
}

/// Ends this browser's session only; others stay signed in.
#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    cookie: CookieSession,
    MaybeUser(current): MaybeUser,
) -> Result<HttpResponse, AppError> {
    if let Some((_, token)) = current.as_ref().and_then(CurrentUser::session) {
        service::sign_out(&state.pool, token).await?;
    }
    cookie.purge();
    Ok(see_other("/login"))
}

fn render(page: &impl Template, status: StatusCode) -> Result<HttpResponse, AppError> {
    let html = page.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}
