//! One assistant run, supervised, so that its reply never stays pending.
//!
//! The agent runs in a task of its own; this supervisor forwards what it
//! reports to the viewer, stores each tool call as it happens (a retry
//! continues from them instead of repeating them), renews the reply's lease
//! while the run lives, and stores the outcome however the run ends: finished,
//! failed, panicked, or stopped by a shutdown. A panic is logged without its
//! payload, which may quote what the user typed.

use std::future::Future;
use std::time::Duration;

use chrono::TimeDelta;
use diesel::Connection;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::ai::ProviderError;
use crate::ai::agent::{self, AgentEvent, CallRecord};
use crate::db::models::{Conversation, Message, ReplyStatus};
use crate::db::{self, DbPool};
use crate::metrics::record::{RunEnd, run_ended};

/// How long a claim holds without renewal: a reply whose run died is
/// retryable this long after its last renewal, at most.
pub const LEASE: TimeDelta = TimeDelta::seconds(15);
/// How long a stopping run may take to reach its next safe point.
const WIND_DOWN: Duration = Duration::from_secs(3);
/// How often a live run renews its lease.
const RENEW_EVERY: Duration = Duration::from_secs(5);

/// How a run ended, as stored.
pub struct Outcome {
    pub text: String,
    pub calls: Vec<CallRecord>,
    pub status: ReplyStatus,
}

/// Runs `run` (the agent, reporting on `events`) for the pending `reply`
/// until it ends or `stopping` resolves, forwarding events to `viewer`.
/// Returns the stored reply, or `None` if it could not be stored (the lease
/// then lapses and the next reader marks it failed).
pub async fn supervise(
    pool: &DbPool,
    reply: &Message,
    run: impl Future<Output = agent::Reply> + Send + 'static,
    mut events: UnboundedReceiver<AgentEvent>,
    viewer: &UnboundedSender<AgentEvent>,
    stopping: impl Future<Output = ()>,
) -> Option<Message> {
    let run_id = reply.run_id.clone().unwrap_or_default();
    let mut handle = tokio::spawn(run);
    let mut calls: Vec<CallRecord> = Vec::new();
    let mut renew =
        tokio::time::interval_at(tokio::time::Instant::now() + RENEW_EVERY, RENEW_EVERY);
    let mut events_open = true;
    tokio::pin!(stopping);
    let outcome = loop {
        tokio::select! {
            event = events.recv(), if events_open => match event {
                Some(event) => {
                    if let AgentEvent::ToolCall(call) = &event {
                        calls.push(call.clone());
                        record_calls(pool, reply.id, &run_id, &calls).await;
                    }
                    let _ = viewer.send(event);
                }
                None => events_open = false,
            },
            joined = &mut handle => break ended(joined, &mut events, viewer, &mut calls, reply.id),
            _ = renew.tick() => {
                if !renew_lease(pool, reply.id, &run_id).await {
                    handle.abort();
                    run_ended(RunEnd::Lost);
                    tracing::warn!(reply = reply.id, "the run lost its claim on the reply (its lease lapsed); stopped");
                    return None;
                }
            },
            () = &mut stopping => {
                // The run saw the same signal: it ends at its next safe point
                // (after the tool it may be running), reporting what ran.
                tracing::warn!(reply = reply.id, "the server is stopping: the reply is stored as failed, to be retried");
                let joined = match tokio::time::timeout(WIND_DOWN, &mut handle).await {
                    Ok(joined) => joined,
                    Err(_) => {
                        handle.abort();
                        (&mut handle).await
                    }
                };
                break ended(joined, &mut events, viewer, &mut calls, reply.id);
            },
        }
    };
    match save(pool, reply, &run_id, outcome).await {
        Ok(saved) => saved,
        Err(e) => {
            tracing::error!(reply = reply.id, error = %e, "could not save the assistant's reply");
            None
        }
    }
}

