//! The chat through fake OpenAI and Gemini servers: every product sentence,
//! the wire formats, memory across turns, and every kind of provider failure.
//! Each scenario runs once per wire format.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::chat_helpers::{Wire, point_at, spawn_app_on};
use crate::fake_llm::{FakeLlm, Reply};
use crate::helpers::{TestApp, spawn_app_with};

macro_rules! on_both_wires {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use super::Wire;
            #[tokio::test]
            async fn openai() {
                super::$scenario(Wire::OpenAi).await
            }
            #[tokio::test]
            async fn gemini() {
                super::$scenario(Wire::Gemini).await
            }
        }
    )*};
}

on_both_wires!(
    product_sentences,
    context_carries_over_between_turns,
    a_server_error_is_retried,
    a_rate_limit_is_retried_after_the_delay_it_asks_for,
    a_stalled_provider_times_out_and_keeps_the_message,
    a_stream_cut_midway_fails_cleanly,
    malformed_json_fails_cleanly,
    a_rejected_key_fails_without_retrying,
    the_step_limit_ends_a_runaway_loop,
    an_answer_without_end_fails_the_reply_and_keeps_the_message,
    an_answer_with_too_many_tool_calls_runs_none_of_them,
    an_answer_streaming_past_the_answer_timeout_is_given_up,
    a_turn_past_its_byte_budget_fails_before_its_next_tools_run,
);

async fn setup(wire: Wire) -> (FakeLlm, TestApp, reqwest::Client, String) {
    let fake = FakeLlm::start().await;
    let app = spawn_app_on(&fake, wire).await;
    let (client, me) = app.signed_in_browser("pat@example.com").await;
    (fake, app, client, me)
}

fn call(name: &str, args: Value) -> Reply {
    Reply::call(name, args)
}

async fn product_sentences(wire: Wire) {
    let (fake, app, client, me) = setup(wire).await;
    let script: Vec<(&str, Vec<Reply>)> = vec![
        (
            "Add a task to buy groceries",
            vec![
                call("add_task", json!({"title": "Buy groceries"})),
                Reply::text("Added task #1: Buy groceries."),
            ],
        ),
        (
            "I need to remember to pay bills",
            vec![
                call(
                    "add_task",
                    json!({"title": "Pay bills", "description": "electricity"}),
                ),
                Reply::text("Added task #2: Pay bills."),
            ],
        ),
        (
            "Show me all my tasks",
            vec![
                call("list_tasks", json!({"status": "all"})),
                Reply::text("1. Buy groceries\n2. Pay bills\n3. Team meeting"),
            ],
        ),
        (
            "Mark task 3 as complete",
            vec![
                call("complete_task", json!({"task_id": 3})),
                Reply::text("Marked task #3 as complete."),
            ],
        ),
        (
            "What's pending?",
            vec![
                call("list_tasks", json!({"status": "pending"})),
                Reply::text("Pending: Buy groceries, Pay bills."),
            ],
        ),
        (
            "What have I completed?",
            vec![
                call("list_tasks", json!({"status": "completed"})),
                Reply::text("Completed: Team meeting."),
            ],
        ),
        (
            "Delete the meeting task",
            vec![
                call("list_tasks", json!({})),
                call("delete_task", json!({"task_id": 3})),
                Reply::text("Deleted task #3: Team meeting."),
            ],
        ),
        (
            "Change task 1 to 'Call mom tonight'",
            vec![
                call(
                    "update_task",
                    json!({"task_id": 1, "title": "Call mom tonight"}),
                ),
                Reply::text("Task #1 is now \"Call mom tonight\"."),
            ],
        ),
    ];
    let mut conversation = None;
    for (sentence, replies) in script {
        if sentence == "Show me all my tasks" {
            app.seed_task(&me, "Team meeting");
        }
        let expected_calls = replies
            .iter()
            .filter(|r| matches!(r, Reply::Calls(_)))
            .count();
        let last_text = match replies.last() {
            Some(Reply::Text(pieces)) => pieces.concat(),
            _ => unreachable!(),
        };
        for reply in replies {
            fake.push(reply);
        }
        let body = app.say(&client, conversation, sentence).await;
        conversation = body["conversation_id"].as_i64();
        assert_eq!(body["response"], last_text.as_str(), "{sentence}");
        assert_eq!(
            body["tool_calls"].as_array().unwrap().len(),
            expected_calls,
            "{sentence}"
        );
        for c in body["tool_calls"].as_array().unwrap() {
            assert!(c["result"].get("error").is_none(), "{sentence}: {c}");
        }
    }
    assert_eq!(fake.violations(), Vec::<String>::new());
    assert_eq!(
        app.tasks_of(&me),
        vec![
            (1, "Call mom tonight".into(), false),
            (2, "Pay bills".into(), false)
        ]
    );

    // The model saw each tool's result: the list it asked for came back to it.
    let requests = fake.requests();
    let after_list = requests[5].to_string();
    assert!(
        after_list.contains("Team meeting") && after_list.contains("Pay bills"),
        "{after_list}"
    );
    match wire {
        Wire::OpenAi => {
            let messages = requests[1]["messages"].as_array().unwrap();
            let tool = messages.last().unwrap();
            assert_eq!(tool["role"], "tool");
            assert_eq!(tool["tool_call_id"], "call_1_0");
            let result: Value = serde_json::from_str(tool["content"].as_str().unwrap()).unwrap();
            assert_eq!(
                result,
                json!({"task_id": 1, "status": "created", "title": "Buy groceries"})
            );
            let assistant = &messages[messages.len() - 2];
            assert_eq!(assistant["content"], "");
            assert_eq!(
                assistant["tool_calls"][0]["function"]["arguments"],
                "{\"title\":\"Buy groceries\"}"
            );
        }
        Wire::Gemini => {
            let contents = requests[1]["contents"].as_array().unwrap();
            let last = contents.last().unwrap();
            assert_eq!(last["role"], "user");
            assert_eq!(last["parts"][0]["functionResponse"]["name"], "add_task");
            assert_eq!(
                last["parts"][0]["functionResponse"]["response"]["task_id"],
                1
            );
            assert!(contents[contents.len() - 2]["parts"][0]["thoughtSignature"].is_string());
            assert!(!requests[0].to_string().contains("additionalProperties"));
        }
    }
}

