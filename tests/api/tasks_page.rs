//! The tasks page over HTTP, with the HTMX headers the browser sends.

use crate::helpers::{TestApp, spawn_app};

async fn htmx(
    app: &TestApp,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = client
        .request(method.parse().unwrap(), app.url(path))
        .header("HX-Request", "true")
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_page_lists_filters_adds_edits_toggles_and_deletes_in_place() {
    let app = spawn_app().await;
    let (me, my_id) = app.signed_in_browser("tom@example.com").await;

    let page = app.get(&me, "/tasks").await.text().await.unwrap();
    assert!(page.contains("No tasks yet") && page.contains(r#"href="/chat""#));

    let (status, added) = htmx(
        &app,
        &me,
        "POST",
        "/tasks?status=all",
        &[("title", "Buy milk"), ("description", "2 litres")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        added.contains(r#"id="add-task""#)
            && added.contains(
                r#"id="task-list" class="task-list" data-testid="task-list" hx-swap-oob="true""#
            )
    );
    assert!(added.contains("Buy milk") && added.contains("2 litres"));
    assert!(
        added.contains(r#"id="task-counts""#)
            && added.contains(r#"Pending <span class="count">1</span>"#)
    );
    let id = app.tasks_of(&my_id)[0].0;

    let (_, form) = htmx(&app, &me, "GET", &format!("/tasks/{id}/edit"), &[]).await;
    assert!(form.contains(r#"value="Buy milk""#) && form.contains("2 litres"));
    let (status, row) = htmx(
        &app,
        &me,
        "PUT",
        &format!("/tasks/{id}"),
        &[("title", "Buy oat milk"), ("description", "")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(row.contains("Buy oat milk") && !row.contains("2 litres"));

    let (_, toggled) = htmx(
        &app,
        &me,
        "PATCH",
        &format!("/tasks/{id}/toggle?status=pending"),
        &[],
    )
    .await;
    assert!(
        toggled.contains("Nothing pending")
            && toggled.contains(r#"Completed <span class="count">1</span>"#)
    );
    let filtered = me
        .get(app.url("/tasks?status=completed"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.headers()["vary"], "HX-Request");
    assert!(filtered.text().await.unwrap().contains("Buy oat milk"));

    let (status, after) = htmx(&app, &me, "DELETE", &format!("/tasks/{id}"), &[]).await;
    assert_eq!(status, 200);
    assert!(after.contains("No tasks yet"));
    assert_eq!(app.tasks_of(&my_id), vec![]);
}

#[tokio::test]
async fn validation_errors_show_beside_the_field_and_keep_what_was_typed() {
    let app = spawn_app().await;
    let (me, my_id) = app.signed_in_browser("una@example.com").await;
    let (status, form) = htmx(
        &app,
        &me,
        "POST",
        "/tasks",
        &[("title", "   "), ("description", "kept text")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(form.contains("Title must not be empty.") && form.contains("kept text"));
    let long = "x".repeat(201);
    let (status, form) = htmx(&app, &me, "POST", "/tasks", &[("title", &long)]).await;
    assert_eq!(status, 422);
    assert!(form.contains("at most 200 characters"));
    assert_eq!(app.count("task"), 0);

    let id = app.seed_task(&my_id, "Keep me");
    let (status, form) = htmx(&app, &me, "PUT", &format!("/tasks/{id}"), &[("title", "")]).await;
    assert_eq!(status, 422);
    assert!(form.contains("Title must not be empty."));
    assert_eq!(app.tasks_of(&my_id)[0].1, "Keep me");

    // Without JavaScript the form still works.
    let plain = app.post_form(&me, "/tasks", &[("title", "No JS")]).await;
    assert_eq!(plain.status(), 303);
    assert_eq!(app.tasks_of(&my_id).len(), 2);
}

#[tokio::test]
async fn another_users_task_is_not_found_on_the_page_routes() {
    let app = spawn_app().await;
    let (_, bob) = app.signed_in_browser("bob@example.com").await;
    let (mallory, _) = app.signed_in_browser("mallory@example.com").await;
    let id = app.seed_task(&bob, "Bob's");
    for (method, path) in [
        ("GET", format!("/tasks/{id}")),
        ("GET", format!("/tasks/{id}/edit")),
        ("PUT", format!("/tasks/{id}")),
        ("PATCH", format!("/tasks/{id}/toggle")),
        ("DELETE", format!("/tasks/{id}")),
    ] {
        let (status, _) = htmx(&app, &mallory, method, &path, &[("title", "pwned")]).await;
        assert_eq!(status, 404, "{method} {path}");
    }
    assert!(
        !app.get(&mallory, "/tasks")
            .await
            .text()
            .await
            .unwrap()
            .contains("Bob's")
    );
    assert_eq!(app.tasks_of(&bob), vec![(id, "Bob's".into(), false)]);
}

#[tokio::test]
async fn changes_made_in_the_chat_show_on_the_tasks_page_and_back() {
    let app = spawn_app().await;
    let (me, my_id) = app.signed_in_browser("cha@example.com").await;
    app.say(&me, None, "Add a task to buy groceries").await;
    let page = app.get(&me, "/tasks").await.text().await.unwrap();
    assert!(page.contains("Buy groceries") && page.contains(r#"href="/chat""#));

    let id = app.tasks_of(&my_id)[0].0;
    htmx(&app, &me, "PATCH", &format!("/tasks/{id}/toggle"), &[]).await;
    let answer = app.say(&me, None, "What have I completed?").await;
    assert!(
        answer["response"]
            .as_str()
            .unwrap()
            .contains("Buy groceries")
    );
    let chat = app.get(&me, "/chat").await.text().await.unwrap();
    assert!(chat.contains(r#"href="/tasks""#));
}
