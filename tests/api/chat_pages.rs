//! The chat pages over HTTP, as the browser's HTMX and SSE extension use them.

use std::time::Duration;

use tasktalk::db::models::{Message, MessageInsertForm, Question};

use crate::chat_helpers::{Wire, eventually, read_first_chunk_and_leave, spawn_app_on};
use crate::fake_llm::{FakeLlm, Reply};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_first_message_starts_a_conversation_whose_reply_streams_in() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("sam@example.com").await;

    let created = app
        .post_form(
            &browser,
            "/chat",
            &[("message", "Add a task to buy groceries")],
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let page = app.get(&browser, &location).await.text().await.unwrap();
    assert!(page.contains("Add a task to buy groceries"));
    let stream_path = format!("{location}/messages/1/reply");
    assert!(
        page.contains(&format!(r#"sse-connect="{stream_path}""#)),
        "{page}"
    );

    let events = app.read_stream(&browser, &stream_path).await;
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"tool"));
    assert!(events[0].1.contains("Added task #1 · Buy groceries"));
    assert!(
        names.iter().filter(|n| **n == "delta").count() > 1,
        "the text streams in pieces"
    );
    assert_eq!(names.last(), Some(&"done"));
    assert!(
        events
            .last()
            .unwrap()
            .1
            .contains("<strong>Buy groceries</strong>")
    );
    assert_eq!(app.tasks_of(&me).len(), 1);

    // Asking again (a reload, another tab) gets the saved answer, and runs nothing twice.
    let again = app.read_stream(&browser, &stream_path).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].0, "done");
    assert_eq!(app.tasks_of(&me).len(), 1);
    let reopened = app.get(&browser, &location).await.text().await.unwrap();
    assert!(
        reopened.contains("Added task #1 · Buy groceries") && !reopened.contains("sse-connect")
    );
}

#[tokio::test]
async fn sending_with_htmx_appends_the_message_and_a_streaming_placeholder() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("hal@example.com").await;
    app.post_form(&browser, "/chat", &[("message", "hello")])
        .await;
    app.read_stream(&browser, "/chat/1/messages/1/reply").await;

    let res = browser
        .post(app.url("/chat/1/messages"))
        .header("HX-Request", "true")
        .form(&[("message", "<script>alert(1)</script> add milk")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let fragment = res.text().await.unwrap();
    assert!(
        fragment.contains("&#60;script&#62;") && !fragment.contains("<script>"),
        "{fragment}"
    );
    assert!(
        fragment.contains(r#"sse-connect="/chat/1/messages/3/reply""#),
        "{fragment}"
    );
}

#[tokio::test]
async fn conversations_are_listed_newest_first() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("lia@example.com").await;
    let first = app.say(&browser, None, "add first thing").await["conversation_id"].as_i64();
    app.say(&browser, None, "add second thing").await;
    app.say(&browser, first, "add third thing").await;

    let listed: serde_json::Value = app
        .get(&browser, "/api/conversations")
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["add first thing", "add second thing"]);
    let page = app.get(&browser, "/chat").await.text().await.unwrap();
    let at = |t: &str| page.find(t).unwrap();
    assert!(at("add first thing") < at("add second thing"));
}

