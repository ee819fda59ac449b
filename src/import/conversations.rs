//! Conversations and their messages from the source, grouped by owner, in
//! order. A message must sit in a conversation of its own user: one that
//! names another user's conversation, or none that exists, is set aside.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::plan::{orphan, time_or};
use super::report::{Counts, Skip};
use super::source::RawRow;
use crate::chat::text::MessageText;
use crate::db::models::message::{ROLE_ASSISTANT, ROLE_USER};

/// The title of a conversation with nothing to take one from.
const UNTITLED: &str = "Imported conversation";

#[derive(Debug)]
pub struct ConversationPlan {
    pub title: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub messages: Vec<MessagePlan>,
}

#[derive(Debug)]
pub struct MessagePlan {
    pub role: &'static str,
    pub content: String,
    pub created_at: NaiveDateTime,
}

/// Each user's conversations with their messages, in the source's order.
pub fn by_user(
    conversations: Vec<RawRow>,
    messages: Vec<RawRow>,
    user_ids: &HashSet<String>,
    now: NaiveDateTime,
    skipped: &mut Vec<Skip>,
) -> HashMap<String, Vec<ConversationPlan>> {
    let mut messages_of: HashMap<String, Vec<RawRow>> = HashMap::new();
    for message in messages {
        let conversation = message.get(1).unwrap_or_default().to_owned();
        messages_of.entry(conversation).or_default().push(message);
    }
    let mut by_user: HashMap<String, Vec<ConversationPlan>> = HashMap::new();
    for raw in conversations {
        let id = raw.get(0).unwrap_or_default().to_owned();
        let owner = raw.get(1).unwrap_or_default().to_owned();
        let messages = messages_of.remove(&id).unwrap_or_default();
        let what = format!("conversation {id}");
        let counts = Counts::conversation_with(messages.len());
        if !user_ids.contains(&owner) {
            skipped.push(Skip::row(counts, what, orphan("user", &owner)));
            continue;
        }
        match conversation(&raw, &owner, messages, now, skipped) {
            Ok(plan) => by_user.entry(owner).or_default().push(plan),
            Err(reason) => skipped.push(Skip::owned(&owner, counts, what, reason)),
        }
    }
    for (conversation, messages) in messages_of {
        for message in messages {
            let what = format!("message {}", message.get(0).unwrap_or("without id"));
            let reason = orphan("conversation", &conversation);
            skipped.push(Skip::row(Counts::message(), what, reason));
        }
    }
    by_user
}

fn conversation(
    raw: &RawRow,
    owner: &str,
    rows: Vec<RawRow>,
    now: NaiveDateTime,
    skipped: &mut Vec<Skip>,
) -> Result<ConversationPlan, String> {
    let created_at = time_or(raw.get(3), now).map_err(|e| format!("created_at: {e}"))?;
    let updated_at = time_or(raw.get(4), created_at).map_err(|e| format!("updated_at: {e}"))?;
    let conversation_id = raw.get(0).unwrap_or_default();
    let mut messages = Vec::new();
    let mut title = None;
    for row in rows {
        let what = format!("message {}", row.get(0).unwrap_or("without id"));
        match message(&row, owner, conversation_id, created_at) {
            Ok((plan, text)) => {
                if title.is_none() {
                    title = text.map(|t| t.title());
                }
                messages.push(plan);
            }
            Err(reason) => skipped.push(Skip::owned(owner, Counts::message(), what, reason)),
        }
    }
    let title = title
        .or_else(|| {
            raw.get(2)
                .and_then(|t| MessageText::parse(t).ok())
                .map(|t| t.title())
        })
        .unwrap_or_else(|| UNTITLED.to_owned());
    Ok(ConversationPlan {
        title,
        created_at,
        updated_at,
        messages,
    })
}

/// The message, and its parsed text when it is the user's.
fn message(
    raw: &RawRow,
    owner: &str,
    conversation_id: &str,
    conversation_created: NaiveDateTime,
) -> Result<(MessagePlan, Option<MessageText>), String> {
    if let Some(author) = raw.get(2)
        && author != owner
    {
        return Err(format!(
            "its conversation {conversation_id} belongs to another user"
        ));
    }
    let content = raw.get(4).unwrap_or_default();
    let created_at =
        time_or(raw.get(5), conversation_created).map_err(|e| format!("created_at: {e}"))?;
    let (role, content, text) = match raw.get(3).map(|r| r.trim().to_ascii_lowercase()) {
        Some(role) if role == ROLE_USER => {
            let text = MessageText::parse(content).map_err(|e| e.to_string())?;
            (ROLE_USER, text.as_str().to_owned(), Some(text))
        }
        Some(role) if role == ROLE_ASSISTANT => {
            if content.trim().is_empty() || content.contains('\0') {
                return Err("an empty answer, or one with NUL characters".into());
            }
            (ROLE_ASSISTANT, content.to_owned(), None)
        }
        other => {
            return Err(format!(
                "its role {:?} is not one Tasktalk keeps (user, assistant)",
                other.unwrap_or_default()
            ));
        }
    };
    let plan = MessagePlan {
        role,
        content,
        created_at,
    };
    Ok((plan, text))
}
