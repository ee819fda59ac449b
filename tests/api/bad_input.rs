//! Bad input gets a clear 4xx and stores nothing.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

async fn sign_up_raw(
    app: &TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-up/email"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_kind_of_bad_sign_up_is_refused_with_a_reason_and_stores_nothing() {
    let app = spawn_app().await;
    let json_ct = "application/json";
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "text/plain",
            json!({ "email": "a@example.com", "password": PASSWORD }).to_string(),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (json_ct, "{\"email\": ".to_owned(), 400, "VALIDATION_ERROR"),
        (
            json_ct,
            json!({ "password": PASSWORD }).to_string(),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json_ct,
            json!({ "email": 42, "password": PASSWORD }).to_string(),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json_ct,
            json!({ "email": "not-an-email", "password": PASSWORD }).to_string(),
            400,
            "INVALID_EMAIL",
        ),
        (
            json_ct,
            json!({ "email": "a@example.com", "password": "short" }).to_string(),
            400,
            "PASSWORD_TOO_SHORT",
        ),
        (
            json_ct,
            json!({ "email": "a@example.com", "password": "x".repeat(129) }).to_string(),
            400,
            "PASSWORD_TOO_LONG",
        ),
        (
            json_ct,
            json!({ "email": "a@example.com", "password": PASSWORD, "name": "n".repeat(101) })
                .to_string(),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json_ct,
            json!({ "email": "a@example.com", "password": "x".repeat(100_000) }).to_string(),
            413,
            "PAYLOAD_TOO_LARGE",
        ),
    ];

    for (content_type, body, status, code) in cases {
        let (got_status, got) = sign_up_raw(&app, content_type, body.clone()).await;
        assert_eq!(got_status, status, "{body:.80}");
        assert_eq!(got["code"], code, "{body:.80}");
        assert!(got["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(app.count("user"), 0);
    assert_eq!(app.count("session"), 0);
}

#[tokio::test]
async fn a_sign_in_with_a_huge_password_is_refused_before_hashing() {
    let app = spawn_app().await;

    let res = app
        .sign_in(&app.api_client(), "a@example.com", &"x".repeat(500))
        .await;

    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "PASSWORD_TOO_LONG"
    );
}

#[tokio::test]
async fn a_page_form_with_missing_fields_is_shown_again_with_a_message() {
    let app = spawn_app().await;

    let res = app
        .browser()
        .post(app.url("/login"))
        .form(&[("email", "")])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Invalid email or password")
    );
}

#[tokio::test]
async fn a_huge_page_form_is_refused() {
    let app = spawn_app().await;
    let big = "x".repeat(200_000);

    let res = app
        .browser()
        .post(app.url("/signup"))
        .form(&[("email", big.as_str())])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 413);
    assert_eq!(app.count("user"), 0);
}

#[tokio::test]
async fn a_form_refused_before_its_handler_gets_the_error_shape_of_its_door() {
    let app = spawn_app().await;
    let big = "x".repeat(300_000);
    let post = |path: &str, body: String| {
        app.api_client()
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };

    for path in ["/api/tasks", "/api/auth/sign-in/email", "/signup"] {
        let too_big = post(path, format!("title={big}")).await.unwrap();
        assert_eq!(too_big.status(), 413, "{path}");
        let content_type = too_big.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = too_big.text().await.unwrap();
        match path {
            "/api/tasks" => {
                let got: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(got["error"]["code"], "PAYLOAD_TOO_LARGE", "{path}");
            }
            "/api/auth/sign-in/email" => {
                let got: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(got["code"], "PAYLOAD_TOO_LARGE", "{path}");
            }
            _ => assert!(
                content_type.starts_with("text/html"),
                "{path}: {content_type}"
            ),
        }
    }
    let not_utf8 = post("/api/tasks", "title=%FF".to_owned()).await.unwrap();
    assert_eq!(not_utf8.status(), 400);
    assert_eq!(
        not_utf8.json::<Value>().await.unwrap()["error"]["code"],
        "INVALID_BODY"
    );
    assert_eq!(app.count("user"), 0);
}

/// PostgreSQL cannot store NUL in text: every door that stores text refuses
/// it with a 400 instead of failing in the database.
#[tokio::test]
async fn a_nul_character_is_refused_wherever_text_is_stored() {
    let app = spawn_app().await;
    let (status, body) = sign_up_raw(
        &app,
        "application/json",
        json!({"email": "nul@example.com", "password": PASSWORD, "name": "a\u{0}b"}).to_string(),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    let (browser, _) = app.signed_in_browser("nil@example.com").await;
    let (status, body) = app.chat(&browser, None, "add milk\u{0}").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_MESSAGE");
    let res = app
        .post_form(&browser, "/chat", &[("message", "add milk\u{0}")])
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .post_json(&browser, "/api/tasks", &json!({"title": "milk\u{0}"}))
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("message"), 0);
    assert_eq!(app.count("task"), 0);
}

