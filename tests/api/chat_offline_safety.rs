//! The offline assistant never touches a task it was not plainly asked about,
//! survives awkward Unicode, and shows task titles as text, not Markdown.

use diesel::prelude::*;
use serde_json::json;
use tasktalk::db::schema::task;

use crate::helpers::{TestApp, spawn_app};

/// `(id, title, completed, description)` of every task of `user_id`.
fn tasks_with_descriptions(
    app: &TestApp,
    user_id: &str,
) -> Vec<(i64, String, bool, Option<String>)> {
    task::table
        .filter(task::user_id.eq(user_id))
        .order(task::id)
        .select((task::id, task::title, task::completed, task::description))
        .load(&mut **app.conn())
        .expect("tasks")
}

#[tokio::test]
async fn numbers_and_verbs_inside_an_add_never_touch_the_task_with_that_number() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("ida@example.com").await;
    let ids: Vec<i64> = ["Gym", "Market", "Parcels", "Eraser", "Euros", "Charger"]
        .iter()
        .map(|t| app.seed_task(&me, t))
        .collect();
    let before = app.tasks_of(&me);
    let sentences = [
        format!("Add a task to cancel the {} gym memberships", ids[0]),
        format!("Remind me to go to the market at {}", ids[1]),
        format!("I need to remember to drop off {} parcels", ids[2]),
        format!("add buy {} eraser refills", ids[3]),
        format!("Add task: exchange {} euros to dollars", ids[4]),
        format!("Add a task to delete task {}", ids[5]),
    ];

    let mut c = None;
    for sentence in &sentences {
        let body = app.say(&client, c, sentence).await;
        c = body["conversation_id"].as_i64();
        let names: Vec<&str> = body["tool_calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["add_task"], "{sentence}");
    }

    let after = app.tasks_of(&me);
    assert_eq!(
        after[..before.len()],
        before[..],
        "no existing task changed"
    );
    let added: Vec<&str> = after[before.len()..]
        .iter()
        .map(|(_, t, _)| t.as_str())
        .collect();
    assert_eq!(
        added,
        [
            format!("Cancel the {} gym memberships", ids[0]),
            format!("Go to the market at {}", ids[1]),
            format!("Drop off {} parcels", ids[2]),
            format!("Buy {} eraser refills", ids[3]),
            format!("Exchange {} euros to dollars", ids[4]),
            format!("Delete task {}", ids[5]),
        ]
    );
}

#[tokio::test]
async fn updating_a_description_leaves_the_title_alone() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("jon@example.com").await;
    let id = app.seed_task(&me, "Pack for the trip");

    let body = app
        .say(
            &client,
            None,
            &format!("update task {id} description to bring the charger"),
        )
        .await;

    assert_eq!(
        body["tool_calls"][0]["arguments"],
        json!({"task_id": id, "description": "bring the charger"})
    );
    assert_eq!(
        tasks_with_descriptions(&app, &me),
        vec![(
            id,
            "Pack for the trip".into(),
            false,
            Some("bring the charger".into())
        )]
    );
}

#[tokio::test]
async fn a_delete_by_name_asks_first_and_deletes_only_after_a_yes() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("kim@example.com").await;
    let gym = app.seed_task(&me, "Gym");
    let milk = app.seed_task(&me, "Buy milk");

    let asked = app.say(&client, None, "Delete the gym task").await;
    let c = asked["conversation_id"].as_i64();
    assert_eq!(
        asked["response"],
        format!("Do you want me to delete task #{gym} “Gym”? Reply yes or no.")
    );
    assert_eq!(app.tasks_of(&me).len(), 2, "nothing deleted on a question");

    let kept = app.say(&client, c, "no").await;
    assert_eq!(kept["tool_calls"], json!([]));
    assert_eq!(app.tasks_of(&me).len(), 2, "a no deletes nothing");
    let stale = app.say(&client, c, "yes").await;
    assert_eq!(
        stale["tool_calls"],
        json!([]),
        "a yes answers only the last question"
    );

    app.say(&client, c, "Delete the gym task").await;
    let done = app.say(&client, c, "Yes please").await;
    assert_eq!(done["tool_calls"][0]["name"], "delete_task");
    assert_eq!(done["tool_calls"][0]["arguments"], json!({"task_id": gym}));
    assert_eq!(app.tasks_of(&me), vec![(milk, "Buy milk".into(), false)]);
}

