//! Conversations and turns: storing what the user said, and running the
//! assistant's answer as its own task.
//!
//! A turn is claimed by inserting the pending reply (unique `reply_to`), so
//! however many browsers or replicas ask, one run answers each message. The
//! run is spawned: a client that goes away does not cancel it, and its reply
//! is saved either way. Nothing about a turn lives in memory past the run.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use diesel::Connection;
use tokio::sync::{mpsc, oneshot};

use super::text::MessageText;
use crate::ai::agent::{self, AgentEvent, CallRecord};
use crate::ai::{Assistant, Entry};
use crate::db::models::message::{ROLE_ASSISTANT, ROLE_USER};
use crate::db::models::{
    Conversation, ConversationInsertForm, Message, MessageInsertForm, ReplyStatus,
};
use crate::db::{self, DbPool};
use crate::error::AppError;

/// How many earlier messages the model sees.
const HISTORY_MESSAGES: i64 = 40;
/// A reply still pending after this long lost its run (its server stopped).
const RUN_GIVEN_UP_AFTER: TimeDelta = TimeDelta::minutes(10);
/// How often a second viewer of a running turn looks for its end.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// Starts a conversation with its first message.
pub async fn start_conversation(
    pool: &DbPool,
    user_id: &str,
    text: MessageText,
) -> Result<(Conversation, Message), AppError> {
    let user_id = user_id.to_owned();
    let created = db::run(pool, move |conn| {
        conn.transaction(|conn| {
            let now = db::now();
            let conversation = Conversation::insert(
                conn,
                &ConversationInsertForm {
                    user_id: &user_id,
                    title: &text.title(),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            let message = insert_user_message(conn, conversation.id, &user_id, text.as_str())?;
            Ok((conversation, message))
        })
    })
    .await?;
    Ok(created)
}

/// Adds the user's message to their conversation; another user's conversation is not found.
/// The insert comes first: the composite foreign key refuses a conversation of
/// someone else, and a write-first transaction never waits on a lock upgrade.
pub async fn add_message(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    text: MessageText,
) -> Result<(Conversation, Message), AppError> {
    let user_id = user_id.to_owned();
    let added = db::run(pool, move |conn| {
        conn.transaction(|conn| {
            let message = insert_user_message(conn, conversation_id, &user_id, text.as_str())?;
            let conversation = Conversation::find_by_id_and_user(conn, conversation_id, &user_id)?;
            Ok((conversation, message))
        })
    })
    .await;
    match added {
        Err(db::DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        ))) => Err(AppError::NotFound),
        other => Ok(other?),
    }
}

fn insert_user_message(
    conn: &mut db::DbConnection,
    conversation_id: i64,
    user_id: &str,
    text: &str,
) -> diesel::QueryResult<Message> {
    let now = db::now();
    let message = Message::insert(
        conn,
        &MessageInsertForm {
            conversation_id,
            user_id,
            role: ROLE_USER,
            content: text,
            tool_calls: None,
            created_at: now,
            reply_to: None,
            status: ReplyStatus::Done.as_str(),
        },
    )?;
    Conversation::touch(conn, conversation_id, user_id, now)?;
    Ok(message)
}

/// The user's own message `message_id` in their conversation `conversation_id`.
pub async fn find_user_message(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    message_id: i64,
) -> Result<Message, AppError> {
    let user_id = user_id.to_owned();
    let found = db::run(pool, move |conn| {
        Message::find_by_id_and_user(conn, message_id, &user_id)
    })
    .await?;
    match found {
        m if m.conversation_id == conversation_id && m.is_user() => Ok(m),
        _ => Err(AppError::NotFound),
    }
}

/// A turn in progress, as its starter sees it.
pub struct Running {
    pub events: mpsc::UnboundedReceiver<AgentEvent>,
    pub finished: oneshot::Receiver<Message>,
}

/// What asking for the answer to a user message found.
pub enum Answer {
    /// This call claimed the message: the run has started.
    Started(Running),
    /// Another run answered it, or is answering it: here is its reply row.
    Claimed(Message),
}

