//! HTTP itself: HEAD wherever GET works, a true 405 for a wrong method,
//! no caching of private JSON, a deadline on request bodies, concurrent
//! writes that never collide into a 500, and clients that stop reading let
//! go.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// The methods every route is tried with.
const METHODS: [Method; 6] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// Every route of the app (ids filled in by `routes`), with the methods it serves.
fn routes(user: &str, task: i64) -> Vec<(String, &'static str)> {
    let mut routes: Vec<(String, &str)> = [
        ("/", "GET, HEAD"),
        ("/healthz", "GET, HEAD"),
        ("/static/app.css", "GET, HEAD"),
        ("/login", "GET, HEAD, POST"),
        ("/signup", "GET, HEAD, POST"),
        ("/logout", "POST"),
        ("/tasks", "GET, HEAD, POST"),
        ("/tasks/{task}", "GET, HEAD, PUT, DELETE"),
        ("/tasks/{task}/edit", "GET, HEAD"),
        ("/tasks/{task}/toggle", "PATCH"),
        ("/chat", "GET, HEAD, POST"),
        ("/chat/999", "GET, HEAD"),
        ("/chat/999/messages", "GET, HEAD, POST"),
        ("/chat/999/messages/999/retry", "POST"),
        ("/chat/999/messages/999/reply", "GET, HEAD"),
        ("/mcp", "POST"),
        ("/api/me", "GET, HEAD"),
        ("/api/openapi.json", "GET, HEAD"),
        ("/api/chat", "POST"),
        ("/api/{user}/chat", "POST"),
        ("/api/conversations", "GET, HEAD"),
        ("/api/conversations/999/messages", "GET, HEAD"),
        ("/api/tasks", "GET, HEAD, POST"),
        ("/api/tasks/{task}", "GET, HEAD, PUT, PATCH, DELETE"),
        ("/api/tasks/{task}/complete", "PATCH"),
        ("/api/{user}/tasks", "GET, HEAD, POST"),
        ("/api/{user}/tasks/{task}", "GET, HEAD, PUT, PATCH, DELETE"),
        ("/api/{user}/tasks/{task}/complete", "PATCH"),
        ("/api/auth/sign-up/email", "POST"),
        ("/api/auth/sign-in/email", "POST"),
        ("/api/auth/sign-out", "POST"),
        ("/api/auth/get-session", "GET, HEAD"),
        ("/api/auth/token", "GET, HEAD"),
    ]
    .into_iter()
    .map(|(path, allow)| (path.to_owned(), allow))
    .collect();
    for (path, _) in &mut routes {
        *path = path
            .replace("{user}", user)
            .replace("{task}", &task.to_string());
    }
    routes
}

