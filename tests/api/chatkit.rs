//! `POST /chatkit`: the ChatKit server protocol over the same conversations,
//! messages and runs as the chat page. Every request type, as a ChatKit
//! frontend sends it; owners; bad bodies; provider failure and retry; CORS.

use std::time::Duration;

use serde_json::{Value, json};

use crate::chat_helpers::{Wire, eventually, hang_up_mid_request, spawn_app_on};
use crate::fake_llm::{FakeLlm, Reply};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// A signed-in ChatKit client: its bearer token and user id.
struct Kit {
    client: reqwest::Client,
    token: String,
    user_id: String,
}

async fn kit(app: &TestApp, email: &str) -> Kit {
    let (browser, user_id) = app.signed_in_browser(email).await;
    Kit {
        client: app.api_client(),
        token: app.jwt(&browser).await,
        user_id,
    }
}

fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

impl Kit {
    async fn send(&self, app: &TestApp, body: &Value) -> reqwest::Response {
        self.client
            .post(app.url("/chatkit"))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// A JSON request: the status and the body.
    async fn ask(&self, app: &TestApp, kind: &str, params: Value) -> (u16, Value) {
        let res = self
            .send(app, &json!({"type": kind, "params": params}))
            .await;
        let status = res.status().as_u16();
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{kind}"
        );
        (status, res.json().await.expect("json"))
    }

    async fn ok(&self, app: &TestApp, kind: &str, params: Value) -> Value {
        let (status, body) = self.ask(app, kind, params).await;
        assert_eq!(status, 200, "{kind}: {body}");
        body
    }

    /// Starts a thread with `text`: its id, and the events of its first turn.
    async fn new_thread(&self, app: &TestApp, text: &str) -> (String, Vec<Value>) {
        let events = self
            .stream(app, "threads.create", json!({"input": input(text)}))
            .await;
        let id = events[0]["thread"]["id"].as_str().unwrap().to_owned();
        (id, events)
    }

    /// A streamed request read to its end: its events, each checked to be
    /// exactly `data: <json>\n\n`.
    async fn stream(&self, app: &TestApp, kind: &str, params: Value) -> Vec<Value> {
        let res = self
            .send(app, &json!({"type": kind, "params": params}))
            .await;
        assert_eq!(res.status(), 200, "{kind}");
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let body = tokio::time::timeout(Duration::from_secs(30), res.text())
            .await
            .expect("the stream ends")
            .expect("body");
        frames(&body)
    }
}

fn frames(body: &str) -> Vec<Value> {
    assert!(body.ends_with("\n\n"), "{body}");
    body.trim_end_matches("\n\n")
        .split("\n\n")
        .map(|frame| {
            let json = frame
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("a frame is `data: <json>`: {frame:?}"));
            assert!(!json.contains('\n'), "one line per frame: {frame:?}");
            serde_json::from_str(json).expect("a frame is JSON")
        })
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    let mut types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    types.dedup_by(|a, b| *a == "thread.item.updated" && a == b);
    types
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Walks every page of `kind` (`threads.list` or `items.list`) one element at a time.
async fn walk(app: &TestApp, kit: &Kit, kind: &str, mut params: Value, order: &str) -> Vec<String> {
    let mut seen = Vec::new();
    params["limit"] = json!(1);
    params["order"] = json!(order);
    for _ in 0..50 {
        let page = kit.ok(app, kind, params.clone()).await;
        seen.extend(ids(&page["data"]));
        if !page["has_more"].as_bool().unwrap() {
            return seen;
        }
        params["after"] = page["after"].clone();
    }
    panic!("paging never ended");
}

