//! When the database goes away, every door answers 503 with `Retry-After` at
//! once (not after a pool timeout), `/healthz` says so, and everything works
//! again when it is back, without a restart.
//!
//! PostgreSQL only: the app reaches it through a small TCP proxy the test
//! can cut, so the real server keeps running. On SQLite there is no server
//! to lose; the test returns early.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::spawn_app_with;

/// How soon a refused database must show as a 503.
const QUICKLY: Duration = Duration::from_millis(1500);

/// Forwards connections to PostgreSQL while up; while down, cuts the open
/// ones and closes new ones as soon as they arrive.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (accept_up, accept_open) = (Arc::clone(&up), Arc::clone(&open));
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !accept_up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let mut open = accept_open.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy { port, up, open }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    thread::spawn(move || {
        let _ = io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// Sends `req`, and checks it came back as a 503 quickly.
async fn unavailable(req: reqwest::RequestBuilder, what: &str) -> reqwest::Response {
    let started = Instant::now();
    let res = req.send().await.unwrap();
    let took = started.elapsed();
    eprintln!("{what}: 503 in {took:?}");
    assert_eq!(res.status(), 503, "{what}");
    assert!(took < QUICKLY, "{what} took {took:?}");
    assert_eq!(
        res.headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("5"),
        "{what}: {:?}",
        res.headers()
    );
    res
}

fn says_nothing_is_lost(text: &str) {
    assert!(text.contains("temporarily unavailable"), "{text}");
    assert!(text.contains("Nothing you typed is lost"), "{text}");
}

#[tokio::test]
async fn losing_the_database_is_a_quick_503_everywhere_and_its_return_needs_no_restart() {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("skipped: needs TEST_POSTGRES_URL");
        return;
    };
    let admin = url::Url::parse(&admin_url).unwrap();
    let target: SocketAddr = format!(
        "{}:{}",
        admin.host_str().unwrap(),
        admin.port().unwrap_or(5432)
    )
    .parse()
    .unwrap();
    let proxy = Proxy::start(target);
    let port = proxy.port;
    let app = spawn_app_with(move |s| {
        let mut url = url::Url::parse(&s.database_url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(port)).unwrap();
        s.database_url = url.to_string();
    })
    .await;
    let (browser, _) = app.signed_in_browser("eve@example.com").await;
    let token = app.jwt(&browser).await;
    let api = app.api_client();
    let created = api
        .post(app.url("/api/tasks"))
        .bearer_auth(&token)
        .json(&json!({"title": "Milk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    proxy.down();

    // More requests than the pool has connections: dead ones first, then refused connects.
    for _ in 0..6 {
        let res = unavailable(api.get(app.url("/api/tasks")).bearer_auth(&token), "API").await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
        says_nothing_is_lost(body["error"]["message"].as_str().unwrap());
    }
    let res = unavailable(api.get(app.url("/healthz")), "healthz").await;
    assert_eq!(res.text().await.unwrap(), "database unavailable");
    let res = unavailable(browser.get(app.url("/api/auth/get-session")), "auth API").await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "SERVICE_UNAVAILABLE");
    says_nothing_is_lost(body["message"].as_str().unwrap());
    let res = unavailable(browser.get(app.url("/tasks")), "page").await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    says_nothing_is_lost(&res.text().await.unwrap());
    let res = unavailable(
        browser
            .post(app.url("/tasks"))
            .header("HX-Request", "true")
            .form(&[("title", "Bread")]),
        "HTMX",
    )
    .await;
    assert_eq!(res.headers()["hx-retarget"], "#toasts");
    says_nothing_is_lost(&res.text().await.unwrap());

    proxy.up();

    let started = Instant::now();
    while api.get(app.url("/healthz")).send().await.unwrap().status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the app did not reconnect"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "healthy again {:?} after the database came back",
        started.elapsed()
    );
    let res = api
        .get(app.url("/api/tasks"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tasks: Value = res.json().await.unwrap();
    assert_eq!(tasks[0]["title"], "Milk");
    assert_eq!(app.get(&browser, "/tasks").await.status(), 200);
}
