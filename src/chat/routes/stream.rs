//! `GET /chat/{id}/messages/{message_id}/reply`: the answer to a message as
//! server-sent events, for the htmx SSE extension.
//!
//! The first request claims the message and starts the run; anyone else (a
//! reload, a second tab, another replica) follows the stored reply until it
//! is finished. Events: `delta` (escaped text as it arrives), `tool` (a tool
//! card), then `done` (the finished message, which replaces the placeholder).

use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use tokio::sync::mpsc;

use crate::AppState;
use crate::ai::AgentEvent;
use crate::auth::CurrentUser;
use crate::chat::service::{self, Answer};
use crate::chat::view::{Card, MessageView, Shown};
use crate::db::models::Message;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "chat/_message.html")]
struct OneMessage {
    m: MessageView,
}

#[derive(Template)]
#[template(path = "chat/_card.html")]
struct OneCard {
    card: Card,
}

#[get("/chat/{id}/messages/{message_id}/reply")]
pub async fn reply(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (conversation_id, message_id) = path.into_inner();
    let question =
        service::find_user_message(&state.pool, &current.user.id, conversation_id, message_id)
            .await?;
    let answer = service::answer(&state.pool, &state.assistant, &question).await?;

    let (frames, body) = mpsc::unbounded_channel::<Bytes>();
    let pool = state.pool.clone();
    actix_web::rt::spawn(async move {
        let _ = frames.send(Bytes::from_static(b": answering\n\n"));
        let finished = match answer {
            Answer::Started(mut running) => {
                while let Some(event) = running.events.recv().await {
                    let frame = match event {
                        AgentEvent::Text(text) => sse("delta", &escape(&text)),
                        AgentEvent::ToolCall(call) => sse(
                            "tool",
                            &render(&OneCard {
                                card: Card::of(&call),
                            }),
                        ),
                    };
                    if frames.send(frame).is_err() {
                        return; // the browser left; the run goes on and saves its reply
                    }
                }
                running.finished.await.ok()
            }
            Answer::Claimed(reply) => service::wait_for(&pool, reply).await.ok(),
        };
        let m = match finished {
            Some(reply) => MessageView::of(&reply),
            None => failed_view(&question),
        };
        let _ = frames.send(sse("done", &render(&OneMessage { m })));
    });

    let stream = futures_util::stream::unfold(body, |mut body| async move {
        body.recv()
            .await
            .map(|frame| (Ok::<_, actix_web::Error>(frame), body))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream))
}

fn failed_view(question: &Message) -> MessageView {
    let mut view = MessageView::pending_for(question);
    view.shown = Shown::Failed;
    view
}

/// One SSE event; every line of `data` gets its own `data:` field.
fn sse(event: &str, data: &str) -> Bytes {
    let mut frame = format!("event: {event}\n");
    for line in data.split('\n') {
        frame.push_str("data: ");
        frame.push_str(line.trim_end_matches('\r'));
        frame.push('\n');
    }
    frame.push('\n');
    Bytes::from(frame)
}

fn render(template: &impl Template) -> String {
    template.render().unwrap_or_default()
}

/// Streamed text is inserted as HTML: escape it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_data_gets_a_data_field_per_line() {
        assert_eq!(
            sse("delta", "a\nb"),
            Bytes::from("event: delta\ndata: a\ndata: b\n\n")
        );
    }

    #[test]
    fn streamed_text_is_escaped() {
        assert_eq!(escape("<b>&'\""), "&lt;b&gt;&amp;&#39;&quot;");
    }
}
