//! The chat with the built-in offline assistant: every sentence of the
//! product, its variants, memory across turns, through the JSON API.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_product_sentence_works_with_the_offline_assistant() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("olga@example.com").await;

    let first = app.say(&client, None, "Add a task to buy groceries").await;
    let conversation = first["conversation_id"].as_i64().unwrap();
    assert_eq!(first["tool_calls"][0]["name"], "add_task");
    assert_eq!(
        first["tool_calls"][0]["arguments"],
        json!({"title": "Buy groceries"})
    );
    assert_eq!(first["tool_calls"][0]["result"]["status"], "created");
    assert!(
        first["response"]
            .as_str()
            .unwrap()
            .contains("Buy groceries")
    );

    let said = |m: &'static str| app.say(&client, Some(conversation), m);
    said("I need to remember to pay bills").await;
    app.seed_task(&me, "Team meeting agenda");
    let all = said("Show me all my tasks").await;
    let text = all["response"].as_str().unwrap();
    assert!(
        text.contains("Buy groceries")
            && text.contains("Pay bills")
            && text.contains("Team meeting agenda")
    );

    let done = said("Mark task 1 as complete").await;
    assert_eq!(
        done["tool_calls"][0]["result"],
        json!({"task_id": 1, "status": "completed", "title": "Buy groceries"})
    );
    let pending = said("What's pending?").await;
    assert_eq!(
        pending["tool_calls"][0]["arguments"],
        json!({"status": "pending"})
    );
    assert!(
        !pending["response"]
            .as_str()
            .unwrap()
            .contains("Buy groceries")
    );
    let completed = said("What have I completed?").await;
    assert!(
        completed["response"]
            .as_str()
            .unwrap()
            .contains("Buy groceries")
    );

    let asked = said("Delete the meeting task").await;
    assert_eq!(asked["tool_calls"][0]["name"], "list_tasks", "lists first");
    assert_eq!(asked["tool_calls"].as_array().unwrap().len(), 1);
    assert!(
        asked["response"]
            .as_str()
            .unwrap()
            .starts_with("Do you want me to delete task #3")
    );
    let deleted = said("yes").await;
    assert_eq!(
        deleted["tool_calls"][0]["arguments"],
        json!({"task_id": 3}),
        "then deletes the task it asked about"
    );

    let changed = said("Change task 2 to 'Call mom tonight'").await;
    assert_eq!(
        changed["tool_calls"][0]["result"]["title"],
        "Call mom tonight"
    );

    let titles: Vec<(i64, String, bool)> = app.tasks_of(&me);
    assert_eq!(
        titles,
        vec![
            (1, "Buy groceries".into(), true),
            (2, "Call mom tonight".into(), false)
        ]
    );
}

#[tokio::test]
async fn obvious_variants_are_understood() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("vic@example.com").await;
    let c = app.say(&client, None, "add buy milk").await["conversation_id"].as_i64();
    app.say(&client, c, "add walk the dog").await;
    app.say(&client, c, "done with 1").await;
    app.say(&client, c, "rename task 2 to Walk the dog twice")
        .await;
    let shown = app.say(&client, c, "show completed").await;
    assert!(shown["response"].as_str().unwrap().contains("Buy milk"));
    app.say(&client, c, "remove task 2").await;
    assert_eq!(app.tasks_of(&me), vec![(1, "Buy milk".into(), true)]);
}

#[tokio::test]
async fn an_ambiguous_name_gets_a_question_and_the_answer_carries_over() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("amy@example.com").await;
    let a = app.seed_task(&me, "Team meeting prep");
    let b = app.seed_task(&me, "Meeting notes");

    let asked = app.say(&client, None, "Delete the meeting task").await;
    let question = asked["response"].as_str().unwrap();
    assert!(
        question.contains("Which task")
            && question.contains(&format!("#{a}"))
            && question.contains(&format!("#{b}"))
    );
    assert_eq!(app.tasks_of(&me).len(), 2, "nothing deleted on a guess");

    let c = asked["conversation_id"].as_i64();
    let answered = app.say(&client, c, &b.to_string()).await;
    assert_eq!(answered["tool_calls"][0]["name"], "delete_task");
    assert_eq!(
        app.tasks_of(&me),
        vec![(a, "Team meeting prep".into(), false)]
    );
}

