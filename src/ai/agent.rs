//! The agent loop: model → tool calls → results back to the model → … until
//! it answers without calling a tool, or the step limit is reached.
//!
//! Tools run through `db::call`, one short connection each; no connection is
//! held while the model is thinking.

use std::future::Future;

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use super::{Assistant, Entry, ModelStep, ProviderError, ToolCallRequest, ToolResult};
use crate::db::{self, DbPool};
use crate::tools;

/// What the run reports while it goes, for a live view.
#[derive(Debug, Clone)]
pub enum AgentEvent {
    Text(String),
    ToolCall(CallRecord),
}

/// A tool call as stored with the reply (`message.tool_calls`) and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub name: String,
    pub arguments: Value,
    pub result: Value,
    /// Which model step asked for it (0-based), to replay the exchange in order.
    #[serde(default)]
    pub step: u32,
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// The answer of one turn. When the provider failed part-way, `failure` says
/// why, and `text` and `calls` hold what happened before (tools may have run).
#[derive(Debug, Default)]
pub struct Reply {
    pub text: String,
    pub calls: Vec<CallRecord>,
    pub failure: Option<ProviderError>,
}

/// Runs one turn for `user_id` on top of `entries` (history ending in the
/// user's message). `already_ran` are tool calls an earlier, failed run of
/// this turn made: the model sees them and the reply keeps them.
///
/// When `stopping` resolves the turn ends at the next safe point: a model
/// call is dropped (it changes nothing), a tool call is finished and
/// reported first, so the reply records every tool that ran.
pub async fn run(
    assistant: &Assistant,
    pool: &DbPool,
    user_id: &str,
    mut entries: Vec<Entry>,
    already_ran: Vec<CallRecord>,
    events: &UnboundedSender<AgentEvent>,
    stopping: impl Future<Output = ()>,
) -> Reply {
    tokio::pin!(stopping);
    let first_step = already_ran.iter().map(|c| c.step + 1).max().unwrap_or(0);
    let mut reply = resume(already_ran, &mut entries, events);
    let sink = |text: &str| {
        let _ = events.send(AgentEvent::Text(text.to_owned()));
    };
    // What the model has sent in this turn, against `bounds::TURN_BYTES`.
    let mut sent = 0;
    for step in first_step..first_step + assistant.max_steps {
        if !reply.text.is_empty() && !reply.text.ends_with("\n\n") {
            reply.text.push_str("\n\n");
            sink("\n\n");
        }
        let answered = tokio::select! {
            answered = assistant.step(&entries, &sink) => answered,
            () = &mut stopping => Err(ProviderError::Interrupted),
        };
        let ModelStep { text, calls } = match answered {
            Ok(step) => step,
            Err(e) => return finished(reply, Some(e)),
        };
        sent += text.len()
            + calls
                .iter()
                .map(|c| c.name.len() + c.arguments.to_string().len())
                .sum::<usize>();
        if let Err(e) = super::bounds::turn(sent) {
            return finished(reply, Some(e));
        }
        reply.text.push_str(&text);
        if calls.is_empty() {
            return finished(reply, None);
        }
        let ran = call_tools(
            pool,
            user_id,
            &calls,
            step,
            events,
            &mut reply,
            &mut stopping,
        );
        let Some(results) = ran.await else {
            return finished(reply, Some(ProviderError::Interrupted));
        };
        entries.push(Entry::Model(ModelStep { text, calls }));
        entries.push(Entry::Tools(results));
    }
    out_of_steps(reply, sink)
}

/// The reply a run starts from: the tool calls an earlier run of this turn
/// made, shown again and put back into the exchange the model sees.
fn resume(
    already_ran: Vec<CallRecord>,
    entries: &mut Vec<Entry>,
    events: &UnboundedSender<AgentEvent>,
) -> Reply {
    replay("", &already_ran, entries);
    for call in &already_ran {
        let _ = events.send(AgentEvent::ToolCall(call.clone()));
    }
    Reply {
        calls: already_ran,
        ..Reply::default()
    }
}

