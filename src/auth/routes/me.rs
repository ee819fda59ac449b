//! `GET /api/me`: who the session cookie or bearer token belongs to.

use actix_web::http::header;
use actix_web::{HttpResponse, get};

use crate::auth::current_user::CurrentUser;
use crate::auth::json::UserView;
use crate::error::ApiError;

/// The user the cookie or bearer token belongs to.
#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, description = "Not signed in", body = ApiError)))]
#[get("/me")]
pub async fn me(current: CurrentUser) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(UserView::from(&current.user))
}
