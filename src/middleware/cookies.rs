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
    if let Some(kept) = only_ours(req.headers()) {
        let headers = req.headers_mut();
        headers.remove(header::COOKIE);
        if let Some(value) = kept {
            headers.insert(header::COOKIE, value);
        }
    }
    next.call(req).await
}

/// `None` when the request's cookies need no change; otherwise what its
/// `Cookie` header becomes: our cookie alone, or no header.
fn only_ours(headers: &HeaderMap) -> Option<Option<HeaderValue>> {
    let mut values = headers.get_all(header::COOKIE);
    let first = values.next()?;
    let untouched = values.next().is_none()
        && !first.as_bytes().contains(&b';')
        && name_of(first.as_bytes()) == SESSION_COOKIE.as_bytes();
    if untouched {
        return None;
    }
    let ours = headers
        .get_all(header::COOKIE)
        .flat_map(|value| value.as_bytes().split(|b| *b == b';'))
        .map(<[u8]>::trim_ascii)
        .find(|pair| name_of(pair) == SESSION_COOKIE.as_bytes());
    Some(ours.and_then(|pair| HeaderValue::from_bytes(pair).ok()))
}

fn name_of(pair: &[u8]) -> &[u8] {
    pair.split(|b| *b == b'=')
        .next()
        .unwrap_or_default()
        .trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                header::COOKIE,
                HeaderValue::from_str(value).expect("a header value"),
            );
        }
        map
    }

    fn kept(values: &[&str]) -> Option<Option<String>> {
        only_ours(&cookies(values)).map(|v| v.map(|v| v.to_str().expect("text").to_owned()))
    }

    #[test]
    fn only_the_first_session_cookie_is_kept() {
        let ours = format!("{SESSION_COOKIE}=abc");
        assert_eq!(kept(&[]), None);
        assert_eq!(kept(&[&ours]), None);
        assert_eq!(
            kept(&[&format!("theme=dark; {ours}; _ga=1")]),
            Some(Some(ours.clone()))
        );
        assert_eq!(
            kept(&[
                "a=1",
                &format!(" {ours} "),
                &format!("{SESSION_COOKIE}=later")
            ]),
            Some(Some(ours.clone()))
        );
        assert_eq!(kept(&["a=1; b=2"]), Some(None));
        assert_eq!(kept(&[&format!("{SESSION_COOKIE}x=1")]), Some(None));
        let crowd = format!("{}{ours}", "a=;".repeat(43_000));
        assert_eq!(kept(&[&crowd]), Some(Some(ours.clone())));
        let same_name = format!("{ours};").repeat(6_000);
        assert_eq!(kept(&[&same_name]), Some(Some(ours)));
    }
}
