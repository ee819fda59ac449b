//! Gemini `streamGenerateContent?alt=sse` with function declarations.
//!
//! Differences from OpenAI that matter: tool results go back as
//! `functionResponse` parts in a `user` turn and must be objects; the schema
//! dialect rejects `additionalProperties`, `$schema` and `const`; a call's
//! `thoughtSignature` must be sent back unchanged; the stream has no `[DONE]`.

use std::time::Duration;

use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::bounds;
use super::http::{self, Flow, parse_json};
use super::{Entry, ModelStep, ProviderError, TextSink, ToolCallRequest};
use crate::config::AiSettings;
use crate::tools::TOOLS;

pub struct Gemini {
    client: reqwest::Client,
    url: String,
    api_key: Option<SecretString>,
}

/// The keys Gemini's `Schema` accepts; anything else is a 400.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

impl Gemini {
    pub fn new(client: reqwest::Client, settings: &AiSettings) -> Self {
        let path = format!(
            "models/{}:streamGenerateContent?alt=sse",
            settings.gemini.model
        );
        Gemini {
            client,
            url: http::join(&settings.gemini.base_url, &path),
            api_key: settings.gemini.api_key.clone(),
        }
    }

    pub async fn step(
        &self,
        system: &str,
        entries: &[Entry],
        sink: TextSink<'_>,
        idle: Duration,
    ) -> Result<ModelStep, ProviderError> {
        let mut request = self
            .client
            .post(&self.url)
            .json(&request_body(system, entries));
        if let Some(key) = &self.api_key {
            request = request.header("x-goog-api-key", key.expose_secret());
        }
        let mut reader = Reader::default();
        http::read_events(request, idle, retry_after, |data| reader.event(data, sink)).await?;
        reader.finish()
    }
}

/// One answer, read from the data of its stream's events.
#[derive(Default)]
struct Reader {
    step: ModelStep,
    finished: bool,
}

impl Reader {
    fn event(&mut self, data: &str, sink: TextSink<'_>) -> Result<Flow, ProviderError> {
        let chunk = parse_json(data)?;
        if let Some(error) = chunk.get("error") {
            let status = http::error_code(error.get("status").and_then(Value::as_str));
            return Err(ProviderError::Cut(format!("error in stream: {status}")));
        }
        let Some(candidate) = chunk.get("candidates").and_then(|c| c.get(0)) else {
            if chunk.pointer("/promptFeedback/blockReason").is_some() {
                return Err(ProviderError::Malformed("the prompt was blocked".into()));
            }
            return Ok(Flow::More);
        };
        let parts = candidate
            .pointer("/content/parts")
            .and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            absorb_part(part, &mut self.step, sink)?;
        }
        self.finished |= candidate
            .get("finishReason")
            .and_then(Value::as_str)
            .is_some();
        Ok(Flow::More)
    }

    /// No `[DONE]` here: the body ending is the end, and a finish reason says it was whole.
    fn finish(self) -> Result<ModelStep, ProviderError> {
        if self.finished {
            Ok(self.step)
        } else {
            Err(ProviderError::Cut(
                "the stream ended without a finishReason".into(),
            ))
        }
    }
}

fn absorb_part(
    part: &Value,
    step: &mut ModelStep,
    sink: TextSink<'_>,
) -> Result<(), ProviderError> {
    let signature = part
        .get("thoughtSignature")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(call) = part.get("functionCall") {
        let name = call.get("name").and_then(Value::as_str).unwrap_or_default();
        let id = call.get("id").and_then(Value::as_str).map(str::to_owned);
        let arguments = call.get("args").cloned().unwrap_or_else(|| json!({}));
        bounds::call(name.len() + arguments.to_string().len())?;
        step.calls.push(ToolCallRequest {
            id: id.unwrap_or_else(|| format!("call_{}", step.calls.len())),
            name: name.to_owned(),
            arguments,
            signature,
        });
        bounds::calls(step.calls.len())?;
    } else if let Some(text) = part.get("text").and_then(Value::as_str) {
        let thought = part
            .get("thought")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !thought && !text.is_empty() {
            step.text.push_str(text);
            bounds::text(step.text.len())?;
            sink(text);
        }
    }
    Ok(())
}

