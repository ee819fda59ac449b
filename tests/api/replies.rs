//! No reply is ever left pending: a run that panics is stored failed at once,
//! a reply whose server died is failed by the next reader on any replica and
//! can be retried, viewers who leave free their stream, and SIGTERM lets
//! running replies finish (or stores them failed) before the server exits.
//! The SIGKILL and SIGTERM cases run the real binary as a second replica.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};
use tasktalk::ai::agent::AgentEvent;
use tasktalk::chat::run::supervise;
use tasktalk::db::models::{Message, MessageInsertForm};
use tasktalk::db::schema::message;
use tokio::sync::mpsc;

use crate::chat_helpers::{Wire, eventually, point_at, spawn_app_on};
use crate::fake_llm::{FakeLlm, OPENAI_KEY, Reply};
use crate::helpers::{SECRET, TestApp, spawn_app, spawn_app_with};

/// `(id, role, status)` of every message in the database, oldest first.
fn messages(app: &TestApp) -> Vec<(i64, String, String)> {
    message::table
        .order(message::id)
        .select((message::id, message::role, message::status))
        .load(&mut **app.conn())
        .expect("messages")
}

fn pending_replies(app: &TestApp) -> usize {
    messages(app).iter().filter(|m| m.2 == "pending").count()
}

/// A user message in `conversation` and a pending reply to it that run
/// `run_id` holds until `lease_until`, as a running (or dead) server leaves it.
fn question_with_pending_reply(
    app: &TestApp,
    user_id: &str,
    conversation: i64,
    lease_until: chrono::NaiveDateTime,
) -> (Message, Message) {
    let now = chrono::Utc::now().naive_utc();
    let mut conn = app.conn();
    let form = |role, reply_to, status, lease_until, run_id| MessageInsertForm {
        conversation_id: conversation,
        user_id,
        role,
        content: if role == "user" { "add milk" } else { "" },
        tool_calls: None,
        created_at: now,
        reply_to,
        status,
        lease_until,
        run_id,
    };
    let question =
        Message::insert(&mut conn, &form("user", None, "done", None, None)).expect("question");
    let reply = Message::insert(
        &mut conn,
        &form(
            "assistant",
            Some(question.id),
            "pending",
            Some(lease_until),
            Some("run-1"),
        ),
    )
    .expect("reply");
    (question, reply)
}

async fn conversation_of(app: &TestApp, client: &reqwest::Client) -> i64 {
    app.say(client, None, "hello").await["conversation_id"]
        .as_i64()
        .expect("conversation id")
}

async fn statuses(app: &TestApp, client: &reqwest::Client, conversation: i64) -> Vec<String> {
    let page: Value = app
        .get(
            client,
            &format!("/api/conversations/{conversation}/messages"),
        )
        .await
        .json()
        .await
        .expect("json");
    page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_run_that_panics_is_stored_as_failed_at_once() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("pam@example.com").await;
    let c = conversation_of(&app, &browser).await;
    let lease = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(15);
    let (_, reply) = question_with_pending_reply(&app, &me, c, lease);

    let (_agent_tx, agent_events) = mpsc::unbounded_channel::<AgentEvent>();
    let (viewer, _seen) = mpsc::unbounded_channel();
    let started = Instant::now();
    let saved = supervise(
        &app.pool,
        &reply,
        async { panic!("the user's words: add milk") },
        agent_events,
        &viewer,
        std::future::pending(),
    )
    .await
    .expect("the failure is stored");

    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(saved.status, "failed");
    assert_eq!(pending_replies(&app), 0);
    assert_eq!(statuses(&app, &browser, c).await.last().unwrap(), "failed");
}

#[tokio::test]
async fn a_reply_whose_server_died_is_failed_by_the_next_reader_then_retried() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("dan@example.com").await;
    let c = conversation_of(&app, &browser).await;
    let lapsed = chrono::Utc::now().naive_utc() - chrono::TimeDelta::seconds(1);
    let (question, _) = question_with_pending_reply(&app, &me, c, lapsed);

    assert_eq!(statuses(&app, &browser, c).await.last().unwrap(), "failed");
    assert_eq!(pending_replies(&app), 0);

    let events = app
        .read_stream(
            &browser,
            &format!("/chat/{c}/messages/{}/reply", question.id),
        )
        .await;
    let done = &events.last().expect("a done event").1;
    assert!(done.contains("Added task"), "{done}");
    assert_eq!(statuses(&app, &browser, c).await.last().unwrap(), "done");
}

