//! JSON-RPC 2.0 messages in, answers out.

use serde_json::{Map, Value, json};

use crate::db::{self, DbPool};
use crate::tools::{self, TOOLS};

/// Protocol revisions of the `initialize` handshake this server speaks, newest first.
const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INTERNAL_ERROR: i64 = -32603;

/// What one message asks of us, decided without the database.
#[derive(Debug, PartialEq)]
enum Request {
    /// Answered at once: a result, or an error.
    Answer(Value),
    /// A notification, or a response to us: nothing to answer.
    Nothing,
    /// A known tool to run; its outcome answers `id`.
    CallTool {
        id: Value,
        name: String,
        arguments: Value,
    },
}

/// The answer to one POSTed message: `None` for a notification or a response
/// (HTTP 202, no body).
pub async fn handle(pool: &DbPool, user_id: &str, body: &[u8]) -> Option<Value> {
    match read(body) {
        Request::Answer(answer) => Some(answer),
        Request::Nothing => None,
        Request::CallTool {
            id,
            name,
            arguments,
        } => Some(match call_tool(pool, user_id, &name, arguments).await {
            Ok(result) => success(id, result),
            Err((code, message)) => error(id, code, &message),
        }),
    }
}

fn read(body: &[u8]) -> Request {
    match decide(body) {
        Ok(request) | Err(request) => request,
    }
}

/// What `body` asks; `Err` is what it gets when it is cut short (refused,
/// or a message that is not answered).
fn decide(body: &[u8]) -> Result<Request, Request> {
    let (message, id) = envelope(body)?;
    let method = method(&message, id.as_ref())?;
    let id = match (message.get("id"), id) {
        (None, _) => return Err(Request::Nothing), // a notification, never answered
        (Some(_), None) => {
            return Err(invalid(
                Value::Null,
                INVALID_REQUEST,
                "id must be a string or a whole number of at most 64 bits.",
            ));
        }
        (Some(_), Some(id)) => id,
    };
    let params = message.get("params").unwrap_or(&Value::Null);
    let result = match method {
        "initialize" => initialize(params),
        "ping" => json!({}),
        "tools/list" => list_tools(),
        "tools/call" => return Ok(tool_call(id, params)),
        other => {
            let message = format!("Method not found: {other}");
            return Err(invalid(id, METHOD_NOT_FOUND, &message));
        }
    };
    Ok(Request::Answer(success(id, result)))
}

/// A JSON-RPC 2.0 message: a JSON object saying `"jsonrpc": "2.0"`, and its
/// id when it is one we can echo exactly.
fn envelope(body: &[u8]) -> Result<(Map<String, Value>, Option<Value>), Request> {
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid(
            Value::Null,
            PARSE_ERROR,
            "Parse error: the body is not JSON.",
        ));
    };
    let Value::Object(message) = message else {
        let why = if message.is_array() {
            "Batches are not supported."
        } else {
            "Not a JSON-RPC 2.0 message."
        };
        return Err(invalid(Value::Null, INVALID_REQUEST, why));
    };
    // An id we cannot echo exactly (an object, null, a fraction or a number
    // beyond 64 bits, which JSON parsing rounds) is answered with a null id.
    let id = message
        .get("id")
        .filter(|id| id.is_string() || id.is_i64() || id.is_u64())
        .cloned();
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(
            id.unwrap_or_default(),
            INVALID_REQUEST,
            "Not a JSON-RPC 2.0 message.",
        ));
    }
    Ok((message, id))
}

/// The method called; a message without one is a response to us (nothing to
/// answer) or refused.
fn method<'m>(message: &'m Map<String, Value>, id: Option<&Value>) -> Result<&'m str, Request> {
    let refuse = |why| invalid(id.cloned().unwrap_or_default(), INVALID_REQUEST, why);
    match message.get("method") {
        Some(Value::String(method)) => Ok(method.as_str()),
        Some(_) => Err(refuse("method must be a string.")),
        None => {
            // A response to us carries an id and a result or an error.
            let is_response =
                id.is_some() && (message.contains_key("result") != message.contains_key("error"));
            Err(if is_response {
                Request::Nothing
            } else {
                refuse("Not a JSON-RPC 2.0 message.")
            })
        }
    }
}

/// `tools/call` with a known tool's name; its arguments are the tool's to judge.
fn tool_call(id: Value, params: &Value) -> Request {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return invalid(id, INVALID_PARAMS, "tools/call needs the tool's name.");
    };
    if tools::find(name).is_none() {
        return invalid(id, INVALID_PARAMS, &format!("Unknown tool: {name}"));
    }
    let arguments = params
        .get("arguments")
        .cloned()
        .unwrap_or_else(|| json!({}));
    Request::CallTool {
        id,
        name: name.to_owned(),
        arguments,
    }
}

