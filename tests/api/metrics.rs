//! `/metrics`: served only to a bearer of `METRICS_TOKEN` or on the
//! `METRICS_BIND` address, in the Prometheus text format, with counters that
//! move as the app is used.
//!
//! The recorder is process-wide, so other tests' apps count into the same
//! series: assertions say "at least", never "exactly".

use std::time::Duration;

use diesel::prelude::*;
use tasktalk::db::schema::message;

use crate::chat_helpers::{Wire, point_at};
use crate::fake_llm::{FakeLlm, Reply};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const TOKEN: &str = "a-metrics-token-for-the-tests";

async fn spawn_app_with_token() -> TestApp {
    spawn_app_with(|s| s.metrics.token = Some(TOKEN.to_owned().into())).await
}

/// `GET url`, with `Authorization: Bearer <token>` when there is one.
async fn get_as(url: String, token: Option<&str>) -> reqwest::Response {
    let req = reqwest::Client::new().get(url);
    let req = match token {
        Some(token) => req.bearer_auth(token),
        None => req,
    };
    req.send().await.unwrap()
}

/// The metrics text, read with the token.
async fn scrape(app: &TestApp) -> String {
    let res = get_as(app.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// The sum of the samples of `name` whose labels include all of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            let wanted = metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            wanted.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

fn has_series(text: &str, name: &str) -> bool {
    text.lines()
        .any(|line| line.starts_with(&format!("{name} ")) || line.starts_with(&format!("{name}{{")))
}

#[tokio::test]
async fn metrics_are_not_served_without_a_token_or_an_address() {
    let app = spawn_app().await;

    let res = get_as(app.url("/metrics"), Some(TOKEN)).await;

    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_scrape_without_the_token_is_refused_without_detail() {
    let app = spawn_app_with_token().await;

    let missing = get_as(app.url("/metrics"), None).await;
    let wrong = get_as(app.url("/metrics"), Some("a-metrics-token-for-the-test")).await;
    let basic = app
        .api_client()
        .get(app.url("/metrics"))
        .basic_auth(TOKEN, Some(TOKEN))
        .send()
        .await
        .unwrap();

    for res in [missing, wrong, basic] {
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        assert!(res.text().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_scrape_with_the_token_is_described_prometheus_text() {
    let app = spawn_app_with_token().await;
    app.get(&app.api_client(), "/healthz").await;

    let res = app
        .api_client()
        .get(app.url("/metrics"))
        .header("authorization", format!("bearer {TOKEN}"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let text = res.text().await.unwrap();
    for help in [
        "# HELP tasktalk_http_requests_total ",
        "# TYPE tasktalk_http_request_duration_seconds histogram",
        "# HELP tasktalk_chat_runs_in_flight ",
        "# HELP tasktalk_reply_streams_open ",
        "# HELP tasktalk_db_connections_in_use ",
    ] {
        assert!(text.contains(help), "no {help:?} in\n{text}");
    }
}

#[tokio::test]
async fn requests_are_counted_by_route_template_not_by_path() {
    let app = spawn_app_with_token().await;
    let client = app.api_client();
    let healthz = [("route", "/healthz"), ("method", "GET"), ("status", "200")];
    let before = sample(
        &scrape(&app).await,
        "tasktalk_http_requests_total",
        &healthz,
    );

    for _ in 0..3 {
        assert_eq!(app.get(&client, "/healthz").await.status(), 200);
    }
    app.get(&client, "/tasks/987654321").await;
    assert_eq!(app.get(&client, "/no-such-page-4242").await.status(), 404);

    let text = scrape(&app).await;
    let after = sample(&text, "tasktalk_http_requests_total", &healthz);
    assert!(after >= before + 3.0, "{before} -> {after}");
    let timed = sample(
        &text,
        "tasktalk_http_request_duration_seconds_count",
        &healthz,
    );
    assert!(timed >= 3.0, "{timed}");
    let task = [("route", "/tasks/{id}"), ("method", "GET")];
    assert!(sample(&text, "tasktalk_http_requests_total", &task) >= 1.0);
    let unknown = [("route", "unmatched"), ("status", "404")];
    assert!(sample(&text, "tasktalk_http_requests_total", &unknown) >= 1.0);
    assert!(!text.contains("987654321") && !text.contains("no-such-page-4242"));
}

#[tokio::test]
async fn a_sign_up_shows_in_the_database_and_hashing_metrics() {
    let app = spawn_app_with_token().await;

    app.sign_up(&app.api_client(), "metered@example.com").await;

    let text = scrape(&app).await;
    for counted in [
        "tasktalk_password_hash_duration_seconds_count",
        "tasktalk_db_wait_duration_seconds_count",
        "tasktalk_db_call_duration_seconds_count",
    ] {
        assert!(sample(&text, counted, &[]) >= 1.0, "{counted} in\n{text}");
    }
    for gauge in [
        "tasktalk_password_hashes_in_flight",
        "tasktalk_db_waiting",
        "tasktalk_db_connections_in_use",
        "tasktalk_db_connections_idle",
    ] {
        assert!(has_series(&text, gauge), "{gauge} in\n{text}");
    }
    assert!(sample(&text, "tasktalk_db_connections_max", &[]) >= 1.0);
    assert!(!text.contains("metered@example.com"));
}

#[tokio::test]
async fn a_chat_turn_shows_its_run_and_its_model_call() {
    let app = spawn_app_with_token().await;
    let (client, _) = app.signed_in_browser("chatty@example.com").await;

    app.say(&client, None, "Add a task to water the plants")
        .await;

    let text = scrape(&app).await;
    let done = sample(&text, "tasktalk_chat_runs_total", &[("outcome", "done")]);
    assert!(done >= 1.0, "{text}");
    let offline = [("provider", "offline"), ("outcome", "ok")];
    assert!(sample(&text, "tasktalk_provider_calls_total", &offline) >= 1.0);
    let timed = "tasktalk_provider_call_duration_seconds_count";
    assert!(sample(&text, timed, &offline) >= 1.0);
    assert!(has_series(&text, "tasktalk_chat_runs_in_flight"));
    assert!(!text.contains("water the plants"));
}

#[tokio::test]
async fn model_calls_are_counted_by_provider_and_outcome() {
    let fake = FakeLlm::start().await;
    let app = spawn_app_with(|s| {
        point_at(s, &fake, Wire::OpenAi);
        point_at(s, &fake, Wire::Gemini);
        s.ai.max_retries = 1;
        s.metrics.token = Some(TOKEN.to_owned().into());
    })
    .await;
    let (client, _) = app.signed_in_browser("calls@example.com").await;
    let calls = |text: &str, provider: &str, outcome: &str| {
        let labels = [("provider", provider), ("outcome", outcome)];
        sample(text, "tasktalk_provider_calls_total", &labels)
    };
    let before = scrape(&app).await;

    // OpenAI fails, is retried, fails again; Gemini answers.
    fake.push(Reply::Status(500, None));
    fake.push(Reply::Status(500, None));
    fake.push(Reply::text("Gemini here."));
    app.say(&client, None, "hello").await;
    // Neither will take the request: the turn fails.
    fake.push(Reply::Status(400, None));
    fake.push(Reply::Status(400, None));
    app.chat(&client, None, "hello again").await;

    let after = scrape(&app).await;
    for (provider, outcome, more) in [
        ("openai", "retried", 1.0),
        ("openai", "failed_over", 2.0),
        ("gemini", "ok", 1.0),
        ("gemini", "failed", 1.0),
    ] {
        let (was, is) = (
            calls(&before, provider, outcome),
            calls(&after, provider, outcome),
        );
        assert!(is >= was + more, "{provider} {outcome}: {was} -> {is}");
    }
    let failed = [("outcome", "failed")];
    let runs = |text: &str| sample(text, "tasktalk_chat_runs_total", &failed);
    assert!(runs(&after) >= runs(&before) + 1.0);
}

#[tokio::test]
async fn an_open_reply_stream_and_its_run_are_in_flight_while_they_last() {
    let fake = FakeLlm::start().await;
    let words = vec!["word ".to_owned(); 10];
    fake.push(Reply::Slow(words, Duration::from_millis(200)));
    let app = spawn_app_with(|s| {
        point_at(s, &fake, Wire::OpenAi);
        s.metrics.token = Some(TOKEN.to_owned().into());
    })
    .await;
    let (browser, me) = app.signed_in_browser("streamer@example.com").await;
    app.post_form(&browser, "/chat", &[("message", "tell me")])
        .await;
    let (id, conversation): (i64, i64) = message::table
        .filter(message::user_id.eq(&me).and(message::role.eq("user")))
        .select((message::id, message::conversation_id))
        .first(&mut **app.conn())
        .unwrap();

    let stream = app
        .get(
            &browser,
            &format!("/chat/{conversation}/messages/{id}/reply"),
        )
        .await;
    assert_eq!(stream.status(), 200);
    let during = scrape(&app).await;
    stream.text().await.unwrap();

    assert!(sample(&during, "tasktalk_reply_streams_open", &[]) >= 1.0);
    assert!(sample(&during, "tasktalk_chat_runs_in_flight", &[]) >= 1.0);
}

#[tokio::test]
async fn metrics_bind_serves_them_on_their_own_address_only() {
    let app = spawn_app_with(|s| {
        s.metrics.token = Some(TOKEN.to_owned().into());
        s.metrics.bind = Some(([127, 0, 0, 1], 0).into());
    })
    .await;
    let port = app.metrics_port.expect("a metrics listener");
    let metrics_url = |path: &str| format!("http://127.0.0.1:{port}{path}");

    let on_main = get_as(app.url("/metrics"), Some(TOKEN)).await;
    let without_token = get_as(metrics_url("/metrics"), None).await;
    let with_token = get_as(metrics_url("/metrics"), Some(TOKEN)).await;
    let other_path = get_as(metrics_url("/healthz"), Some(TOKEN)).await;

    assert_eq!(on_main.status(), 404);
    assert_eq!(without_token.status(), 401);
    assert_eq!(with_token.status(), 200);
    assert!(
        with_token
            .text()
            .await
            .unwrap()
            .contains("# HELP tasktalk_")
    );
    assert_eq!(other_path.status(), 404);
}

#[tokio::test]
async fn metrics_bind_alone_needs_no_token() {
    let app = spawn_app_with(|s| s.metrics.bind = Some(([127, 0, 0, 1], 0).into())).await;
    let port = app.metrics_port.expect("a metrics listener");

    let res = get_as(format!("http://127.0.0.1:{port}/metrics"), None).await;

    assert_eq!(res.status(), 200);
    assert_eq!(get_as(app.url("/metrics"), None).await.status(), 404);
}
