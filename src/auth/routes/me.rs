//! `GET /api/me`: who the session cookie or bearer token belongs to.

use actix_web::http::header;
use actix_web::{HttpResponse, get};

use crate::auth::current_user::CurrentUser;
use crate::auth::json;

#[get("/me")]
pub async fn me(current: CurrentUser) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json::user(&current.user))
}
