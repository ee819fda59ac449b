//! JSON-RPC 2.0 messages in, answers out.

use serde_json::{Value, json};

use crate::db::{self, DbPool};
use crate::tools::{self, TOOLS};

/// Protocol revisions of the `initialize` handshake this server speaks, newest first.
const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INTERNAL_ERROR: i64 = -32603;

/// The answer to one POSTed message: `None` for a notification or a response
/// (HTTP 202, no body).
pub async fn handle(pool: &DbPool, user_id: &str, body: &[u8]) -> Option<Value> {
    let message: Value = match serde_json::from_slice(body) {
        Ok(message) => message,
        Err(_) => {
            return Some(error(
                Value::Null,
                PARSE_ERROR,
                "Parse error: the body is not JSON.",
            ));
        }
    };
    if message.is_array() {
        return Some(error(
            Value::Null,
            INVALID_REQUEST,
            "Batches are not supported.",
        ));
    }
    let id = message.get("id").cloned();
    let method = message.get("method").and_then(Value::as_str);
    let (Some(id), Some(method)) = (id, method) else {
        // A notification (`notifications/initialized`, …) or a response: nothing to answer.
        return match (message.get("jsonrpc"), message.get("method")) {
            (Some(v), _) if v == "2.0" => None,
            _ => Some(error(
                Value::Null,
                INVALID_REQUEST,
                "Not a JSON-RPC 2.0 message.",
            )),
        };
    };
    if message.get("jsonrpc") != Some(&json!("2.0")) || !(id.is_string() || id.is_number()) {
        return Some(error(id, INVALID_REQUEST, "Not a JSON-RPC 2.0 request."));
    }
    let params = message.get("params").cloned().unwrap_or(Value::Null);
    let result = match method {
        "initialize" => Ok(initialize(&params)),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(list_tools()),
        "tools/call" => call_tool(pool, user_id, &params).await,
        other => Err((METHOD_NOT_FOUND, format!("Method not found: {other}"))),
    };
    Some(match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err((code, message)) => error(id, code, &message),
    })
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
/// title) is a result with `isError`, so the agent can read it; an unknown tool
/// is a protocol error.
async fn call_tool(pool: &DbPool, user_id: &str, params: &Value) -> Result<Value, (i64, String)> {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Err((INVALID_PARAMS, "tools/call needs the tool's name.".into()));
    };
    if tools::find(name).is_none() {
        return Err((INVALID_PARAMS, format!("Unknown tool: {name}")));
    }
    let arguments = params
        .get("arguments")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let (user_id, tool) = (user_id.to_owned(), name.to_owned());
    let outcome = db::run(pool, move |conn| {
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
