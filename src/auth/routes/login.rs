//! `/login` and `/logout`: a plain form that works without JavaScript, shown
//! again with the problem when something is off.

use actix_session::Session as CookieSession;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::{NextQuery, render, safe_next, see_other};
use crate::AppState;
use crate::auth::current_user::MaybeUser;
use crate::error::AppError;

#[derive(Template, Default)]
#[template(path = "auth/login.html")]
struct LoginPage {
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
    super::blank_form(current, &query, |next| LoginPage {
        next,
        ..Default::default()
    })
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
    match super::flow::sign_in(&req, &state, &cookie, &email, password).await {
        Ok(_) => Ok(see_other(&next)),
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => {
            let page = LoginPage {
                error: Some(e.to_string()),
                email,
                next,
            };
            let shown = render(&page, e.status_code())?;
            Ok(crate::error::with_common_headers(&e, shown))
        }
    }
}

/// Ends this browser's session only; others stay signed in.
#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    cookie: CookieSession,
    MaybeUser(current): MaybeUser,
) -> Result<HttpResponse, AppError> {
    super::flow::sign_out(&state, &cookie, current.as_ref()).await?;
    Ok(see_other("/login"))
}