#[tokio::test]
async fn the_offline_assistant_says_what_it_cannot_do() {
    let app = spawn_app().await;
    let (client, _) = app.signed_in_browser("ned@example.com").await;
    let body = app.say(&client, None, "What's the weather in Paris?").await;
    assert_eq!(body["tool_calls"], json!([]));
    assert!(
        body["response"]
            .as_str()
            .unwrap()
            .contains("Add a task to buy groceries")
    );
}

#[tokio::test]
async fn a_missing_task_is_explained_not_an_error() {
    let app = spawn_app().await;
    let (client, _) = app.signed_in_browser("max@example.com").await;
    let body = app.say(&client, None, "Mark task 42 as complete").await;
    assert_eq!(
        body["tool_calls"][0]["result"]["error"]["code"],
        "TASK_NOT_FOUND"
    );
    assert!(body["response"].as_str().unwrap().contains("no task #42"));
}

#[tokio::test]
async fn a_client_that_hangs_up_right_after_posting_to_the_chat_api_still_gets_its_message_answered()
 {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("hangup-api@example.com").await;
    let token = app.jwt(&browser).await;
    let body = json!({"message": "add water the plants"});
    crate::chat_helpers::hang_up_mid_request(&app, "/api/chat", &token, &body).await;
    let client = app.api_client();
    let read = |path: String| {
        let request = client.get(app.url(&path)).bearer_auth(&token).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap() }
    };
    let mut unanswered = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        unanswered.clear();
        let conversations = read("/api/conversations".to_owned()).await;
        for c in conversations.as_array().unwrap() {
            let page = read(format!("/api/conversations/{}/messages", c["id"])).await;
            let done = page["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["role"] == "assistant" && m["status"] == "done");
            if !done {
                unanswered.push(c["id"].clone());
            }
        }
        if unanswered.is_empty() {
            return;
        }
    }
    panic!("conversations left without an answer: {unanswered:?}");
}

#[tokio::test]
async fn a_page_before_the_smallest_id_is_empty_not_an_overflow() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("edge@example.com").await;
    app.say(&browser, None, "hello").await;
    for before in [i64::MIN, 0, 1] {
        let page: Value = app
            .get(
                &browser,
                &format!("/api/conversations/1/messages?before={before}"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["messages"], json!([]), "before={before}");
        let older = app
            .get(&browser, &format!("/chat/1/messages?before={before}"))
            .await;
        assert_eq!(older.status(), 200, "before={before}");
        assert!(
            !older.text().await.unwrap().contains("hello"),
            "before={before}"
        );
    }
}

#[tokio::test]
async fn a_reply_that_listed_thousands_of_tasks_stays_small() {
    // The list served the turn; the reply keeps its first tasks in its text
    // and the list's size in its tool call, not the whole list, so the
    // conversation stays cheap to read, to show and to send to a model.
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("long-list@example.com").await;
    app.add_tasks(&me, 4_000, "");
    let first = app.say(&client, None, "Show me all my tasks").await;
    let conversation = first["conversation_id"].as_i64().unwrap();
    let text = first["response"].as_str().unwrap();
    assert!(text.contains("- …and 3950 more"), "{text}");
    assert!(text.len() < 4_096, "{} bytes", text.len());
    assert_eq!(first["tool_calls"][0]["name"], "list_tasks");
    assert_eq!(first["tool_calls"][0]["result"]["count"], 4_000);

    // A later turn still finds a task by name: it lists again.
    let second = app
        .say(&client, Some(conversation), "Delete the meeting task")
        .await;
    assert_eq!(second["tool_calls"][0]["name"], "list_tasks", "{second}");

    let page = app
        .get(
            &client,
            &format!("/api/conversations/{conversation}/messages"),
        )
        .await;
    let page = page.text().await.unwrap();
    assert!(page.len() < 64 * 1024, "{} bytes", page.len());
    let shown = app
        .get(&client, &format!("/chat/{conversation}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("Listed 4000 tasks"),
        "the card keeps the count"
    );
}
