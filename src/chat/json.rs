//! The JSON chat API's bodies: what a client sends and what it gets back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::calls;
use crate::db::models::{Conversation, Message, ReplyStatus};
use crate::timestamp::Timestamp;

/// `POST /api/chat`: a message, into a conversation or (without
/// `conversation_id`) starting one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChatRequest {
    pub conversation_id: Option<i64>,
    /// 1–4000 characters after trimming.
    pub message: String,
}

/// The assistant's finished answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatReply {
    pub conversation_id: i64,
    pub response: String,
    pub tool_calls: Vec<ToolCallView>,
}

/// A tool the assistant ran for an answer, with what it returned (a tool's
/// own result, or `{"error": {"code", "message"}}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToolCallView {
    pub name: String,
    pub arguments: Value,
    #[schema(value_type = crate::tools::ToolResultView)]
    pub result: Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationView {
    pub id: i64,
    pub title: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A message of a conversation: the user's (`role: user`), or the
/// assistant's answer (`role: assistant`) with its `status`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub role: Role,
    pub content: String,
    /// `pending` while the answer is being written.
    pub status: ReplyStatus,
    pub tool_calls: Vec<ToolCallView>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// A page of a conversation, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessagePage {
    pub messages: Vec<MessageView>,
    /// Pass as `before` for the page before this one; `null` on the first page.
    #[schema(required = true)]
    pub next_before: Option<i64>,
}

impl ToolCallView {
    /// The tool calls stored with `message`.
    pub fn all_of(message: &Message) -> Vec<ToolCallView> {
        calls::of(message)
            .into_iter()
            .map(|c| ToolCallView {
                name: c.name,
                arguments: c.arguments,
                result: c.result,
            })
            .collect()
    }
}

impl ChatReply {
    pub fn of(conversation_id: i64, reply: &Message) -> ChatReply {
        ChatReply {
            conversation_id,
            response: reply.content.clone(),
            tool_calls: ToolCallView::all_of(reply),
        }
    }
}

impl From<Conversation> for ConversationView {
    fn from(c: Conversation) -> Self {
        ConversationView {
            id: c.id,
            title: c.title,
            created_at: c.created_at.into(),
            updated_at: c.updated_at.into(),
        }
    }
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        MessageView {
            id: m.id,
            role: if m.is_user() {
                Role::User
            } else {
                Role::Assistant
            },
            content: m.content.clone(),
            status: m.status(),
            tool_calls: ToolCallView::all_of(m),
            created_at: m.created_at.into(),
        }
    }
}
