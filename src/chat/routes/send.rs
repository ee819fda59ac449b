//! Sending a message into a conversation, and asking again after a failure.
//! Both answer with the fragments HTMX appends: the message and a placeholder
//! that streams the reply.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use askama::Template;

use super::MessageForm;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::chat::service;
use crate::chat::text::MessageText;
use crate::chat::view::{Shown, ShownMessage};
use crate::error::AppError;
use crate::htmx::is_htmx;
use crate::respond::{html, see_other};

#[derive(Template)]
#[template(path = "chat/_messages.html")]
pub struct Messages {
    pub messages: Vec<ShownMessage>,
}

#[post("/chat/{id}/messages")]
pub async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let text = MessageText::parse(&form.message)?;
    let (conversation, question) =
        service::add_message(&state.pool, &current.user.id, path.into_inner(), text).await?;
    if !is_htmx(&req) {
        return Ok(see_other(&format!("/chat/{}", conversation.id)));
    }
    let fragment = Messages {
        messages: vec![
            ShownMessage::of(&question),
            ShownMessage::pending_for(&question),
        ],
    };
    html(&fragment, StatusCode::OK)
}

/// Replaces a failed (or missing) answer with a placeholder that asks again;
/// the stream it connects to claims the failed reply and continues it.
#[post("/chat/{id}/messages/{message_id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (conversation_id, message_id) = path.into_inner();
    let question =
        service::find_user_message(&state.pool, &current.user.id, conversation_id, message_id)
            .await?;
    let fragment = Messages {
        messages: vec![ShownMessage::pending_for(&question)],
    };
    html(&fragment, StatusCode::OK)
}