async fn send(
    client: &reqwest::Client,
    app: &TestApp,
    method: &Method,
    path: &str,
) -> reqwest::Response {
    client
        .request(method.clone(), app.url(path))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_route_answers_head_like_get_and_a_wrong_method_with_a_true_allow() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in_browser("ada@example.com").await;
    let task: Value = browser
        .post(app.url("/api/tasks"))
        .json(&json!({"title": "Milk"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = task["id"].as_i64().unwrap();
    // Writes go out signed out, so no route changes anything; reads go signed in.
    let stranger = app.api_client();

    for (path, allow) in routes(&user, task) {
        let get = send(&browser, &app, &Method::GET, &path).await;
        let head = send(&browser, &app, &Method::HEAD, &path).await;
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has a body"
        );

        let mut served = Vec::new();
        let mut refused = Vec::new();
        for method in METHODS {
            let client = if method == Method::GET || method == Method::HEAD {
                &browser
            } else {
                &stranger
            };
            let res = send(client, &app, &method, &path).await;
            if res.status() == 405 {
                refused.push(res);
            } else {
                served.push(method.to_string());
            }
        }
        assert_eq!(served.join(", "), allow, "the methods {path} serves");
        for res in refused {
            assert_eq!(res.headers()["allow"], allow, "Allow of {path}");
        }
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_405_in_the_doors_own_shape() {
    let app = spawn_app().await;
    let client = app.api_client();

    let api = send(&client, &app, &Method::POST, "/api/me").await;
    assert_eq!(api.status(), 405);
    assert_eq!(api.headers()["allow"], "GET, HEAD");
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "METHOD_NOT_ALLOWED");

    let auth = send(&client, &app, &Method::GET, "/api/auth/sign-out").await;
    assert_eq!(auth.status(), 405);
    assert_eq!(auth.headers()["allow"], "POST");
    let body: Value = auth.json().await.unwrap();
    assert_eq!(body["code"], "METHOD_NOT_ALLOWED");

    let page = send(&client, &app, &Method::PUT, "/login").await;
    assert_eq!(page.status(), 405);
    assert_eq!(page.headers()["allow"], "GET, HEAD, POST");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    let mcp = send(&client, &app, &Method::GET, "/mcp").await;
    assert_eq!(mcp.status(), 405);
    assert_eq!(mcp.headers()["allow"], "POST");
}

#[tokio::test]
async fn unknown_paths_are_404_whatever_the_method() {
    let app = spawn_app().await;
    let client = app.api_client();

    for path in [
        "/nope",
        "/api/nope",
        "/api/auth/nope",
        "/mcp/x",
        "/tasks/1/nope",
        "/api",
    ] {
        for method in METHODS {
            let res = send(&client, &app, &method, path).await;
            assert_eq!(res.status(), 404, "{method} {path}");
            assert!(!res.headers().contains_key("allow"), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn a_head_answer_has_the_gets_length_and_no_body_on_the_wire() {
    let app = spawn_app().await;

    for path in ["/login", "/api/openapi.json", "/static/app.css"] {
        let get_length = app
            .get(&app.api_client(), path)
            .await
            .bytes()
            .await
            .unwrap()
            .len();
        let request = format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let address = TestAppAddress(app.address.clone());
        let answer = tokio::task::spawn_blocking(move || address.exchange(&request))
            .await
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, "", "HEAD {path} sent a body");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("\r\ncontent-length: {get_length}\r\n")),
            "HEAD {path} does not say GET's length {get_length}: {head}"
        );
    }
}

/// The app's address, to talk raw HTTP to it from a blocking thread.
struct TestAppAddress(String);

impl TestAppAddress {
    fn connect(&self) -> TcpStream {
        TcpStream::connect(self.0.trim_start_matches("http://")).unwrap()
    }

    /// The raw bytes of the answer to `request`, read until the server closes.
    fn exchange(&self, request: &str) -> String {
        let mut stream = self.connect();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }
}

#[tokio::test]
async fn private_json_is_never_cached() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in_browser("bea@example.com").await;
    let token = app.jwt(&browser).await;
    let api = app.api_client();
    browser
        .post(app.url("/api/tasks"))
        .json(&json!({"title": "Milk"}))
        .send()
        .await
        .unwrap();

    let answers = [
        browser.get(app.url("/api/tasks")).send().await.unwrap(),
        browser.get(app.url("/api/tasks/1")).send().await.unwrap(),
        browser
            .get(app.url(&format!("/api/{user}/tasks")))
            .send()
            .await
            .unwrap(),
        browser
            .get(app.url("/api/conversations"))
            .send()
            .await
            .unwrap(),
        browser.get(app.url("/api/me")).send().await.unwrap(),
        browser
            .post(app.url("/api/tasks"))
            .json(&json!({"title": "Bread"}))
            .send()
            .await
            .unwrap(),
        browser
            .post(app.url("/api/chat"))
            .json(&json!({"message": "list my tasks"}))
            .send()
            .await
            .unwrap(),
        api.post(app.url("/mcp"))
            .bearer_auth(&token)
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .send()
            .await
            .unwrap(),
        // Errors too.
        api.get(app.url("/api/tasks")).send().await.unwrap(),
        browser.get(app.url("/api/tasks/999")).send().await.unwrap(),
    ];

    for res in answers {
        assert!(
            res.status().as_u16() < 500,
            "{} {}",
            res.url(),
            res.status()
        );
        assert_eq!(
            res.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{} ({})",
            res.url(),
            res.status()
        );
    }
}

/// Sends `head`, then `piece` every 1.5 s, until the server answers and
/// closes (or 20 s pass). Returns the answer, when it came, and when the
/// connection closed.
fn trickle(
    address: &TestAppAddress,
    head: &'static [u8],
    piece: &'static [u8],
) -> (String, Duration, Option<Duration>) {
    let mut stream = address.connect();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(head).unwrap();
    let mut answer = Vec::new();
    let mut answered = None;
    let mut buf = [0u8; 4096];
    let mut next_piece = Instant::now() + Duration::from_millis(1500);
    while started.elapsed() < Duration::from_secs(20) {
        match stream.read(&mut buf) {
            Ok(0) => {
                let answered = answered.unwrap_or_else(|| started.elapsed());
                return (
                    String::from_utf8_lossy(&answer).into_owned(),
                    answered,
                    Some(started.elapsed()),
                );
            }
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                answered.get_or_insert_with(|| started.elapsed());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
        if Instant::now() >= next_piece {
            let _ = stream.write_all(piece);
            next_piece += Duration::from_millis(1500);
        }
    }
    let answered = answered.unwrap_or_else(|| started.elapsed());
    (
        String::from_utf8_lossy(&answer).into_owned(),
        answered,
        None,
    )
}

#[tokio::test]
async fn a_trickled_or_unread_body_is_answered_and_its_connection_closed() {
    let app = spawn_app().await;
    let cases: [(&str, &'static [u8], &'static [u8], &str); 3] = [
        (
            "a length-delimited body a byte at a time",
            b"POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
            b" ",
            "HTTP/1.1 408",
        ),
        (
            "a chunked body a chunk at a time",
            b"POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n",
            b"1\r\n \r\n",
            "HTTP/1.1 408",
        ),
        (
            "a chunked body the server answers without reading",
            b"POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n",
            b"1\r\n \r\n",
            "HTTP/1.1 401",
        ),
    ];
    let runs = cases.map(|(what, head, piece, status)| {
        let address = TestAppAddress(app.address.clone());
        (
            what,
            status,
            tokio::task::spawn_blocking(move || trickle(&address, head, piece)),
        )
    });
    for (what, status, run) in runs {
        let (answer, answered, closed) = run.await.unwrap();
        assert!(answer.starts_with(status), "{what}: {answer:?}");
        assert!(
            answered < Duration::from_secs(13),
            "{what}: answered after {answered:?}"
        );
        let closed = closed.unwrap_or_else(|| panic!("{what}: the connection stayed open"));
        assert!(
            closed < answered + Duration::from_secs(2),
            "{what}: closed {closed:?}, answered {answered:?}"
        );
    }
}

#[tokio::test]
async fn forty_concurrent_deletes_updates_and_creates_all_succeed() {
    // As many connections as a real deployment, so the writes really overlap.
    let app = spawn_app_with(|s| s.database_pool_size = 10).await;
    let (browser, _) = app.signed_in_browser("cy@example.com").await;

    for round in 0..3 {
        let statuses = forty_mixed_writes(&app, &browser).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 204).count(),
            10,
            "round {round}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 404).count(),
            5,
            "round {round}"
        );
    }
}

/// Makes 20 tasks, then at once: deletes 10 (5 of them twice), changes 10, adds 15.
/// Every answer must be a success or a 404 (the second delete); returns the statuses.
async fn forty_mixed_writes(app: &TestApp, browser: &reqwest::Client) -> Vec<u16> {
    let mut ids = Vec::new();
    for i in 0..20 {
        let task: Value = browser
            .post(app.url("/api/tasks"))
            .json(&json!({ "title": format!("Task {i}") }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(task["id"].as_i64().unwrap());
    }

    let mut requests = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        requests.push(if i % 2 == 0 {
            browser.delete(app.url(&format!("/api/tasks/{id}")))
        } else {
            browser
                .patch(app.url(&format!("/api/tasks/{id}")))
                .json(&json!({ "title": format!("Changed {i}"), "completed": true }))
        });
        requests.push(if i % 4 == 0 {
            browser.delete(app.url(&format!("/api/tasks/{id}")))
        } else {
            browser
                .post(app.url("/api/tasks"))
                .json(&json!({ "title": format!("New {i}") }))
        });
    }
    assert_eq!(requests.len(), 40);
    let answers = futures_util::future::join_all(requests.into_iter().map(|r| r.send())).await;

    let mut statuses = Vec::new();
    for answer in answers {
        let res = answer.unwrap();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert!(
            (200..300).contains(&status) || status == 404,
            "{status}: {body}"
        );
        statuses.push(status);
    }
    statuses
}

/// Sends `POST path` with a JSON `body` on a connection of its own, and
/// closes the connection at once, without reading the answer.
fn send_and_hang_up(app: &TestApp, path: &str, body: &str) {
    let address = app.address.trim_start_matches("http://");
    let mut conn = TcpStream::connect(address).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).expect("head");
    conn.write_all(body.as_bytes()).expect("body");
}

#[tokio::test]
async fn requests_whose_clients_hung_up_are_not_worked_for_nobody() {
    // Sign-ups sent and abandoned at once: each needs a password hash (a
    // few threads, a queue) before it can store its account. Those whose
    // clients left before a hashing thread took them are dropped: their
    // accounts never appear, and the queue is not left to the next person.
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 0).await;
    let abandoned = 40;
    for n in 0..abandoned {
        let body = json!({ "email": format!("gone{n}@example.com"), "password": "a password 1" });
        send_and_hang_up(&app, "/api/auth/sign-up/email", &body.to_string());
    }
    // Once a sign-up sent after them is answered, every abandoned one was
    // either dropped or has stored its account.
    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-up/email"))
        .json(&json!({ "email": "here@example.com", "password": "a password 1" }))
        .send()
        .await
        .expect("sign-up");
    assert_eq!(res.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let stored = app.count("user") - 1;
    assert!(
        stored < abandoned / 2,
        "{stored} of {abandoned} abandoned sign-ups were hashed and stored"
    );
}

/// A session cookie among 40,000 others (another app's on `localhost`, a
/// parent domain's) still signs the request in. (What reaches the cookie
/// parser is checked in `middleware::cookies`; the memory it saves is
/// measured with the release binary: 1.4 GB → 54 MB for 200 such requests.)
#[tokio::test]
async fn a_session_cookie_among_thousands_of_others_still_signs_in() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "crumbs@example.com").await;
    let ours = app.session_cookie("crumbs@example.com").await;

    let crowd = format!("{}{ours}; theme=dark", "a=;".repeat(40_000));
    let res = app
        .api_client()
        .get(app.url("/api/auth/get-session"))
        .header("cookie", &crowd)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], "crumbs@example.com");
}