#[tokio::test]
async fn a_reply_whose_run_is_alive_stays_pending_for_other_readers() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("liv@example.com").await;
    let c = conversation_of(&app, &browser).await;
    let alive = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(15);
    question_with_pending_reply(&app, &me, c, alive);

    assert_eq!(statuses(&app, &browser, c).await.last().unwrap(), "pending");
}

#[tokio::test]
async fn viewers_who_leave_free_their_streams_and_the_reply_is_still_saved() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Slow(
        vec!["word ".to_owned(); 20],
        Duration::from_millis(400),
    ));
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (browser, _) = app.signed_in_browser("vic@example.com").await;
    let res = app
        .post_form(&browser, "/chat", &[("message", "tell me something")])
        .await;
    assert_eq!(res.status(), 303);
    let all = messages(&app);
    let question = all
        .iter()
        .rev()
        .find(|m| m.1 == "user")
        .expect("question")
        .0;
    let c: i64 = message::table
        .find(question)
        .select(message::conversation_id)
        .first(&mut **app.conn())
        .expect("conversation");
    let path = format!("/chat/{c}/messages/{question}/reply");

    // Eight streams (the run and seven followers) are as many as one user gets.
    let mut open = Vec::new();
    for _ in 0..8 {
        let res = app.get(&browser, &path).await;
        assert_eq!(res.status(), 200);
        open.push(res);
    }
    assert_eq!(app.get(&browser, &path).await.status(), 429);

    drop(open);
    let mut freed = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let res = app.get(&browser, &path).await;
        if res.status() == 200 {
            freed = true;
            break;
        }
    }
    assert!(freed, "the streams of viewers who left were not closed");
    eventually("the reply is saved", || {
        messages(&app).last().is_some_and(|m| m.2 == "done")
    })
    .await;
}

/// The release-like binary, as a second replica on `app`'s database.
struct Replica {
    child: Child,
    address: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Replica {
    fn start(app: &TestApp, fake: &FakeLlm, grace_seconds: u64) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasktalk"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.database_url)
            .env("BIND", "127.0.0.1")
            .env("PORT", "0")
            .env("WORKERS", "1")
            .env("AUTH_SECRET", SECRET)
            .env("OPENAI_API_KEY", OPENAI_KEY)
            .env("OPENAI_BASE_URL", fake.openai_base())
            .env("OPENAI_MODEL", "gpt-test")
            .env("AI_IDLE_TIMEOUT_SECONDS", "5")
            .env("SHUTDOWN_GRACE_SECONDS", grace_seconds.to_string())
            .env(
                "RUST_LOG",
                std::env::var("REPLICA_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(match std::env::var("REPLICA_LOG_FILE") {
                Ok(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
                Err(_) => Stdio::null(),
            })
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("the binary says where it listens")
                .expect("stdout");
            if let Some(url) = line.strip_prefix("Tasktalk is running at ") {
                break url.trim().to_owned();
            }
        };
        // Keep reading: the server logs to stdout, and a closed pipe would fail its writes.
        std::thread::spawn(move || lines.for_each(drop));
        Replica { child, address }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Whether new connections are refused within `within`.
    async fn refuses_connections_within(&self, within: Duration) -> bool {
        let address = self.address.trim_start_matches("http://").to_owned();
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(&address).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Waits for the process to end; its exit code.
    async fn exit_code(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not exit within {within:?}");
    }

    /// `POST /api/chat` in the background, authenticated by session token.
    fn chat(&self, token: &str, message: &str) -> tokio::task::JoinHandle<(u16, Value)> {
        let (url, token, message) = (
            format!("{}/api/chat", self.address),
            token.to_owned(),
            message.to_owned(),
        );
        tokio::spawn(async move {
            let res = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "message": message }))
                .send()
                .await;
            match res {
                Ok(res) => {
                    let status = res.status().as_u16();
                    (status, res.json().await.unwrap_or(Value::Null))
                }
                Err(_) => (0, Value::Null),
            }
        })
    }
}

/// A signed-up browser and its session token (which any replica accepts as a bearer).
async fn browser_and_token(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let browser = app.browser();
    let token = app.sign_up(&browser, email).await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    (browser, token)
}

async fn until_a_reply_is_pending(app: &TestApp) {
    eventually("a reply is pending", || pending_replies(app) == 1).await;
}

