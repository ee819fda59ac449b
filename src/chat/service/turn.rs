//! Turns: storing what the user said, and running the assistant's answer as
//! its own task.
//!
//! A turn is claimed by inserting the pending reply (unique `reply_to`), so
//! however many browsers or replicas ask, one run answers each message. The
//! run is spawned: a client that goes away does not cancel it, and its reply
//! is saved either way. Nothing about a turn lives in memory past the run.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::Connection;
use tokio::sync::{mpsc, oneshot};

use super::ChatError;
use crate::ai::agent::{self, AgentEvent};
use crate::ai::{Assistant, Entry};
use crate::chat::calls;
use crate::chat::run;
use crate::chat::runs::{RunSlot, Runs};
use crate::chat::text::MessageText;
use crate::db::models::message::{ROLE_ASSISTANT, ROLE_USER};
use crate::db::models::{
    Conversation, ConversationInsertForm, Message, MessageInsertForm, Question, ReplyStatus,
};
use crate::db::{self, DbPool};

/// How many earlier messages the model sees.
const HISTORY_MESSAGES: i64 = 40;
/// How often a second viewer of a running turn looks for its end.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// Starts a conversation with its first message.
pub async fn start_conversation(
    pool: &DbPool,
    user_id: &str,
    text: MessageText,
) -> Result<(Conversation, Message), ChatError> {
    let user_id = user_id.to_owned();
    let created = db::call(pool, "start a conversation", move |conn| {
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
/// Every statement is a write (no read first), so the transaction never
/// waits on a lock upgrade.
pub async fn add_message(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    text: MessageText,
) -> Result<(Conversation, Message), ChatError> {
    let user_id = user_id.to_owned();
    let added = db::call(pool, "add a message", move |conn| {
        conn.transaction(|conn| {
            let message = insert_user_message(conn, conversation_id, &user_id, text.as_str())?;
            let conversation = Conversation::find_by_id_and_user(conn, conversation_id, &user_id)?;
            Ok((conversation, message))
        })
    })
    .await;
    match added {
        Err(e) if e.is_foreign_key_violation() => Err(ChatError::NotFound),
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
    // The conversation's row is locked first, as a delete locks it first:
    // taking it after the message (whose foreign key check shares it) would
    // let a concurrent delete deadlock with this write on PostgreSQL.
    if Conversation::touch(conn, conversation_id, user_id, now)? == 0 {
        return Err(diesel::result::Error::NotFound);
    }
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
            lease_until: None,
            run_id: None,
        },
    )?;
    Ok(message)
}

/// A turn in progress, as its starter sees it.
pub struct Running {
    /// The reply being written, as claimed (pending, empty).
    pub reply: Message,
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

/// For a reply stream: [`answer`] with one of the user's run places, or,
/// when they have none free, the reply as it stands if it needs no new run
/// (finished, or being written by a live run: a reload or a second tab
/// follows it), else [`ChatError::Busy`].
pub async fn answer_or_follow(
    pool: &DbPool,
    assistant: &Arc<Assistant>,
    runs: &Arc<Runs>,
    question: &Message,
) -> Result<Answer, ChatError> {
    if let Some(slot) = runs.reserve_run(&question.user_id) {
        return answer(pool, assistant, runs, slot, question).await;
    }
    let (question_id, conversation_id, user_id) = (
        question.id,
        question.conversation_id,
        question.user_id.clone(),
    );
    let reply = db::call(pool, "find a reply", move |conn| {
        let question = Question {
            id: question_id,
            conversation_id,
            user_id: &user_id,
        };
        Message::find_reply(conn, question)
    })
    .await?;
    match reply {
        Some(reply) if reply.status() != ReplyStatus::Failed && !reply.lease_lapsed(db::now()) => {
            Ok(Answer::Claimed(reply))
        }
        _ => Err(ChatError::Busy),
    }
}

/// Claims `question` (a user message) and spawns the run that answers it,
/// which holds the user's `slot` until it ends (unused when another run is
/// answering already). Once a shutdown stops running work no new run
/// starts: the message stays saved and the answer is 503, to be retried (on
/// another replica).
pub async fn answer(
    pool: &DbPool,
    assistant: &Arc<Assistant>,
    runs: &Arc<Runs>,
    slot: RunSlot,
    question: &Message,
) -> Result<Answer, ChatError> {
    let unavailable = ChatError::Unavailable {
        conversation_id: question.conversation_id,
    };
    let Some(guard) = runs.start() else {
        return Err(unavailable);
    };
    let (reply, history) = match claim(pool, question).await? {
        Ok(claimed) => claimed,
        Err(existing) => return Ok(Answer::Claimed(existing)),
    };
    let (events_tx, events) = mpsc::unbounded_channel();
    let (finished_tx, finished) = oneshot::channel();
    let claimed = reply.clone();
    let (pool, assistant) = (pool.clone(), assistant.clone());
    let (stopping, agent_stopping) = (runs.stopping(), runs.stopping());
    runs.spawn(async move {
        let _guard = (guard, slot);
        let (agent_tx, agent_events) = mpsc::unbounded_channel();
        let agent_run = {
            let (pool, user_id, already_ran) =
                (pool.clone(), reply.user_id.clone(), calls::of(&reply));
            async move {
                let entries = to_entries(&history);
                agent::run(
                    &assistant,
                    &pool,
                    &user_id,
                    entries,
                    already_ran,
                    &agent_tx,
                    agent_stopping,
                )
                .await
            }
        };
        let saved =
            run::supervise(&pool, &reply, agent_run, agent_events, &events_tx, stopping).await;
        drop(events_tx);
        if let Some(saved) = saved {
            let _ = finished_tx.send(saved);
        }
    });
    Ok(Answer::Started(Running {
        reply: claimed,
        events,
        finished,
    }))
}

/// Claims the answer to `question` for a new run: its failed reply (a retry)
/// or a new pending one. `Err` holds the reply another run already claimed.
/// A pending reply whose run died (lapsed lease) is failed first, then taken over.
async fn claim(
    pool: &DbPool,
    question: &Message,
) -> Result<Result<(Message, Vec<Message>), Message>, ChatError> {
    let (user_id, question_id, conversation_id) = (
        question.user_id.clone(),
        question.id,
        question.conversation_id,
    );
    let run_id = uuid::Uuid::new_v4().to_string();
    let claimed = db::call(pool, "claim an answer", move |conn| {
        let question = Question {
            id: question_id,
            conversation_id,
            user_id: &user_id,
        };
        let reply = match claim_in(conn, question, &run_id, db::now())? {
            Ok(reply) => reply,
            Err(existing) => return Ok(Err(existing)),
        };
        let history = Message::history(
            conn,
            conversation_id,
            &user_id,
            question_id,
            HISTORY_MESSAGES,
        )?;
        Ok(Ok((reply, history)))
    })
    .await;
    match claimed {
        // The conversation was deleted since the message was read.
        Err(e) if e.is_foreign_key_violation() => Err(ChatError::NotFound),
        other => Ok(other?),
    }
}

/// [`claim`] on a held connection: the reply claimed for run `run_id`, or
/// (`Err`) the one another run holds.
fn claim_in(
    conn: &mut db::DbConnection,
    question: Question<'_>,
    run_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Result<Message, Message>> {
    let lease_until = now + run::LEASE;
    let take_over = |conn: &mut db::DbConnection| {
        Message::take_over_failed_reply(conn, question, run_id, now, lease_until)
    };
    let inserted = match take_over(conn)? {
        Some(reply) => return Ok(Ok(reply)),
        None => insert_pending_reply(conn, question, run_id, now),
    };
    match inserted {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        other => return other.map(Ok),
    }
    // Someone claimed it first: theirs, unless their run died.
    let existing = Message::find_reply(conn, question)?.ok_or(diesel::result::Error::NotFound)?;
    if !existing.lease_lapsed(now) {
        return Ok(Err(existing));
    }
    Message::fail_lapsed(conn, question.conversation_id, question.user_id, now)?;
    match take_over(conn)? {
        Some(reply) => Ok(Ok(reply)),
        None => Ok(Err(
            Message::find_reply(conn, question)?.ok_or(diesel::result::Error::NotFound)?
        )),
    }
}

/// The pending answer to `question`, held by run `run_id`; a unique violation
/// when the question already has an answer.
fn insert_pending_reply(
    conn: &mut db::DbConnection,
    question: Question<'_>,
    run_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Message> {
    Message::insert(
        conn,
        &MessageInsertForm {
            conversation_id: question.conversation_id,
            user_id: question.user_id,
            role: ROLE_ASSISTANT,
            content: "",
            tool_calls: None,
            created_at: now,
            reply_to: Some(question.id),
            status: ReplyStatus::Pending.as_str(),
            lease_until: Some(now + run::LEASE),
            run_id: Some(run_id),
        },
    )
}

/// Looks at a reply some other run is writing: the reply as it is now, failed
/// first if its run died (its lease lapsed).
pub async fn look_at(pool: &DbPool, reply: &Message) -> Result<Message, ChatError> {
    let (id, user_id, conversation_id) = (reply.id, reply.user_id.clone(), reply.conversation_id);
    let reply = db::call(pool, "look at a reply", move |conn| {
        let now = db::now();
        let reply = Message::find_by_id_and_user(conn, id, &user_id)?;
        if !reply.lease_lapsed(now) {
            return Ok(reply);
        }
        Message::fail_lapsed(conn, conversation_id, &user_id, now)?;
        Message::find_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(reply)
}

/// Waits for a reply some other run is writing, and returns it finished
/// (or failed, if its run was lost).
pub async fn wait_for(pool: &DbPool, reply: Message) -> Result<Message, ChatError> {
    let mut reply = reply;
    while reply.status() == ReplyStatus::Pending {
        tokio::time::sleep(POLL_EVERY).await;
        reply = look_at(pool, &reply).await?;
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
            agent::replay(&message.content, &calls::of(message), &mut entries);
        }
    }
    entries
}
