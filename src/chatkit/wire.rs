//! What `/chatkit` answers, shaped as the ChatKit SDK's types serialise:
//! absent optional fields are left out, never `null`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::ids;
use crate::chat::view::Card;
use crate::db::models::Conversation;
use crate::timestamp::Timestamp;

/// `Page[T]`: `after` is the id of the last element, to ask for the next page with.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Page<T> {
        Page {
            data: Vec::new(),
            has_more: false,
            after: None,
        }
    }
}

/// A thread (one of our conversations).
#[derive(Debug, Serialize)]
pub struct Thread {
    pub id: String,
    pub title: String,
    pub created_at: Timestamp,
    pub status: Status,
    pub metadata: Map<String, Value>,
    pub items: Page<Item>,
}

#[derive(Debug, Serialize)]
pub struct Status {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl Thread {
    pub fn of(conversation: &Conversation, items: Page<Item>) -> Thread {
        Thread {
            id: ids::thread(conversation.id),
            title: conversation.title.clone(),
            created_at: conversation.created_at.into(),
            status: Status { kind: "active" },
            metadata: Map::new(),
            items,
        }
    }
}

/// A thread item: a message, or a tool call shown as a task that was done.
#[derive(Debug, Serialize)]
pub struct Item {
    pub id: String,
    pub thread_id: String,
    pub created_at: Timestamp,
    #[serde(flatten)]
    pub body: ItemBody,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemBody {
    UserMessage {
        content: Vec<InputText>,
        attachments: Vec<Value>,
        inference_options: Map<String, Value>,
    },
    AssistantMessage {
        content: Vec<OutputText>,
    },
    Task {
        task: CustomTask,
    },
}

#[derive(Debug, Serialize)]
pub struct InputText {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct OutputText {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub text: String,
    pub annotations: Vec<Value>,
}

/// A task shown as one line: "Added task #5", with the task's title below.
#[derive(Debug, Serialize)]
pub struct CustomTask {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status_indicator: &'static str,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub icon: &'static str,
}

impl ItemBody {
    pub fn user_message(text: &str) -> ItemBody {
        ItemBody::UserMessage {
            content: vec![InputText {
                kind: "input_text",
                text: text.to_owned(),
            }],
            attachments: Vec::new(),
            inference_options: Map::new(),
        }
    }

    /// An assistant message; no text yet is no content part yet.
    pub fn assistant_message(text: &str) -> ItemBody {
        let content = match text {
            "" => Vec::new(),
            text => vec![OutputText {
                kind: "output_text",
                text: text.to_owned(),
                annotations: Vec::new(),
            }],
        };
        ItemBody::AssistantMessage { content }
    }

    pub fn task(card: Card) -> ItemBody {
        ItemBody::Task {
            task: CustomTask {
                kind: "custom",
                status_indicator: "complete",
                icon: if card.ok { "check" } else { "info" },
                title: card.headline,
                content: card.detail,
            },
        }
    }
}

/// One event of a streamed answer, sent as `data: <json>\n\n`.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum Event {
    #[serde(rename = "thread.created")]
    ThreadCreated { thread: Thread },
    #[serde(rename = "thread.updated")]
    ThreadUpdated { thread: Thread },
    #[serde(rename = "thread.item.added")]
    ItemAdded { item: Item },
    #[serde(rename = "thread.item.updated")]
    ItemUpdated { item_id: String, update: TextDelta },
    #[serde(rename = "thread.item.done")]
    ItemDone { item: Item },
    #[serde(rename = "thread.item.removed")]
    ItemRemoved { item_id: String },
    #[serde(rename = "stream_options")]
    StreamOptions { stream_options: StreamOptions },
    #[serde(rename = "error")]
    Error {
        code: &'static str,
        message: String,
        allow_retry: bool,
    },
}

#[derive(Debug, Serialize)]
pub struct TextDelta {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub content_index: u32,
    pub delta: String,
}

impl TextDelta {
    pub fn of(delta: String) -> TextDelta {
        TextDelta {
            kind: "assistant_message.content_part.text_delta",
            content_index: 0,
            delta,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StreamOptions {
    /// A cancel arrives as a dropped connection, which does not stop a run
    /// here (its answer is saved either way): so no stop button.
    pub allow_cancel: bool,
}

impl Event {
    /// The SSE frame: exactly `data: <json>\n\n` (JSON has no raw newlines).
    pub fn frame(&self) -> actix_web::web::Bytes {
        let mut frame = b"data: ".to_vec();
        if serde_json::to_writer(&mut frame, self).is_err() {
            frame.truncate(6);
            frame
                .extend_from_slice(br#"{"type":"error","code":"stream.error","allow_retry":true}"#);
        }
        frame.extend_from_slice(b"\n\n");
        frame.into()
    }
}