#[tokio::test]
async fn a_replica_killed_mid_reply_leaves_it_retryable_from_another_within_30_seconds() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Slow(
        vec!["slow ".to_owned(); 100],
        Duration::from_millis(300),
    ));
    let app = spawn_app().await;
    let (browser, token) = browser_and_token(&app, "kim@example.com").await;
    let mut doomed = Replica::start(&app, &fake, 20);
    let _request = doomed.chat(&token, "tell me a long story");
    until_a_reply_is_pending(&app).await;

    doomed.signal("KILL");
    let killed_at = Instant::now();
    doomed.exit_code(Duration::from_secs(5)).await;
    let c: i64 = message::table
        .select(message::conversation_id)
        .first(&mut **app.conn())
        .expect("conversation");
    loop {
        if statuses(&app, &browser, c).await.last().unwrap() == "failed" {
            break;
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(30),
            "the dead run's reply is still pending"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let question = messages(&app)
        .iter()
        .find(|m| m.1 == "user")
        .expect("question")
        .0;
    let events = app
        .read_stream(&browser, &format!("/chat/{c}/messages/{question}/reply"))
        .await;
    assert_eq!(events.last().expect("done").0, "done");
    assert_eq!(statuses(&app, &browser, c).await, ["done", "done"]);
}

#[tokio::test]
async fn sigterm_lets_a_running_reply_finish_and_exits_cleanly() {
    let fake = FakeLlm::start().await;
    // Long enough (about 6 s) that the listener is seen closed while the
    // reply is still running, even on a busy machine.
    let words = [
        "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight",
    ];
    fake.push(Reply::Slow(
        words.iter().map(|w| (*w).to_owned()).collect(),
        Duration::from_millis(700),
    ));
    let app = spawn_app().await;
    let (_, token) = browser_and_token(&app, "sam@example.com").await;
    let mut replica = Replica::start(&app, &fake, 20);
    let request = replica.chat(&token, "count to three");
    until_a_reply_is_pending(&app).await;

    replica.signal("TERM");
    let refused = replica
        .refuses_connections_within(Duration::from_secs(2))
        .await;
    let still_answering = !request.is_finished();
    let (status, body) = request.await.expect("the request ends");

    assert!(refused, "new connections were still accepted after SIGTERM");
    assert!(still_answering);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"], words.concat());
    assert_eq!(replica.exit_code(Duration::from_secs(10)).await, Some(0));
    assert_eq!(pending_replies(&app), 0);
}

/// Connects and hangs up as fast as it can until `until`, from `clients`
/// tasks at once; how many connections it made.
async fn churn_connections(address: &str, clients: usize, until: Instant) -> usize {
    let address = address.trim_start_matches("http://").to_owned();
    let churners = (0..clients).map(|_| {
        let address = address.clone();
        tokio::spawn(async move {
            let mut made = 0;
            while Instant::now() < until {
                match tokio::net::TcpStream::connect(&address).await {
                    Ok(conn) => {
                        made += 1;
                        drop(conn);
                    }
                    // Refused: the listener is closed; keep trying until `until`.
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                }
            }
            made
        })
    });
    futures_util::future::join_all(churners)
        .await
        .into_iter()
        .map(|made| made.expect("a churning client"))
        .sum()
}

#[tokio::test]
async fn connections_arriving_as_the_server_stops_do_not_cut_the_replies_in_progress() {
    // A connection that came and went just as the stop reached a worker could
    // make the worker look idle (actix-server before 2.10), and it closed the
    // connection of the reply in progress. That race needs the accept thread
    // preempted at one instruction, so this rarely caught it (nor did the test
    // above, about once in 25 runs on a loaded machine); it holds the contract
    // under the churn that made it possible.
    let fake = FakeLlm::start().await;
    let words: Vec<String> = ["a ", "b ", "c ", "d ", "e"].map(str::to_owned).to_vec();
    fake.push(Reply::Slow(words.clone(), Duration::from_millis(600)));
    let app = spawn_app().await;
    let (_, token) = browser_and_token(&app, "ivy@example.com").await;
    let mut replica = Replica::start(&app, &fake, 20);
    let request = replica.chat(&token, "count to five");
    until_a_reply_is_pending(&app).await;

    let churn = churn_connections(&replica.address, 4, Instant::now() + Duration::from_secs(2));
    let stop = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        replica.signal("TERM");
    };
    let (made, ()) = tokio::join!(churn, stop);

    assert!(made > 0, "no connection was made before the stop");
    let (status, body) = request.await.expect("the request ends");
    assert_eq!(status, 200, "a reply in progress was cut: {body}");
    assert_eq!(body["response"], words.concat());
    assert_eq!(replica.exit_code(Duration::from_secs(15)).await, Some(0));
    assert_eq!(pending_replies(&app), 0);
}

