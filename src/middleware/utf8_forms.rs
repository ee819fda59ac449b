//! A urlencoded form whose fields are not UTF-8 once percent-decoded is
//! refused: the form parser would silently turn the bytes into U+FFFD and
//! store a title or message the user never wrote (JSON bodies are refused
//! by their parser already).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use percent_encoding::percent_decode;

use crate::error::AppError;

/// Middleware, inside the body deadline: reads a form body (within the app's
/// body limit), checks it, and hands it on unchanged.
///
/// A refusal is answered as a response carrying the error, not as `Err`, so
/// the error renderer outside gives it its door's shape (JSON for the API, a
/// page for a page's form) like any handler's error.
pub async fn refuse_invalid(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if is_form {
        let body = match req.extract::<Bytes>().await {
            Ok(body) => body,
            // Over the body limit, or the body stopped arriving.
            Err(e) => return Ok(req.error_response(e)),
        };
        if !is_utf8_form(&body) {
            return Ok(req.error_response(AppError::invalid(
                "INVALID_BODY",
                "The form's fields are not valid UTF-8 text.",
            )));
        }
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Whether every key and value decodes to UTF-8.
fn is_utf8_form(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .flat_map(|pair| pair.splitn(2, |b| *b == b'='))
        .all(|part| percent_decode(part).decode_utf8().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_forms_whose_fields_decode_to_utf8_pass() {
        assert!(is_utf8_form(b"title=Buy+milk&description=%C3%A9t%C3%A9"));
        assert!(is_utf8_form(b""));
        assert!(is_utf8_form(b"a=%F0%9F%98%80&b"));
        assert!(!is_utf8_form(b"message=%FF"));
        assert!(!is_utf8_form(b"message=%ED%A0%80"));
        assert!(!is_utf8_form(b"%C3=x"));
        assert!(!is_utf8_form(b"title=ok&note=\xff"));
    }

    proptest::proptest! {
        #[test]
        fn any_utf8_text_encoded_as_a_form_passes(key in ".{0,20}", value in ".{0,40}") {
            let body = serde_urlencoded::to_string([(key, value)]).unwrap_or_default();
            proptest::prop_assert!(is_utf8_form(body.as_bytes()));
        }
    }
}
