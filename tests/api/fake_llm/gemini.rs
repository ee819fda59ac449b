//! The fake's Gemini `streamGenerateContent` side.

use std::time::Duration;

use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::{GAP, GEMINI_KEY, GEMINI_MODEL, Reply, State, header, next_reply, stream};

/// Keys Gemini's `Schema` accepts; `additionalProperties`, `$schema`, `const` are 400s.
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

pub async fn handle(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<std::sync::Mutex<State>>,
    body: Bytes,
) -> HttpResponse {
    match header(&req, "x-goog-api-key") {
        None => {
            return error(
                403,
                "Method doesn't allow unregistered callers.",
                "PERMISSION_DENIED",
                None,
            );
        }
        Some(key) if key != GEMINI_KEY => {
            return error(
                400,
                "API key not valid. Please pass a valid API key.",
                "INVALID_ARGUMENT",
                None,
            );
        }
        Some(_) => {}
    }
    let expected = format!("{GEMINI_MODEL}:streamGenerateContent");
    if path.as_str() != expected || req.query_string() != "alt=sse" {
        return error(
            404,
            &format!(
                "models/{} is not found for API version v1beta, or is not supported.",
                path.as_str()
            ),
            "NOT_FOUND",
            None,
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            400,
            "Invalid JSON payload received.",
            "INVALID_ARGUMENT",
            None,
        );
    };
    let signatures = state.lock().unwrap().signatures.clone();
    let reply = match next_reply(&state, &body, check(&body, &signatures)) {
        Ok(reply) => reply,
        Err(problems) => return error(400, &problems.join("; "), "INVALID_ARGUMENT", None),
    };
    if let Reply::Calls(_) = reply {
        let mut s = state.lock().unwrap();
        let signature = format!("c2lnLXt{}", s.signatures.len());
        s.signatures.push(signature);
    }
    let signature = state
        .lock()
        .unwrap()
        .signatures
        .last()
        .cloned()
        .unwrap_or_default();
    respond(reply, &signature).await
}

async fn respond(reply: Reply, signature: &str) -> HttpResponse {
    match reply {
        Reply::Text(pieces) => stream(text_frames(&pieces, Duration::ZERO)),
        Reply::Slow(pieces, every) => stream(text_frames(&pieces, every)),
        Reply::Calls(calls) => {
            // The whole call arrives in one chunk; the first part carries the signature.
            let parts: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(i, (name, args))| {
                    let mut part = json!({"functionCall": {"name": name, "args": args}});
                    if i == 0 {
                        part["thoughtSignature"] = json!(signature);
                    }
                    part
                })
                .collect();
            stream(vec![(GAP, sse(&chunk(parts, Some("STOP"))))])
        }
        Reply::Status(429, retry) => error(
            429,
            "You exceeded your current quota, please check your plan and billing details.",
            "RESOURCE_EXHAUSTED",
            retry,
        ),
        Reply::Status(503, retry) => error(
            503,
            "The model is overloaded. Please try again later.",
            "UNAVAILABLE",
            retry,
        ),
        Reply::Status(status, retry) => {
            error(status, "An internal error has occurred.", "INTERNAL", retry)
        }
        Reply::Stall(wait) => {
            tokio::time::sleep(wait).await;
            stream(text_frames(&["late".to_owned()], Duration::ZERO))
        }
        Reply::Cut => stream(vec![(
            GAP,
            sse(&chunk(vec![json!({"text": "I was say"})], None)),
        )]),
        Reply::Malformed => stream(vec![(
            GAP,
            Bytes::from_static(b"data: {\"candidates\": [\r\n\r\n"),
        )]),
    }
}

fn chunk(parts: Vec<Value>, finish: Option<&str>) -> Value {
    let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
    if let Some(reason) = finish {
        candidate["finishReason"] = json!(reason);
    }
    json!({"candidates": [candidate], "usageMetadata": {"promptTokenCount": 10, "totalTokenCount": 10}, "modelVersion": GEMINI_MODEL, "responseId": "fake"})
}

/// Gemini frames end with CRLF, and there is no `[DONE]`.
fn sse(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\r\n\r\n"))
}