fn request_body(system: &str, entries: &[Entry]) -> Value {
    let mut contents: Vec<(&str, Vec<Value>)> = Vec::new();
    for entry in entries {
        let (role, parts) = match entry {
            Entry::User(text) => ("user", vec![json!({"text": text})]),
            Entry::Model(step) => ("model", model_parts(step)),
            Entry::Tools(results) => (
                "user",
                results
                    .iter()
                    .map(|r| json!({"functionResponse": {"name": r.name, "response": as_object(&r.result)}}))
                    .collect(),
            ),
        };
        if parts.is_empty() {
            continue;
        }
        // Consecutive turns of one role become one turn.
        match contents.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(parts),
            _ => contents.push((role, parts)),
        }
    }
    let contents: Vec<Value> = contents
        .into_iter()
        .map(|(role, parts)| json!({"role": role, "parts": parts}))
        .collect();
    let declarations: Vec<Value> = TOOLS
        .iter()
        .map(|t| {
            json!({"name": t.name, "description": t.description, "parameters": gemini_schema(&(t.parameters)())})
        })
        .collect();
    json!({
        "systemInstruction": {"parts": [{"text": system}]},
        "contents": contents,
        "tools": [{"functionDeclarations": declarations}],
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
    })
}

/// A model turn as Gemini sent it: text, then each call with its signature.
fn model_parts(step: &ModelStep) -> Vec<Value> {
    let mut parts = Vec::new();
    if !step.text.is_empty() {
        parts.push(json!({"text": step.text}));
    }
    for call in &step.calls {
        let args = match &call.arguments {
            Value::Object(_) => call.arguments.clone(),
            _ => json!({}),
        };
        let mut part = json!({"functionCall": {"name": call.name, "args": args}});
        if let Some(signature) = &call.signature {
            part["thoughtSignature"] = json!(signature);
        }
        parts.push(part);
    }
    parts
}

/// `functionResponse.response` must be an object: lists and scalars are wrapped.
fn as_object(result: &Value) -> Value {
    match result {
        Value::Object(_) => result.clone(),
        other => json!({ "result": other }),
    }
}

