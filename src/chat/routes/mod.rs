//! Where the chat routes are mounted.

pub(crate) mod api;
mod index;
mod send;
mod show;
mod stream;

use actix_web::web;

use crate::chat::text::MessageTextError;
use crate::error::AppError;

/// `/chat…` pages and fragments.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.service(index::list)
        .service(index::create)
        .service(show::show)
        .service(show::older)
        .service(send::send)
        .service(send::retry)
        .service(stream::reply);
}

/// `/api/chat`, `/api/{user_id}/chat`, `/api/conversations…`.
pub fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(api::chat)
        .service(api::chat_as)
        .service(api::conversations)
        .service(api::messages);
}

/// The form the composer posts.
#[derive(serde::Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    message: String,
}

/// A refused message is a 400 `INVALID_MESSAGE` (a toast on the pages).
impl From<MessageTextError> for AppError {
    fn from(e: MessageTextError) -> Self {
        AppError::invalid("INVALID_MESSAGE", e.to_string())
    }
}
