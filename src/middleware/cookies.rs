//! Only our session cookie goes further in: every other cookie the browser
//! sends for this host (another app on `localhost`, a parent domain's
//! analytics) is dropped from the request before anything parses cookies.
//!
//! actix parses the whole `Cookie` header into owned cookies, kept with the
//! request until it ends. The header may fill the 128 KiB request head:
//! `a=;` 43,000 times is 43,000 cookies, about 7 MB a request. Measured on
//! the release binary, 200 such requests waiting for their bodies took the
//! server to 1.4 GB. We read one cookie, so only it is kept (the first one
//! of that name, as a browser sends the most specific first).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;

use crate::auth::current_user::SESSION_COOKIE;

/// Middleware, outside everything that reads cookies: see the module docs.
pub async fn keep_ours<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    match only_ours(req.headers()) {
        Cookies::Untouched => {}
        Cookies::Keep(value) => {
            req.headers_mut().insert(header::COOKIE, value);
        }
        Cookies::Drop => {
            req.headers_mut().remove(header::COOKIE);
        }
    }
    next.call(req).await
}

/// What becomes of a request's `Cookie` headers.
#[derive(Debug, PartialEq)]
enum Cookies {
    /// None, or our cookie alone: nothing to change.
    Untouched,
    /// One header with our cookie alone.
    Keep(HeaderValue),
    /// No header: ours is not among them.
    Drop,
}

fn only_ours(headers: &HeaderMap) -> Cookies {
    let mut values = headers.get_all(header::COOKIE);
    let Some(first) = values.next() else {
        return Cookies::Untouched;
    };
    if values.next().is_none()
        && !first.as_bytes().contains(&b';')
        && name_of(first.as_bytes()) == SESSION_COOKIE.as_bytes()
    {
        return Cookies::Untouched;
    }
    headers
        .get_all(header::COOKIE)
        .flat_map(|value| value.as_bytes().split(|b| *b == b';'))
        .map(<[u8]>::trim_ascii)
        .find(|pair| name_of(pair) == SESSION_COOKIE.as_bytes())
        .and_then(|pair| HeaderValue::from_bytes(pair).ok())
        .map_or(Cookies::Drop, Cookies::Keep)
}

fn name_of(pair: &[u8]) -> &[u8] {
    pair.split(|b| *b == b'=')
        .next()
        .unwrap_or_default()
        .trim_ascii()
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpRequest, HttpResponse, test, web};

    use super::*;

    /// The `Cookie` headers an app behind the middleware sees, given these.
    async fn seen_behind(values: &[&str]) -> Vec<String> {
        let app = test::init_service(App::new().wrap(from_fn(keep_ours)).default_service(web::to(
            |req: HttpRequest| async move {
                let seen: Vec<String> = req
                    .headers()
                    .get_all(header::COOKIE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                HttpResponse::Ok().json(seen)
            },
        )))
        .await;
        let mut req = test::TestRequest::get().uri("/");
        for value in values {
            req = req.append_header((header::COOKIE, *value));
        }
        test::call_and_read_body_json(&app, req.to_request()).await
    }

    #[actix_web::test]
    async fn only_the_first_session_cookie_reaches_the_app() {
        let ours = format!("{SESSION_COOKIE}=abc");
        let only_ours = vec![ours.clone()];
        let none: Vec<String> = Vec::new();
        assert_eq!(seen_behind(&[]).await, none);
        assert_eq!(seen_behind(&[&ours]).await, only_ours);
        let among_others = format!("theme=dark; {ours}; _ga=1");
        assert_eq!(seen_behind(&[&among_others]).await, only_ours);
        let later = format!("{SESSION_COOKIE}=later");
        assert_eq!(
            seen_behind(&["a=1", &format!(" {ours} "), &later]).await,
            only_ours
        );
        assert_eq!(seen_behind(&["a=1; b=2"]).await, none);
        assert_eq!(seen_behind(&[&format!("{SESSION_COOKIE}x=1")]).await, none);
        let crowd = format!("{}{ours}", "a=;".repeat(43_000));
        assert_eq!(seen_behind(&[&crowd]).await, only_ours);
        let same_name = format!("{ours};").repeat(6_000);
        assert_eq!(seen_behind(&[&same_name]).await, only_ours);
    }
}
