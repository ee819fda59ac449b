//! What the chat tests share: an app wired to a fake provider, sending a
//! message through the JSON API, reading a reply stream, and looking at tasks.

use std::time::Duration;

use diesel::prelude::*;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tasktalk::config::ProviderKind;
use tasktalk::db::schema::task;

use crate::fake_llm::{FakeLlm, GEMINI_KEY, GEMINI_MODEL, OPENAI_KEY};
use crate::helpers::{TestApp, spawn_app_with};

/// Which fake wire format an app talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    OpenAi,
    Gemini,
}

/// The app with `wire` as its only provider, pointed at `fake`, with short timeouts.
pub async fn spawn_app_on(fake: &FakeLlm, wire: Wire) -> TestApp {
    spawn_app_with(|s| {
        s.ai.provider = Some(match wire {
            Wire::OpenAi => ProviderKind::OpenAi,
            Wire::Gemini => ProviderKind::Gemini,
        });
        point_at(s, fake, wire);
    })
    .await
}

/// Gives `settings` the key and base URL of `wire` on `fake`.
pub fn point_at(s: &mut tasktalk::config::Settings, fake: &FakeLlm, wire: Wire) {
    match wire {
        Wire::OpenAi => {
            s.ai.openai.api_key = Some(OPENAI_KEY.to_owned().into());
            s.ai.openai.base_url = fake.openai_base();
            s.ai.openai.model = "gpt-test".into();
        }
        Wire::Gemini => {
            s.ai.gemini.api_key = Some(GEMINI_KEY.to_owned().into());
            s.ai.gemini.base_url = fake.gemini_base();
            s.ai.gemini.model = GEMINI_MODEL.into();
        }
    }
    s.ai.idle_timeout = Duration::from_secs(1);
    s.ai.max_retries = 2;
    s.ai.max_retry_wait = Duration::from_secs(5);
}

impl TestApp {
    /// `POST /api/chat`; returns the status and the body.
    pub async fn chat(
        &self,
        client: &reqwest::Client,
        conversation: Option<i64>,
        message: &str,
    ) -> (u16, Value) {
        let mut body = json!({ "message": message });
        if let Some(id) = conversation {
            body["conversation_id"] = json!(id);
        }
        let res = self.post_json(client, "/api/chat", &body).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("json"))
    }

    /// Sends `message` and expects an answer; returns the body.
    pub async fn say(
        &self,
        client: &reqwest::Client,
        conversation: Option<i64>,
        message: &str,
    ) -> Value {
        let (status, body) = self.chat(client, conversation, message).await;
        assert_eq!(status, 200, "{message}: {body}");
        body
    }

    /// `(id, title, completed)` of every task of `user_id`, oldest first.
    pub fn tasks_of(&self, user_id: &str) -> Vec<(i64, String, bool)> {
        task::table
            .filter(task::user_id.eq(user_id))
            .order(task::id)
            .select((task::id, task::title, task::completed))
            .load(&mut **self.conn())
            .expect("tasks")
    }

    /// Adds a task for `user_id` directly in the database; returns its id.
    pub fn seed_task(&self, user_id: &str, title: &str) -> i64 {
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(task::table)
            .values((
                task::user_id.eq(user_id),
                task::title.eq(title),
                task::completed.eq(false),
                task::created_at.eq(now),
                task::updated_at.eq(now),
            ))
            .execute(&mut **self.conn())
            .expect("insert task");
        self.tasks_of(user_id).last().expect("the task").0
    }

    /// Reads the reply stream to its end; returns the events as `(name, data)`.
    pub async fn read_stream(&self, client: &reqwest::Client, path: &str) -> Vec<(String, String)> {
        let res = self.get(client, path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let body = tokio::time::timeout(Duration::from_secs(30), res.text())
            .await
            .expect("the stream ends")
            .expect("body");
        parse_events(&body)
    }
}

/// Splits an event stream into `(event, data)` pairs, data lines joined with `\n`.
pub fn parse_events(body: &str) -> Vec<(String, String)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut name = None;
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = Some(n.to_owned());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push(d);
                } else if line == "data:" {
                    data.push("");
                }
            }
            name.map(|n| (n, data.join("\n")))
        })
        .collect()
}

/// Waits until `check` holds (polling), or fails after a few seconds.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Reads the first chunk of a stream, then hangs up.
pub async fn read_first_chunk_and_leave(res: reqwest::Response) -> String {
    let mut body = res.bytes_stream();
    let first = body.next().await.expect("a first chunk").expect("bytes");
    drop(body);
    String::from_utf8_lossy(&first).into_owned()
}

/// Sends `body` to `path` as a JSON POST with a bearer token on 40
/// connections at once, each hanging up (a reset) soon after writing it,
/// until some of them got as far as storing a message: a test of what
/// becomes of stored messages needs some stored. The hang-ups are spread
/// over the first 40 ms of handling, so some land between any two steps of
/// it; on a machine so busy that none got that far, the spread widens.
pub async fn hang_up_mid_request(app: &TestApp, path: &str, token: &str, body: &Value) {
    for spread_ms in [40, 80, 160, 320, 640, 1280] {
        send_and_hang_up(app, path, token, body, 40, spread_ms).await;
        for _ in 0..20 {
            if app.count("message") > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    panic!("no request got as far as storing its message before its client hung up");
}

/// `n` connections that each send the request, then hang up after `i %
/// spread_ms` milliseconds (the early ones drop the request before it
/// stored anything, the later ones after; on PostgreSQL storing takes a few
/// milliseconds).
async fn send_and_hang_up(
    app: &TestApp,
    path: &str,
    token: &str,
    body: &Value,
    n: usize,
    spread_ms: u64,
) {
    let address = app.address.trim_start_matches("http://").to_owned();
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let hang_ups = (0..n).map(|i| {
        let (address, request) = (address.clone(), request.clone());
        let after = Duration::from_millis(i as u64 % spread_ms);
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut socket = std::net::TcpStream::connect(address).expect("connect");
            socket.write_all(request.as_bytes()).expect("send");
            std::thread::sleep(after);
            // Closed with a reset, as a killed browser tab or a dropped
            // network does: the server drops the request's work at once.
            let socket = socket2::Socket::from(socket);
            let _ = socket.set_linger(Some(Duration::ZERO));
        })
    });
    futures_util::future::join_all(hang_ups).await;
}