#[tokio::test]
async fn unicode_that_changes_length_when_lowercased_is_kept_as_typed() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("lea@example.com").await;
    let id = app.seed_task(&me, "Keep me");

    for sentence in [
        "add task ß",
        "add tasK milk",
        "add task ﬁ",
        &format!("rename İİ {id} to x"),
        &format!("rename ȺȺ {id} to x"),
        &format!("edit İ task {id} to é"),
    ] {
        app.say(&client, None, sentence).await;
    }

    let titles: Vec<String> = app.tasks_of(&me).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(titles, ["Keep me", "ß", "Milk", "ﬁ"]);
}

#[tokio::test]
async fn a_title_written_as_markdown_is_listed_as_text() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("mia@example.com").await;
    app.seed_task(&me, "[Verify](https://evil.example/login)");
    app.seed_task(&me, "<iframe src=https://evil.example>");
    app.seed_task(&me, "# Big");

    let created = app
        .post_form(&browser, "/chat", &[("message", "Show me all my tasks")])
        .await;
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let page = app.get(&browser, &location).await.text().await.unwrap();
    let stream = page
        .split("sse-connect=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the reply streams")
        .to_owned();
    let events = app.read_stream(&browser, &stream).await;
    let (name, done) = events.last().unwrap();
    assert_eq!(name, "done");
    let reopened = app.get(&browser, &location).await.text().await.unwrap();

    for html in [done, &reopened] {
        assert!(!html.contains("<a href=\"https://evil.example"), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
        assert!(!html.contains("<h1>Big"), "{html}");
        assert!(
            html.contains("[Verify](https://evil.example/login)"),
            "{html}"
        );
    }
}