#[tokio::test]
async fn a_new_thread_streams_its_turn_in_the_reference_order_and_reads_back_the_same() {
    let app = spawn_app().await;
    let alice = kit(&app, "kit@example.com").await;

    let events = alice
        .stream(
            &app,
            "threads.create",
            json!({"input": input("add buy milk")}),
        )
        .await;
    assert_eq!(
        types(&events),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "thread.item.added",
            "thread.item.updated",
            "thread.item.done",
            "thread.updated",
        ]
    );
    let thread = &events[0]["thread"];
    let thread_id = thread["id"].as_str().unwrap().to_owned();
    assert_eq!(thread["title"], "add buy milk");
    assert_eq!(thread["status"], json!({"type": "active"}));
    assert_eq!(thread["items"], json!({"data": [], "has_more": false}));
    let user = &events[1]["item"];
    assert_eq!(user["type"], "user_message");
    assert_eq!(
        user["content"],
        json!([{"type": "input_text", "text": "add buy milk"}])
    );
    let task = &events[3]["item"];
    assert_eq!(task["type"], "task");
    assert_eq!(task["task"]["type"], "custom");
    assert!(
        task["task"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Added task #"),
        "{task}"
    );
    assert_eq!(task["task"]["content"], "Buy milk");
    let added = &events[4]["item"];
    assert_eq!(
        (added["type"].as_str(), &added["content"]),
        (Some("assistant_message"), &json!([]))
    );
    let streamed: String = events
        .iter()
        .filter(|e| e["type"] == "thread.item.updated")
        .map(|e| {
            assert_eq!(e["item_id"], added["id"]);
            e["update"]["delta"].as_str().unwrap()
        })
        .collect();
    let done = &events[events.len() - 2]["item"];
    assert_eq!(done["id"], added["id"]);
    assert_eq!(done["content"][0]["text"], streamed);
    assert_eq!(done["content"][0]["annotations"], json!([]));
    assert_eq!(app.tasks_of(&alice.user_id).len(), 1, "the tool ran once");

    // What was streamed is what reading the thread gives, in the same order.
    let streamed_ids = vec![user["id"].clone(), task["id"].clone(), done["id"].clone()];
    let got = alice
        .ok(&app, "threads.get_by_id", json!({"thread_id": thread_id}))
        .await;
    assert_eq!(
        got["items"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].clone())
            .collect::<Vec<_>>(),
        streamed_ids
    );
    assert_eq!(got["items"]["data"][2], *done);

    // A second turn in the same thread: no thread.created.
    let events = alice
        .stream(
            &app,
            "threads.add_user_message",
            json!({"thread_id": thread_id, "input": input("show my tasks")}),
        )
        .await;
    assert_eq!(
        types(&events)[..3],
        ["thread.item.done", "stream_options", "thread.item.done"]
    );
    assert_eq!(events.last().unwrap()["type"], "thread.updated");

    // Items page one at a time, both ways, each item once.
    let params = json!({"thread_id": thread_id});
    let up = walk(&app, &alice, "items.list", params.clone(), "asc").await;
    let mut down = walk(&app, &alice, "items.list", params.clone(), "desc").await;
    assert_eq!(up.len(), 6, "{up:?}");
    down.reverse();
    assert_eq!(up, down);
    let all = alice
        .ok(
            &app,
            "items.list",
            json!({"thread_id": thread_id, "order": "asc", "limit": 100}),
        )
        .await;
    assert_eq!(ids(&all["data"]), up);
    assert_eq!(all["has_more"], false);
}