fn invalid(id: Value, code: i64, message: &str) -> Request {
    Request::Answer(error(id, code, message))
}

fn success(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn initialize(params: &Value) -> Value {
    let asked = params.get("protocolVersion").and_then(Value::as_str);
    let version = asked
        .filter(|v| PROTOCOL_VERSIONS.contains(v))
        .unwrap_or(PROTOCOL_VERSIONS[0]);
    json!({
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": false}},
        "serverInfo": {"name": "tasktalk", "title": "Tasktalk", "version": env!("CARGO_PKG_VERSION")},
        "instructions": "Manage the signed-in user's to-do list: add, list, complete, update and delete tasks. Tasks are referred to by their numeric id.",
    })
}

fn list_tools() -> Value {
    let tools: Vec<Value> = TOOLS
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": (t.parameters)()}))
        .collect();
    json!({ "tools": tools })
}

/// Runs a tool as the token's user. A tool's own error (a missing task, a bad
/// title) is a result with `isError`, so the agent can read it.
async fn call_tool(
    pool: &DbPool,
    user_id: &str,
    name: &str,
    arguments: Value,
) -> Result<Value, (i64, String)> {
    let (user_id, tool) = (user_id.to_owned(), name.to_owned());
    let outcome = db::call(pool, "run a tool", move |conn| {
        tools::execute(conn, &user_id, &tool, &arguments)
    })
    .await
    .map_err(|e| {
        tracing::error!(tool = name, error = %e, "MCP tool call failed");
        (
            INTERNAL_ERROR,
            "The task list is unavailable right now.".to_owned(),
        )
    })?;
    let is_error = outcome.is_err();
    let value = tools::outcome_json(&outcome);
    // structuredContent must be an object: a list of tasks is `{"tasks": [...]}`.
    let structured = match &value {
        Value::Array(_) => json!({ "tasks": value }),
        _ => value.clone(),
    };
    Ok(json!({
        "content": [{"type": "text", "text": value.to_string()}],
        "structuredContent": structured,
        "isError": is_error,
    }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;
    use crate::tools::arbitrary;

    fn read_json(message: Value) -> Request {
        read(message.to_string().as_bytes())
    }

    fn error_code(request: &Request) -> Option<i64> {
        match request {
            Request::Answer(answer) => answer.pointer("/error/code")?.as_i64(),
            _ => None,
        }
    }

    #[test]
    fn a_method_that_is_not_a_string_is_an_invalid_request_with_a_null_id() {
        let request = read_json(json!({"jsonrpc": "2.0", "id": {}, "method": 5}));
        assert_eq!(
            request,
            Request::Answer(error(
                Value::Null,
                INVALID_REQUEST,
                "method must be a string."
            ))
        );
    }

    #[test]
    fn malformed_messages_get_the_error_the_protocol_names() {
        let cases: [(&[u8], i64); 9] = [
            (b"{not json", PARSE_ERROR),
            (b"", PARSE_ERROR),
            (
                b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
                INVALID_REQUEST,
            ),
            (b"5", INVALID_REQUEST),
            (b"{\"jsonrpc\":\"2.0\"}", INVALID_REQUEST),
            (
                b"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
                INVALID_REQUEST,
            ),
            (
                b"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
                INVALID_REQUEST,
            ),
            (
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}",
                METHOD_NOT_FOUND,
            ),
            (
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[]}",
                INVALID_PARAMS,
            ),
        ];
        for (body, code) in cases {
            let body_text = String::from_utf8_lossy(body);
            assert_eq!(error_code(&read(body)), Some(code), "{body_text}");
        }
    }

    #[test]
    fn an_id_that_cannot_be_echoed_exactly_is_an_invalid_request() {
        for id in [
            "-6.2883458061769335e+56",
            "1.5",
            "99999999999999999999999999999999",
        ] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
            let Request::Answer(answer) = read(body.as_bytes()) else {
                panic!("{id}: answered");
            };
            assert_eq!(answer["id"], Value::Null, "{id}");
            assert_eq!(error_code(&Request::Answer(answer)), Some(INVALID_REQUEST));
        }
        let max = format!(r#"{{"jsonrpc":"2.0","id":{},"method":"ping"}}"#, u64::MAX);
        let Request::Answer(answer) = read(max.as_bytes()) else {
            panic!("answered");
        };
        assert_eq!(answer["id"].to_string(), u64::MAX.to_string());
    }

    #[test]
    fn notifications_and_responses_are_not_answered() {
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        assert_eq!(read_json(note), Request::Nothing);
        let response = json!({"jsonrpc": "2.0", "id": 4, "result": {}});
        assert_eq!(read_json(response), Request::Nothing);
    }

    #[test]
    fn deep_nesting_and_huge_numbers_are_parse_errors_not_crashes() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(error_code(&read(deep.as_bytes())), Some(PARSE_ERROR));
        let huge = br#"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#;
        assert_eq!(error_code(&read(huge)), Some(PARSE_ERROR));
        let wide = br#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}"#;
        assert_eq!(error_code(&read(wide)), Some(INVALID_REQUEST));
    }

    /// A message close enough to JSON-RPC to reach every branch.
    fn message() -> impl Strategy<Value = Value> {
        let field = |values: BoxedStrategy<Value>| proptest::option::of(values);
        let jsonrpc = prop_oneof![3 => Just(json!("2.0")), 1 => arbitrary::json_value()].boxed();
        let id = prop_oneof![
            any::<i64>().prop_map(Value::from),
            "[a-z0-9-]{0,8}".prop_map(Value::from),
            arbitrary::json_value(),
        ]
        .boxed();
        let method = prop_oneof![
            3 => select(&["initialize", "ping", "tools/list", "tools/call", "notifications/initialized"][..])
                .prop_map(Value::from),
            1 => arbitrary::json_value(),
        ]
        .boxed();
        let tool_names: Vec<&str> = TOOLS.iter().map(|t| t.name).chain(["drop_table"]).collect();
        let params = prop_oneof![
            (
                field(select(tool_names).prop_map(Value::from).boxed()),
                field(arbitrary::tool_arguments().boxed())
            )
                .prop_map(|(name, arguments)| json!({"name": name, "arguments": arguments})),
            arbitrary::json_value(),
        ]
        .boxed();
        (
            field(jsonrpc),
            field(id),
            field(method),
            field(params),
            field(arbitrary::json_value().boxed()),
        )
            .prop_map(|(jsonrpc, id, method, params, result)| {
                let mut message = serde_json::Map::new();
                for (key, value) in [
                    ("jsonrpc", jsonrpc),
                    ("id", id),
                    ("method", method),
                    ("params", params),
                    ("result", result),
                ] {
                    if let Some(value) = value {
                        message.insert(key.to_owned(), value);
                    }
                }
                Value::Object(message)
            })
    }

    /// What every answer must be: JSON-RPC 2.0 with an echoable id and either
    /// a result or one of the protocol's errors.
    fn assert_well_formed(request: &Request) -> Result<(), TestCaseError> {
        match request {
            Request::Answer(answer) => {
                prop_assert_eq!(&answer["jsonrpc"], "2.0");
                let id = &answer["id"];
                prop_assert!(id.is_null() || id.is_string() || id.is_number(), "{}", id);
                prop_assert!(answer.get("result").is_some() != answer.get("error").is_some());
                if let Some(code) = answer.pointer("/error/code") {
                    let codes = [
                        PARSE_ERROR,
                        INVALID_REQUEST,
                        METHOD_NOT_FOUND,
                        INVALID_PARAMS,
                    ];
                    prop_assert!(
                        code.as_i64().is_some_and(|c| codes.contains(&c)),
                        "{}",
                        code
                    );
                }
            }
            Request::CallTool { id, name, .. } => {
                prop_assert!(id.is_string() || id.is_i64() || id.is_u64());
                prop_assert!(tools::find(name).is_some());
            }
            Request::Nothing => {}
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_bytes_get_a_well_formed_answer_or_none(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let request = read(&body);
            assert_well_formed(&request)?;
            if serde_json::from_slice::<Value>(&body).is_err() {
                prop_assert_eq!(error_code(&request), Some(PARSE_ERROR));
            }
        }

        #[test]
        fn any_json_gets_a_well_formed_answer_or_none(value in prop_oneof![message(), arbitrary::json_value()]) {
            let request = read_json(value.clone());
            assert_well_formed(&request)?;
            let object = value.as_object();
            let is_2_0 = object.is_some_and(|m| m.get("jsonrpc") == Some(&json!("2.0")));
            let method = object.and_then(|m| m.get("method"));
            if !is_2_0 || method.is_some_and(|m| !m.is_string()) {
                prop_assert_eq!(error_code(&request), Some(INVALID_REQUEST));
            }
            // A request with a usable id is answered to that id.
            let id = object
                .and_then(|m| m.get("id"))
                .filter(|id| id.is_string() || id.is_i64() || id.is_u64());
            if let (Some(id), Some(Value::String(_)), Request::Answer(answer)) = (id, method, &request) {
                prop_assert_eq!(&answer["id"], id);
            }
        }
    }
}
