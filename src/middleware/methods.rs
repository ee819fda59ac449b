//! HEAD wherever GET works, and a true 405 wherever a path exists under other methods.
//!
//! actix answers HEAD only on routes that name it, and a route declared with
//! `#[get]`/`#[post]` is its own resource, so a method the path does not take
//! falls through to "not found". Here HEAD is run as GET with the body
//! dropped, and every router ends with [`fallback`]: a resource with no routes
//! whose built-in answer is actix's 405 with `Allow` listing the methods the
//! router's method guards were asked about while matching this path (they
//! record them on the request). No such methods means no such path: 404.

use actix_web::HttpMessage;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Resource, web};

use crate::error::AppError;

/// The order methods are listed in `Allow`.
const METHOD_ORDER: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// The pattern of [`fallback`]: a request whose route ends with it matched no resource.
pub const FALLBACK_PATTERN: &str = "/{tail:.*}";

/// The last service of a router (the app or a scope): matches any path, has no
/// routes, so whatever reaches it gets actix's 405 with the collected `Allow`.
pub fn fallback() -> Resource {
    web::resource(FALLBACK_PATTERN)
}

/// Middleware, outermost: runs HEAD as GET. actix's HTTP/1 and HTTP/2 writers
/// know the request was HEAD and send no body bytes, so a body of known size is
/// kept (its `Content-Length` is then the GET's, as HEAD must say); a stream
/// (a reply's event stream) is dropped, or it would be read to its end for nothing.
/// In a request's extensions when it came as HEAD: a GET handler with side
/// effects (the reply stream starts a run) answers such a request with its
/// headers only.
pub struct AskedWithHead;

/// Whether `req` came as HEAD (and runs as GET).
pub fn asked_with_head(req: &actix_web::HttpRequest) -> bool {
    req.extensions().contains::<AskedWithHead>()
}

pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(AskedWithHead);
    }
    let res = next.call(req).await?.map_into_boxed_body();
    Ok(match res.response().body().size() {
        BodySize::Stream if head => res.map_body(|_, _| BoxBody::new(())),
        _ => res,
    })
}

/// Middleware, inside error rendering: turns actix's bare 405 into ours
/// (`Allow` completed with HEAD, the body in the door's shape), or into a 404
/// when no method at all matched the path.
pub async fn not_allowed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != StatusCode::METHOD_NOT_ALLOWED || res.response().error().is_some() {
        return Ok(res.map_into_boxed_body());
    }
    let allow = res
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(allow_list)
        .unwrap_or_default();
    let err = if allow.is_empty() {
        AppError::NotFound
    } else {
        AppError::MethodNotAllowed { allow }
    };
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::from_err(err, req))
}

/// `Allow` as actix collected it (maybe with repeats), in our order, with HEAD
/// wherever GET is. Empty when it names nothing.
fn allow_list(collected: &str) -> String {
    let named: Vec<&str> = collected
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    let has =
        |m: &Method| named.contains(&m.as_str()) || (*m == Method::HEAD && named.contains(&"GET"));
    METHOD_ORDER
        .iter()
        .filter(|m| has(m))
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::allow_list;

    #[test]
    fn allow_lists_each_method_once_in_order_with_head_beside_get() {
        assert_eq!(allow_list("POST, GET, GET"), "GET, HEAD, POST");
        assert_eq!(allow_list("DELETE,PATCH,PUT"), "PUT, PATCH, DELETE");
        assert_eq!(allow_list("POST"), "POST");
        assert_eq!(allow_list(""), "");
    }
}
