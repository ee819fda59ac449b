//! Load test of a chat turn, and of opening a long conversation, against a
//! running server (`bench/chat.sh` starts one and runs this).
//!
//! The server runs the offline assistant: a provider that answers instantly,
//! so the measured time is the server's own (HTTP, auth, storing the message,
//! claiming the reply, loading history, running the tool, saving the reply).
//!
//! Users behave like people: after each answer a user "thinks" for a random
//! 0–4 s (`BENCH_THINK_MS` is the mean, default 2000) before the next
//! message, so 500 users offer about 250 turns a second. A last run with no
//! think time at all measures how many turns a second the server can take.
//!
//! Environment: `TASKTALK_URL` (the server), `DATABASE_URL` (the same
//! database, to seed a long conversation), `BENCH_SECONDS` (per run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tasktalk::db::models::{Conversation, ConversationInsertForm, Message, MessageInsertForm};
use tasktalk::db::{Backend, DbConnection};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let base = std::env::var("TASKTALK_URL").expect("TASKTALK_URL");
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1000)
        .build()
        .unwrap();

    let think: u64 = std::env::var("BENCH_THINK_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let users = sign_up_users(&client, &base, 500).await;
    println!("chat turn (\"add buy milk\": one tool call), offline assistant, {seconds}s per run");
    println!(
        "{:>6} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "users", "think ms", "p50 ms", "p95 ms", "p99 ms", "turns/s"
    );
    for (n, think) in [(50, think), (500, think), (50, 0)] {
        let duration = Duration::from_secs(seconds);
        let pause = Duration::from_millis(think);
        let (latencies, elapsed) = load(&client, &base, &users[..n], duration, pause).await;
        let count = latencies.len();
        println!(
            "{n:>6} {think:>9} {:>9.1} {:>9.1} {:>9.1} {:>10.0}",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
            count as f64 / elapsed.as_secs_f64()
        );
    }

    // A page shows 30 messages, so 10 vs 10,000 differs by what is drawn;
    // 100 vs 10,000 draws the same page and differs only by the conversation's length.
    let token = &users[0].0;
    let sizes = [10, 100, 10_000];
    let ids: Vec<i64> = sizes
        .iter()
        .map(|&n| seed_conversation(&database_url, &users[0].1, n))
        .collect();
    println!("\nopening a conversation (300 sequential requests each)");
    println!("{:>40} {:>9} {:>9}", "", "p50 ms", "p95 ms");
    let pages = sizes.iter().zip(&ids).map(|(n, id)| {
        (
            format!("GET /chat/{{id}}, {n} messages"),
            format!("/chat/{id}"),
        )
    });
    let api = sizes.iter().zip(&ids).map(|(n, id)| {
        (
            format!("GET /api/…/messages, {n} messages"),
            format!("/api/conversations/{id}/messages"),
        )
    });
    for (label, path) in pages.chain(api) {
        let mut times = Vec::new();
        for i in 0..330 {
            let started = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.bytes().await.unwrap();
            if i >= 30 {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        println!(
            "{label:>40} {:>9.2} {:>9.2}",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
}

/// `(session token, user id)` of `n` new users.
async fn sign_up_users(client: &reqwest::Client, base: &str, n: usize) -> Vec<(String, String)> {
    let mut users = Vec::with_capacity(n);
    let stamp = Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id());
    for i in 0..n {
        let body: Value = client
            .post(format!("{base}/api/auth/sign-up/email"))
            .json(&json!({"email": format!("bench{stamp}-{i}@example.com"), "password": "bench password 1", "name": "Bench"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users.push((
            body["token"].as_str().unwrap().to_owned(),
            body["user"]["id"].as_str().unwrap().to_owned(),
        ));
    }
    users
}

/// Every user sends turns into their own conversation for `duration`, pausing a
/// random 0..2×`think` after each answer.
async fn load(
    client: &reqwest::Client,
    base: &str,
    users: &[(String, String)],
    duration: Duration,
    think: Duration,
) -> (Vec<f64>, Duration) {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = users
        .iter()
        .map(|(token, _)| {
            let (client, base, token) = (client.clone(), base.to_owned(), token.clone());
            tokio::spawn(async move {
                let mut conversation: Option<i64> = None;
                let mut latencies = Vec::new();
                let pause = || think.mul_f64(2.0 * rand::random::<f64>());
                tokio::time::sleep(pause()).await;
                while Instant::now() < deadline {
                    let mut body = json!({"message": "add buy milk"});
                    if let Some(id) = conversation {
                        body["conversation_id"] = json!(id);
                    }
                    let sent = Instant::now();
                    let res = client
                        .post(format!("{base}/api/chat"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 200);
                    let answer: Value = res.json().await.unwrap();
                    // The first turn of each user creates the conversation; only later turns count.
                    if conversation.is_some() {
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                    conversation = answer["conversation_id"].as_i64();
                    tokio::time::sleep(pause()).await;
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    (all, started.elapsed())
}

/// A conversation of `n` messages (alternating user/assistant), written directly.
fn seed_conversation(database_url: &str, user_id: &str, n: usize) -> i64 {
    use diesel::Connection;
    let mut conn: DbConnection = Backend::from_url(database_url).unwrap().connect().unwrap();
    conn.transaction(|conn| {
        let now = tasktalk::db::now();
        let conversation = Conversation::insert(
            conn,
            &ConversationInsertForm {
                user_id,
                title: &format!("{n} messages"),
                created_at: now,
                updated_at: now,
            },
        )?;
        for i in 0..n {
            let user = i % 2 == 0;
            Message::insert(
                conn,
                &MessageInsertForm {
                    conversation_id: conversation.id,
                    user_id,
                    role: if user { "user" } else { "assistant" },
                    content: &format!(
                        "message {i}: **add** buy milk and some other words to make it realistic"
                    ),
                    tool_calls: None,
                    created_at: now,
                    reply_to: None,
                    status: "done",
                    lease_until: None,
                    run_id: None,
                },
            )?;
        }
        Ok::<_, diesel::result::Error>(conversation.id)
    })
    .unwrap()
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
