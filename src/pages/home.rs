//! `/`: the signed-in start page.

use actix_web::{HttpResponse, get};
use askama::Template;

use crate::auth::CurrentUser;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    name: &'a str,
    email: &'a str,
}

#[get("/")]
pub async fn home(current: CurrentUser) -> Result<HttpResponse, AppError> {
    let page = HomePage {
        name: &current.user.name,
        email: &current.user.email,
    };
    let html = page.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html))
}
