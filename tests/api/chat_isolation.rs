//! Nobody reaches another user's conversations, messages or tasks, through
//! any chat route or tool.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn another_users_conversation_is_not_found_on_every_chat_route() {
    let app = spawn_app().await;
    let (alice, _) = app.signed_in_browser("alice@example.com").await;
    let (mallory, _) = app.signed_in_browser("mallory@example.com").await;
    let body = app.say(&alice, None, "add buy milk").await;
    let c = body["conversation_id"].as_i64().unwrap();
    let question: i64 = 1;

    for path in [
        format!("/chat/{c}"),
        format!("/chat/{c}/messages?before=100"),
        format!("/chat/{c}/messages/{question}/reply"),
        format!("/api/conversations/{c}/messages"),
    ] {
        assert_eq!(app.get(&mallory, &path).await.status(), 404, "{path}");
    }
    let posted = app
        .post_form(
            &mallory,
            &format!("/chat/{c}/messages"),
            &[("message", "hi")],
        )
        .await;
    assert_eq!(posted.status(), 404);
    let retried = app
        .post_form(
            &mallory,
            &format!("/chat/{c}/messages/{question}/retry"),
            &[],
        )
        .await;
    assert_eq!(retried.status(), 404);
    let (status, error) = app.chat(&mallory, Some(c), "show me all my tasks").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );

    let listed: serde_json::Value = app
        .get(&mallory, "/api/conversations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
    assert_eq!(
        app.count("message"),
        2,
        "nothing added to alice's conversation"
    );
}

#[tokio::test]
async fn chatting_as_someone_else_in_the_path_is_forbidden() {
    let app = spawn_app().await;
    let (alice, alice_id) = app.signed_in_browser("alice@example.com").await;
    let (_, bob_id) = app.signed_in_browser("bob@example.com").await;

    let own = app
        .post_json(
            &alice,
            &format!("/api/{alice_id}/chat"),
            &json!({"message": "add buy milk"}),
        )
        .await;
    assert_eq!(own.status(), 200);
    let other = app
        .post_json(
            &alice,
            &format!("/api/{bob_id}/chat"),
            &json!({"message": "add buy milk"}),
        )
        .await;
    assert_eq!(other.status(), 403);
    assert_eq!(app.tasks_of(&bob_id), vec![]);
    assert_eq!(app.tasks_of(&alice_id).len(), 1);
}

#[tokio::test]
async fn tools_never_touch_another_users_task() {
    let app = spawn_app().await;
    let (_, bob) = app.signed_in_browser("bob@example.com").await;
    let (mallory, _) = app.signed_in_browser("mallory@example.com").await;
    let t = app.seed_task(&bob, "Bob's secret");

    for sentence in [
        format!("Mark task {t} as complete"),
        format!("Delete task {t}"),
        format!("Change task {t} to 'pwned'"),
    ] {
        let body = app.say(&mallory, None, &sentence).await;
        assert_eq!(
            body["tool_calls"][0]["result"]["error"]["code"], "TASK_NOT_FOUND",
            "{sentence}"
        );
    }
    let listed = app.say(&mallory, None, "Show me all my tasks").await;
    assert!(!listed["response"].as_str().unwrap().contains("secret"));
    assert_eq!(app.tasks_of(&bob), vec![(t, "Bob's secret".into(), false)]);
}

#[tokio::test]
async fn a_bearer_jwt_chats_as_its_user() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("jo@example.com").await;
    let token = app.jwt(&browser).await;
    let res = app
        .api_client()
        .post(app.url("/api/chat"))
        .bearer_auth(token)
        .json(&json!({"message": "add buy milk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.tasks_of(&me).len(), 1);
    let anonymous = app
        .api_client()
        .post(app.url("/api/chat"))
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn bad_chat_input_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let (client, _) = app.signed_in_browser("bea@example.com").await;
    for body in [
        json!({"message": "   "}),
        json!({"message": "x".repeat(4001)}),
        json!({}),
        json!({"message": 5}),
        json!({"message": "hi", "conversation_id": "one"}),
    ] {
        let res = app.post_json(&client, "/api/chat", &body).await;
        assert_eq!(res.status(), 400, "{body}");
        let error: serde_json::Value = res.json().await.unwrap();
        assert!(error["error"]["message"].is_string());
    }
    let malformed = client
        .post(app.url("/api/chat"))
        .header("content-type", "application/json")
        .body("{\"message\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let huge = client
        .post(app.url("/api/chat"))
        .json(&json!({"message": "x".repeat(100_000)}))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let empty_form = app.post_form(&client, "/chat", &[("message", "")]).await;
    assert_eq!(empty_form.status(), 400);
    assert_eq!(app.count("message"), 0);
    assert_eq!(app.count("conversation"), 0);
}