/// Sends `GET path` with a bearer token on a connection with a small
/// receive window, whose answer then waits at the server's end.
fn ask_and_read_nothing(app: &TestApp, path: &str, token: &str) -> TcpStream {
    ask_with_window(app, path, token, 4096)
}

/// Sends `GET path` with a bearer token on a connection whose receive
/// buffer is `window` bytes.
fn ask_with_window(app: &TestApp, path: &str, token: &str, window: usize) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.set_recv_buffer_size(window).expect("window");
    let to: std::net::SocketAddr = address.parse().expect("address");
    socket.connect(&to.into()).expect("connect");
    let mut conn = TcpStream::from(socket);
    let request =
        format!("GET {path} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\n\r\n");
    conn.write_all(request.as_bytes()).expect("request");
    conn
}

/// Where an answer's head ends in `taken`, and its body's length, once the
/// head has come.
fn head_and_length(taken: &[u8]) -> Option<(usize, usize)> {
    let end = taken.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&taken[..end]).to_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .expect("a length")
        .trim()
        .parse()
        .expect("a number");
    Some((end, length))
}

#[tokio::test]
async fn a_client_that_takes_nothing_of_a_large_answer_is_let_go() {
    // What a client has not taken of its answer waits in the server's
    // memory; one that never reads is disconnected once it has taken
    // nothing for the send timeout, and that memory let go.
    let app = spawn_app_with(|s| s.send_timeout = Duration::from_secs(1)).await;
    let (browser, user) = app.signed_in_browser("never-reads@example.com").await;
    let token = app.jwt(&browser).await;
    // About 11 MB of tasks: more than the kernel holds for a connection.
    app.add_tasks(&user, 10_000, &"d".repeat(1000));
    let mut conn = ask_and_read_nothing(&app, "/api/tasks", &token);
    let taken = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_secs(4));
        // Whatever was on its way comes, then the end.
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut taken = Vec::new();
        let ended = conn.read_to_end(&mut taken);
        (taken, ended.map_err(|e| e.kind()))
    })
    .await
    .unwrap();
    let (taken, ended) = taken;
    let (head_ends, length) = head_and_length(&taken).expect("a head");
    assert!(length > 10_000_000, "the answer is large: {length}");
    assert!(
        ended.is_ok() || ended == Err(std::io::ErrorKind::ConnectionReset),
        "the server closed the connection: {ended:?}"
    );
    assert!(
        taken.len() - head_ends < length,
        "the rest of the answer was dropped: {} of {length} bytes came",
        taken.len() - head_ends
    );
    // A client that reads gets the whole list.
    let res = list(&app, &token).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), length);
}