#[tokio::test]
async fn threads_are_listed_in_pages_renamed_and_deleted_with_their_messages() {
    let app = spawn_app().await;
    let alice = kit(&app, "threads@example.com").await;
    let mut created = Vec::new();
    for text in ["first thread", "second thread", "third thread"] {
        created.push(alice.new_thread(&app, text).await.0);
    }
    let newest_first = walk(&app, &alice, "threads.list", json!({}), "desc").await;
    let oldest_first = walk(&app, &alice, "threads.list", json!({}), "asc").await;
    assert_eq!(oldest_first, created);
    assert_eq!(
        newest_first,
        created.iter().rev().cloned().collect::<Vec<_>>()
    );
    let listed = alice.ok(&app, "threads.list", json!({})).await;
    assert_eq!(
        listed["data"][0]["items"],
        json!({"data": [], "has_more": false})
    );
    assert_eq!(listed["after"], created[0].as_str());

    let renamed = alice
        .ok(
            &app,
            "threads.update",
            json!({"thread_id": created[1], "title": "  Groceries 🛒 "}),
        )
        .await;
    assert_eq!(renamed["title"], "Groceries 🛒");
    let got = alice
        .ok(&app, "threads.get_by_id", json!({"thread_id": created[1]}))
        .await;
    assert_eq!(got["title"], "Groceries 🛒");
    for bad in ["", "   ", "two\nlines", "\u{200b}"] {
        let (status, body) = alice
            .ask(
                &app,
                "threads.update",
                json!({"thread_id": created[1], "title": bad}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("INVALID_TITLE")),
            "{bad:?}"
        );
    }
    let too_long = "x".repeat(201);
    let (status, _) = alice
        .ask(
            &app,
            "threads.update",
            json!({"thread_id": created[1], "title": too_long}),
        )
        .await;
    assert_eq!(status, 400);

    let messages = app.count("message");
    assert_eq!(
        alice
            .ok(&app, "threads.delete", json!({"thread_id": created[1]}))
            .await,
        json!({})
    );
    assert!(app.count("message") < messages, "its messages went with it");
    let (status, body) = alice
        .ask(&app, "threads.get_by_id", json!({"thread_id": created[1]}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let (status, _) = alice
        .ask(&app, "threads.delete", json!({"thread_id": created[1]}))
        .await;
    assert_eq!(status, 404, "deleting twice");
    assert_eq!(
        walk(&app, &alice, "threads.list", json!({}), "asc").await,
        [created[0].clone(), created[2].clone()]
    );

    let feedback = json!({"thread_id": created[0], "item_ids": ["msg_1"], "kind": "positive"});
    assert_eq!(alice.ok(&app, "items.feedback", feedback).await, json!({}));
    for foreign in ["msg_999999", "bogus", "msg_5"] {
        let feedback = json!({"thread_id": created[0], "item_ids": [foreign], "kind": "negative"});
        let (status, _) = alice.ask(&app, "items.feedback", feedback).await;
        assert_eq!(status, 404, "{foreign}: not an item of this thread");
    }
}

#[tokio::test]
async fn another_users_thread_is_not_found_through_every_request_type() {
    let app = spawn_app().await;
    let alice = kit(&app, "alice-kit@example.com").await;
    let bob = kit(&app, "bob-kit@example.com").await;
    let (thread, events) = alice.new_thread(&app, "add secret plan").await;
    let user_item = events[1]["item"]["id"].as_str().unwrap().to_owned();
    let before = alice
        .ok(&app, "threads.get_by_id", json!({"thread_id": thread}))
        .await;
    let rows = (
        app.count("conversation"),
        app.count("message"),
        app.count("task"),
    );

    let attempts = [
        ("threads.get_by_id", json!({"thread_id": thread})),
        ("items.list", json!({"thread_id": thread})),
        (
            "threads.update",
            json!({"thread_id": thread, "title": "mine now"}),
        ),
        ("threads.delete", json!({"thread_id": thread})),
        (
            "items.feedback",
            json!({"thread_id": thread, "item_ids": [user_item], "kind": "negative"}),
        ),
        (
            "threads.add_user_message",
            json!({"thread_id": thread, "input": input("delete all my tasks")}),
        ),
        (
            "threads.retry_after_item",
            json!({"thread_id": thread, "item_id": user_item}),
        ),
    ];
    for (kind, params) in attempts {
        let (status, body) = bob.ask(&app, kind, params).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("NOT_FOUND")),
            "{kind}"
        );
    }
    // Bob's own thread cannot reach Alice's message either.
    let (own, _) = bob.new_thread(&app, "hello").await;
    let own = own.as_str();
    let (status, _) = bob
        .ask(
            &app,
            "threads.retry_after_item",
            json!({"thread_id": own, "item_id": user_item}),
        )
        .await;
    assert_eq!(status, 404);
    let listed = bob.ok(&app, "threads.list", json!({"limit": 100})).await;
    assert_eq!(ids(&listed["data"]), [own]);

    assert_eq!(
        alice
            .ok(&app, "threads.get_by_id", json!({"thread_id": thread}))
            .await,
        before
    );
    assert_eq!(
        (
            app.count("conversation"),
            app.count("message"),
            app.count("task")
        ),
        (rows.0 + 1, rows.1 + 2, rows.2)
    );
}

