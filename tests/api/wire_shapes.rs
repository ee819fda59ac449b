//! The exact JSON shape of every answer of the JSON API: which fields, of
//! which types, nothing more. Values are checked elsewhere; these tests keep
//! the contract that generated clients are built on from drifting.

use serde_json::{Value, json};

use crate::chat_helpers::{Wire, spawn_app_on};
use crate::fake_llm::{FakeLlm, Reply};
use crate::helpers::{PASSWORD, spawn_app};
use crate::tasks_api::send;

/// `value` with every leaf replaced by its type's name; an ISO-8601 UTC time
/// with milliseconds is a `"timestamp"`. Arrays keep one shape per item.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Bool(_) => json!("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!("integer"),
        Value::Number(_) => json!("number"),
        Value::String(s) if is_timestamp(s) => json!("timestamp"),
        Value::String(_) => json!("string"),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
    }
}

/// `2026-01-02T03:04:05.678Z`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3fZ").is_ok()
        && b[19] == b'.'
}

fn task_shape(description: Value) -> Value {
    json!({
        "id": "integer",
        "title": "string",
        "description": description,
        "completed": "boolean",
        "created_at": "timestamp",
        "updated_at": "timestamp",
    })
}

fn user_shape() -> Value {
    json!({
        "id": "string",
        "name": "string",
        "email": "string",
        "emailVerified": "boolean",
        "image": null,
        "createdAt": "timestamp",
        "updatedAt": "timestamp",
    })
}

fn api_error_shape() -> Value {
    json!({"error": {"code": "string", "message": "string"}})
}

#[tokio::test]
async fn every_task_answer_is_the_same_six_fields() {
    let app = spawn_app().await;
    let (me, my_id) = app.signed_in_browser("shape@example.com").await;
    let with_description = task_shape(json!("string"));
    let without = task_shape(Value::Null);

    let (status, created) = send(
        &app,
        &me,
        "POST",
        "/api/tasks",
        Some(json!({"title": "Buy milk", "description": "2 litres"})),
    )
    .await;
    assert_eq!((status, shape(&created)), (201, with_description.clone()));
    let id = created["id"].as_i64().unwrap();
    let one = format!("/api/tasks/{id}");

    for (method, path, body, expected) in [
        ("GET", one.clone(), None, &with_description),
        (
            "PATCH",
            one.clone(),
            Some(json!({"completed": true})),
            &with_description,
        ),
        (
            "PUT",
            one.clone(),
            Some(json!({"title": "Oat milk"})),
            &without,
        ),
        ("PATCH", format!("{one}/complete"), None, &without),
        (
            "POST",
            format!("/api/{my_id}/tasks"),
            Some(json!({"title": "Via my path"})),
            &without,
        ),
        ("GET", format!("/api/{my_id}/tasks/{id}"), None, &without),
    ] {
        let (status, body) = send(&app, &me, method, &path, body).await;
        assert!(status == 200 || status == 201, "{method} {path}: {status}");
        assert_eq!(&shape(&body), expected, "{method} {path}");
    }

    let (_, list) = send(&app, &me, "GET", "/api/tasks", None).await;
    assert_eq!(shape(&list), json!([without, without]));

    let deleted = me.delete(app.url(&one)).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(deleted.text().await.unwrap(), "");
}

#[tokio::test]
async fn api_errors_are_an_error_object_with_a_code_and_a_message() {
    let app = spawn_app().await;
    let (me, _) = app.signed_in_browser("errors@example.com").await;
    let anonymous = app.api_client();

    for (client, method, path, body, status) in [
        (&me, "GET", "/api/tasks/999", None, 404),
        (&me, "POST", "/api/tasks", Some(json!({"title": ""})), 400),
        (&me, "PATCH", "/api/tasks/1", Some(json!([])), 400),
        (&me, "GET", "/api/tasks?status=sideways", None, 400),
        (&me, "POST", "/api/chat", Some(json!({"message": " "})), 400),
        (&me, "GET", "/api/conversations/999/messages", None, 404),
        (
            &me,
            "GET",
            "/api/conversations/1/messages?limit=0",
            None,
            400,
        ),
        (&anonymous, "GET", "/api/tasks", None, 401),
        (&anonymous, "GET", "/api/me", None, 401),
        (&anonymous, "GET", "/api/auth/token", None, 401),
    ] {
        let (got, error) = send(&app, client, method, path, body).await;
        let expected = if path.starts_with("/api/auth/") {
            json!({"message": "string", "code": "string"})
        } else {
            api_error_shape()
        };
        assert_eq!((got, shape(&error)), (status, expected), "{method} {path}");
    }
}