/// Claims `question` (a user message) and spawns the run that answers it.
pub async fn answer(
    pool: &DbPool,
    assistant: &Arc<Assistant>,
    question: &Message,
) -> Result<Answer, AppError> {
    let (user_id, question_id, conversation_id) = (
        question.user_id.clone(),
        question.id,
        question.conversation_id,
    );
    let claimed = db::run(pool, move |conn| {
        let now = db::now();
        let placeholder = MessageInsertForm {
            conversation_id,
            user_id: &user_id,
            role: ROLE_ASSISTANT,
            content: "",
            tool_calls: None,
            created_at: now,
            reply_to: Some(question_id),
            status: ReplyStatus::Pending.as_str(),
        };
        // A retry takes over the failed reply; otherwise the insert is the claim.
        let claimed = match Message::take_over_failed_reply(conn, question_id, &user_id, now)? {
            Some(reply) => Ok(reply),
            None => Message::insert(conn, &placeholder),
        };
        match claimed {
            Ok(reply) => {
                let history = Message::history(
                    conn,
                    conversation_id,
                    &user_id,
                    question_id,
                    HISTORY_MESSAGES,
                )?;
                Ok(Ok((reply, history)))
            }
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Ok(Err(Message::find_reply(conn, question_id, &user_id)?)),
            Err(e) => Err(e),
        }
    })
    .await?;
    let (reply, history) = match claimed {
        Ok(claimed) => claimed,
        Err(Some(existing)) => return Ok(Answer::Claimed(existing)),
        Err(None) => return Err(AppError::NotFound),
    };
    let (events_tx, events) = mpsc::unbounded_channel();
    let (finished_tx, finished) = oneshot::channel();
    let (pool, assistant) = (pool.clone(), assistant.clone());
    tokio::spawn(async move {
        let entries = to_entries(&history);
        let already_ran = tool_calls(&reply);
        let outcome = agent::run(
            &assistant,
            &pool,
            &reply.user_id,
            entries,
            already_ran,
            &events_tx,
        )
        .await;
        drop(events_tx);
        match save(&pool, &reply, outcome).await {
            Ok(saved) => {
                let _ = finished_tx.send(saved);
            }
            Err(e) => tracing::error!(error = %e, "could not save the assistant's reply"),
        }
    });
    Ok(Answer::Started(Running { events, finished }))
}

/// Stores the run's outcome on its pending reply and returns the finished row.
async fn save(
    pool: &DbPool,
    reply: &Message,
    outcome: agent::Reply,
) -> Result<Message, db::DbError> {
    let status = match &outcome.failure {
        None => ReplyStatus::Done,
        Some(e) => {
            tracing::warn!(error = %e, "the assistant could not answer");
            ReplyStatus::Failed
        }
    };
    let calls = (!outcome.calls.is_empty())
        .then(|| serde_json::to_string(&outcome.calls).unwrap_or_else(|_| "[]".to_owned()));
    let (id, user_id, conversation_id) = (reply.id, reply.user_id.clone(), reply.conversation_id);
    db::run(pool, move |conn| {
        conn.transaction(|conn| {
            Message::finish_reply(conn, id, &user_id, &outcome.text, calls.as_deref(), status)?;
            Conversation::touch(conn, conversation_id, &user_id, db::now())?;
            Message::find_by_id_and_user(conn, id, &user_id)
        })
    })
    .await
}

/// Waits for a reply some other run is writing, and returns it finished
/// (or failed, if its run was lost).
pub async fn wait_for(pool: &DbPool, reply: Message) -> Result<Message, AppError> {
    let mut reply = reply;
    while reply.status() == ReplyStatus::Pending {
        tokio::time::sleep(POLL_EVERY).await;
        let (id, user_id) = (reply.id, reply.user_id.clone());
        reply = db::run(pool, move |conn| {
            Message::fail_if_stale(conn, id, db::now() - RUN_GIVEN_UP_AFTER)?;
            Message::find_by_id_and_user(conn, id, &user_id)
        })
        .await?;
    }
    Ok(reply)
}

/// The stored messages as the model's conversation.
fn to_entries(history: &[Message]) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(history.len() * 2);
    for message in history {
        if message.is_user() {
            entries.push(Entry::User(message.content.clone()));
        } else {
            agent::replay(&message.content, &tool_calls(message), &mut entries);
        }
    }
    entries
}

/// The tool calls stored with a reply.
pub fn tool_calls(message: &Message) -> Vec<CallRecord> {
    message
        .tool_calls
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}