/// A user with a list of 10,000 tasks of 1 KB (an 11.4 MB answer), and
/// their token.
async fn user_with_a_large_list(app: &TestApp, email: &str) -> String {
    let (browser, user) = app.signed_in_browser(email).await;
    app.add_tasks(&user, 10_000, &"d".repeat(1000));
    app.jwt(&browser).await
}

/// `GET /api/tasks` as `token`, read whole.
async fn list(app: &TestApp, token: &str) -> reqwest::Response {
    app.api_client()
        .get(app.url("/api/tasks"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn large_answers_waiting_for_their_clients_share_one_budget() {
    // Eleven answers of 11.4 MB waiting for clients that do not read (two
    // each for five people, one for a sixth) fill the server's 128 MB
    // budget for them: the next large answer is "try again shortly", until
    // the send timeout lets the eleven go.
    let app = spawn_app_with(|s| s.send_timeout = Duration::from_secs(8)).await;
    let mut tokens = Vec::new();
    for n in 0..6 {
        tokens.push(user_with_a_large_list(&app, &format!("budget{n}@example.com")).await);
    }
    let length = list(&app, &tokens[5]).await.bytes().await.unwrap().len();
    assert!(length > 11_000_000, "{length}");

    let waiting: Vec<TcpStream> = (0..11)
        .map(|n| ask_and_read_nothing(&app, "/api/tasks", &tokens[n / 2]))
        .collect();
    let mut busy = None;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let res = list(&app, &tokens[5]).await;
        if res.status() == 429 {
            busy = Some(res);
            break;
        }
        assert_eq!(res.bytes().await.unwrap().len(), length);
    }
    let busy = busy.expect("a large answer past the budget is refused");
    assert_eq!(busy.headers()["retry-after"], "5");
    let body: Value = busy.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    // Small answers are not held back.
    let res = app
        .api_client()
        .get(app.url("/api/tasks?status=completed"))
        .bearer_auth(&tokens[5])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Once the send timeout has let the readers-of-nothing go, the budget is back.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let res = list(&app, &tokens[5]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), length);
    drop(waiting);
}

#[tokio::test]
async fn one_person_holds_at_most_two_large_answers_waiting() {
    // Someone whose clients never read keeps two large answers waiting at
    // most: their third is refused, and another person's is answered.
    let app = spawn_app_with(|s| s.send_timeout = Duration::from_secs(60)).await;
    let (greedy, other) = (
        user_with_a_large_list(&app, "greedy@example.com").await,
        user_with_a_large_list(&app, "other@example.com").await,
    );
    let waiting: Vec<TcpStream> = (0..2)
        .map(|_| ask_and_read_nothing(&app, "/api/tasks", &greedy))
        .collect();
    let mut third = None;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let res = list(&app, &greedy).await;
        if res.status() == 429 {
            third = Some(res);
            break;
        }
        res.bytes().await.unwrap();
    }
    let third = third.expect("a third large answer waits for the first two");
    assert_eq!(third.headers()["retry-after"], "5");
    let res = list(&app, &other).await;
    assert_eq!(
        res.status(),
        200,
        "another person's answer is not held back"
    );
    assert!(res.bytes().await.unwrap().len() > 11_000_000);
    drop(waiting);
}

