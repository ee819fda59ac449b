//! The JSON chat API (the hackathon contract): send a message and get the
//! whole answer; read conversations and their messages.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Caller, CurrentUser};
use crate::chat::json::{ChatReply, ChatRequest, ConversationView, MessagePage, MessageView};
use crate::chat::service;
use crate::chat::service::ask::ask;
use crate::chat::text::MessageText;
use crate::error::{ApiError, AppError};

/// Sends a message and answers once the assistant has finished its turn.
#[utoipa::path(post, path = "/api/chat", tag = "chat", request_body = ChatRequest,
    responses((status = 200, body = ChatReply),
        (status = 400, description = "`INVALID_MESSAGE`: empty or too long", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such conversation of yours", body = ApiError),
        (status = 429, description = "`RATE_LIMITED`: eight replies are being written for you already; nothing was stored", body = ApiError),
        (status = 503, description = "`ASSISTANT_UNAVAILABLE`: the provider failed; the message is saved in `conversation_id`", body = ApiError)))]
#[post("/chat")]
pub async fn chat(
    state: web::Data<AppState>,
    current: CurrentUser,
    body: web::Json<ChatRequest>,
) -> Result<HttpResponse, AppError> {
    send(&state, &current, body.into_inner()).await
}

/// `POST /api/chat` with the caller's id in the path, which must be the caller.
#[utoipa::path(post, path = "/api/{user_id}/chat", tag = "chat", request_body = ChatRequest,
    params(("user_id" = String, Path, description = "Must be the caller")),
    responses((status = 200, body = ChatReply),
        (status = 400, description = "`INVALID_MESSAGE`: empty or too long", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not the caller", body = ApiError),
        (status = 404, description = "No such conversation of yours", body = ApiError),
        (status = 429, description = "`RATE_LIMITED`: eight replies are being written for you already", body = ApiError),
        (status = 503, description = "`ASSISTANT_UNAVAILABLE`", body = ApiError)))]
#[post("/{user_id}/chat")]
pub async fn chat_as(
    state: web::Data<AppState>,
    Caller(current): Caller,
    body: web::Json<ChatRequest>,
) -> Result<HttpResponse, AppError> {
    send(&state, &current, body.into_inner()).await
}

/// Stores the message, runs the turn to its end, answers with the reply.
async fn send(
    state: &AppState,
    current: &CurrentUser,
    body: ChatRequest,
) -> Result<HttpResponse, AppError> {
    let text = MessageText::parse(&body.message)?;
    let (pool, user_id) = (&state.pool, &current.user.id);
    let reply = ask(
        pool,
        &state.assistant,
        &state.runs,
        user_id,
        body.conversation_id,
        text,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ChatReply::of(reply.conversation_id, &reply)))
}

/// The caller's conversations, most recently active first.
#[utoipa::path(get, path = "/api/conversations", tag = "chat",
    responses((status = 200, body = [ConversationView]), (status = 401, description = "Not signed in", body = ApiError)))]
#[get("/conversations")]
pub async fn conversations(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let list = service::conversations(&state.pool, &current.user.id, 200).await?;
    let list: Vec<ConversationView> = list.into_iter().map(ConversationView::from).collect();
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// A message id: the page ends just before it (a `next_before`).
    before: Option<i64>,
    /// How many messages: 1–200, 50 unless asked.
    limit: Option<i64>,
}

impl PageQuery {
    /// How many messages a page holds: 50 unless asked, at most 200.
    fn limit(&self) -> Result<i64, AppError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(AppError::invalid(
                "INVALID_QUERY",
                "limit must be between 1 and 200.",
            ));
        }
        Ok(limit)
    }
}

/// A page of a conversation's messages, oldest first; `next_before` fetches the page before it.
#[utoipa::path(get, path = "/api/conversations/{id}/messages", tag = "chat",
    params(("id" = i64, Path, description = "The conversation"), PageQuery),
    responses((status = 200, body = MessagePage),
        (status = 400, description = "`INVALID_QUERY`: limit out of range", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such conversation of yours", body = ApiError)))]
#[get("/conversations/{id}/messages")]
pub async fn messages(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = query.limit()?;
    let (id, before) = (path.into_inner(), query.before);
    let page = service::page(&state.pool, &current.user.id, id, before, limit).await?;
    Ok(HttpResponse::Ok().json(MessagePage {
        messages: page.messages.iter().map(MessageView::from).collect(),
        next_before: page.older_before,
    }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::PageQuery;
    use crate::tools::arbitrary::query_string;

    proptest! {
        #[test]
        fn any_page_query_parses_or_is_refused_and_a_page_holds_1_to_200(
            query in query_string(&["before", "limit", "next"]),
        ) {
            if let Ok(page) = serde_urlencoded::from_str::<PageQuery>(&query)
                && let Ok(limit) = page.limit()
            {
                prop_assert!((1..=200).contains(&limit));
            }
        }
    }
}