/// The outcome of a run that ended, finished or not. Tool calls it reported
/// but the supervisor had not read yet are kept too.
fn ended(
    joined: Result<agent::Reply, tokio::task::JoinError>,
    events: &mut UnboundedReceiver<AgentEvent>,
    viewer: &UnboundedSender<AgentEvent>,
    calls: &mut Vec<CallRecord>,
    reply: i64,
) -> Outcome {
    while let Ok(event) = events.try_recv() {
        if let AgentEvent::ToolCall(call) = &event {
            calls.push(call.clone());
        }
        let _ = viewer.send(event);
    }
    match joined {
        Ok(finished) => {
            run_ended(run_end(&finished));
            outcome_of(finished)
        }
        Err(e) => {
            if e.is_panic() {
                run_ended(RunEnd::Panicked);
                tracing::error!(
                    reply,
                    "the assistant's run panicked; its reply is stored as failed"
                );
            } else {
                run_ended(RunEnd::Interrupted);
                tracing::error!(
                    reply,
                    "the assistant's run was stopped; its reply is stored as failed"
                );
            }
            failed(std::mem::take(calls))
        }
    }
}

/// How a run that returned its reply ended, for the runs metric: a shutdown
/// that stopped it is no failure of the provider.
fn run_end(reply: &agent::Reply) -> RunEnd {
    match &reply.failure {
        None => RunEnd::Done,
        Some(ProviderError::Interrupted) => RunEnd::Interrupted,
        Some(_) => RunEnd::Failed,
    }
}

fn outcome_of(reply: agent::Reply) -> Outcome {
    let status = match &reply.failure {
        None => ReplyStatus::Done,
        Some(e) => {
            tracing::warn!(error = %e, "the assistant could not answer");
            ReplyStatus::Failed
        }
    };
    Outcome {
        text: reply.text,
        calls: reply.calls,
        status,
    }
}

/// A run that ended without an answer: what it did is kept, for the retry.
fn failed(calls: Vec<CallRecord>) -> Outcome {
    Outcome {
        text: String::new(),
        calls,
        status: ReplyStatus::Failed,
    }
}

async fn record_calls(pool: &DbPool, id: i64, run_id: &str, calls: &[CallRecord]) {
    let (run_id, json) = (
        run_id.to_owned(),
        crate::chat::calls::stored(calls).unwrap_or_default(),
    );
    let stored = db::call(pool, "store a tool call", move |conn| {
        Message::record_tool_calls(conn, id, &run_id, &json)
    })
    .await;
    if let Err(e) = stored {
        tracing::warn!(reply = id, error = %e, "could not store a tool call with its reply");
    }
}

/// Extends the lease; false when the run no longer holds the reply. A
/// database that does not answer is not a lost claim: the run goes on.
async fn renew_lease(pool: &DbPool, id: i64, run_id: &str) -> bool {
    let run_id = run_id.to_owned();
    let renewed = db::call(pool, "renew a reply's lease", move |conn| {
        Message::renew_lease(conn, id, &run_id, db::now() + LEASE)
    })
    .await;
    match renewed {
        Ok(rows) => rows > 0,
        Err(e) => {
            tracing::warn!(reply = id, error = %e, "could not renew the reply's lease");
            true
        }
    }
}

/// Stores the outcome on the pending reply; `None` when the run no longer held it.
async fn save(
    pool: &DbPool,
    reply: &Message,
    run_id: &str,
    outcome: Outcome,
) -> Result<Option<Message>, db::DbError> {
    let calls = crate::chat::calls::stored(&outcome.calls);
    let (id, user_id, conversation_id, run_id) = (
        reply.id,
        reply.user_id.clone(),
        reply.conversation_id,
        run_id.to_owned(),
    );
    db::call(pool, "store a reply", move |conn| {
        conn.transaction(|conn| {
            // Conversation first, then its message: the order a delete
            // (and its cascade) locks them in, so the two cannot deadlock.
            Conversation::touch(conn, conversation_id, &user_id, db::now())?;
            let stored = Message::finish_reply(
                conn,
                id,
                &run_id,
                &outcome.text,
                calls.as_deref(),
                outcome.status,
            )?;
            if stored == 0 {
                return Ok(None);
            }
            Message::find_by_id_and_user(conn, id, &user_id).map(Some)
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_interrupted_by_a_shutdown_is_not_a_provider_failure() {
        let reply = |failure| agent::Reply {
            failure,
            ..agent::Reply::default()
        };
        assert_eq!(run_end(&reply(None)), RunEnd::Done);
        let stopped = reply(Some(ProviderError::Interrupted));
        assert_eq!(run_end(&stopped), RunEnd::Interrupted);
        let timed_out = reply(Some(ProviderError::Timeout));
        assert_eq!(run_end(&timed_out), RunEnd::Failed);
    }
}
