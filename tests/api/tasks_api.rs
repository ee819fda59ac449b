//! The task JSON API: every route with good input, bad input, and another
//! user's ids; the hackathon's `/api/{user_id}/tasks…` paths.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// `method path` with an optional JSON body; the status and the JSON answer (`null` if none).
pub async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method.parse().unwrap(), app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn tasks_are_created_read_changed_toggled_and_deleted() {
    let app = spawn_app().await;
    let (me, _) = app.signed_in_browser("tia@example.com").await;

    let (status, created) = send(
        &app,
        &me,
        "POST",
        "/api/tasks",
        Some(json!({"title": " Buy milk ", "description": "2 litres"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            created["title"].as_str(),
            created["description"].as_str(),
            created["completed"].as_bool()
        ),
        (Some("Buy milk"), Some("2 litres"), Some(false))
    );
    let id = created["id"].as_i64().unwrap();
    send(
        &app,
        &me,
        "POST",
        "/api/tasks",
        Some(json!({"title": "Answer email"})),
    )
    .await;

    let (_, got) = send(&app, &me, "GET", &format!("/api/tasks/{id}"), None).await;
    assert_eq!(got, created);
    let (status, patched) = send(
        &app,
        &me,
        "PATCH",
        &format!("/api/tasks/{id}"),
        Some(json!({"completed": true})),
    )
    .await;
    assert_eq!(
        (
            status,
            patched["completed"].as_bool(),
            patched["description"].as_str()
        ),
        (200, Some(true), Some("2 litres"))
    );
    let (_, replaced) = send(
        &app,
        &me,
        "PUT",
        &format!("/api/tasks/{id}"),
        Some(json!({"title": "Buy oat milk"})),
    )
    .await;
    assert_eq!(
        (replaced["title"].as_str(), replaced["description"].as_str()),
        (Some("Buy oat milk"), None)
    );
    let (_, toggled) = send(
        &app,
        &me,
        "PATCH",
        &format!("/api/tasks/{id}/complete"),
        None,
    )
    .await;
    assert_eq!(
        toggled["completed"], false,
        "PUT without completed keeps it; the toggle flips it back"
    );

    let (_, pending) = send(
        &app,
        &me,
        "GET",
        "/api/tasks?status=pending&sort=title",
        None,
    )
    .await;
    let titles: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Answer email", "Buy oat milk"]);
    let (_, completed) = send(&app, &me, "GET", "/api/tasks?status=completed", None).await;
    assert_eq!(completed, json!([]));

    let (status, _) = send(&app, &me, "DELETE", &format!("/api/tasks/{id}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(
        send(&app, &me, "GET", &format!("/api/tasks/{id}"), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn bad_task_input_is_refused_with_a_clear_error() {
    let app = spawn_app().await;
    let (me, _) = app.signed_in_browser("bo@example.com").await;
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "x".repeat(201)}),
        json!({"title": 7}),
        json!({"title": "ok", "description": "x".repeat(1001)}),
        json!({"title": "ok", "completed": "yes"}),
        json!(["title"]),
        // PostgreSQL cannot store NUL in text: refused here, not a 500 there.
        json!({"title": "milk\u{0}"}),
        json!({"title": "ok", "description": "a\u{0}b"}),
        // Nor any other control character but tabs and line breaks.
        json!({"title": "milk\u{1}"}),
        json!({"title": "milk\u{7f}"}),
        json!({"title": "ok", "description": "a\u{85}b"}),
    ] {
        let (status, error) = send(&app, &me, "POST", "/api/tasks", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error["error"]["code"], "INVALID_ARGUMENT", "{body}");
    }
    for query in ["status=done-ish", "sort=random"] {
        let (status, error) = send(&app, &me, "GET", &format!("/api/tasks?{query}"), None).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (400, Some("INVALID_QUERY"))
        );
    }
    let malformed = me
        .post(app.url("/api/tasks"))
        .header("content-type", "application/json")
        .body("{\"title\":")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let huge = me
        .post(app.url("/api/tasks"))
        .json(&json!({"title": "x".repeat(100_000)}))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(
        send(&app, &me, "GET", "/api/tasks/not-a-number", None)
            .await
            .0,
        404
    );
    assert_eq!(app.count("task"), 0);
}

#[tokio::test]
async fn another_users_task_is_not_found_on_every_route() {
    let app = spawn_app().await;
    let (bob, bob_id) = app.signed_in_browser("bob@example.com").await;
    let (mallory, _) = app.signed_in_browser("mallory@example.com").await;
    let (_, task) = send(
        &app,
        &bob,
        "POST",
        "/api/tasks",
        Some(json!({"title": "Bob's"})),
    )
    .await;
    let id = task["id"].as_i64().unwrap();

    for (method, path, body) in [
        ("GET", format!("/api/tasks/{id}"), None),
        (
            "PUT",
            format!("/api/tasks/{id}"),
            Some(json!({"title": "pwned"})),
        ),
        (
            "PATCH",
            format!("/api/tasks/{id}"),
            Some(json!({"completed": true})),
        ),
        ("PATCH", format!("/api/tasks/{id}/complete"), None),
        ("DELETE", format!("/api/tasks/{id}"), None),
    ] {
        let (status, error) = send(&app, &mallory, method, &path, body).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (404, Some("NOT_FOUND")),
            "{method} {path}"
        );
    }
    assert_eq!(
        send(&app, &mallory, "GET", "/api/tasks", None).await.1,
        json!([])
    );
    assert_eq!(app.tasks_of(&bob_id), vec![(id, "Bob's".into(), false)]);
}

#[tokio::test]
async fn the_user_id_paths_work_for_yourself_and_are_forbidden_for_others() {
    let app = spawn_app().await;
    let (me, my_id) = app.signed_in_browser("uma@example.com").await;
    let (_, other_id) = app.signed_in_browser("vera@example.com").await;
    let token = app.jwt(&me).await;
    let api = app.api_client();

    let created = api
        .post(app.url(&format!("/api/{my_id}/tasks")))
        .bearer_auth(&token)
        .json(&json!({"title": "Via JWT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let toggled = api
        .patch(app.url(&format!("/api/{my_id}/tasks/{id}/complete")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(toggled.status(), 200);

    for (method, path) in [
        ("GET", format!("/api/{other_id}/tasks")),
        ("POST", format!("/api/{other_id}/tasks")),
        ("GET", format!("/api/{other_id}/tasks/{id}")),
        ("DELETE", format!("/api/{other_id}/tasks/{id}")),
    ] {
        let res = api
            .request(method.parse().unwrap(), app.url(&path))
            .bearer_auth(&token)
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method} {path}");
    }
    let anonymous = api.get(app.url("/api/tasks")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(app.tasks_of(&other_id), vec![]);
}

#[tokio::test]
async fn a_cookie_write_from_another_origin_is_refused() {
    let app = spawn_app().await;
    let (me, _) = app.signed_in_browser("cy@example.com").await;
    let res = me
        .post(app.url("/api/tasks"))
        .header("origin", "https://evil.example")
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("task"), 0);
}

#[tokio::test]
async fn a_list_of_5000_tasks_takes_no_more_through_any_door() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("full-list@example.com").await;
    let token = app.jwt(&browser).await;
    app.add_tasks(&me, 4_999, "");
    let (status, _) = send(
        &app,
        &browser,
        "POST",
        "/api/tasks",
        Some(json!({"title": "The last one"})),
    )
    .await;
    assert_eq!(status, 201, "the 5,000th task is added");

    let (status, body) = send(
        &app,
        &browser,
        "POST",
        "/api/tasks",
        Some(json!({"title": "One more"})),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "TASK_LIMIT_REACHED");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("5,000 tasks"),
        "{body}"
    );

    let page = app
        .post_form(&browser, "/tasks", &[("title", "One more")])
        .await;
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("5,000 tasks"));

    let (_, chat) = send(
        &app,
        &browser,
        "POST",
        "/api/chat",
        Some(json!({"message": "Add a task to buy bread"})),
    )
    .await;
    assert_eq!(chat["tool_calls"][0]["name"], "add_task");
    assert_eq!(
        chat["tool_calls"][0]["result"]["error"]["code"],
        "TASK_LIMIT_REACHED"
    );
    assert!(
        chat["response"].as_str().unwrap().contains("5,000 tasks"),
        "{chat}"
    );

    let (_, mcp) = crate::mcp::rpc(
        &app,
        &token,
        crate::mcp::call(1, "add_task", json!({"title": "One more"})),
    )
    .await;
    assert_eq!(mcp["result"]["isError"], true, "{mcp}");
    assert!(
        mcp["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("TASK_LIMIT_REACHED"),
        "{mcp}"
    );

    assert_eq!(app.tasks_of(&me).len(), 5_000, "nothing more was added");

    // Another person's list is their own; and a task deleted makes room.
    let (other, _) = app.signed_in_browser("other-list@example.com").await;
    let (status, _) = send(
        &app,
        &other,
        "POST",
        "/api/tasks",
        Some(json!({"title": "Mine"})),
    )
    .await;
    assert_eq!(status, 201);
    let first = app.tasks_of(&me)[0].0;
    let (status, _) = send(
        &app,
        &browser,
        "DELETE",
        &format!("/api/tasks/{first}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &app,
        &browser,
        "POST",
        "/api/tasks",
        Some(json!({"title": "Room again"})),
    )
    .await;
    assert_eq!(status, 201);
}