#[tokio::test]
async fn the_auth_endpoints_answer_in_better_auths_shapes() {
    let app = spawn_app().await;
    let browser = app.browser();

    let (status, signed_up) = send(
        &app,
        &browser,
        "POST",
        "/api/auth/sign-up/email",
        Some(json!({"email": "ba@example.com", "password": PASSWORD, "name": "Ba"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        shape(&signed_up),
        json!({"token": "string", "user": user_shape()})
    );

    let (_, taken) = send(
        &app,
        &app.api_client(),
        "POST",
        "/api/auth/sign-up/email",
        Some(json!({"email": "ba@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(shape(&taken), json!({"token": null, "user": user_shape()}));

    let (_, signed_in) = send(
        &app,
        &browser,
        "POST",
        "/api/auth/sign-in/email",
        Some(json!({"email": "ba@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(
        shape(&signed_in),
        json!({"redirect": "boolean", "token": "string", "user": user_shape()})
    );

    let (_, session) = send(&app, &browser, "GET", "/api/auth/get-session", None).await;
    let session_shape = json!({
        "id": "string",
        "token": "string",
        "userId": "string",
        "expiresAt": "timestamp",
        "ipAddress": "string",
        "userAgent": null,
        "createdAt": "timestamp",
        "updatedAt": "timestamp",
    });
    assert_eq!(
        shape(&session),
        json!({"session": session_shape, "user": user_shape()})
    );

    let (_, token) = send(&app, &browser, "GET", "/api/auth/token", None).await;
    assert_eq!(shape(&token), json!({"token": "string"}));
    let (_, jwks) = send(&app, &app.api_client(), "GET", "/api/auth/jwks", None).await;
    let key =
        json!({"kty": "string", "crv": "string", "x": "string", "kid": "string", "alg": "string"});
    assert_eq!(shape(&jwks), json!({"keys": [key]}));
    let (_, me) = send(&app, &browser, "GET", "/api/me", None).await;
    assert_eq!(shape(&me), user_shape());

    let (_, signed_out) = send(
        &app,
        &browser,
        "POST",
        "/api/auth/sign-out",
        Some(json!({})),
    )
    .await;
    assert_eq!(signed_out, json!({"success": true}));
    let (_, none) = send(&app, &browser, "GET", "/api/auth/get-session", None).await;
    assert_eq!(none, Value::Null);

    let (status, wrong) = send(
        &app,
        &app.api_client(),
        "POST",
        "/api/auth/sign-in/email",
        Some(json!({"email": "ba@example.com", "password": "not the password"})),
    )
    .await;
    assert_eq!(
        (status, shape(&wrong)),
        (401, json!({"message": "string", "code": "string"}))
    );
}

#[tokio::test]
async fn a_sign_in_that_is_rate_limited_says_only_a_message() {
    let app = crate::helpers::spawn_app_with(|s| s.auth_rate_limit_per_minute = 1).await;
    let client = app.api_client();
    app.sign_in(&client, "nobody@example.com", PASSWORD).await;
    let res = app.sign_in(&client, "nobody@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: Value = res.json().await.unwrap();
    assert_eq!(shape(&body), json!({"message": "string"}));
}

#[tokio::test]
async fn chat_answers_conversations_and_message_pages_keep_their_shapes() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (me, _) = app.signed_in_browser("talk@example.com").await;
    fake.push(Reply::call("add_task", json!({"title": "Buy milk"})));
    fake.push(Reply::call("list_tasks", json!({})));
    fake.push(Reply::call("complete_task", json!({"task_id": 999})));
    fake.push(Reply::text("Done."));

    let (status, answer) = send(
        &app,
        &me,
        "POST",
        "/api/chat",
        Some(json!({"message": "add milk"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        shape(&answer),
        json!({
            "conversation_id": "integer",
            "response": "string",
            "tool_calls": [
                {"name": "string", "arguments": {"title": "string"},
                 "result": {"task_id": "integer", "status": "string", "title": "string"}},
                {"name": "string", "arguments": {},
                 "result": [task_shape(Value::Null)]},
                {"name": "string", "arguments": {"task_id": "integer"},
                 "result": {"error": {"code": "string", "message": "string"}}},
            ],
        })
    );
    let c = answer["conversation_id"].as_i64().unwrap();

    let (_, conversations) = send(&app, &me, "GET", "/api/conversations", None).await;
    assert_eq!(
        shape(&conversations),
        json!([{"id": "integer", "title": "string", "created_at": "timestamp", "updated_at": "timestamp"}])
    );

    let message = |tool_calls: Value| {
        json!({"id": "integer", "role": "string", "content": "string", "status": "string",
               "tool_calls": tool_calls, "created_at": "timestamp"})
    };
    let (_, page) = send(
        &app,
        &me,
        "GET",
        &format!("/api/conversations/{c}/messages"),
        None,
    )
    .await;
    assert_eq!(
        shape(&page["messages"][0]),
        message(json!([])),
        "the user's message"
    );
    assert_eq!(
        shape(&page["messages"][1]),
        message(shape(&answer)["tool_calls"].clone()),
        "the reply, with the same tool calls as the chat answer"
    );
    assert_eq!(
        (page.as_object().unwrap().len(), &page["next_before"]),
        (2, &Value::Null)
    );
    let (_, older) = send(
        &app,
        &me,
        "GET",
        &format!("/api/conversations/{c}/messages?limit=1"),
        None,
    )
    .await;
    assert_eq!(shape(&older["next_before"]), json!("integer"));
}

#[tokio::test]
async fn an_assistant_that_fails_is_an_error_naming_the_conversation() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (me, _) = app.signed_in_browser("fails@example.com").await;
    for _ in 0..3 {
        fake.push(Reply::Status(500, None));
    }
    let (status, error) = send(
        &app,
        &me,
        "POST",
        "/api/chat",
        Some(json!({"message": "hello"})),
    )
    .await;
    assert_eq!(
        (status, shape(&error)),
        (
            503,
            json!({"error": {"code": "string", "message": "string", "conversation_id": "integer"}})
        )
    );
}
