//! `GET /chat/{id}/messages/{message_id}/reply`: the answer to a message as
//! server-sent events, for the htmx SSE extension.
//!
//! The first request claims the message and starts the run; anyone else (a
//! reload, a second tab, another replica) follows the stored reply until it
//! is finished. Events: `delta` (escaped text as it arrives), `tool` (a tool
//! card), then `done` (the finished message, which replaces the placeholder).

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use tokio::sync::mpsc;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::chat::relay;
use crate::chat::runs::RETRY_WHEN_BUSY;
use crate::chat::service::{self, ChatError};
use crate::error::AppError;
use crate::middleware::methods::asked_with_head;

#[get("/chat/{id}/messages/{message_id}/reply")]
pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (conversation_id, message_id) = path.into_inner();
    if asked_with_head(&req) {
        // HEAD must not start a run (link checkers, prefetchers).
        service::find_user_message(&state.pool, &current.user.id, conversation_id, message_id)
            .await?;
        return Ok(stream_response().finish());
    }
    let Some(slot) = state.runs.open_stream(&current.user.id) else {
        return Err(AppError::RateLimited {
            retry_after: RETRY_WHEN_BUSY,
        });
    };
    let question =
        service::find_user_message(&state.pool, &current.user.id, conversation_id, message_id)
            .await?;
    let answer = match service::answer_or_follow(
        &state.pool,
        &state.assistant,
        &state.runs,
        &question,
    )
    .await
    {
        Ok(answer) => Some(answer),
        // Shutting down: the message is saved; the page offers to try again.
        Err(ChatError::Unavailable { .. }) => None,
        Err(e) => return Err(e.into()),
    };

    let (frames, body) = mpsc::unbounded_channel::<Bytes>();
    let (pool, stopping) = (state.pool.clone(), state.runs.stopping());
    actix_web::rt::spawn(async move {
        let _slot = slot;
        relay::feed(answer, question, pool, frames, stopping).await;
    });

    let stream = futures_util::stream::unfold(body, |mut body| async move {
        body.recv()
            .await
            .map(|frame| (Ok::<_, actix_web::Error>(frame), body))
    });
    Ok(stream_response().streaming(stream))
}

fn stream_response() -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Accel-Buffering", "no"));
    builder
}