/// A form field that is not UTF-8 once decoded is refused, not stored with
/// U+FFFD in place of what was sent.
#[tokio::test]
async fn a_form_that_is_not_utf8_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("utf@example.com").await;
    for (path, body) in [
        ("/tasks", "title=%FF"),
        ("/tasks", "title=ok&description=%ED%A0%80"),
        ("/chat", "message=%ED%A0%80"),
        (
            "/api/auth/sign-up/email",
            "email=x%40example.com&password=long+enough+1&name=%FF",
        ),
    ] {
        let res = browser
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{path} {body}");
    }
    assert_eq!(app.count("task"), 0);
    assert_eq!(app.count("message"), 0);
    assert_eq!(app.count("user"), 1);
}

fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body).unwrap();
    encoder.finish().unwrap()
}

/// A compressed body is refused at every door before anything inflates it
/// (a bomb would otherwise ask for memory and blocking threads without
/// bound), in that door's shape, with `Accept-Encoding: identity`, and
/// nothing it carried is stored. The same body sent as it is goes through.
#[tokio::test]
async fn a_compressed_body_is_refused_at_every_door_and_stores_nothing() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("zip@example.com").await;
    let token = app.jwt(&browser).await;
    let api = app.api_client();
    let task = json!({"title": "Inflated"}).to_string();
    let sign_up =
        json!({"email": "zip2@example.com", "password": PASSWORD, "name": "Zip"}).to_string();
    let mcp = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "add_task", "arguments": {"title": "Inflated"}}})
    .to_string();
    let json_ct = "application/json";
    let form_ct = "application/x-www-form-urlencoded";
    struct Door<'a> {
        client: &'a reqwest::Client,
        path: &'static str,
        bearer: bool,
        content_type: &'static str,
        body: String,
        /// Where the JSON error code is; `None` for an HTML page.
        code_at: Option<&'static str>,
    }
    let door = |client, path, bearer, content_type, body: &str, code_at| Door {
        client,
        path,
        bearer,
        content_type,
        body: body.to_owned(),
        code_at,
    };
    let doors = [
        door(
            &api,
            "/api/tasks",
            true,
            json_ct,
            &task,
            Some("/error/code"),
        ),
        door(
            &browser,
            "/api/tasks",
            false,
            form_ct,
            "title=Inflated",
            Some("/error/code"),
        ),
        door(
            &api,
            "/api/auth/sign-up/email",
            false,
            json_ct,
            &sign_up,
            Some("/code"),
        ),
        door(&api, "/mcp", true, json_ct, &mcp, Some("/error/code")),
        door(&browser, "/tasks", false, form_ct, "title=Inflated", None),
        door(
            &browser,
            "/chat",
            false,
            form_ct,
            "message=add+Inflated",
            None,
        ),
    ];
    for Door {
        client,
        path,
        bearer,
        content_type,
        body,
        code_at,
    } in &doors
    {
        for (coding, sent) in [
            ("gzip", gzip(body.as_bytes())),
            ("br", body.as_bytes().to_vec()),
            ("identity, deflate", body.as_bytes().to_vec()),
        ] {
            let mut req = client
                .post(app.url(path))
                .header("content-type", *content_type)
                .header("content-encoding", coding)
                .body(sent);
            if *bearer {
                req = req.bearer_auth(&token);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 415, "{path} {coding}");
            assert_eq!(res.headers()["accept-encoding"], "identity", "{path}");
            let shape = res.headers()["content-type"].to_str().unwrap().to_owned();
            let text = res.text().await.unwrap();
            match code_at {
                Some(pointer) => {
                    let got: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(
                        got.pointer(pointer),
                        Some(&json!("UNSUPPORTED_CONTENT_ENCODING")),
                        "{path}: {text}"
                    );
                }
                None => assert!(shape.starts_with("text/html"), "{path}: {shape}"),
            }
        }
    }
    assert_eq!(app.count("task"), 0);
    assert_eq!(app.count("message"), 0);
    assert_eq!(app.count("user"), 1);

    // Said to be as it is, the body is taken.
    let res = api
        .post(app.url("/api/tasks"))
        .bearer_auth(&token)
        .header("content-type", json_ct)
        .header("content-encoding", "identity")
        .body(task)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(app.count("task"), 1);
}

/// A task's title or description holds no control character but tabs and
/// line breaks, whichever door it comes through: invisible on every page,
/// and six bytes each in JSON.
#[tokio::test]
async fn control_characters_never_reach_a_task() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("controls@example.com").await;
    let (status, body) = app
        .chat(&browser, None, "add a task to buy \u{1}milk")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["tool_calls"][0]["result"]["error"]["code"], "INVALID_ARGUMENT",
        "{body}"
    );
    let res = app
        .post_form(&browser, "/tasks", &[("title", "milk\u{2}")])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_json(
            &browser,
            "/api/tasks",
            &json!({"title": "milk", "description": "\u{9b}31m"}),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("task"), 0);
}
