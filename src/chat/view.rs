//! Messages as the chat page shows them.

use serde_json::Value;

use super::calls;
use super::markdown::to_safe_html;
use crate::ai::CallRecord;
use crate::db::models::{Message, ReplyStatus};

/// A tool call as a small card: "Added task #5" · "Buy groceries".
pub struct Card {
    pub ok: bool,
    /// What was done: "Added task #5", "Listed 3 pending tasks".
    pub headline: String,
    /// What it was done to or why it failed: the task's title, the error.
    pub detail: Option<String>,
}

impl Card {
    pub fn of(call: &CallRecord) -> Card {
        if let Some(message) = call
            .result
            .pointer("/error/message")
            .and_then(Value::as_str)
        {
            let what = call.name.replace('_', " ");
            return Card {
                ok: false,
                headline: format!("Could not {what}"),
                detail: Some(message.to_owned()),
            };
        }
        let id = &call.result["task_id"];
        let title = call.result["title"].as_str().map(str::to_owned);
        let (headline, detail) = match call.name.as_str() {
            "add_task" => (format!("Added task #{id}"), title),
            "complete_task" => (format!("Completed task #{id}"), title),
            "delete_task" => (format!("Deleted task #{id}"), title),
            "update_task" => (format!("Updated task #{id}"), title),
            "list_tasks" => (listed(call), None),
            other => (format!("Ran {other}"), None),
        };
        Card {
            ok: true,
            headline,
            detail,
        }
    }

    /// One line: "Added task #5 · Buy groceries".
    pub fn label(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{} · {detail}", self.headline),
            None => self.headline.clone(),
        }
    }
}

fn listed(call: &CallRecord) -> String {
    let n = crate::chat::calls::count(&call.result);
    let status = call.arguments["status"].as_str().unwrap_or("all");
    let which = if status == "all" {
        String::new()
    } else {
        format!("{status} ")
    };
    match n {
        1 => format!("Listed 1 {which}task"),
        n => format!("Listed {n} {which}tasks"),
    }
}

/// What an assistant message looks like now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The user's own words.
    User,
    Answered,
    /// Still being written: the page connects to its stream.
    Pending,
    Failed,
    /// A user message nobody answered (its run never started): offer to ask again.
    Unanswered,
}

/// A message as the chat page draws it.
pub struct ShownMessage {
    pub id: i64,
    pub conversation_id: i64,
    pub shown: Shown,
    /// The user's text (escaped by the template).
    pub text: String,
    /// The assistant's Markdown, rendered and sanitised.
    pub html: String,
    pub cards: Vec<Card>,
    /// The user message this answers (or, for `Unanswered`, the message itself).
    pub question_id: i64,
}

impl ShownMessage {
    pub fn of(message: &Message) -> ShownMessage {
        let shown = match (message.is_user(), message.status()) {
            (true, _) => Shown::User,
            (false, ReplyStatus::Done) => Shown::Answered,
            (false, ReplyStatus::Pending) => Shown::Pending,
            (false, ReplyStatus::Failed) => Shown::Failed,
        };
        ShownMessage {
            id: message.id,
            conversation_id: message.conversation_id,
            shown,
            text: if message.is_user() {
                message.content.clone()
            } else {
                String::new()
            },
            html: if message.is_user() {
                String::new()
            } else {
                to_safe_html(&message.content)
            },
            cards: calls::of(message).iter().map(Card::of).collect(),
            question_id: message.reply_to.unwrap_or(message.id),
        }
    }

    /// A placeholder for the answer to `question`, connected to its stream.
    pub fn pending_for(question: &Message) -> ShownMessage {
        ShownMessage {
            id: 0,
            conversation_id: question.conversation_id,
            shown: Shown::Pending,
            text: String::new(),
            html: String::new(),
            cards: Vec::new(),
            question_id: question.id,
        }
    }

    pub fn is_user(&self) -> bool {
        self.shown == Shown::User
    }

    /// The stream of the answer to this message's question.
    pub fn reply_url(&self) -> String {
        format!(
            "/chat/{}/messages/{}/reply",
            self.conversation_id, self.question_id
        )
    }

    pub fn retry_url(&self) -> String {
        format!(
            "/chat/{}/messages/{}/retry",
            self.conversation_id, self.question_id
        )
    }
}

/// How long after it was sent a message with no answer yet is still being
/// answered by the page that sent it (whose stream claims it at once). An
/// older one waits for the person to ask: opening the page later must not
/// run a request sent long ago (say, a delete) without a click.
pub const STILL_SENDING: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// The views of a page of messages, with a placeholder after each user
/// message that has no answer: pending if it is the latest and was sent just
/// now, unanswered (offering to ask) otherwise.
pub fn page(
    messages: &[Message],
    is_latest_page: bool,
    now: chrono::NaiveDateTime,
) -> Vec<ShownMessage> {
    let mut views = Vec::with_capacity(messages.len() + 1);
    for (i, message) in messages.iter().enumerate() {
        views.push(ShownMessage::of(message));
        if !message.is_user() || messages.iter().any(|m| m.reply_to == Some(message.id)) {
            continue;
        }
        let is_last = i + 1 == messages.len();
        let mut placeholder = ShownMessage::pending_for(message);
        let just_sent = now - message.created_at <= STILL_SENDING;
        match (is_last, is_latest_page) {
            (true, true) if just_sent => views.push(placeholder),
            // The answer to the last question of an older page is on the next page.
            (true, false) => {}
            (true, true) | (false, _) => {
                placeholder.shown = Shown::Unanswered;
                views.push(placeholder);
            }
        }
    }
    views
}
