//! OpenAI Chat Completions (and every server that speaks it: Ollama, vLLM,
//! llama.cpp, LM Studio, OpenRouter) with streamed tool calls.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::http::{self, event_stream, parse_json};
use super::{Entry, ModelStep, ProviderError, TextSink, ToolCallRequest};
use crate::config::AiSettings;
use crate::tools::TOOLS;

pub struct OpenAi {
    client: reqwest::Client,
    url: String,
    model: String,
    api_key: Option<SecretString>,
}

impl OpenAi {
    pub fn new(client: reqwest::Client, settings: &AiSettings) -> Self {
        OpenAi {
            client,
            url: http::join(&settings.openai.base_url, "chat/completions"),
            model: settings.openai.model.clone(),
            api_key: settings.openai.api_key.clone(),
        }
    }

    pub async fn step(
        &self,
        system: &str,
        entries: &[Entry],
        sink: TextSink<'_>,
        idle: Duration,
    ) -> Result<ModelStep, ProviderError> {
        let mut request =
            self.client
                .post(&self.url)
                .json(&request_body(&self.model, system, entries));
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let mut events = std::pin::pin!(event_stream(request, idle, retry_after).await?);
        let mut answer = Answer::default();
        while let Some(event) = events.next().await {
            let data = event?.data;
            if data.trim() == "[DONE]" {
                return answer.finish();
            }
            answer.absorb(&parse_json(&data)?, sink)?;
        }
        // Some servers close without `[DONE]`; a finish reason says the answer is whole.
        if answer.finish_reason.is_some() {
            answer.finish()
        } else {
            Err(ProviderError::Cut("no [DONE] and no finish_reason".into()))
        }
    }
}

/// The request body: system prompt, the conversation, the tools.
fn request_body(model: &str, system: &str, entries: &[Entry]) -> Value {
    let mut messages = vec![json!({"role": "system", "content": system})];
    for entry in entries {
        match entry {
            Entry::User(text) => messages.push(json!({"role": "user", "content": text})),
            Entry::Model(step) if step.calls.is_empty() => {
                messages.push(json!({"role": "assistant", "content": step.text}));
            }
            Entry::Model(step) => {
                let calls: Vec<Value> = step
                    .calls
                    .iter()
                    .map(|c| {
                        json!({
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.name, "arguments": arguments_string(&c.arguments)},
                        })
                    })
                    .collect();
                // `content: ""`, not null: some compatible servers reject null.
                messages
                    .push(json!({"role": "assistant", "content": step.text, "tool_calls": calls}));
            }
            Entry::Tools(results) => {
                for r in results {
                    messages.push(json!({
                        "role": "tool",
                        "tool_call_id": r.call_id,
                        "content": r.result.to_string(),
                    }));
                }
            }
        }
    }
    let tools: Vec<Value> = TOOLS
        .iter()
        .map(|t| {
            json!({"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": (t.parameters)(),
            }})
        })
        .collect();
    json!({
        "model": model,
        "messages": messages,
        "tools": tools,
        "tool_choice": "auto",
        "stream": true,
        "stream_options": {"include_usage": true},
    })
}

/// The arguments as the JSON string OpenAI expects (as the model sent them if they did not parse).
fn arguments_string(arguments: &Value) -> String {
    match arguments {
        Value::String(raw) => raw.clone(),
        other => other.to_string(),
    }
}

/// A tool call being assembled from its streamed pieces.
#[derive(Default)]
struct PartialCall {
    index: u64,
    id: String,
    name: String,
    arguments: String,
}

#[derive(Default)]
struct Answer {
    text: String,
    calls: Vec<PartialCall>,
    finish_reason: Option<String>,
}