fn text_frames(pieces: &[String], every: Duration) -> Vec<(Duration, Bytes)> {
    let last = pieces.len().saturating_sub(1);
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                GAP.max(every),
                sse(&chunk(
                    vec![json!({"text": p})],
                    (i == last).then_some("STOP"),
                )),
            )
        })
        .collect()
}

fn error(status: u16, message: &str, canonical: &str, retry_after: Option<u64>) -> HttpResponse {
    let mut details = vec![];
    if let Some(secs) = retry_after {
        details.push(json!({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{secs}s")}));
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(json!({"error": {"code": status, "message": message, "status": canonical, "details": details}}))
}

/// The request against the generateContent contract.
fn check(body: &Value, signatures: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if !body
        .pointer("/systemInstruction/parts/0/text")
        .is_some_and(Value::is_string)
    {
        problems.push("systemInstruction.parts[0].text must be a string".into());
    }
    for declaration in body
        .pointer("/tools/0/functionDeclarations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !declaration["name"].is_string() || !declaration["description"].is_string() {
            problems.push("a function declaration needs a name and a description".into());
        }
        check_schema(&declaration["parameters"], &mut problems);
    }
    let Some(contents) = body["contents"].as_array().filter(|c| !c.is_empty()) else {
        problems.push("contents must be a non-empty array".into());
        return problems;
    };
    let mut calls_to_answer = 0;
    for (i, content) in contents.iter().enumerate() {
        let role = content["role"].as_str().unwrap_or_default();
        if role != "user" && role != "model" {
            problems.push(format!(
                "Please use a valid role: user, model. (contents[{i}] has {role:?})"
            ));
        }
        let Some(parts) = content["parts"].as_array().filter(|p| !p.is_empty()) else {
            problems.push(format!("contents[{i}].parts must be a non-empty array"));
            continue;
        };
        let responses = parts
            .iter()
            .filter(|p| p.get("functionResponse").is_some())
            .count();
        if calls_to_answer > 0 && responses != calls_to_answer {
            problems.push(format!(
                "contents[{i}] must answer {calls_to_answer} function calls, has {responses}"
            ));
        }
        calls_to_answer = 0;
        for part in parts {
            if let Some(call) = part.get("functionCall") {
                calls_to_answer += 1;
                if role != "model" {
                    problems.push(format!(
                        "contents[{i}]: functionCall belongs in a model turn"
                    ));
                }
                if !call["args"].is_object() {
                    problems.push(format!(
                        "contents[{i}]: functionCall.args must be an object"
                    ));
                }
            }
            if let Some(response) = part.get("functionResponse") {
                if role != "user" {
                    problems.push(format!(
                        "contents[{i}]: functionResponse belongs in a user turn"
                    ));
                }
                if !response["response"].is_object() || !response["name"].is_string() {
                    problems.push(format!(
                        "contents[{i}]: functionResponse needs a name and an object response"
                    ));
                }
            }
        }
        // Gemini 3: the first call of each model turn carries its signature back unchanged.
        let first_call = parts.iter().find(|p| p.get("functionCall").is_some());
        if let Some(part) = first_call {
            let sent = part["thoughtSignature"].as_str().unwrap_or_default();
            if !signatures.iter().any(|s| s == sent) {
                problems.push(format!("Function call is missing a thought_signature in functionCall parts (contents[{i}])"));
            }
        }
    }
    if calls_to_answer > 0 {
        problems.push("the last function calls have no functionResponse".into());
    }
    problems
}

fn check_schema(schema: &Value, problems: &mut Vec<String>) {
    let Value::Object(map) = schema else { return };
    for (key, value) in map {
        if !SCHEMA_KEYS.contains(&key.as_str()) {
            problems.push(format!("Invalid JSON payload received. Unknown name \"{key}\" at 'tools[0].function_declarations.parameters': Cannot find field."));
        }
        match key.as_str() {
            "properties" => value
                .as_object()
                .into_iter()
                .flatten()
                .for_each(|(_, v)| check_schema(v, problems)),
            "items" => check_schema(value, problems),
            _ => {}
        }
    }
}