/// Runs the model's tool calls of `step` in order, reporting each and
/// keeping it in `reply`; `None` when `stopping` resolved before one began.
async fn call_tools(
    pool: &DbPool,
    user_id: &str,
    calls: &[ToolCallRequest],
    step: u32,
    events: &UnboundedSender<AgentEvent>,
    reply: &mut Reply,
    stopping: &mut (impl Future<Output = ()> + Unpin),
) -> Option<Vec<ToolResult>> {
    let mut results = Vec::with_capacity(calls.len());
    for call in calls {
        if (&mut *stopping).now_or_never().is_some() {
            return None;
        }
        let result = execute(pool, user_id, call).await;
        let record = CallRecord {
            name: call.name.clone(),
            arguments: call.arguments.clone(),
            result: result.clone(),
            step,
            id: call.id.clone(),
            signature: call.signature.clone(),
        };
        let _ = events.send(AgentEvent::ToolCall(record.clone()));
        reply.calls.push(record);
        results.push(ToolResult {
            call_id: call.id.clone(),
            name: call.name.clone(),
            result,
        });
    }
    Some(results)
}

/// The turn ends here: its text trimmed, with `failure` if it failed.
fn finished(mut reply: Reply, failure: Option<ProviderError>) -> Reply {
    reply.text = reply.text.trim_end().to_owned();
    reply.failure = failure;
    reply
}

/// The turn used every step it may: it ends saying so.
fn out_of_steps(mut reply: Reply, sink: impl Fn(&str)) -> Reply {
    let note = "I stopped here: this needed more steps than I am allowed in one answer. Ask me to continue if something is left.";
    if !reply.text.trim().is_empty() {
        reply.text.push_str("\n\n");
    }
    reply.text.push_str(note);
    sink(note);
    reply
}

/// Runs one tool call as `user_id`. A database failure becomes an error result
/// the model can explain, and is logged.
async fn execute(pool: &DbPool, user_id: &str, call: &ToolCallRequest) -> Value {
    let (user_id, name, args) = (
        user_id.to_owned(),
        call.name.clone(),
        call.arguments.clone(),
    );
    let outcome = db::call(pool, "run a tool", move |conn| {
        tools::execute(conn, &user_id, &name, &args)
    })
    .await;
    match outcome {
        Ok(outcome) => tools::outcome_json(&outcome),
        Err(e) => {
            tracing::error!(tool = %call.name, error = %e, "tool call failed");
            json!({"error": {"code": "INTERNAL_ERROR", "message": "The task list is unavailable right now."}})
        }
    }
}

/// Rebuilds the provider-neutral exchange of a stored reply: each step's tool
/// calls with their results, then the text the user saw.
pub fn replay(text: &str, calls: &[CallRecord], into: &mut Vec<Entry>) {
    let mut steps: Vec<u32> = calls.iter().map(|c| c.step).collect();
    steps.dedup();
    for step in steps {
        let in_step: Vec<&CallRecord> = calls.iter().filter(|c| c.step == step).collect();
        let requests = in_step
            .iter()
            .enumerate()
            .map(|(i, c)| ToolCallRequest {
                id: if c.id.is_empty() {
                    format!("call_{step}_{i}")
                } else {
                    c.id.clone()
                },
                name: c.name.clone(),
                arguments: c.arguments.clone(),
                signature: c.signature.clone(),
            })
            .collect::<Vec<_>>();
        let results = requests
            .iter()
            .zip(&in_step)
            .map(|(r, c)| ToolResult {
                call_id: r.id.clone(),
                name: r.name.clone(),
                result: c.result.clone(),
            })
            .collect();
        into.push(Entry::Model(ModelStep {
            text: String::new(),
            calls: requests,
        }));
        into.push(Entry::Tools(results));
    }
    if !text.is_empty() {
        into.push(Entry::Model(ModelStep {
            text: text.to_owned(),
            calls: Vec::new(),
        }));
    }
}
