//! Where the chat routes are mounted.

pub(crate) mod api;
mod index;
mod send;
mod show;
mod stream;

use actix_web::web;

use crate::chat::runs::RETRY_WHEN_BUSY;
use crate::chat::service::ChatError;
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

/// A chat failure as an answer: not found is a 404, a run that cannot start
/// a 503 that names the conversation holding the saved message.
impl From<ChatError> for AppError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::NotFound => AppError::NotFound,
            ChatError::Unavailable { conversation_id } => {
                AppError::AssistantUnavailable { conversation_id }
            }
            ChatError::Busy => AppError::RateLimited {
                retry_after: RETRY_WHEN_BUSY,
            },
            ChatError::Interrupted => AppError::Internal(anyhow::anyhow!(e)),
            ChatError::Db(e) => AppError::from(e),
        }
    }
}

/// A refused message is a 400 `INVALID_MESSAGE` (a toast on the pages).
impl From<MessageTextError> for AppError {
    fn from(e: MessageTextError) -> Self {
        AppError::invalid("INVALID_MESSAGE", e.to_string())
    }
}
