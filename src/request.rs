//! What a request carries that more than one layer reads: the bearer token.
//! At the bottom floor, so the metrics endpoint and the auth extractors
//! read it the same way without depending on each other.

use actix_web::HttpRequest;
use actix_web::http::header;

/// The value of `Authorization: Bearer …`, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