/// The names of the tools one reply called.
fn tools_called(body: &serde_json::Value) -> Vec<String> {
    body["tool_calls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .map(|t| t["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_count_or_a_signed_number_never_touches_the_task_with_that_number() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("nia@example.com").await;
    let ids: Vec<i64> = ["Gym", "Market", "Parcels"]
        .iter()
        .map(|t| app.seed_task(&me, t))
        .collect();
    let before = app.tasks_of(&me);
    let (a, b, c) = (ids[0], ids[1], ids[2]);

    for sentence in [
        format!("Delete {a} tasks"),
        format!("complete {b} tasks"),
        format!("close {c} tasks"),
        format!("Delete {a} task"),
        format!("complete {b} task"),
        format!("delete task -{a}"),
        format!("delete task +{b}"),
        format!("delete task ~{c}"),
        format!("delete task ({a})"),
        format!("complete task {b}.5"),
        format!("delete {c}%"),
    ] {
        let body = app.say(&client, None, &sentence).await;
        assert_eq!(tools_called(&body), Vec::<String>::new(), "{sentence}");
        assert!(
            body["response"]
                .as_str()
                .unwrap_or_default()
                .contains("I haven't changed anything"),
            "{sentence}: {body}"
        );
    }

    assert_eq!(app.tasks_of(&me), before, "no task changed");
}

#[tokio::test]
async fn an_answer_to_which_task_picks_only_a_task_the_question_offered() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("oda@example.com").await;
    let gym = app.seed_task(&me, "Gym");
    let bag = app.seed_task(&me, "Gym bag");
    let other = app.seed_task(&me, "Call the bank");
    let before = app.tasks_of(&me);

    for answer in [
        other.to_string(),
        format!("no, {other}"),
        format!("no, {gym}"),
        format!("nope {bag}"),
        format!("-{gym}"),
        format!("({bag})"),
    ] {
        let asked = app.say(&client, None, "Delete the gym task").await;
        assert!(
            asked["response"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Which task should I delete?"),
            "{asked}"
        );
        let c = asked["conversation_id"].as_i64();
        let body = app.say(&client, c, &answer).await;
        assert_eq!(tools_called(&body), Vec::<String>::new(), "{answer}");
    }
    assert_eq!(app.tasks_of(&me), before, "no answer above picked a task");

    let asked = app.say(&client, None, "Delete the gym task").await;
    let c = asked["conversation_id"].as_i64();
    let body = app.say(&client, c, &bag.to_string()).await;
    assert_eq!(tools_called(&body), ["delete_task"]);
    assert_eq!(
        app.tasks_of(&me),
        vec![
            (gym, "Gym".into(), false),
            (other, "Call the bank".into(), false)
        ]
    );
}

#[tokio::test]
async fn an_acknowledgement_asks_again_and_only_a_yes_deletes() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("pia@example.com").await;
    let gym = app.seed_task(&me, "Gym");
    let question = format!("Do you want me to delete task #{gym} “Gym”? Reply yes or no.");

    let asked = app.say(&client, None, "Delete the gym task").await;
    assert_eq!(asked["response"], question);
    let c = asked["conversation_id"].as_i64();
    for ack in ["ok, thanks", "thanks", "ok cool", "ok"] {
        let body = app.say(&client, c, ack).await;
        assert_eq!(tools_called(&body), Vec::<String>::new(), "{ack}");
        let again = body["response"].as_str().unwrap_or_default();
        assert!(again.starts_with(&question), "{ack}: {again}");
        assert_eq!(app.tasks_of(&me).len(), 1, "{ack} deleted nothing");
    }

    let done = app.say(&client, c, "yes delete it").await;
    assert_eq!(tools_called(&done), ["delete_task"]);
    assert_eq!(app.tasks_of(&me), vec![]);
}

#[tokio::test]
async fn changing_a_task_to_a_quoted_state_word_renames_it() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("quin@example.com").await;
    let id = app.seed_task(&me, "Write report");

    let body = app
        .say(&client, None, &format!("Change task {id} to 'done'"))
        .await;

    assert_eq!(tools_called(&body), ["update_task"]);
    assert_eq!(app.tasks_of(&me), vec![(id, "Done".into(), false)]);
}

#[tokio::test]
async fn a_delete_asked_as_a_question_is_confirmed_before_anything_is_deleted() {
    let app = spawn_app().await;
    let (client, me) = app.signed_in_browser("rui@example.com").await;
    let first = app.seed_task(&me, "Gym");
    let second = app.seed_task(&me, "Market");
    let third = app.seed_task(&me, "Parcels");

    let asked = app
        .say(&client, None, &format!("delete task {first}?"))
        .await;
    assert_eq!(tools_called(&asked), ["list_tasks"]);
    assert_eq!(
        asked["response"],
        format!("Do you want me to delete task #{first} “Gym”? Reply yes or no.")
    );
    let asked = app
        .say(&client, None, &format!("so, delete task {second}?"))
        .await;
    assert_eq!(tools_called(&asked), ["list_tasks"]);
    assert_eq!(app.tasks_of(&me).len(), 3, "a question deletes nothing");

    let c = asked["conversation_id"].as_i64();
    let done = app.say(&client, c, "yes").await;
    assert_eq!(tools_called(&done), ["delete_task"]);
    assert_eq!(
        done["tool_calls"][0]["arguments"],
        json!({"task_id": second})
    );

    // A polite "can you …?" is a request, done at once.
    let polite = app
        .say(&client, None, &format!("can you delete task {third}?"))
        .await;
    assert_eq!(tools_called(&polite), ["delete_task"]);
    assert_eq!(app.tasks_of(&me), vec![(first, "Gym".into(), false)]);
}
