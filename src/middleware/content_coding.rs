//! A request body must arrive as it is (`Content-Encoding` absent or
//! `identity`); a compressed one is refused with a 415 that says so, instead
//! of failing later as a body that does not parse.
//!
//! The server is built without actix-web's request decoders (its
//! `compress-*` features) on purpose. They inflate each chunk of 2 KiB or
//! more on a thread of Tokio's blocking pool (up to 512 threads, outside the
//! database and hashing bounds) into a buffer with no bound of its own:
//! measured on the release binary, 300 sign-ins of 15 KB of gzip each took
//! the server to 3.7 GB and 226 threads. Browsers, the ChatKit and MCP
//! clients and Better-Auth's client never compress what they send, and our
//! bodies are small: nothing is lost by refusing.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;

use crate::error::AppError;

/// Middleware, inside the error renderer and outside everything that reads
/// a body: see the module docs. A stray `Content-Encoding` on a GET, HEAD
/// or OPTIONS (which carry no body) is let through.
pub async fn refuse_encoded(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let bodiless = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !bodiless && is_encoded(req.headers()) {
        return Ok(req.error_response(AppError::UnsupportedEncoding));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Whether any `Content-Encoding` names a coding other than `identity`
/// (RFC 9110 §8.4: a list, possibly over several fields, case-insensitive).
/// A value that is not text is refused too: nothing may decode it.
fn is_encoded(headers: &HeaderMap) -> bool {
    headers.get_all(header::CONTENT_ENCODING).any(|value| {
        value.to_str().map_or(true, |text| {
            text.split(',')
                .map(str::trim)
                .any(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case("identity"))
        })
    })
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                header::CONTENT_ENCODING,
                HeaderValue::from_bytes(value).expect("a header value"),
            );
        }
        map
    }

    #[test]
    fn only_bodies_sent_as_they_are_pass() {
        assert!(!is_encoded(&headers(&[])));
        assert!(!is_encoded(&headers(&[b"identity"])));
        assert!(!is_encoded(&headers(&[b" Identity , IDENTITY"])));
        assert!(!is_encoded(&headers(&[b""])));
        for coding in [
            "gzip", "x-gzip", "deflate", "br", "zstd", "compress", "GZIP",
        ] {
            assert!(is_encoded(&headers(&[coding.as_bytes()])), "{coding}");
        }
        assert!(is_encoded(&headers(&[b"identity, gzip"])));
        assert!(is_encoded(&headers(&[b"identity", b"br"])));
        assert!(is_encoded(&headers(&[b"gzip\xff"])));
    }
}
