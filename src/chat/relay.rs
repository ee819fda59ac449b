//! Feeding a reply stream: the run's text and tool cards as they come when
//! this request started the run, or the stored reply followed until it is
//! finished when another run (maybe on another replica) is writing it; then
//! the finished message. A viewer who leaves stops the feed, never the run.

use std::future::Future;
use std::time::Duration;

use actix_web::web::Bytes;
use askama::Template;
use tokio::sync::mpsc;

use crate::ai::AgentEvent;
use crate::chat::service::{self, Answer, Running};
use crate::chat::sse::{escape, sse};
use crate::chat::view::{Card, Shown, ShownMessage};
use crate::db::DbPool;
use crate::db::models::{Message, ReplyStatus};

/// How often a stream that is waiting says so, which is also how a viewer
/// who left is noticed.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// Where the stream's frames go, to the response body.
pub type Frames = mpsc::UnboundedSender<Bytes>;

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

/// Streams the answer to `question` into `frames`, ending with `done` and
/// the finished message (or the failed one, with a retry). Without an
/// `answer` (this server is shutting down) the message shows as failed at
/// once. A viewer who left, or a server that stops, ends the stream with no
/// `done`: the browser reconnects, maybe to another replica.
pub async fn feed(
    answer: Option<Answer>,
    question: Message,
    pool: DbPool,
    frames: Frames,
    stopping: impl Future<Output = ()>,
) {
    let _ = frames.send(Bytes::from_static(b": answering\n\n"));
    let finished = match answer {
        Some(Answer::Started(running)) => relay(running, &frames).await,
        Some(Answer::Claimed(reply)) => match follow(&pool, reply, &frames, stopping).await {
            Followed::Finished(reply) => Some(reply),
            Followed::Lost => None,
            Followed::Left => return,
        },
        None => None,
    };
    let m = match finished {
        Some(reply) => ShownMessage::of(&reply),
        None => failed_view(&question),
    };
    let _ = frames.send(sse("done", &render(&OneMessage { m })));
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

fn render(template: &impl Template) -> String {
    template.render().unwrap_or_default()
}
