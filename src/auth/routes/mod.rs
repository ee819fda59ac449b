//! Where the auth routes are mounted.

mod api;
mod me;
mod pages;

pub use pages::safe_next;

use actix_web::web;

/// `/api/auth/*` (Better-Auth's paths).
pub fn auth_api(cfg: &mut web::ServiceConfig) {
    cfg.service(api::sign_up)
        .service(api::sign_in)
        .service(api::sign_out)
        .service(api::get_session)
        .service(api::issue_token);
}

/// `/api/me`.
pub fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(me::me);
}

/// `/login`, `/signup`, `/logout`.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.service(pages::login_form)
        .service(pages::login)
        .service(pages::signup_form)
        .service(pages::signup)
        .service(pages::logout);
}