async fn context_carries_over_between_turns(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(call("add_task", json!({"title": "Buy groceries"})));
    fake.push(Reply::text("Added task #1."));
    let c = app.say(&client, None, "Add a task to buy groceries").await["conversation_id"].as_i64();
    fake.push(Reply::text("You asked me to add groceries."));
    app.say(&client, c, "What did I just ask you?").await;

    let last = fake.requests().pop().unwrap();
    let text = last.to_string();
    assert!(
        text.contains("Add a task to buy groceries")
            && text.contains("Added task #1.")
            && text.contains("What did I just ask you?"),
        "{text}"
    );
    assert!(
        text.contains("add_task"),
        "the earlier tool call is part of the history"
    );
    assert_eq!(fake.violations(), Vec::<String>::new());
}

async fn a_server_error_is_retried(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Status(500, None));
    fake.push(Reply::Status(503, None));
    fake.push(Reply::text("Fine now."));
    let body = app.say(&client, None, "hello").await;
    assert_eq!(body["response"], "Fine now.");
    assert_eq!(fake.requests().len(), 3);
}

async fn a_rate_limit_is_retried_after_the_delay_it_asks_for(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Status(429, Some(1)));
    fake.push(Reply::text("Here I am."));
    let started = Instant::now();
    let body = app.say(&client, None, "hello").await;
    assert_eq!(body["response"], "Here I am.");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as asked"
    );
    assert_eq!(fake.requests().len(), 2);
}

/// The user's message is kept and the conversation says the assistant failed.
async fn assert_failed_but_kept(app: &TestApp, client: &reqwest::Client, message: &str) {
    let (status, body) = app.chat(client, None, message).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "ASSISTANT_UNAVAILABLE");
    let c = body["error"]["conversation_id"].as_i64().unwrap();
    let history: Value = app
        .get(client, &format!("/api/conversations/{c}/messages"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["messages"][0]["content"], message);
    assert_eq!(history["messages"][1]["status"], "failed");
}

async fn a_stalled_provider_times_out_and_keeps_the_message(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Stall(Duration::from_secs(3)));
    let started = Instant::now();
    assert_failed_but_kept(&app, &client, "are you there?").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up at the idle timeout"
    );
}

/// A provider that talks past 256 KiB of text (looping, or not what it
/// claims to be) fails the reply instead of filling the run's memory and
/// the database; the message is kept, to be retried.
async fn an_answer_without_end_fails_the_reply_and_keeps_the_message(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Text(vec!["talk ".repeat(205); 300]));
    assert_failed_but_kept(&app, &client, "say something").await;
}

