//! The two ways a page handler answers: a rendered template, or a redirect
//! (home, when in doubt).

use actix_web::HttpResponse;
use actix_web::http::header::HeaderValue;
use actix_web::http::{StatusCode, header};
use askama::Template;

use crate::error::AppError;

/// Where a signed-in person lands when nothing else was asked for.
pub const HOME: &str = "/chat";

/// Renders `page` as HTML with `status`. Pages show private data: never cached.
pub fn html(page: &impl Template, status: StatusCode) -> Result<HttpResponse, AppError> {
    let body = page.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// `303 See Other` to `location`. Callers pass our own paths or
/// [`crate::auth::redirect::local_path`]'s answer; should anything else slip
/// through that is not a valid header value, the answer is still a redirect
/// (home), never a 500.
pub fn see_other(location: &str) -> HttpResponse {
    let location = HeaderValue::from_str(location).unwrap_or_else(|_| {
        tracing::warn!("a redirect target was not a valid header value; sent home instead");
        HeaderValue::from_static(HOME)
    });
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
