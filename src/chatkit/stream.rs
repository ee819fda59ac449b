//! The streamed answers: a new thread, a message added, a turn retried.
//!
//! The turn is claimed and run by the chat service, exactly as for the chat
//! page: one run per user message whoever asks, a run that outlives the
//! viewer, its reply saved either way. This only translates what the run
//! reports into ChatKit's events, in the order the reference server sends
//! them (see `ids` for how items are named).

use std::future::Future;

use actix_web::HttpResponse;
use actix_web::web::{self, Bytes};
use tokio::sync::mpsc;

use super::ids::{self, ItemKey, Slot};
use super::items;
use super::request::Turn;
use super::wire::{Event, Item, ItemBody, Page, StreamOptions, TextDelta, Thread};
use crate::AppState;
use crate::ai::AgentEvent;
use crate::chat::runs::{RETRY_WHEN_BUSY, RunSlot, StreamGuard};
use crate::chat::service::{self, Answer, ChatError, Running, threads};
use crate::chat::view::Card;
use crate::db::DbPool;
use crate::db::models::{Conversation, Message, ReplyStatus};
use crate::error::AppError;

type Frames = mpsc::UnboundedSender<Bytes>;

/// Stores what the turn asks for (a new thread, a message), claims the
/// answer, and streams it. Refusals (not found, a bad message, too many
/// streams or runs) are answered before the stream starts, as JSON.
pub async fn answer(
    state: web::Data<AppState>,
    user_id: &str,
    turn: Turn,
) -> Result<HttpResponse, AppError> {
    let Some(slot) = state.runs.open_stream(user_id) else {
        return Err(AppError::RateLimited {
            retry_after: RETRY_WHEN_BUSY,
        });
    };
    let Some(run) = state.runs.reserve_run(user_id) else {
        return Err(ChatError::Busy.into());
    };
    // Storing the message and claiming its answer finish together even if
    // the client hangs up in between: a hang-up never strands a message.
    let started = state
        .runs
        .detached(start(state.clone(), user_id.to_owned(), run, turn));
    let (conversation, mut opening, answer) = started
        .await
        .map_err(|_| anyhow::anyhow!("starting a ChatKit turn panicked"))??;
    opening.push(Event::StreamOptions {
        stream_options: StreamOptions {
            allow_cancel: false,
        },
    });

    let (frames, body) = mpsc::unbounded_channel::<Bytes>();
    actix_web::rt::spawn(send_turn(
        state.pool.clone(),
        state.runs.stopping(),
        slot,
        conversation,
        opening,
        answer,
        frames,
    ));

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

/// Sends the turn's events as they come: the opening ones, the run's tool
/// calls and text, then its end.
async fn send_turn(
    pool: DbPool,
    stopping: impl Future<Output = ()>,
    _slot: StreamGuard,
    conversation: Conversation,
    opening: Vec<Event>,
    answer: Option<Answer>,
    frames: Frames,
) {
    for event in &opening {
        let _ = frames.send(event.frame());
    }
    let mut view = ReplyView::default();
    let finished = match answer {
        Some(Answer::Started(running)) => view.relay(running, &frames).await,
        Some(Answer::Claimed(reply)) => tokio::select! {
            reply = service::wait_for(&pool, reply) => reply.ok(),
            () = frames.closed() => return,
            // This server is stopping: the other run goes on; end the stream.
            () = stopping => return,
        },
        None => None,
    };
    let answered = finished
        .as_ref()
        .is_some_and(|r| r.status() == ReplyStatus::Done);
    let gone = !answered
        && !threads::exists(&pool, &conversation.user_id, conversation.id)
            .await
            .unwrap_or(true);
    for event in view.close(finished, &conversation, gone) {
        let _ = frames.send(event.frame());
    }
}

/// A turn begun: the conversation, the events that say so (the user
/// message stored), and its answer (`None` when no run can start: the server is stopping).
type Started = (Conversation, Vec<Event>, Option<Answer>);

async fn start(
    state: web::Data<AppState>,
    user_id: String,
    run: RunSlot,
    turn: Turn,
) -> Result<Started, AppError> {
    let (conversation, question, opening) = open(&state, &user_id, turn).await?;
    let answer =
        match service::answer(&state.pool, &state.assistant, &state.runs, run, &question).await {
            Ok(answer) => Some(answer),
            // Shutting down: the message is saved, to be retried.
            Err(ChatError::Unavailable { .. }) => None,
            Err(e) => return Err(e.into()),
        };
    Ok((conversation, opening, answer))
}

/// What the turn stores before it is answered, and the events that say so:
/// the conversation, the user message to answer, and the opening events.
async fn open(
    state: &AppState,
    user_id: &str,
    turn: Turn,
) -> Result<(Conversation, Message, Vec<Event>), AppError> {
    let pool = &state.pool;
    Ok(match turn {
        Turn::Create { input } => {
            let (conversation, question) =
                service::start_conversation(pool, user_id, input).await?;
            let created = Event::ThreadCreated {
                thread: Thread::of(&conversation, Page::empty()),
            };
            let opening = vec![created, user_message_done(&question)];
            (conversation, question, opening)
        }
        Turn::AddMessage { thread, input } => {
            let (conversation, question) =
                service::add_message(pool, user_id, thread, input).await?;
            let opening = vec![user_message_done(&question)];
            (conversation, question, opening)
        }
        Turn::Retry { thread, item } => {
            let (conversation, question) = retried(state, user_id, thread, item).await?;
            (conversation, question, Vec::new())
        }
    })
}

/// The thread and the user message a retry answers again: the item must be
/// one of the user's own messages in that thread.
async fn retried(
    state: &AppState,
    user_id: &str,
    thread: i64,
    item: ItemKey,
) -> Result<(Conversation, Message), AppError> {
    if item.slot != Slot::Message {
        return Err(AppError::NotFound);
    }
    let question = service::find_user_message(&state.pool, user_id, thread, item.message).await?;
    let conversation = threads::conversation(&state.pool, user_id, thread).await?;
    Ok((conversation, question))
}

fn user_message_done(question: &Message) -> Event {
    Event::ItemDone {
        item: items::at(
            question,
            Slot::Message,
            ItemBody::user_message(&question.content),
        ),
    }
}

/// The reply as the client has been shown it so far.
#[derive(Default)]
struct ReplyView {
    /// The reply row, once known.
    reply: Option<Message>,
    tasks: u32,
    /// The assistant message has been added (its text is streaming).
    added: bool,
    /// Its text so far.
    text: String,
}

impl ReplyView {
    fn item(&self, slot: Slot, body: ItemBody) -> Option<Item> {
        Some(items::at(self.reply.as_ref()?, slot, body))
    }

    #[cfg(test)]
    fn for_reply(reply: Message) -> ReplyView {
        ReplyView {
            reply: Some(reply),
            ..ReplyView::default()
        }
    }

    fn message_id(&self) -> String {
        self.reply.as_ref().map_or_else(String::new, |reply| {
            ids::item(ItemKey {
                message: reply.id,
                slot: Slot::Message,
            })
        })
    }

    /// Sends the run's tool calls and text as they come; returns its stored
    /// reply. A viewer that left stops the relay, not the run.
    async fn relay(&mut self, mut running: Running, frames: &Frames) -> Option<Message> {
        self.reply = Some(running.reply.clone());
        loop {
            let event = tokio::select! {
                event = running.events.recv() => event,
                () = frames.closed() => return None,
            };
            let Some(event) = event else { break };
            for event in self.on(event) {
                if frames.send(event.frame()).is_err() {
                    return None;
                }
            }
        }
        running.finished.await.ok()
    }

    fn on(&mut self, event: AgentEvent) -> Vec<Event> {
        match event {
            AgentEvent::ToolCall(call) => {
                let slot = Slot::Task(self.tasks);
                self.tasks += 1;
                let task = self.item(slot, ItemBody::task(Card::of(&call)));
                // A thread shows a reply's tasks before its text (as reading
                // it back does): text already shown moves below the task.
                let text_shown = self.drop_message();
                let mut events: Vec<Event> = text_shown.into_iter().collect();
                events.extend(task.map(|item| Event::ItemDone { item }));
                if !self.text.is_empty() {
                    self.added = true;
                    let text = ItemBody::assistant_message(&self.text);
                    events.extend(
                        self.item(Slot::Message, text)
                            .map(|item| Event::ItemAdded { item }),
                    );
                }
                events
            }
            AgentEvent::Text(text) => {
                self.text.push_str(&text);
                let mut events = self.open_message();
                events.push(Event::ItemUpdated {
                    item_id: self.message_id(),
                    update: TextDelta::of(text),
                });
                events
            }
        }
    }

    /// The assistant message, added once, empty, before its first text.
    fn open_message(&mut self) -> Vec<Event> {
        if std::mem::replace(&mut self.added, true) {
            return Vec::new();
        }
        let item = self.item(Slot::Message, ItemBody::assistant_message(""));
        item.map(|item| Event::ItemAdded { item })
            .into_iter()
            .collect()
    }

    /// The end of the turn: the finished message and the thread, or an error
    /// the client offers to retry (the user's message is kept).
    fn close(
        &mut self,
        finished: Option<Message>,
        conversation: &Conversation,
        gone: bool,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        match finished {
            Some(reply) if reply.status() == ReplyStatus::Done => {
                if self.reply.is_none() {
                    // Answered by another run: its stored items, all at once.
                    events.extend(
                        items::of(&reply)
                            .into_iter()
                            .filter(|(key, _)| key.slot != Slot::Message)
                            .map(|(_, item)| Event::ItemDone { item }),
                    );
                }
                let text = ItemBody::assistant_message(&reply.content);
                let empty = reply.content.is_empty();
                self.reply = Some(reply);
                if empty {
                    events.extend(self.drop_message());
                } else {
                    events.extend(self.open_message());
                    events.extend(
                        self.item(Slot::Message, text)
                            .map(|item| Event::ItemDone { item }),
                    );
                }
                events.push(Event::ThreadUpdated {
                    thread: Thread::of(conversation, Page::empty()),
                });
            }
            // The thread was deleted while it was answered: nothing to retry.
            _ if gone => {
                events.extend(self.drop_message());
                events.push(Event::Error {
                    code: "custom",
                    message: "This conversation was deleted.".to_owned(),
                    allow_retry: false,
                });
            }
            _ => {
                events.extend(self.drop_message());
                events.push(Event::Error {
                    code: "stream.error",
                    message: AppError::AssistantUnavailable {
                        conversation_id: conversation.id,
                    }
                    .to_string(),
                    allow_retry: true,
                });
            }
        }
        events
    }

    /// Takes back an assistant message that was added but has no answer.
    fn drop_message(&mut self) -> Option<Event> {
        std::mem::replace(&mut self.added, false).then(|| Event::ItemRemoved {
            item_id: self.message_id(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::CallRecord;

    fn reply() -> Message {
        Message {
            id: 8,
            conversation_id: 3,
            user_id: "u".into(),
            role: "assistant".into(),
            content: String::new(),
            tool_calls: None,
            created_at: chrono::NaiveDateTime::default(),
            reply_to: Some(7),
            status: "pending".into(),
            lease_until: None,
            run_id: None,
        }
    }

    fn call() -> AgentEvent {
        AgentEvent::ToolCall(CallRecord {
            name: "add_task".into(),
            arguments: serde_json::json!({"title": "Milk"}),
            result: serde_json::json!({"task_id": 5, "status": "created", "title": "Milk"}),
            step: 0,
            id: String::new(),
            signature: None,
        })
    }

    fn shown(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                let v = serde_json::to_value(e).unwrap();
                let id = v["item"]["id"]
                    .as_str()
                    .or(v["item_id"].as_str())
                    .unwrap_or("");
                format!("{} {id}", v["type"].as_str().unwrap())
            })
            .collect()
    }

    #[test]
    fn text_before_a_tool_call_moves_below_its_task_as_the_thread_reads_back() {
        let mut view = ReplyView::for_reply(reply());
        let mut events = Vec::new();
        for event in [
            AgentEvent::Text("Sure. ".into()),
            call(),
            AgentEvent::Text("Done.".into()),
        ] {
            events.extend(view.on(event));
        }
        assert_eq!(
            shown(&events),
            [
                "thread.item.added msg_8",
                "thread.item.updated msg_8",
                "thread.item.removed msg_8",
                "thread.item.done task_8_0",
                "thread.item.added msg_8",
                "thread.item.updated msg_8",
            ]
        );
        let readded = serde_json::to_value(&events[4]).unwrap();
        assert_eq!(readded["item"]["content"][0]["text"], "Sure. ");
    }

    #[test]
    fn tasks_first_then_text_needs_no_moving() {
        let mut view = ReplyView::for_reply(reply());
        let mut events = view.on(call());
        events.extend(view.on(AgentEvent::Text("Added.".into())));
        assert_eq!(
            shown(&events),
            [
                "thread.item.done task_8_0",
                "thread.item.added msg_8",
                "thread.item.updated msg_8"
            ]
        );
    }
}