impl Answer {
    fn absorb(&mut self, chunk: &Value, sink: TextSink<'_>) -> Result<(), ProviderError> {
        if let Some(error) = chunk.get("error") {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("error event");
            return Err(ProviderError::Cut(format!("error in stream: {message}")));
        }
        let Some(choice) = chunk.get("choices").and_then(|c| c.get(0)) else {
            return Ok(()); // the usage chunk, keep-alives
        };
        let delta = choice.get("delta").unwrap_or(&Value::Null);
        if let Some(text) = delta.get("content").and_then(Value::as_str)
            && !text.is_empty()
        {
            self.text.push_str(text);
            sink(text);
        }
        for piece in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.absorb_call(piece);
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_owned());
        }
        Ok(())
    }

    /// Pieces are matched by `index`; a new `id` at a used index (Ollama
    /// reuses index 0 for parallel calls) starts a new call.
    fn absorb_call(&mut self, piece: &Value) {
        let index = piece.get("index").and_then(Value::as_u64).unwrap_or(0);
        let id = piece
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty());
        let function = piece.get("function").unwrap_or(&Value::Null);
        let existing = self.calls.iter().rposition(|c| c.index == index);
        let position = match (existing, id) {
            (Some(at), Some(id)) if !self.calls[at].id.is_empty() && self.calls[at].id != id => {
                None
            }
            (found, _) => found,
        };
        let call = match position {
            Some(at) => &mut self.calls[at],
            None => {
                self.calls.push(PartialCall {
                    index,
                    ..Default::default()
                });
                let last = self.calls.len() - 1;
                &mut self.calls[last]
            }
        };
        if let Some(id) = id {
            call.id = id.to_owned();
        }
        if let Some(name) = function.get("name").and_then(Value::as_str) {
            call.name.push_str(name);
        }
        if let Some(args) = function.get("arguments").and_then(Value::as_str) {
            call.arguments.push_str(args);
        }
    }

    fn finish(self) -> Result<ModelStep, ProviderError> {
        let calls = self
            .calls
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if c.name.is_empty() {
                    return Err(ProviderError::Malformed(
                        "a tool call without a name".into(),
                    ));
                }
                let arguments = match c.arguments.trim() {
                    "" => json!({}),
                    raw => serde_json::from_str(raw)
                        .unwrap_or_else(|_| Value::String(c.arguments.clone())),
                };
                Ok(ToolCallRequest {
                    id: if c.id.is_empty() {
                        format!("call_{i}")
                    } else {
                        c.id
                    },
                    name: c.name,
                    arguments,
                    signature: None,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ModelStep {
            text: self.text,
            calls,
        })
    }
}

/// `retry-after-ms` (milliseconds) or `retry-after` (seconds), as OpenAI's SDKs read them.
fn retry_after(headers: &HeaderMap, _body: &[u8]) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_millis(ms as u64));
    }
    header("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assemble(chunks: &[Value]) -> ModelStep {
        let mut answer = Answer::default();
        for chunk in chunks {
            answer.absorb(chunk, &|_| {}).unwrap();
        }
        answer.finish().unwrap()
    }

    #[test]
    fn tool_call_arguments_are_joined_per_index() {
        let step = assemble(&[
            json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"add_task","arguments":""}}]}}]}),
            json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"list_tasks","arguments":"{}"}}]}}]}),
            json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ti"}}]}}]}),
            json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"tle\":\"milk\"}"}}]}}]}),
            json!({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}),
        ]);
        assert_eq!(step.calls.len(), 2);
        assert_eq!(
            (step.calls[0].id.as_str(), step.calls[0].name.as_str()),
            ("call_a", "add_task")
        );
        assert_eq!(step.calls[0].arguments, json!({"title": "milk"}));
        assert_eq!(step.calls[1].arguments, json!({}));
    }

    #[test]
    fn a_reused_index_with_a_new_id_is_a_new_call() {
        let step = assemble(&[
            json!({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"complete_task","arguments":"{\"task_id\":1}"}}]}}]}),
            json!({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"b","function":{"name":"complete_task","arguments":"{\"task_id\":2}"}}]}}]}),
        ]);
        assert_eq!(step.calls.len(), 2);
        assert_eq!(step.calls[1].arguments, json!({"task_id": 2}));
    }

    #[test]
    fn unparsable_arguments_are_kept_as_sent() {
        let step = assemble(&[
            json!({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"add_task","arguments":"{\"title\": "}}]}}]}),
        ]);
        assert_eq!(step.calls[0].arguments, json!("{\"title\": "));
        assert_eq!(step.calls[0].id, "call_0");
    }

    #[test]
    fn tool_call_turns_send_empty_content_and_string_arguments() {
        let entries = [
            Entry::User("add milk".into()),
            Entry::Model(ModelStep {
                text: String::new(),
                calls: vec![ToolCallRequest {
                    id: "call_1".into(),
                    name: "add_task".into(),
                    arguments: json!({"title": "milk"}),
                    signature: None,
                }],
            }),
            Entry::Tools(vec![super::super::ToolResult {
                call_id: "call_1".into(),
                name: "add_task".into(),
                result: json!({"task_id": 1}),
            }]),
        ];
        let body = request_body("m", "sys", &entries);
        let assistant = &body["messages"][2];
        assert_eq!(assistant["content"], json!(""));
        assert_eq!(
            assistant["tool_calls"][0]["function"]["arguments"],
            json!("{\"title\":\"milk\"}")
        );
        assert_eq!(body["messages"][3]["tool_call_id"], json!("call_1"));
    }

    #[test]
    fn retry_after_reads_milliseconds_first() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers, b""), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", "1500".parse().unwrap());
        assert_eq!(
            retry_after(&headers, b""),
            Some(Duration::from_millis(1500))
        );
    }
}
