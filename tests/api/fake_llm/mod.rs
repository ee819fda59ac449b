//! Fake OpenAI and Gemini servers on 127.0.0.1, for the chat tests.
//!
//! One server answers both wire formats: `POST /v1/chat/completions`
//! (OpenAI) and `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`
//! (Gemini). Each request takes the next [`Reply`] from a script (a plain
//! "OK." when the script is empty), is checked against the real wire format
//! (a violation is answered with the vendor's 400 and recorded), and is
//! recorded for the test to inspect.

mod gemini;
mod openai;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

pub const OPENAI_KEY: &str = "sk-test-openai-key";
pub const GEMINI_KEY: &str = "test-gemini-key";
pub const GEMINI_MODEL: &str = "gemini-test";

/// What the fake answers to one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Streamed text, one chunk per piece.
    Text(Vec<String>),
    /// Tool calls `(name, arguments)`; OpenAI's arguments arrive split across chunks.
    Calls(Vec<(String, Value)>),
    /// An error status (with a retry delay in seconds, in each vendor's way).
    Status(u16, Option<u64>),
    /// Waits this long before answering at all.
    Stall(Duration),
    /// Sends one piece of text, then ends the stream without finishing.
    Cut,
    /// Sends an event that is not JSON.
    Malformed,
    /// Streams the text slowly: one piece every `Duration`.
    Slow(Vec<String>, Duration),
}

impl Reply {
    pub fn text(text: &str) -> Reply {
        // Several chunks, split inside words, as real streams are.
        let chars: Vec<char> = text.chars().collect();
        let pieces = chars.chunks(7).map(|c| c.iter().collect()).collect();
        Reply::Text(pieces)
    }

    pub fn call(name: &str, arguments: Value) -> Reply {
        Reply::Calls(vec![(name.to_owned(), arguments)])
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    requests: Vec<Value>,
    violations: Vec<String>,
    /// Gemini thought signatures handed out, which must come back unchanged.
    signatures: Vec<String>,
    calls_made: usize,
}

pub struct FakeLlm {
    pub address: String,
    state: Arc<Mutex<State>>,
    server: actix_web::dev::ServerHandle,
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

impl FakeLlm {
    pub async fn start() -> FakeLlm {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
                .route("/v1/chat/completions", web::post().to(openai::handle))
                .route(
                    "/v1beta/models/{model_action}",
                    web::post().to(gemini::handle),
                )
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("the fake binds");
        let address = format!("http://127.0.0.1:{}", server.addrs()[0].port());
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        FakeLlm {
            address,
            state,
            server: handle,
        }
    }

    pub fn openai_base(&self) -> String {
        format!("{}/v1", self.address)
    }

    pub fn gemini_base(&self) -> String {
        format!("{}/v1beta", self.address)
    }

    pub fn push(&self, reply: Reply) {
        self.lock().script.push_back(reply);
    }

    /// Every request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.clone()
    }

    /// Wire-format violations found in the requests (each got a 400).
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

/// Records the request and takes the next reply, or the violations found.
fn next_reply(
    state: &Mutex<State>,
    body: &Value,
    problems: Vec<String>,
) -> Result<Reply, Vec<String>> {
    let mut state = state.lock().unwrap();
    state.requests.push(body.clone());
    if !problems.is_empty() {
        state.violations.extend(problems.iter().cloned());
        return Err(problems);
    }
    Ok(state
        .script
        .pop_front()
        .unwrap_or_else(|| Reply::text("OK.")))
}

/// A streamed body: each frame after its delay.
fn stream(frames: Vec<(Duration, Bytes)>) -> HttpResponse {
    let body = futures_util::stream::unfold(frames.into_iter(), |mut frames| async move {
        let (delay, frame) = frames.next()?;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Some((Ok::<_, actix_web::Error>(frame), frames))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .streaming(body)
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A small pause between frames, so they leave as separate chunks.
const GAP: Duration = Duration::from_millis(3);
