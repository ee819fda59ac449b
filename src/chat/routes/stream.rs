//! `GET /chat/{id}/messages/{message_id}/reply`: the answer to a message as
//! server-sent events, for the htmx SSE extension.
//!
//! The first request claims the message and starts the run; anyone else (a
//! reload, a second tab, another replica) follows the stored reply until it
//! is finished. Events: `delta` (escaped text as it arrives), `tool` (a tool
//! card), then `done` (the finished message, which replaces the placeholder).

use std::future::Future;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use tokio::sync::mpsc;

use crate::AppState;
use crate::ai::AgentEvent;
use crate::auth::CurrentUser;
use crate::chat::service::{self, Answer, ChatError, Running};
use crate::chat::view::{Card, Shown, ShownMessage};
use crate::db::DbPool;
use crate::db::models::{Message, ReplyStatus};
use crate::error::AppError;
use crate::middleware::methods::asked_with_head;

/// How often a stream that is waiting says so, which is also how a viewer
/// who left is noticed.
const HEARTBEAT: Duration = Duration::from_secs(2);

type Frames = mpsc::UnboundedSender<Bytes>;

#[derive(Template)]
#[template(path = "chat/_message.html")]
struct OneMessage {
    m: ShownMessage,
}

#[derive(Template)]
#[template(path = "chat/_card.html")]
struct OneCard {
    card: Card,
}

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
            retry_after: Duration::from_secs(5),
        });
    };
    let question =
        service::find_user_message(&state.pool, &current.user.id, conversation_id, message_id)
            .await?;
    let answer = match service::answer(&state.pool, &state.assistant, &state.runs, &question).await
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
        let _ = frames.send(Bytes::from_static(b": answering\n\n"));
        let finished = match answer {
            Some(Answer::Started(running)) => relay(running, &frames).await,
            Some(Answer::Claimed(reply)) => match follow(&pool, reply, &frames, stopping).await {
                Followed::Finished(reply) => Some(reply),
                Followed::Lost => None,
                // The viewer left, or this server is stopping: end the stream
                // without a verdict (the browser reconnects, to another replica).
                Followed::Left => return,
            },
            None => None,
        };
        let m = match finished {
            Some(reply) => ShownMessage::of(&reply),
            None => failed_view(&question),
        };
        let _ = frames.send(sse("done", &render(&OneMessage { m })));
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

/// Sends the run's text and tool cards as they come, and returns its stored
/// reply. A viewer that left stops the relay, not the run.
async fn relay(mut running: Running, frames: &Frames) -> Option<Message> {
    let mut heartbeat =
        tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
    loop {
        let event = tokio::select! {
            event = running.events.recv() => event,
            () = frames.closed() => return None,
            _ = heartbeat.tick() => {
                if frames.send(Bytes::from_static(b": working\n\n")).is_err() {
                    return None;
                }
                continue;
            }
        };
        let Some(event) = event else { break };
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
            return None;
        }
    }
    running.finished.await.ok()
}

enum Followed {
    Finished(Message),
    /// The database could not be read.
    Lost,
    Left,
}

/// Follows a reply another run (maybe on another replica) is writing until
/// it is stored, its run dies, the viewer leaves or this server stops.
async fn follow(
    pool: &DbPool,
    mut followed: Message,
    frames: &Frames,
    stopping: impl Future<Output = ()>,
) -> Followed {
    tokio::pin!(stopping);
    let mut since_heartbeat = Duration::ZERO;
    while followed.status() == ReplyStatus::Pending {
        tokio::select! {
            () = tokio::time::sleep(service::POLL_EVERY) => {}
            () = frames.closed() => return Followed::Left,
            () = &mut stopping => return Followed::Left,
        }
        since_heartbeat += service::POLL_EVERY;
        if since_heartbeat >= HEARTBEAT {
            since_heartbeat = Duration::ZERO;
            if frames.send(Bytes::from_static(b": waiting\n\n")).is_err() {
                return Followed::Left;
            }
        }
        followed = match service::look_at(pool, &followed).await {
            Ok(now) => now,
            Err(_) => return Followed::Lost,
        };
    }
    Followed::Finished(followed)
}

fn failed_view(question: &Message) -> ShownMessage {
    let mut view = ShownMessage::pending_for(question);
    view.shown = Shown::Failed;
    view
}

/// One SSE event; every line of `data` gets its own `data:` field. CR, LF
/// and CRLF all end a line in SSE, so all three split here: no text can end
/// a field early or start a forged one.
fn sse(event: &str, data: &str) -> Bytes {
    let mut frame = format!("event: {event}\n");
    for line in data.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
        frame.push_str("data: ");
        frame.push_str(line);
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

    /// What an EventSource reads from `bytes`: the event names (every line
    /// that starts a field named `event`) and the data of each event.
    fn parse(bytes: Bytes) -> (Vec<String>, Vec<String>) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let names = text
            .split("\r\n")
            .flat_map(|l| l.split(['\r', '\n']))
            .filter_map(|l| l.strip_prefix("event:").map(|n| n.trim().to_owned()))
            .collect();
        let mut decoder = crate::ai::sse::Decoder::default();
        decoder.push(&bytes);
        let mut data = Vec::new();
        while let Some(Ok(event)) = decoder.next_event() {
            data.push(event);
        }
        (names, data)
    }

    #[test]
    fn a_bare_cr_cannot_end_a_field_or_forge_an_event() {
        let forged = "hi\revent: done\rdata: <script>\r\rmore";
        let (names, data) = parse(sse("delta", forged));
        assert_eq!(names, ["delta"]);
        assert_eq!(data, ["hi\nevent: done\ndata: <script>\n\nmore"]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_one_event_with_the_same_lines(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("\r".to_owned()),
                    proptest::strategy::Just("\n".to_owned()),
                    proptest::strategy::Just("\r\n".to_owned()),
                    proptest::strategy::Just("data: x".to_owned()),
                    proptest::arbitrary::any::<String>(),
                ],
                0..12,
            )
        ) {
            let text = pieces.concat();
            let (names, data) = parse(sse("delta", &text));
            let expected = text.replace("\r\n", "\n").replace('\r', "\n");
            proptest::prop_assert_eq!(names, vec!["delta".to_owned()]);
            proptest::prop_assert_eq!(data, vec![expected]);
        }
    }

    #[test]
    fn streamed_text_is_escaped() {
        assert_eq!(escape("<b>&'\""), "&lt;b&gt;&amp;&#39;&quot;");
    }
}