#[tokio::test]
async fn sigterm_stores_replies_still_running_after_the_grace_as_failed() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Slow(
        vec!["slow ".to_owned(); 100],
        Duration::from_millis(300),
    ));
    let app = spawn_app().await;
    let (_, token) = browser_and_token(&app, "ted@example.com").await;
    let mut replica = Replica::start(&app, &fake, 1);
    let request = replica.chat(&token, "tell me a long story");
    until_a_reply_is_pending(&app).await;

    let signalled = Instant::now();
    replica.signal("TERM");
    let (status, body) = request.await.expect("the request ends");

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "ASSISTANT_UNAVAILABLE");
    assert_eq!(replica.exit_code(Duration::from_secs(10)).await, Some(0));
    assert!(signalled.elapsed() < Duration::from_secs(9));
    assert_eq!(pending_replies(&app), 0);
    assert_eq!(messages(&app).last().expect("reply").2, "failed");
}

#[tokio::test]
async fn the_retry_of_a_reply_stopped_by_shutdown_answers_on_another_replica() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Slow(
        vec!["slow ".to_owned(); 100],
        Duration::from_millis(300),
    ));
    let app = spawn_app_with(|s| point_at(s, &fake, Wire::OpenAi)).await;
    let (browser, token) = browser_and_token(&app, "una@example.com").await;
    let mut replica = Replica::start(&app, &fake, 1);
    let request = replica.chat(&token, "tell me a long story");
    until_a_reply_is_pending(&app).await;
    replica.signal("TERM");
    assert_eq!(request.await.expect("ends").0, 503);
    replica.exit_code(Duration::from_secs(10)).await;

    let all = messages(&app);
    let question = all.iter().find(|m| m.1 == "user").expect("question").0;
    let c: i64 = message::table
        .select(message::conversation_id)
        .first(&mut **app.conn())
        .expect("conversation");
    let events = app
        .read_stream(&browser, &format!("/chat/{c}/messages/{question}/reply"))
        .await;
    let done = &events.last().expect("done").1;
    assert!(done.contains("OK."), "{done}");
}

#[tokio::test]
async fn a_head_request_for_a_reply_stream_starts_no_run() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("hal@example.com").await;
    let task = app.seed_task(&me, "Gym");
    let res = app
        .post_form(
            &browser,
            "/chat",
            &[("message", &format!("delete task {task}"))],
        )
        .await;
    assert_eq!(res.status(), 303);
    let question = messages(&app).last().expect("question").0;
    let c: i64 = message::table
        .find(question)
        .select(message::conversation_id)
        .first(&mut **app.conn())
        .expect("conversation");

    let res = browser
        .head(app.url(&format!("/chat/{c}/messages/{question}/reply")))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(messages(&app).len(), 1, "no reply was claimed");
    assert_eq!(app.tasks_of(&me).len(), 1, "the task is still there");
}

#[tokio::test]
async fn a_reply_claimed_by_a_server_from_before_leases_is_given_its_old_ten_minutes() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("old@example.com").await;
    let c = conversation_of(&app, &browser).await;
    let now = chrono::Utc::now().naive_utc();
    let (_, reply) = question_with_pending_reply(&app, &me, c, now);
    let unleased = |created_at: chrono::NaiveDateTime| {
        diesel::update(message::table.find(reply.id))
            .set((
                message::lease_until.eq(None::<chrono::NaiveDateTime>),
                message::run_id.eq(None::<String>),
                message::created_at.eq(created_at),
            ))
            .execute(&mut **app.conn())
            .expect("update");
    };

    unleased(now - chrono::TimeDelta::minutes(1));
    assert_eq!(statuses(&app, &browser, c).await.last().unwrap(), "pending");

    unleased(now - chrono::TimeDelta::minutes(11));
    assert_eq!(statuses(&app, &browser, c).await.last().unwrap(), "failed");
}

/// A tool call as the agent reports it.
fn added_task_call() -> tasktalk::ai::CallRecord {
    tasktalk::ai::CallRecord {
        name: "add_task".into(),
        arguments: json!({"title": "milk"}),
        result: json!({"task_id": 1, "status": "created", "title": "milk"}),
        step: 0,
        id: "call_0".into(),
        signature: None,
    }
}

