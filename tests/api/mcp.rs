//! `/mcp` over HTTP: JSON-RPC framing, auth, and tools run as the token's
//! user. (`tests/mcp/test_mcp.py` drives it with the official Python SDK.)

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

pub async fn rpc(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let res = app
        .api_client()
        .post(app.url("/mcp"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn call(id: i64, tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}})
}

#[tokio::test]
async fn an_agent_initializes_lists_the_tools_and_calls_them_as_its_user() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("ana@example.com").await;
    let token = app.jwt(&browser).await;

    let (status, init) = rpc(&app, &token, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})).await;
    assert_eq!(status, 200);
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    let (status, _) = rpc(
        &app,
        &token,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert_eq!(status, 202);

    let (_, listed) = rpc(
        &app,
        &token,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await;
    let tools = listed["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 5);
    assert!(tools.iter().all(|t| t["inputSchema"]["type"] == "object"));

    let (_, added) = rpc(
        &app,
        &token,
        call(
            3,
            "add_task",
            json!({"title": "Buy milk", "user_id": "someone-else"}),
        ),
    )
    .await;
    assert_eq!(added["result"]["isError"], false);
    assert_eq!(added["result"]["structuredContent"]["title"], "Buy milk");
    assert_eq!(
        app.tasks_of(&me).len(),
        1,
        "the task is the token user's, whatever the arguments say"
    );
    let (_, listed) = rpc(&app, &token, call(4, "list_tasks", json!({}))).await;
    assert_eq!(
        listed["result"]["structuredContent"]["tasks"][0]["title"],
        "Buy milk"
    );
}

#[tokio::test]
async fn another_users_task_is_not_found_through_mcp() {
    let app = spawn_app().await;
    let (_, bob) = app.signed_in_browser("bob@example.com").await;
    let (mallory, _) = app.signed_in_browser("mallory@example.com").await;
    let token = app.jwt(&mallory).await;
    let task = app.seed_task(&bob, "Bob's");
    for (i, tool) in ["complete_task", "delete_task", "update_task"]
        .iter()
        .enumerate()
    {
        let (_, answer) = rpc(
            &app,
            &token,
            call(i as i64, tool, json!({"task_id": task, "title": "x"})),
        )
        .await;
        assert_eq!(answer["result"]["isError"], true, "{tool}");
        assert_eq!(
            answer["result"]["structuredContent"]["error"]["code"], "TASK_NOT_FOUND",
            "{tool}"
        );
    }
    assert_eq!(app.tasks_of(&bob), vec![(task, "Bob's".into(), false)]);
}

#[tokio::test]
async fn mcp_needs_a_valid_bearer_token() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("cat@example.com").await;
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});

    let none = app
        .api_client()
        .post(app.url("/mcp"))
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    assert!(
        none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let forged = rpc(
        &app,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        ping.clone(),
    )
    .await;
    assert_eq!(forged.0, 401);
    let cookie_only = browser
        .post(app.url("/mcp"))
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(
        cookie_only.status(),
        401,
        "a browser cookie does not open /mcp"
    );
    assert_eq!(
        app.api_client()
            .get(app.url("/mcp"))
            .send()
            .await
            .unwrap()
            .status(),
        405
    );
}

#[tokio::test]
async fn malformed_messages_get_json_rpc_errors() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("dan@example.com").await;
    let token = app.jwt(&browser).await;
    let raw = app
        .api_client()
        .post(app.url("/mcp"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let parse: Value = raw.json().await.unwrap();
    assert_eq!(parse["error"]["code"], -32700);
    let (_, unknown) = rpc(
        &app,
        &token,
        json!({"jsonrpc": "2.0", "id": 1, "method": "resources/list"}),
    )
    .await;
    assert_eq!(unknown["error"]["code"], -32601);
    let (_, no_tool) = rpc(&app, &token, call(2, "drop_database", json!({}))).await;
    assert_eq!(no_tool["error"]["code"], -32602);
    let (_, batch) = rpc(
        &app,
        &token,
        json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]),
    )
    .await;
    assert_eq!(batch["error"]["code"], -32600);
}

#[tokio::test]
async fn hostile_bodies_get_json_rpc_errors_and_never_a_server_error() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("eve@example.com").await;
    let token = app.jwt(&browser).await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bodies: [(&str, i64); 7] = [
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#,
            -32600,
        ),
        ("[]", -32600),
        (r#"{"jsonrpc":"2.0","id":{},"method":5}"#, -32600),
        (r#"{"jsonrpc":"2.0","id":1e999,"method":"ping"}"#, -32700),
        (&deep, -32700),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"add_task"}"#,
            -32602,
        ),
        ("\u{0}\u{feff}{", -32700),
    ];
    for (body, code) in bodies {
        let res = app
            .api_client()
            .post(app.url("/mcp"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let answer: Value = res.json().await.unwrap_or(Value::Null);
        let start: String = body.chars().take(40).collect();
        assert!(matches!(status, 200 | 400), "{status} for {start}");
        assert_eq!(answer["error"]["code"], code, "{start}");
        assert_eq!(answer["jsonrpc"], "2.0", "{start}");
    }

    let with_nul = call(
        8,
        "add_task",
        json!({"title": "milk\u{0}", "task_id": 1e300}),
    );
    let (status, added) = rpc(&app, &token, with_nul).await;
    assert_eq!(status, 200);
    assert_eq!(added["result"]["isError"], true);
    assert_eq!(
        added["result"]["structuredContent"]["error"]["code"],
        "INVALID_ARGUMENT"
    );
    let huge_id = call(
        9,
        "delete_task",
        json!({"task_id": 18446744073709551616u128 as f64}),
    );
    let (_, deleted) = rpc(&app, &token, huge_id).await;
    assert_eq!(
        deleted["result"]["structuredContent"]["error"]["code"],
        "INVALID_ARGUMENT"
    );
    assert!(app.tasks_of(&me).is_empty());
}