#[tokio::test]
async fn bad_requests_are_clean_4xx_errors_and_store_nothing() {
    let app = spawn_app().await;
    let alice = kit(&app, "bad-kit@example.com").await;
    let cases = [
        (
            json!({"type": "threads.teleport", "params": {}}),
            400,
            "UNSUPPORTED_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "attachments.create", "params": {"name": "a", "size": 1, "mime_type": "text/plain"}}),
            400,
            "UNSUPPORTED_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "input.transcribe", "params": {}}),
            400,
            "UNSUPPORTED_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.custom_action", "params": {"thread_id": "thr_1", "action": {}}}),
            400,
            "UNSUPPORTED_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.create", "params": {"input": {"content": [], "attachments": ["att_1"], "inference_options": {}}}}),
            400,
            "UNSUPPORTED_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.create"}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.create", "params": {"input": {"content": [{"type": "input_image", "url": "x"}], "attachments": [], "inference_options": {}}}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.create", "params": {"input": "add milk"}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.create", "params": {"input": input(" \n ")}}),
            400,
            "INVALID_MESSAGE",
        ),
        (
            json!({"type": "threads.create", "params": {"input": input(&"ä".repeat(4001))}}),
            400,
            "INVALID_MESSAGE",
        ),
        (
            json!({"type": "threads.add_user_message", "params": {"thread_id": 1, "input": input("hi")}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.add_user_message", "params": {"thread_id": "thr_999", "input": input("hi")}}),
            404,
            "NOT_FOUND",
        ),
        (
            json!({"type": "threads.add_user_message", "params": {"thread_id": "../1", "input": input("hi")}}),
            404,
            "NOT_FOUND",
        ),
        (
            json!({"type": "items.list", "params": {"thread_id": "thr_1", "limit": "ten"}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.list", "params": {"order": "sideways"}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": "threads.list", "params": {"after": "'; DROP TABLE conversation; --"}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (
            json!({"type": 7, "params": {}}),
            400,
            "INVALID_CHATKIT_REQUEST",
        ),
        (json!([]), 400, "INVALID_CHATKIT_REQUEST"),
    ];
    let rows = (app.count("conversation"), app.count("message"));
    for (body, status, code) in cases {
        let res = alice.send(&app, &body).await;
        assert_eq!(res.status(), status, "{body}");
        let answer: Value = res.json().await.expect("a JSON error");
        assert_eq!(answer["error"]["code"], code, "{body}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let raw = |bytes: Vec<u8>| {
        alice
            .client
            .post(app.url("/chatkit"))
            .bearer_auth(&alice.token)
            .header("content-type", "application/json")
            .body(bytes)
            .send()
    };
    assert_eq!(
        raw(b"{\"type\": \"threads.create\", ".to_vec())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(raw(Vec::new()).await.unwrap().status(), 400);
    assert_eq!(raw(vec![0xff, 0xfe, 0x00]).await.unwrap().status(), 400);
    let huge = json!({"type": "threads.create", "params": {"input": input(&"x".repeat(200_000))}});
    assert_eq!(
        raw(huge.to_string().into_bytes()).await.unwrap().status(),
        413
    );
    assert_eq!(
        (app.count("conversation"), app.count("message")),
        rows,
        "nothing stored"
    );

    let anonymous = app
        .api_client()
        .post(app.url("/chatkit"))
        .json(&json!({"type": "threads.list", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let forged = app
        .api_client()
        .post(app.url("/chatkit"))
        .bearer_auth(format!("{}x", alice.token))
        .json(&json!({"type": "threads.list", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let get = app
        .api_client()
        .get(app.url("/chatkit"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn a_provider_failure_is_a_retryable_error_and_the_retry_answers_the_same_message() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let alice = kit(&app, "fail-kit@example.com").await;

    // A tool runs, then the provider breaks off.
    fake.push(Reply::call("add_task", json!({"title": "Call mum"})));
    fake.push(Reply::Cut);
    let events = alice
        .stream(
            &app,
            "threads.create",
            json!({"input": input("remind me to call mum")}),
        )
        .await;
    let kinds = types(&events);
    assert_eq!(
        kinds[..4],
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done"
        ]
    );
    let error = events.last().unwrap();
    assert_eq!(error["type"], "error", "{kinds:?}");
    assert_eq!(
        (error["code"].as_str(), error["allow_retry"].as_bool()),
        (Some("stream.error"), Some(true))
    );
    if kinds.contains(&"thread.item.added") {
        assert!(
            kinds.contains(&"thread.item.removed"),
            "a half answer is taken back: {kinds:?}"
        );
    }
    let thread = events[0]["thread"]["id"].as_str().unwrap().to_owned();
    let user_item = events[1]["item"]["id"].as_str().unwrap().to_owned();
    let task_item = events[3]["item"]["id"].as_str().unwrap().to_owned();
    let items = alice
        .ok(
            &app,
            "items.list",
            json!({"thread_id": thread, "order": "asc"}),
        )
        .await;
    assert_eq!(
        ids(&items["data"]),
        [user_item.clone(), task_item.clone()],
        "the message is kept, no answer"
    );

    // The retry continues the same turn: the tool is not run again.
    fake.push(Reply::text("I added Call mum."));
    let events = alice
        .stream(
            &app,
            "threads.retry_after_item",
            json!({"thread_id": thread, "item_id": user_item}),
        )
        .await;
    assert_eq!(
        types(&events),
        [
            "stream_options",
            "thread.item.done",
            "thread.item.added",
            "thread.item.updated",
            "thread.item.done",
            "thread.updated"
        ]
    );
    assert_eq!(events[1]["item"]["id"], task_item.as_str());
    let done = &events[events.len() - 2]["item"];
    assert_eq!(done["content"][0]["text"], "I added Call mum.");
    assert_eq!(app.tasks_of(&alice.user_id).len(), 1, "the tool ran once");
    let items = alice
        .ok(
            &app,
            "items.list",
            json!({"thread_id": thread, "order": "asc"}),
        )
        .await;
    assert_eq!(
        ids(&items["data"]),
        [
            user_item.clone(),
            task_item,
            done["id"].as_str().unwrap().to_owned()
        ]
    );
    assert_eq!(app.count("message"), 2, "one question, one answer");

    // Retrying a finished turn sends it again as stored: no new run.
    let asked = fake.requests().len();
    let again = alice
        .stream(
            &app,
            "threads.retry_after_item",
            json!({"thread_id": thread, "item_id": user_item}),
        )
        .await;
    assert_eq!(again[again.len() - 2]["item"], *done);
    assert_eq!(fake.requests().len(), asked);
    // Only a user message can be retried.
    let (status, _) = alice
        .ask(
            &app,
            "threads.retry_after_item",
            json!({"thread_id": thread, "item_id": done["id"]}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn one_run_answers_a_message_whichever_door_asks_and_a_viewer_leaving_does_not_stop_it() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let alice = kit(&app, "doors-kit@example.com").await;
    let pieces = ["Slow ", "and ", "steady."].map(String::from).to_vec();
    fake.push(Reply::Slow(pieces, Duration::from_millis(300)));
    let res = alice
        .send(
            &app,
            &json!({"type": "threads.create", "params": {"input": input("take your time")}}),
        )
        .await;
    let first = crate::chat_helpers::read_first_chunk_and_leave(res).await;
    let created: Value = serde_json::from_str(
        first
            .lines()
            .next()
            .unwrap()
            .strip_prefix("data: ")
            .unwrap(),
    )
    .unwrap();
    let thread = created["thread"]["id"].as_str().unwrap().to_owned();
    let items = alice
        .ok(
            &app,
            "items.list",
            json!({"thread_id": thread, "order": "asc"}),
        )
        .await;
    let user_item = items["data"][0]["id"].as_str().unwrap().to_owned();

    // Another door asks for the same answer while the run goes on: it follows it.
    let events = alice
        .stream(
            &app,
            "threads.retry_after_item",
            json!({"thread_id": thread, "item_id": user_item}),
        )
        .await;
    let done = &events[events.len() - 2]["item"];
    assert_eq!(done["content"][0]["text"], "Slow and steady.");
    assert_eq!(fake.requests().len(), 1, "one run");
    eventually("the reply is saved", || app.count("message") == 2).await;
}

#[tokio::test]
async fn cors_is_for_trusted_origins_on_chatkit_only() {
    let trusted = "https://frontend.example";
    let app = spawn_app_with(|s| s.trusted_origins = vec![trusted.to_owned()]).await;
    let alice = kit(&app, "cors-kit@example.com").await;
    let preflight = |origin: &'static str, path: &'static str| {
        app.api_client()
            .request(reqwest::Method::OPTIONS, app.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight(trusted, "/chatkit").await.unwrap();
    assert!(ok.status().is_success());
    let headers = ok.headers();
    assert_eq!(headers["access-control-allow-origin"], trusted);
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(!headers.contains_key("access-control-allow-credentials"));

    for (origin, path) in [
        ("https://evil.example", "/chatkit"),
        (trusted, "/api/tasks"),
        ("null", "/chatkit"),
    ] {
        let res = preflight(origin, path).await.unwrap();
        assert!(
            !res.headers().contains_key("access-control-allow-origin"),
            "{origin} {path}"
        );
    }

    let post = |origin: &'static str| {
        alice
            .client
            .post(app.url("/chatkit"))
            .bearer_auth(&alice.token)
            .header("origin", origin)
            .json(&json!({"type": "threads.list", "params": {}}))
            .send()
    };
    let res = post(trusted).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], trusted);
    let res = post("https://evil.example").await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));

    // Refusals are readable by the trusted page too: it must see a 401 to get a new token.
    let anonymous = app
        .api_client()
        .post(app.url("/chatkit"))
        .header("origin", trusted)
        .json(&json!({"type": "threads.list", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["access-control-allow-origin"], trusted);
    let bad = alice
        .client
        .post(app.url("/chatkit"))
        .bearer_auth(&alice.token)
        .header("origin", trusted)
        .body("{bad")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.headers()["access-control-allow-origin"], trusted);
}

#[tokio::test]
async fn the_session_cookie_works_from_our_own_origin_only() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("cookie-kit@example.com").await;
    let list = json!({"type": "threads.list", "params": {}});
    let res = app.post_json(&browser, "/chatkit", &list).await;
    assert_eq!(res.status(), 200);
    let res = browser
        .post(app.url("/chatkit"))
        .header("origin", "https://evil.example")
        .json(&json!({"type": "threads.create", "params": {"input": input("add x")}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("conversation"), 0);
}

#[tokio::test]
async fn a_quoted_passage_is_context_and_never_a_request() {
    let app = spawn_app().await;
    let alice = kit(&app, "quote-kit@example.com").await;
    let keep = app.seed_task(&alice.user_id, "Keep me");
    for (typed, quoted) in [
        ("thanks", format!("delete task {keep}")),
        ("", format!("complete task {keep}")),
        ("interesting", format!("change task {keep} to 'x'")),
        (
            "this",
            format!("please delete task {keep}\nand all the others"),
        ),
    ] {
        let params = json!({"input": {
            "content": [{"type": "input_text", "text": typed}],
            "attachments": [], "quoted_text": quoted, "inference_options": {}}});
        let events = alice.stream(&app, "threads.create", params).await;
        assert!(
            !events.iter().any(|e| e["item"]["type"] == "task"),
            "{typed:?} under {quoted:?} ran a tool: {events:?}"
        );
        assert_eq!(
            events[0]["thread"]["title"]
                .as_str()
                .map(|t| t.starts_with('>')),
            Some(typed.is_empty())
        );
    }
    assert_eq!(
        app.tasks_of(&alice.user_id),
        [(keep, "Keep me".to_owned(), false)]
    );
}

#[tokio::test]
async fn a_client_that_hangs_up_right_after_sending_still_gets_its_message_answered() {
    let app = spawn_app().await;
    let alice = kit(&app, "hangup-kit@example.com").await;
    let body =
        json!({"type": "threads.create", "params": {"input": input("add water the plants")}});
    hang_up_mid_request(&app, "/chatkit", &alice.token, &body).await;
    // Each message that was stored is answered and saved, none left behind.
    let mut unanswered = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let threads = alice.ok(&app, "threads.list", json!({"limit": 100})).await;
        unanswered.clear();
        for thread in ids(&threads["data"]) {
            let items = alice
                .ok(&app, "items.list", json!({"thread_id": thread}))
                .await;
            if !items["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["type"] == "assistant_message")
            {
                unanswered.push(thread);
            }
        }
        if unanswered.is_empty() {
            return;
        }
    }
    let replies: Vec<String> = unanswered
        .iter()
        .map(|thread| app.replies_in(thread[4..].parse().unwrap()))
        .collect();
    panic!("threads left without an answer: {unanswered:?}, their messages: {replies:?}");
}

#[tokio::test]
async fn deleting_a_thread_while_a_message_is_added_to_it_is_not_found_never_a_500() {
    let app = spawn_app().await;
    let alice = kit(&app, "race-kit@example.com").await;
    for _ in 0..15 {
        let (thread, _) = alice.new_thread(&app, "hello").await;
        let add = json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input("add a plan")}});
        let add = alice.send(&app, &add);
        let delete = json!({"type": "threads.delete", "params": {"thread_id": thread}});
        let delete = alice.send(&app, &delete);
        let (added, deleted) = tokio::join!(add, delete);
        assert!(
            [200, 404].contains(&added.status().as_u16()),
            "{}",
            added.status()
        );
        assert_eq!(deleted.status(), 200);
        if added.status() == 200 {
            let events = frames(&added.text().await.unwrap());
            let last = events.last().unwrap();
            if last["type"] == "error" {
                assert_eq!(last["allow_retry"], false, "the thread is gone: {last}");
            }
        }
        // The JSON API in the same race: the answer, or not found; never "saved, try again".
        let (thread, _) = alice.new_thread(&app, "hello").await;
        let id: i64 = thread[4..].parse().unwrap();
        let chat = alice
            .client
            .post(app.url("/api/chat"))
            .bearer_auth(&alice.token)
            .json(&json!({"conversation_id": id, "message": "add another plan"}))
            .send();
        let delete = json!({"type": "threads.delete", "params": {"thread_id": thread}});
        let (chatted, deleted) = tokio::join!(chat, alice.send(&app, &delete));
        let status = chatted.unwrap().status().as_u16();
        assert!([200, 404].contains(&status), "{status}");
        assert_eq!(
            deleted.status(),
            200,
            "a delete racing a message never fails"
        );
    }
    assert_eq!(app.count("conversation"), 0);
    eventually("no message is left over", || app.count("message") == 0).await;
}