#[tokio::test]
async fn a_long_conversation_opens_on_its_latest_page_and_loads_older_on_request() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("ivy@example.com").await;
    let c = app.say(&browser, None, "message 0").await["conversation_id"]
        .as_i64()
        .unwrap();
    {
        let mut conn = app.conn();
        for i in 1..=69 {
            Message::insert(
                &mut conn,
                &MessageInsertForm {
                    conversation_id: c,
                    user_id: &me,
                    role: if i % 2 == 0 { "user" } else { "assistant" },
                    content: &format!("message {i}"),
                    tool_calls: None,
                    created_at: chrono::Utc::now().naive_utc(),
                    reply_to: None,
                    status: "done",
                    lease_until: None,
                    run_id: None,
                },
            )
            .unwrap();
        }
    }
    // 71 messages: the first exchange (2) and 69 more. The page shows the latest 30.
    let page = app
        .get(&browser, &format!("/chat/{c}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("message 69<") && page.contains("message 40<"));
    assert!(!page.contains("message 39<"));
    let before = 71 - 30 + 1;
    assert!(
        page.contains(&format!("/chat/{c}/messages?before={before}")),
        "{page}"
    );

    let older = app
        .get(&browser, &format!("/chat/{c}/messages?before={before}"))
        .await;
    assert_eq!(older.headers()["vary"], "HX-Request");
    let older = older.text().await.unwrap();
    assert!(older.contains("message 10<") && older.contains("message 39<"));
    assert!(!older.contains("message 9<") && !older.contains("message 40<"));
    assert!(older.contains(&format!("before={}", before - 30)));

    let api: serde_json::Value = app
        .get(
            &browser,
            &format!("/api/conversations/{c}/messages?limit=5"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["messages"].as_array().unwrap().len(), 5);
    assert_eq!(api["messages"][4]["content"], "message 69");
    let next = api["next_before"].as_i64().unwrap();
    let page2: serde_json::Value = app
        .get(
            &browser,
            &format!("/api/conversations/{c}/messages?limit=5&before={next}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page2["messages"][4]["content"], "message 64");
    assert_eq!(
        app.get(
            &browser,
            &format!("/api/conversations/{c}/messages?limit=0")
        )
        .await
        .status(),
        400
    );
}

#[tokio::test]
async fn the_reply_is_finished_and_saved_when_the_browser_leaves_mid_stream() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (browser, _) = app.signed_in_browser("gus@example.com").await;
    let words: Vec<String> = (1..=10).map(|i| format!("word{i} ")).collect();
    fake.push(Reply::Slow(words, Duration::from_millis(100)));
    app.post_form(&browser, "/chat", &[("message", "tell me something long")])
        .await;

    let res = app.get(&browser, "/chat/1/messages/1/reply").await;
    let first = read_first_chunk_and_leave(res).await;
    assert!(!first.contains("word10"));

    let user_id = app_user(&app);
    let first = Question {
        id: 1,
        conversation_id: 1,
        user_id: &user_id,
    };
    eventually("the reply is saved", || {
        let reply = Message::find_reply(&mut app.conn(), first).unwrap();
        reply.is_some_and(|r| r.status == "done" && r.content.trim_end().ends_with("word10"))
    })
    .await;
}

fn app_user(app: &crate::helpers::TestApp) -> String {
    use diesel::prelude::*;
    tasktalk::db::schema::user::table
        .select(tasktalk::db::schema::user::id)
        .get_result(&mut **app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_failed_answer_keeps_the_message_and_offers_a_retry_that_works() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (browser, _) = app.signed_in_browser("ria@example.com").await;
    fake.push(Reply::Status(401, None));
    app.post_form(
        &browser,
        "/chat",
        &[("message", "Add a task to buy groceries")],
    )
    .await;

    let events = app.read_stream(&browser, "/chat/1/messages/1/reply").await;
    let done = &events.last().unwrap().1;
    assert!(
        done.contains("could not answer") && done.contains("/chat/1/messages/1/retry"),
        "{done}"
    );
    let page = app.get(&browser, "/chat/1").await.text().await.unwrap();
    assert!(page.contains("Add a task to buy groceries") && page.contains("Try again"));

    let retried = browser
        .post(app.url("/chat/1/messages/1/retry"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), 200);
    assert!(
        retried
            .text()
            .await
            .unwrap()
            .contains("sse-connect=\"/chat/1/messages/1/reply\"")
    );
    fake.push(Reply::text("Sorted."));
    let events = app.read_stream(&browser, "/chat/1/messages/1/reply").await;
    assert!(events.last().unwrap().1.contains("Sorted."));
    assert_eq!(app.count("message"), 2);
}

#[tokio::test]
async fn assistant_markdown_with_scripts_and_javascript_links_comes_out_inert() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::Gemini).await;
    let (browser, _) = app.signed_in_browser("xss@example.com").await;
    fake.push(Reply::text(
        "**Done** <script>alert('x')</script> [click me](javascript:alert(1)) <img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">a</a>",
    ));
    app.post_form(&browser, "/chat", &[("message", "hi")]).await;
    let events = app.read_stream(&browser, "/chat/1/messages/1/reply").await;

    for (name, data) in &events {
        for bad in ["<script", "javascript:", "onerror", "<img"] {
            assert!(!data.contains(bad), "{bad} in the {name} event: {data}");
        }
    }
    let page = app.get(&browser, "/chat/1").await.text().await.unwrap();
    assert!(page.contains("<strong>Done</strong>"));
    assert!(
        !page.contains("<script>alert")
            && !page.contains("javascript:")
            && !page.contains("onerror")
    );
}

#[tokio::test]
async fn an_expired_session_while_typing_keeps_the_page_and_says_sign_in_again() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("kim@example.com").await;
    app.say(&browser, None, "add milk").await;
    app.sql("DELETE FROM \"session\"");

    let res = browser
        .post(app.url("/chat/1/messages"))
        .header("HX-Request", "true")
        .header("HX-Current-URL", app.url("/chat/1"))
        .form(&[("message", "my long draft")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["hx-retarget"], "#toasts");
    let toast = res.text().await.unwrap();
    assert!(
        toast.contains("session expired") && toast.contains("/login?next=%2Fchat%2F1"),
        "{toast}"
    );
    assert_eq!(app.count("message"), 2);
}

#[tokio::test]
async fn signing_in_lands_on_the_chat() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("lee@example.com").await;
    let home = app.get(&browser, "/").await;
    assert_eq!(home.headers()["location"], "/chat");
    let page = app.get(&browser, "/chat").await.text().await.unwrap();
    assert!(page.contains("What needs doing?") && page.contains("lee@example.com"));
}

#[tokio::test]
async fn a_retry_continues_after_the_tools_that_already_ran_instead_of_repeating_them() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (browser, _) = app.signed_in_browser("rex@example.com").await;
    fake.push(Reply::call(
        "add_task",
        serde_json::json!({"title": "Buy milk"}),
    ));
    fake.push(Reply::Status(401, None));
    app.post_form(&browser, "/chat", &[("message", "Add a task to buy milk")])
        .await;
    let failed = app.read_stream(&browser, "/chat/1/messages/1/reply").await;
    let done = &failed.last().unwrap().1;
    assert!(
        done.contains("could not answer") && done.contains("Added task #1 · Buy milk"),
        "{done}"
    );

    browser
        .post(app.url("/chat/1/messages/1/retry"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    fake.push(Reply::text("Added it."));
    let events = app.read_stream(&browser, "/chat/1/messages/1/reply").await;
    let done = &events.last().unwrap().1;
    assert!(
        done.contains("Added it.") && done.contains("Added task #1 · Buy milk"),
        "{done}"
    );

    assert_eq!(app.count("task"), 1, "the task was not added twice");
    let retried = fake.requests().pop().unwrap().to_string();
    assert!(
        retried.contains("add_task") && retried.contains("\\\"status\\\":\\\"created\\\""),
        "the model saw what already ran: {retried}"
    );
    assert_eq!(fake.violations(), Vec::<String>::new());
    assert_eq!(app.count("message"), 2);
}

#[tokio::test]
async fn a_message_never_answered_waits_for_a_click_instead_of_running_when_the_page_opens_later() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("later@example.com").await;
    let keep = app.seed_task(&me, "Keep me");
    // Sent, but the page that sent it never opened its answer (closed at once).
    let sent = app
        .post_form(
            &browser,
            "/chat",
            &[("message", &format!("delete task {keep}"))],
        )
        .await;
    assert_eq!(sent.status(), 303);

    // Just sent: the page still answers it, as the sending page would.
    let page = app.get(&browser, "/chat/1").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"assistant-pending\""), "{page}");

    // Opened a minute later: it is offered, not run.
    let a_minute_ago = crate::helpers::sql_time(chrono::Duration::seconds(-60));
    app.sql(&format!("UPDATE message SET created_at = '{a_minute_ago}'"));
    let page = app.get(&browser, "/chat/1").await.text().await.unwrap();
    assert!(
        page.contains("data-testid=\"assistant-unanswered\""),
        "{page}"
    );
    assert!(!page.contains("sse-connect"), "nothing connects to run it");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.tasks_of(&me).len(), 1, "the old request did not run");
    assert_eq!(app.count("message"), 1);

    // Asked for with a click, it runs.
    let retried = browser
        .post(app.url("/chat/1/messages/1/retry"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert!(retried.text().await.unwrap().contains("sse-connect"));
    app.read_stream(&browser, "/chat/1/messages/1/reply").await;
    assert_eq!(app.count("message"), 2, "answered once asked");
}
