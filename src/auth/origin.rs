//! CSRF defence: a state-changing request that a browser could send with our
//! session cookie must come from one of our own origins.
//!
//! Rules (Better-Auth's): safe methods pass; bearer-authenticated requests pass
//! (a cross-site form cannot set `Authorization`); otherwise a present
//! `Origin` (or `Referer`) must be trusted, and a request carrying the session
//! cookie must have one.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use url::Url;

use super::current_user::SESSION_COOKIE;
use crate::error::AppError;
use crate::request::bearer_token;

/// The origins (`scheme://host[:port]`) allowed to write with our cookie.
#[derive(Debug, Clone)]
pub struct TrustedOrigins(Vec<String>);

impl TrustedOrigins {
    pub fn new(origins: impl IntoIterator<Item = String>) -> Self {
        TrustedOrigins(
            origins
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                .collect(),
        )
    }

    pub fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

/// Middleware: see the module docs.
pub async fn check(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || bearer_token(req.request()).is_some() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let trusted = req
        .app_data::<actix_web::web::Data<crate::AppState>>()
        .map(|state| state.origins.clone());
    let origin = request_origin(&req);
    let has_cookie = req.cookie(SESSION_COOKIE).is_some();
    let refusal = match (origin, trusted) {
        (Some(origin), Some(trusted)) if trusted.contains(&origin) => None,
        (Some(_), _) => Some(AppError::Forbidden {
            code: "INVALID_ORIGIN",
            message: "Invalid origin",
        }),
        (None, _) if has_cookie => Some(AppError::Forbidden {
            code: "MISSING_OR_NULL_ORIGIN",
            message: "Missing or null Origin",
        }),
        (None, _) => None,
    };
    match refusal {
        Some(err) => Ok(req.error_response(err)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// The request's `Origin`, else the origin of its `Referer`. `Origin: null` counts as present and untrusted.
fn request_origin(req: &ServiceRequest) -> Option<String> {
    let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header_str(header::ORIGIN) {
        return Some(origin.trim_end_matches('/').to_owned());
    }
    let referer = Url::parse(header_str(header::REFERER)?).ok()?;
    Some(referer.origin().ascii_serialization())
}