#[tokio::test]
async fn a_slow_client_that_keeps_reading_gets_its_whole_answer() {
    // 64 KB every 100 ms of a 5 MB answer: eight seconds for a client whose
    // send timeout is one, never a second without taking something.
    let app = spawn_app_with(|s| s.send_timeout = Duration::from_secs(1)).await;
    let (browser, user) = app.signed_in_browser("slow-reader@example.com").await;
    let token = app.jwt(&browser).await;
    app.add_tasks(&user, 4_500, &"d".repeat(1000));
    let mut conn = ask_with_window(&app, "/api/tasks", &token, 128 * 1024);
    let taken = tokio::task::spawn_blocking(move || {
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut taken = Vec::new();
        let mut slice = vec![0u8; 64 * 1024];
        loop {
            std::thread::sleep(Duration::from_millis(100));
            match conn.read(&mut slice) {
                Ok(0) | Err(_) => return taken,
                Ok(n) => taken.extend_from_slice(&slice[..n]),
            }
            if let Some((head, length)) = head_and_length(&taken)
                && taken.len() >= head + length
            {
                return taken;
            }
        }
    })
    .await
    .unwrap();
    let (head, _) = head_and_length(&taken).expect("a head");
    let body: Value = serde_json::from_slice(&taken[head..]).expect("the whole list");
    assert_eq!(body.as_array().unwrap().len(), 4_500);
}
