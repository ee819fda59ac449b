//! `Caller`: the signed-in user, for routes that may name a user in their
//! path (the hackathon's `/api/{user_id}/…`). The path user must be the
//! caller; anyone else is a 403.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::CurrentUser;
use crate::error::AppError;

pub struct Caller(pub CurrentUser);

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let current = CurrentUser::from_request(req, payload);
        let path_user = req.match_info().get("user_id").map(str::to_owned);
        Box::pin(async move {
            let current = current.await?;
            match path_user {
                Some(id) if id != current.user.id => Err(AppError::Forbidden {
                    code: "FORBIDDEN",
                    message: "The user in the path is not you.",
                }),
                _ => Ok(Caller(current)),
            }
        })
    }
}