/// A provider that keeps streaming (each piece within the idle timeout)
/// and never finishes is given up at `AI_ANSWER_TIMEOUT_SECONDS`: the reply
/// fails, the message is kept, and the run's place is free again.
async fn an_answer_streaming_past_the_answer_timeout_is_given_up(wire: Wire) {
    let fake = FakeLlm::start().await;
    let app = spawn_app_with(|s| {
        point_at(s, &fake, wire);
        s.ai.answer_timeout = Duration::from_secs(2);
    })
    .await;
    let (client, _) = app.signed_in_browser("pat@example.com").await;
    fake.push(Reply::Slow(
        vec![String::new(); 200],
        Duration::from_millis(300),
    ));
    let started = Instant::now();
    assert_failed_but_kept(&app, &client, "are you still there?").await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "given up in time"
    );
    let (status, _) = app.chat(&client, None, "hello again").await;
    assert_eq!(status, 200);
}

/// Steps each within the bounds of one answer add up: a turn whose model
/// sends more than 1 MiB in all fails there, and the step that went past it
/// neither runs its tools nor leads to another.
async fn a_turn_past_its_byte_budget_fails_before_its_next_tools_run(wire: Wire) {
    let (fake, app, client, me) = setup(wire).await;
    let long = "y".repeat(15 * 1024);
    for _ in 0..3 {
        fake.push(Reply::Calls(
            (0..40)
                .map(|_| ("add_task".to_owned(), json!({ "title": long })))
                .collect(),
        ));
    }
    fake.push(Reply::Calls(vec![(
        "add_task".to_owned(),
        json!({"title": "never"}),
    )]));
    assert_failed_but_kept(&app, &client, "add these").await;
    assert_eq!(fake.requests().len(), 2, "no step after the budget ran out");
    assert!(app.tasks_of(&me).is_empty());
}

/// 65 tool calls in one answer: none of them runs.
async fn an_answer_with_too_many_tool_calls_runs_none_of_them(wire: Wire) {
    let (fake, app, client, me) = setup(wire).await;
    fake.push(Reply::Calls(
        (0..65)
            .map(|i| ("add_task".to_owned(), json!({"title": format!("task {i}")})))
            .collect(),
    ));
    assert_failed_but_kept(&app, &client, "add 65 tasks").await;
    assert!(app.tasks_of(&me).is_empty());
}

async fn a_stream_cut_midway_fails_cleanly(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Cut);
    assert_failed_but_kept(&app, &client, "tell me").await;
}

async fn malformed_json_fails_cleanly(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Malformed);
    assert_failed_but_kept(&app, &client, "tell me").await;
}

async fn a_rejected_key_fails_without_retrying(wire: Wire) {
    let fake = FakeLlm::start().await;
    let app = spawn_app_with(|s| {
        point_at(s, &fake, wire);
        match wire {
            Wire::OpenAi => s.ai.openai.api_key = Some("sk-wrong".to_owned().into()),
            Wire::Gemini => s.ai.gemini.api_key = Some("wrong".to_owned().into()),
        }
    })
    .await;
    let (client, _) = app.signed_in_browser("key@example.com").await;
    assert_failed_but_kept(&app, &client, "hello").await;
    assert_eq!(
        fake.requests().len(),
        0,
        "refused before reading the body, and not retried"
    );
}

async fn the_step_limit_ends_a_runaway_loop(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    for _ in 0..10 {
        fake.push(call("list_tasks", json!({})));
    }
    let body = app.say(&client, None, "loop forever").await;
    assert_eq!(body["tool_calls"].as_array().unwrap().len(), 6);
    assert!(body["response"].as_str().unwrap().contains("more steps"));
}

#[tokio::test]
async fn when_openai_fails_gemini_answers() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_with(|s| {
        point_at(s, &fake, Wire::OpenAi);
        point_at(s, &fake, Wire::Gemini);
        s.ai.max_retries = 1;
    })
    .await;
    let (client, _) = app.signed_in_browser("fal@example.com").await;
    fake.push(Reply::Status(500, None));
    fake.push(Reply::Status(500, None));
    fake.push(Reply::text("Gemini here."));
    let body = app.say(&client, None, "hello").await;
    assert_eq!(body["response"], "Gemini here.");
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[1]["messages"].is_array() && requests[2]["contents"].is_array());
}

on_both_wires!(a_delay_longer_than_any_duration_is_a_clean_failure_not_a_retry);

/// Gemini's `retryDelay` of 18446744073709551615s overflowed `Duration` and panicked.
async fn a_delay_longer_than_any_duration_is_a_clean_failure_not_a_retry(wire: Wire) {
    let (fake, app, client, _) = setup(wire).await;
    fake.push(Reply::Status(429, Some(u64::MAX)));
    let started = Instant::now();
    assert_failed_but_kept(&app, &client, "hello").await;
    assert!(started.elapsed() < Duration::from_secs(5), "did not wait");
    assert_eq!(fake.requests().len(), 1, "not retried");
}
