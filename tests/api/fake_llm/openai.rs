//! The fake's OpenAI Chat Completions side.

use std::collections::HashSet;
use std::time::Duration;

use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::{GAP, OPENAI_KEY, Reply, State, header, next_reply, stream};

pub async fn handle(
    req: HttpRequest,
    state: web::Data<std::sync::Mutex<State>>,
    body: Bytes,
) -> HttpResponse {
    if header(&req, "authorization") != Some(&format!("Bearer {OPENAI_KEY}")) {
        return error(
            401,
            "Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
            None,
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            400,
            "We could not parse the JSON body of your request.",
            "invalid_request_error",
            "invalid_json",
            None,
        );
    };
    let reply = match next_reply(&state, &body, check(&body)) {
        Ok(reply) => reply,
        Err(problems) => {
            return error(
                400,
                &problems.join("; "),
                "invalid_request_error",
                "invalid_request",
                None,
            );
        }
    };
    let n = {
        let mut s = state.lock().unwrap();
        s.calls_made += 1;
        s.calls_made
    };
    respond(reply, n).await
}

async fn respond(reply: Reply, n: usize) -> HttpResponse {
    match reply {
        Reply::Text(pieces) => stream(text_frames(&pieces, Duration::ZERO)),
        Reply::Slow(pieces, every) => stream(text_frames(&pieces, every)),
        Reply::Calls(calls) => stream(call_frames(&calls, n)),
        Reply::Status(429, retry) => error(
            429,
            "Rate limit reached for requests per min (RPM). Please try again in 1s.",
            "requests",
            "rate_limit_exceeded",
            retry,
        ),
        Reply::Status(status, retry) => error(
            status,
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            "server_error",
            retry,
        ),
        Reply::Stall(wait) => {
            tokio::time::sleep(wait).await;
            stream(text_frames(&["late".to_owned()], Duration::ZERO))
        }
        Reply::Cut => stream(vec![
            (
                GAP,
                sse(&chunk(json!({"role": "assistant", "content": ""}), None)),
            ),
            (GAP, sse(&chunk(json!({"content": "I was say"}), None))),
        ]),
        Reply::Malformed => stream(vec![(
            GAP,
            Bytes::from_static(b"data: {\"choices\": [{\"delta\": {\"content\": \"Hi\n\n"),
        )]),
    }
}

fn chunk(delta: Value, finish: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_732_000_000u64, "model": "gpt-test",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
    })
}

fn sse(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

fn ending(finish: &str) -> Vec<(Duration, Bytes)> {
    vec![
        (GAP, sse(&chunk(json!({}), Some(finish)))),
        (
            GAP,
            sse(
                &json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}),
            ),
        ),
        (GAP, Bytes::from_static(b"data: [DONE]\n\n")),
    ]
}

fn text_frames(pieces: &[String], every: Duration) -> Vec<(Duration, Bytes)> {
    let mut frames = vec![(
        GAP,
        sse(&chunk(json!({"role": "assistant", "content": ""}), None)),
    )];
    for piece in pieces {
        frames.push((GAP.max(every), sse(&chunk(json!({"content": piece}), None))));
    }
    frames.extend(ending("stop"));
    frames
}

/// Each call's arguments arrive in three pieces, after a first chunk with its id and name.
fn call_frames(calls: &[(String, Value)], n: usize) -> Vec<(Duration, Bytes)> {
    let mut frames = vec![(
        GAP,
        sse(&chunk(json!({"role": "assistant", "content": null}), None)),
    )];
    for (index, (name, arguments)) in calls.iter().enumerate() {
        let id = format!("call_{n}_{index}");
        frames.push((GAP, sse(&chunk(json!({"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}), None))));
        let text: Vec<char> = arguments.to_string().chars().collect();
        let third = text.len().div_ceil(3).max(1);
        for piece in text.chunks(third) {
            let piece: String = piece.iter().collect();
            frames.push((
                GAP,
                sse(&chunk(
                    json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}),
                    None,
                )),
            ));
        }
    }
    frames.extend(ending("tool_calls"));
    frames
}

fn error(
    status: u16,
    message: &str,
    kind: &str,
    code: &str,
    retry_after: Option<u64>,
) -> HttpResponse {
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(secs) = retry_after {
        res.insert_header(("retry-after", secs.to_string()));
    }
    res.insert_header(("x-request-id", "req_fake"));
    res.json(json!({"error": {"message": message, "type": kind, "param": null, "code": code}}))
}

/// The request against the Chat Completions contract.
fn check(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |p: String| problems.push(p);
    if body["model"].as_str().is_none_or(|m| m.is_empty()) {
        fail("model must be a non-empty string".into());
    }
    if body["stream"] != json!(true) {
        fail("stream must be true".into());
    }
    for tool in body["tools"].as_array().into_iter().flatten() {
        if tool["type"] != "function"
            || !tool["function"]["name"].is_string()
            || tool["function"]["parameters"]["type"] != "object"
        {
            fail(format!("bad tool declaration {tool}"));
        }
    }
    let Some(messages) = body["messages"].as_array().filter(|m| !m.is_empty()) else {
        fail("messages must be a non-empty array".into());
        return problems;
    };
    let mut open_calls: HashSet<String> = HashSet::new();
    for (i, m) in messages.iter().enumerate() {
        let role = m["role"].as_str().unwrap_or_default();
        if role != "tool" && !open_calls.is_empty() {
            fail(format!(
                "messages[{i}]: tool calls {open_calls:?} have no tool message"
            ));
            open_calls.clear();
        }
        match role {
            "system" | "user" => {
                if !m["content"].is_string() {
                    fail(format!("messages[{i}].content must be a string"));
                }
            }
            "assistant" => {
                let calls = m["tool_calls"].as_array();
                if calls.is_some() && !m["content"].is_string() {
                    fail(format!(
                        "messages[{i}]: send content \"\" rather than null with tool_calls"
                    ));
                }
                if calls.is_none() && !m["content"].is_string() {
                    fail(format!("messages[{i}].content must be a string"));
                }
                for call in calls.into_iter().flatten() {
                    let args = call["function"]["arguments"].as_str();
                    let parsed = args.and_then(|a| serde_json::from_str::<Value>(a).ok());
                    if !parsed.is_some_and(|p| p.is_object()) {
                        fail(format!(
                            "messages[{i}]: tool call arguments must be a JSON string of an object, got {}",
                            call["function"]["arguments"]
                        ));
                    }
                    if call["type"] != "function" || !call["function"]["name"].is_string() {
                        fail(format!(
                            "messages[{i}]: tool call needs type function and a name"
                        ));
                    }
                    match call["id"].as_str() {
                        Some(id) => {
                            open_calls.insert(id.to_owned());
                        }
                        None => fail(format!("messages[{i}]: tool call without id")),
                    }
                }
            }
            "tool" => {
                let id = m["tool_call_id"].as_str().unwrap_or_default();
                if !open_calls.remove(id) {
                    fail(format!(
                        "messages[{i}]: tool_call_id {id:?} answers no preceding call"
                    ));
                }
                if !m["content"].is_string() {
                    fail(format!("messages[{i}].content must be a string"));
                }
            }
            other => fail(format!("messages[{i}]: unknown role {other:?}")),
        }
    }
    if !open_calls.is_empty() {
        fail(format!("tool calls {open_calls:?} have no tool message"));
    }
    if messages[0]["role"] != "system" {
        fail("the system prompt must come first".into());
    }
    problems
}
