//! Middleware, outermost: counts and times every request by route template,
//! method and status. The route is the pattern the request matched
//! (`/api/tasks/{id}`), never the path as sent, so the label set stays bounded.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use metrics::{SharedString, counter, histogram};

use super::{HTTP_DURATION, HTTP_REQUESTS};
use crate::gauge::recording;
use crate::middleware::methods::FALLBACK_PATTERN;

/// The route of a path no resource serves (it reached a router's fallback).
const UNMATCHED: &str = "unmatched";

pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !recording() {
        return next.call(req).await;
    }
    let started = Instant::now();
    let route = route_label(req.match_pattern());
    let method = method_label(req.method());
    let res = next.call(req).await;
    let status = match &res {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    let labels = [
        ("route", SharedString::from(route)),
        ("method", SharedString::const_str(method)),
        ("status", SharedString::from(status.as_u16().to_string())),
    ];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
    res
}

fn route_label(pattern: Option<String>) -> String {
    match pattern {
        Some(pattern) if !pattern.ends_with(FALLBACK_PATTERN) => pattern,
        _ => UNMATCHED.to_owned(),
    }
}

/// The standard methods by name; any other word a client sends is "other".
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_paths_and_methods_become_fixed_words() {
        assert_eq!(route_label(None), UNMATCHED);
        assert_eq!(route_label(Some("/api/{tail:.*}".into())), UNMATCHED);
        assert_eq!(route_label(Some("/chat/{id}".into())), "/chat/{id}");
        let custom = Method::from_bytes(b"SECRET-WORD").unwrap();
        assert_eq!(method_label(&custom), "other");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
    }
}
