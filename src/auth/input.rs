//! A body extractor for the auth endpoints, which (like Better-Auth's) take
//! either JSON or a urlencoded form, and nothing else.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The largest auth request body we read.
const MAX_BODY_BYTES: usize = 16 * 1024;

pub struct JsonOrForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonOrForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let too_large = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
            .is_some_and(|len| len > MAX_BODY_BYTES);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if too_large {
                return Err(AppError::PayloadTooLarge);
            }
            let bytes = body.await.map_err(|_| AppError::PayloadTooLarge)?;
            if bytes.len() > MAX_BODY_BYTES {
                return Err(AppError::PayloadTooLarge);
            }
            let parsed = match content_type.as_str() {
                "application/json" => {
                    serde_json::from_slice(&bytes).map_err(|e| body_error(&e.to_string()))
                }
                "application/x-www-form-urlencoded" => {
                    serde_urlencoded::from_bytes(&bytes).map_err(|e| body_error(&e.to_string()))
                }
                other => Err(AppError::UnsupportedMediaType(format!(
                    "Content-Type {other:?} is not allowed. Allowed types: application/x-www-form-urlencoded, application/json"
                ))),
            }?;
            Ok(JsonOrForm(parsed))
        })
    }
}

fn body_error(detail: &str) -> AppError {
    AppError::invalid(
        "VALIDATION_ERROR",
        format!("Invalid request body: {detail}"),
    )
}