/// A JSON Schema cut down to the keys Gemini's `Schema` knows.
fn gemini_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if !SCHEMA_KEYS.contains(&key.as_str()) {
            continue;
        }
        let value = match key.as_str() {
            "properties" => match value {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), gemini_schema(v)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" => gemini_schema(value),
            "anyOf" => match value {
                Value::Array(items) => Value::Array(items.iter().map(gemini_schema).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// The delay in the body's `RetryInfo` detail (`"retryDelay": "22s"`).
fn retry_after(_headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let details = body.pointer("/error/details")?.as_array()?;
    details
        .iter()
        .filter(|d| {
            d.get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with("google.rpc.RetryInfo"))
        })
        .find_map(|d| super::retry_after::from_proto_duration(d.get("retryDelay")?.as_str()?))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use proptest::prelude::*;

    use super::super::ToolResult;
    use super::*;
    use crate::ai::sse::tests::split;
    use crate::tools::arbitrary;

    #[test]
    fn an_answer_past_its_bounds_is_refused() {
        let refused = |result| matches!(result, Err(ProviderError::Malformed(_)));
        let mut step = ModelStep::default();
        let kb = json!({"text": "x".repeat(1024)});
        for _ in 0..bounds::TEXT_BYTES / 1024 {
            absorb_part(&kb, &mut step, &|_| {}).expect("within");
        }
        assert!(refused(absorb_part(&kb, &mut step, &|_| {})));

        let call = json!({"functionCall": {"name": "list_tasks", "args": {}}});
        for _ in 0..bounds::CALLS {
            absorb_part(&call, &mut step, &|_| {}).expect("within");
        }
        assert!(refused(absorb_part(&call, &mut step, &|_| {})));
        let huge = json!({"functionCall": {"name": "add_task",
            "args": {"title": "y".repeat(bounds::CALL_BYTES)}}});
        assert!(refused(absorb_part(
            &huge,
            &mut ModelStep::default(),
            &|_| {}
        )));
    }

    #[test]
    fn schemas_lose_the_keys_gemini_rejects() {
        let schema = json!({
            "$schema": "x", "type": "object", "additionalProperties": false,
            "properties": {"a": {"type": "string", "const": "x", "maxLength": 3}},
            "required": ["a"]
        });
        assert_eq!(
            gemini_schema(&schema),
            json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}, "required": ["a"]})
        );
    }

    #[test]
    fn tool_results_go_back_in_a_user_turn_with_the_signature_kept() {
        let entries = [
            Entry::User("show my tasks".into()),
            Entry::Model(ModelStep {
                text: String::new(),
                calls: vec![ToolCallRequest {
                    id: "call_0".into(),
                    name: "list_tasks".into(),
                    arguments: json!({}),
                    signature: Some("sig==".into()),
                }],
            }),
            Entry::Tools(vec![ToolResult {
                call_id: "call_0".into(),
                name: "list_tasks".into(),
                result: json!([]),
            }]),
        ];
        let body = request_body("sys", &entries);
        let contents = body["contents"].as_array().unwrap();
        assert_eq!(contents[1]["role"], "model");
        assert_eq!(contents[1]["parts"][0]["thoughtSignature"], "sig==");
        assert_eq!(contents[2]["role"], "user");
        assert_eq!(
            contents[2]["parts"][0]["functionResponse"],
            json!({"name": "list_tasks", "response": {"result": []}})
        );
        assert!(!body.to_string().contains("additionalProperties"));
    }

    #[test]
    fn retry_info_gives_the_delay() {
        let body = br#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"22s"}]}}"#;
        assert_eq!(
            retry_after(&HeaderMap::new(), body),
            Some(Duration::from_secs(22))
        );
        assert_eq!(retry_after(&HeaderMap::new(), b"not json"), None);
    }

    /// The answer read from `chunks`, and every piece of text it streamed out.
    fn read(chunks: &[Vec<u8>]) -> (Result<ModelStep, String>, Vec<String>) {
        let streamed = Mutex::new(Vec::new());
        let sink = |text: &str| streamed.lock().unwrap().push(text.to_owned());
        let mut reader = Reader::default();
        let result = http::read_chunks(chunks.iter().map(Vec::as_slice), |data| {
            reader.event(data, &sink)
        })
        .and_then(|()| reader.finish());
        (
            result.map_err(|e| e.to_string()),
            streamed.into_inner().unwrap(),
        )
    }

    /// A part of Gemini's answer: text, a thought (never shown), or a whole call.
    #[derive(Debug, Clone)]
    enum Piece {
        Text(String),
        Thought(String),
        Call {
            name: &'static str,
            args: Value,
            signature: Option<String>,
        },
    }

    fn piece() -> impl Strategy<Value = Piece> {
        let names: Vec<&'static str> = TOOLS.iter().map(|t| t.name).collect();
        prop_oneof![
            arbitrary::text().prop_map(Piece::Text),
            arbitrary::text().prop_map(Piece::Thought),
            (
                proptest::sample::select(names),
                arbitrary::tool_arguments().prop_filter("an object", Value::is_object),
                proptest::option::of("[A-Za-z0-9+/=]{1,40}"),
            )
                .prop_map(|(name, args, signature)| Piece::Call {
                    name,
                    args,
                    signature
                }),
        ]
    }

    /// The stream Gemini would send for `pieces`, one part per event, and the answer it means.
    fn stream(pieces: &[Piece], line_end: &str) -> (Vec<u8>, ModelStep) {
        let mut expected = ModelStep::default();
        let mut wire = String::new();
        let mut event = |parts: Value, extra: Value| {
            let mut chunk =
                json!({"candidates":[{"content":{"role":"model","parts":parts},"index":0}]});
            if let Value::Object(extra) = extra {
                for (key, value) in extra {
                    chunk["candidates"][0][key] = value;
                }
            }
            wire.push_str(&format!("data: {chunk}{line_end}{line_end}"));
        };
        for piece in pieces {
            let part = match piece {
                Piece::Text(text) => {
                    expected.text.push_str(text);
                    json!({"text": text})
                }
                Piece::Thought(text) => json!({"text": text, "thought": true}),
                Piece::Call {
                    name,
                    args,
                    signature,
                } => {
                    expected.calls.push(ToolCallRequest {
                        id: format!("call_{}", expected.calls.len()),
                        name: (*name).to_owned(),
                        arguments: args.clone(),
                        signature: signature.clone(),
                    });
                    let mut part = json!({"functionCall": {"name": name, "args": args}});
                    if let Some(signature) = signature {
                        part["thoughtSignature"] = json!(signature);
                    }
                    part
                }
            };
            event(json!([part]), Value::Null);
        }
        event(json!([{"text": ""}]), json!({"finishReason": "STOP"}));
        (wire.into_bytes(), expected)
    }

    #[test]
    fn a_crlf_and_a_character_split_across_chunks_change_nothing() {
        let wire = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"é😀\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n".as_bytes();
        let whole = read(&[wire.to_vec()]);
        assert_eq!(whole.0.as_ref().unwrap().text, "é😀");
        for cut in 0..=wire.len() {
            assert_eq!(read(&[wire[..cut].to_vec(), wire[cut..].to_vec()]), whole);
        }
    }

    proptest! {
        #[test]
        fn any_answer_split_anywhere_reads_back_as_sent(
            pieces in proptest::collection::vec(piece(), 0..6),
            line_end in prop_oneof![Just("\r\n"), Just("\n")],
            cuts in proptest::collection::vec(any::<usize>(), 0..16),
        ) {
            let (wire, expected) = stream(&pieces, line_end);
            let (result, streamed) = read(&split(&wire, &cuts));
            prop_assert_eq!(result, Ok(expected));
            let shown: Vec<String> = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t) if !t.is_empty() => Some(t.clone()),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(streamed, shown);
        }

        #[test]
        fn any_bytes_split_anywhere_read_the_same_as_unsplit(
            bytes in proptest::collection::vec(
                prop_oneof![
                    3 => any::<u8>().prop_map(|b| vec![b]),
                    1 => proptest::sample::select(vec![
                        "data: ",
                        "\r\n",
                        "\n",
                        "\r",
                        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"é😀\"}]}",
                        ",\"finishReason\":\"STOP\"}]}",
                        "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"x\"}}]}}]}",
                        "{\"error\":{\"status\":\"UNAVAILABLE\"}}",
                        "{\"promptFeedback\":{\"blockReason\":\"OTHER\"}}",
                    ])
                    .prop_map(|s| s.as_bytes().to_vec()),
                ],
                0..40,
            ),
            cuts in proptest::collection::vec(any::<usize>(), 0..16),
        ) {
            let bytes = bytes.concat();
            let whole = read(std::slice::from_ref(&bytes));
            prop_assert_eq!(read(&split(&bytes, &cuts)), whole);
        }

        #[test]
        fn any_error_body_gives_no_delay_or_one_within_the_cap(
            delay in prop_oneof![
                any::<String>(),
                any::<f64>().prop_map(|f| format!("{f}s")),
                any::<f64>().prop_map(|f| format!("{f:e}s")),
            ],
            other in arbitrary::json_value(),
        ) {
            let body = json!({"error": {"code": 429, "details": [
                other,
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay},
            ]}});
            let wait = retry_after(&HeaderMap::new(), body.to_string().as_bytes());
            prop_assert!(wait.is_none_or(|w| w <= crate::ai::retry_after::CAP));
        }
    }

    #[test]
    fn a_retry_delay_too_large_for_a_duration_is_capped() {
        let body = br#"{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e30s"}]}}"#;
        assert_eq!(
            retry_after(&HeaderMap::new(), body),
            Some(crate::ai::retry_after::CAP)
        );
    }
}
