//! OpenAI Chat Completions (and every server that speaks it: Ollama, vLLM,
//! llama.cpp, LM Studio, OpenRouter) with streamed tool calls.

use std::time::Duration;

use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::bounds;
use super::http::{self, Flow, parse_json};
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
        let mut reader = Reader::default();
        http::read_events(request, idle, retry_after, |data| reader.event(data, sink)).await?;
        reader.finish()
    }
}

/// One answer, read from the data of its stream's events.
#[derive(Default)]
struct Reader {
    answer: Answer,
    done: bool,
}

impl Reader {
    fn event(&mut self, data: &str, sink: TextSink<'_>) -> Result<Flow, ProviderError> {
        if data.trim() == "[DONE]" {
            self.done = true;
            return Ok(Flow::Done);
        }
        self.answer.absorb(&parse_json(data)?, sink)?;
        Ok(Flow::More)
    }

    fn finish(self) -> Result<ModelStep, ProviderError> {
        // Some servers close without `[DONE]`; a finish reason says the answer is whole.
        if self.done || self.answer.finish_reason.is_some() {
            self.answer.finish()
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
            // Its code, not its message: some servers quote the user's input
            // in the message, and this error is logged.
            let code = http::error_code(
                ["code", "type"]
                    .iter()
                    .find_map(|key| error.get(*key).and_then(Value::as_str)),
            );
            return Err(ProviderError::Cut(format!("error in stream: {code}")));
        }
        let Some(choice) = chunk.get("choices").and_then(|c| c.get(0)) else {
            return Ok(()); // the usage chunk, keep-alives
        };
        let delta = choice.get("delta").unwrap_or(&Value::Null);
        if let Some(text) = delta.get("content").and_then(Value::as_str)
            && !text.is_empty()
        {
            self.text.push_str(text);
            bounds::text(self.text.len())?;
            sink(text);
        }
        for piece in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.absorb_call(piece)?;
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_owned());
        }
        Ok(())
    }

    /// Pieces are matched by `index`; a new `id` at a used index (Ollama
    /// reuses index 0 for parallel calls) starts a new call.
    fn absorb_call(&mut self, piece: &Value) -> Result<(), ProviderError> {
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
                bounds::calls(self.calls.len())?;
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
        bounds::call(call.name.len() + call.arguments.len())
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

/// `retry-after-ms` (milliseconds) or `retry-after` (seconds or a date), as OpenAI's SDKs read them.
fn retry_after(headers: &HeaderMap, _body: &[u8]) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("retry-after-ms")
        .and_then(super::retry_after::from_millis)
        .or_else(|| {
            header("retry-after")
                .and_then(|v| super::retry_after::from_header(v, chrono::Utc::now()))
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use proptest::prelude::*;

    use super::*;
    use crate::ai::sse::tests::split;
    use crate::tools::arbitrary;

    fn assemble(chunks: &[Value]) -> ModelStep {
        let mut answer = Answer::default();
        for chunk in chunks {
            answer.absorb(chunk, &|_| {}).unwrap();
        }
        answer.finish().unwrap()
    }

    /// The answer from `chunks`, or what was refused.
    fn absorb_all(chunks: impl IntoIterator<Item = Value>) -> Result<ModelStep, ProviderError> {
        let mut answer = Answer::default();
        for chunk in chunks {
            answer.absorb(&chunk, &|_| {})?;
        }
        answer.finish()
    }

    fn text_chunk(text: &str) -> Value {
        json!({"choices":[{"index":0,"delta":{"content":text}}]})
    }

    fn call_chunk(index: usize, arguments: &str) -> Value {
        json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":index,"id":format!("call_{index}"),"type":"function","function":{"name":"add_task","arguments":arguments}}]}}]})
    }

    /// The error is logged: only a code-like word of it is kept.
    #[test]
    fn an_error_event_keeps_its_code_and_never_its_message() {
        let said = |error: Value| {
            absorb_all([json!({ "error": error })])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let quoting =
            said(json!({"message": "bad input: my secret diary", "type": "invalid_request_error"}));
        assert!(
            quoting.ends_with("error in stream: invalid_request_error"),
            "{quoting}"
        );
        let free_text = said(json!({"message": "no", "code": "my secret diary"}));
        assert!(
            free_text.ends_with("error in stream: unknown"),
            "{free_text}"
        );
    }

    #[test]
    fn an_answer_past_its_bounds_is_refused_and_one_within_them_is_kept() {
        let kb = "x".repeat(1024);
        let whole = absorb_all((0..bounds::TEXT_BYTES / 1024).map(|_| text_chunk(&kb)));
        assert_eq!(whole.expect("within").text.len(), bounds::TEXT_BYTES);
        let endless = absorb_all((0..=bounds::TEXT_BYTES / 1024).map(|_| text_chunk(&kb)));
        assert!(matches!(endless, Err(ProviderError::Malformed(_))));

        let many = absorb_all((0..bounds::CALLS).map(|i| call_chunk(i, "{}")));
        assert_eq!(many.expect("within").calls.len(), bounds::CALLS);
        let too_many = absorb_all((0..=bounds::CALLS).map(|i| call_chunk(i, "{}")));
        assert!(matches!(too_many, Err(ProviderError::Malformed(_))));

        let piece = format!("\"{}", "y".repeat(1024));
        let huge = absorb_all((0..=bounds::CALL_BYTES / 1024).map(|_| call_chunk(0, &piece)));
        assert!(matches!(huge, Err(ProviderError::Malformed(_))));
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

    /// The answer read from `chunks`, and every piece of text it streamed out.
    fn read(chunks: &[Vec<u8>]) -> (Result<ModelStep, ProviderError>, Vec<String>) {
        let streamed = Mutex::new(Vec::new());
        let sink = |text: &str| streamed.lock().unwrap().push(text.to_owned());
        let mut reader = Reader::default();
        let result = http::read_chunks(chunks.iter().map(Vec::as_slice), |data| {
            reader.event(data, &sink)
        })
        .and_then(|()| reader.finish());
        (result, streamed.into_inner().unwrap())
    }

    /// Errors compare by what they say.
    fn comparable(
        (result, streamed): (Result<ModelStep, ProviderError>, Vec<String>),
    ) -> (Result<ModelStep, String>, Vec<String>) {
        (result.map_err(|e| e.to_string()), streamed)
    }

    /// What a model sends: text deltas, and tool calls whose JSON arguments
    /// arrive in pieces cut anywhere between characters.
    #[derive(Debug, Clone)]
    enum Piece {
        Text(String),
        Call {
            name: &'static str,
            arguments: Value,
            cuts: Vec<usize>,
        },
    }

    fn piece() -> impl Strategy<Value = Piece> {
        let names: Vec<&'static str> = TOOLS.iter().map(|t| t.name).collect();
        prop_oneof![
            arbitrary::text().prop_map(Piece::Text),
            (
                proptest::sample::select(names),
                arbitrary::tool_arguments().prop_filter("an object", Value::is_object),
                proptest::collection::vec(any::<usize>(), 0..4),
            )
                .prop_map(|(name, arguments, cuts)| Piece::Call {
                    name,
                    arguments,
                    cuts
                }),
        ]
    }

    /// The stream a server would send for `pieces`, and the answer it means.
    fn stream(pieces: &[Piece], line_end: &str) -> (Vec<u8>, ModelStep) {
        let mut chunks =
            vec![json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]})];
        let mut expected = ModelStep::default();
        for piece in pieces {
            match piece {
                Piece::Text(text) => {
                    chunks.push(json!({"choices":[{"index":0,"delta":{"content":text}}]}));
                    expected.text.push_str(text);
                }
                Piece::Call {
                    name,
                    arguments,
                    cuts,
                } => {
                    let index = expected.calls.len();
                    let id = format!("call_{index}x");
                    chunks.push(json!({"choices":[{"index":0,"delta":{"tool_calls":[
                        {"index":index,"id":id,"type":"function","function":{"name":name,"arguments":""}}
                    ]}}]}));
                    let raw = arguments.to_string();
                    let chars: Vec<char> = raw.chars().collect();
                    for part in split(&chars, cuts) {
                        let part: String = part.into_iter().collect();
                        chunks.push(json!({"choices":[{"index":0,"delta":{"tool_calls":[
                            {"index":index,"function":{"arguments":part}}
                        ]}}]}));
                    }
                    expected.calls.push(ToolCallRequest {
                        id,
                        name: (*name).to_owned(),
                        arguments: arguments.clone(),
                        signature: None,
                    });
                }
            }
        }
        chunks.push(json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}));
        chunks.push(json!({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}));
        let mut wire = String::new();
        for chunk in chunks {
            wire.push_str(&format!("data: {chunk}{line_end}{line_end}"));
        }
        wire.push_str(&format!(
            ": keep-alive{line_end}data: [DONE]{line_end}{line_end}"
        ));
        (wire.into_bytes(), expected)
    }

    #[test]
    fn a_character_split_across_chunks_streams_whole() {
        let wire = "data: {\"choices\":[{\"delta\":{\"content\":\"café 😀\"},\"finish_reason\":\"stop\"}]}\n\n".as_bytes();
        let inside_the_emoji = wire.len() - 35;
        let (result, streamed) = read(&[
            wire[..inside_the_emoji].to_vec(),
            wire[inside_the_emoji..].to_vec(),
        ]);
        assert_eq!(result.unwrap().text, "café 😀");
        assert_eq!(streamed, ["café 😀"]);
    }

    #[test]
    fn a_stream_starting_with_a_byte_order_mark_is_read() {
        let wire = "\u{feff}data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n";
        let (result, _) = read(&[wire.as_bytes().to_vec()]);
        assert_eq!(result.unwrap().text, "hi");
    }

    proptest! {
        #[test]
        fn any_retry_headers_give_no_delay_or_one_within_the_cap(
            ms in proptest::option::of("[ -~]{0,30}"),
            secs in proptest::option::of(prop_oneof![
                "[ -~]{0,30}",
                any::<f64>().prop_map(|f| f.to_string()),
                "[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4,5} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
            ]),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in [("retry-after-ms", ms), ("retry-after", secs)] {
                if let Some(value) = value.and_then(|v| v.parse().ok()) {
                    headers.insert(name, value);
                }
            }
            let wait = retry_after(&headers, b"");
            prop_assert!(wait.is_none_or(|w| w <= crate::ai::retry_after::CAP));
        }

        #[test]
        fn any_answer_split_anywhere_reads_back_as_sent(
            pieces in proptest::collection::vec(piece(), 0..6),
            line_end in prop_oneof![Just("\n"), Just("\r\n")],
            cuts in proptest::collection::vec(any::<usize>(), 0..16),
        ) {
            let (wire, expected) = stream(&pieces, line_end);
            let (result, streamed) = read(&split(&wire, &cuts));
            prop_assert_eq!(result.map_err(|e| e.to_string()), Ok(expected));
            let deltas: Vec<String> = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t) if !t.is_empty() => Some(t.clone()),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(streamed, deltas);
        }

        #[test]
        fn any_bytes_split_anywhere_read_the_same_as_unsplit(
            bytes in proptest::collection::vec(
                prop_oneof![
                    3 => any::<u8>().prop_map(|b| vec![b]),
                    1 => proptest::sample::select(vec![
                        "data: ",
                        "\n",
                        "\r\n",
                        "\r",
                        "[DONE]",
                        "{\"choices\":[{\"delta\":{\"content\":\"é😀\"}",
                        ",\"finish_reason\":\"stop\"}]}",
                        "{\"error\":{\"message\":\"x\"}}",
                        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"x\"}}]}}]}",
                    ])
                    .prop_map(|s| s.as_bytes().to_vec()),
                ],
                0..40,
            ),
            cuts in proptest::collection::vec(any::<usize>(), 0..16),
        ) {
            let bytes = bytes.concat();
            let whole = comparable(read(std::slice::from_ref(&bytes)));
            prop_assert_eq!(comparable(read(&split(&bytes, &cuts))), whole);
        }
    }
}