#[tokio::test]
async fn a_run_that_dies_after_a_tool_ran_keeps_the_tool_call_for_its_retry() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in_browser("kit@example.com").await;
    let c = conversation_of(&app, &browser).await;
    let lease = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(15);

    for how in ["panics", "is stopped"] {
        let (_, reply) = question_with_pending_reply(&app, &me, c, lease);
        let (agent_tx, agent_events) = mpsc::unbounded_channel::<AgentEvent>();
        let (viewer, _seen) = mpsc::unbounded_channel();
        let panics = how == "panics";
        let run = async move {
            let _ = agent_tx.send(AgentEvent::ToolCall(added_task_call()));
            if panics {
                panic!("after a tool ran");
            }
            std::future::pending::<()>().await;
            unreachable!()
        };
        let stopping: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = if panics {
            Box::pin(std::future::pending())
        } else {
            Box::pin(std::future::ready(()))
        };

        let saved = supervise(&app.pool, &reply, run, agent_events, &viewer, stopping)
            .await
            .expect("stored");

        assert_eq!(saved.status, "failed", "a run that {how}");
        let calls = saved.tool_calls.unwrap_or_default();
        assert!(calls.contains("add_task"), "a run that {how}: {calls}");
    }
}

/// A run goes on after its client hangs up, so one user may have only eight
/// going, however they ask: the ninth ask through the chat API or ChatKit is
/// a 429 that stores nothing, a ninth reply stream is a 429 (its message was
/// stored by the page's form), following a reply being written is not
/// refused, hanging up on the eight frees no place, and once they end asking
/// works again.
#[tokio::test]
async fn one_user_gets_only_so_many_runs_at_once_however_they_ask() {
    let fake = FakeLlm::start().await;
    for _ in 0..8 {
        // About 6 s a reply, a piece every 0.5 s (within the provider's idle
        // timeout): time for every refusal below on a busy machine.
        fake.push(Reply::Slow(
            vec!["slow ".to_owned(); 12],
            Duration::from_millis(500),
        ));
    }
    let app = spawn_app_on(&fake, Wire::OpenAi).await;
    let (browser, _) = app.signed_in_browser("busy@example.com").await;
    let token = app.jwt(&browser).await;
    let ask = |message: &str| {
        app.api_client()
            .post(app.url("/api/chat"))
            .bearer_auth(&token)
            .json(&json!({ "message": message }))
            .send()
    };
    let waiting: Vec<_> = (0..8)
        .map(|i| tokio::spawn(ask(&format!("question {i}"))))
        .collect();
    eventually("eight runs asked the provider", || {
        fake.requests().len() == 8
    })
    .await;
    // The askers hang up; their runs go on.
    for asker in &waiting {
        asker.abort();
    }
    let stored = messages(&app).len();
    assert_eq!(stored, 16, "eight questions and their pending replies");

    let refused = ask("a ninth").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RATE_LIMITED");

    let kit = app
        .api_client()
        .post(app.url("/chatkit"))
        .bearer_auth(&token)
        .json(&json!({"type": "threads.create", "params": {"input": {
            "content": [{"type": "input_text", "text": "a ninth"}],
            "attachments": [], "inference_options": {}}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(kit.status(), 429);
    assert_eq!(
        messages(&app).len(),
        stored,
        "nothing of a refused ask is stored"
    );

    // A message sent from the page is stored; its reply stream must wait.
    let posted = app
        .post_form(&browser, "/chat", &[("message", "a ninth")])
        .await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let question = messages(&app).last().unwrap().0;
    let conversation: i64 = message::table
        .find(question)
        .select(message::conversation_id)
        .first(&mut **app.conn())
        .unwrap();
    let stream = browser
        .get(app.url(&format!("/chat/{conversation}/messages/{question}/reply")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 429);

    // Following a reply being written takes no place: a reload or a second
    // tab sees it.
    let (running, running_in): (i64, i64) = message::table
        .filter(message::role.eq("user"))
        .order(message::id)
        .select((message::id, message::conversation_id))
        .first(&mut **app.conn())
        .unwrap();
    let followed = app
        .read_stream(
            &browser,
            &format!("/chat/{running_in}/messages/{running}/reply"),
        )
        .await;
    assert_eq!(
        followed.last().map(|(event, _)| event.as_str()),
        Some("done")
    );

    eventually("the eight runs ended", || {
        messages(&app)
            .iter()
            .filter(|(_, role, status)| role == "assistant" && status == "done")
            .count()
            == 8
    })
    .await;
    // A run frees its place just after its reply is stored.
    for _ in 0..50 {
        let (status, _) = app.chat(&browser, None, "now there is room").await;
        if status != 429 {
            assert_eq!(status, 200);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no place was freed");
}
