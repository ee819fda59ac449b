//! The task API's JSON bodies: an object whose fields are checked by their
//! own types. What a field refuses is `400 INVALID_ARGUMENT` with that
//! field's message; malformed JSON, a wrong content type or a body too large
//! are refused as for any JSON body.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;

pub struct JsonFields<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonFields<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = json.await?;
            if !value.is_object() {
                return Err(invalid("The body must be a JSON object.".to_owned()).into());
            }
            // From a `Value`, serde's message is the field's own, without a position.
            T::deserialize(value)
                .map(JsonFields)
                .map_err(|e| invalid(e.to_string()).into())
        })
    }
}

fn invalid(message: String) -> AppError {
    AppError::invalid("INVALID_ARGUMENT", message)
}
