//! What every worker's app is made of besides its middleware order: the
//! body limits, the API scopes, the session cookie and the security headers.

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::middleware::DefaultHeaders;
use actix_web::web;

use crate::auth::current_user::SESSION_COOKIE;
use crate::middleware;

/// Largest request body any route reads.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every body a route reads is at most [`MAX_BODY_BYTES`].
pub(super) fn body_limits(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES))
        .app_data(web::FormConfig::default().limit(MAX_BODY_BYTES));
}

/// `/api/auth/*` (Better-Auth's) and the rest of `/api/*`, each with its own
/// fallback, so an unknown API path gets a JSON error.
pub(super) fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/auth")
            .configure(crate::auth::routes::auth_api)
            .service(middleware::methods::fallback()),
    )
    .service(
        web::scope("/api")
            .configure(crate::auth::routes::api)
            .configure(crate::chat::routes::api)
            .configure(crate::tasks::routes::api)
            .service(crate::openapi::openapi_json)
            .service(middleware::methods::fallback()),
    );
}

/// The cookie holds only the session token, encrypted; the database row is the truth.
pub(super) fn session_middleware(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(SESSION_COOKIE.to_owned())
        .cookie_content_security(CookieContentSecurity::Private)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_path("/".to_owned())
        .cookie_secure(secure)
        .session_lifecycle(PersistentSession::default().session_ttl(
            actix_web::cookie::time::Duration::seconds(
                crate::auth::service::SESSION_TTL.num_seconds(),
            ),
        ))
        .build()
}

pub(super) fn security_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"));
    if secure {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}
