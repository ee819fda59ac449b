//! Origin checks, the sign-in rate limit, and the headers every page carries.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_cookie_write_without_an_origin_is_refused() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "amy@example.com").await;
    let cookie = app.session_cookie("amy@example.com").await;

    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-out"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "MISSING_OR_NULL_ORIGIN");
    assert_eq!(app.count("session"), 2, "no session was ended");
}

#[tokio::test]
async fn a_write_from_another_origin_is_refused_even_with_a_valid_cookie() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "amy@example.com").await;
    let cookie = app.session_cookie("amy@example.com").await;

    let res = app
        .api_client()
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 403);
    assert_eq!(app.count("session"), 2, "no session was ended");
}

#[tokio::test]
async fn a_sign_in_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "bea@example.com").await;

    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-in/email"))
        .header("origin", "http://evil.example")
        .json(&json!({ "email": "bea@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_ORIGIN");
}

#[tokio::test]
async fn bearer_requests_need_no_origin() {
    let app = spawn_app().await;
    let body = app.sign_up(&app.api_client(), "cleo@example.com").await;

    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-out"))
        .bearer_auth(body["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    assert_eq!(app.count("session"), 0);
}

#[tokio::test]
async fn too_many_sign_ins_from_one_address_get_a_429() {
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 3).await;
    let client = app.api_client();

    for _ in 0..3 {
        assert_eq!(
            app.sign_in(&client, "nobody@example.com", PASSWORD)
                .await
                .status(),
            401
        );
    }
    let res = app.sign_in(&client, "nobody@example.com", PASSWORD).await;

    assert_eq!(res.status(), 429);
    assert!(
        res.headers()["x-retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["message"],
        "Too many requests. Please try again later."
    );
    let page = app
        .browser()
        .post(app.url("/signup"))
        .form(&[("email", "x@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(
        page.headers().contains_key("retry-after"),
        "every door's 429 says when to try again"
    );
    assert!(page.text().await.unwrap().contains("Too many requests"));
    assert_eq!(app.count("user"), 0);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_csp_without_inline_script() {
    let app = spawn_app().await;

    let res = app.get(&app.browser(), "/login").await;

    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let html = res.text().await.unwrap();
    assert!(!html.contains("<script>"), "no inline scripts");
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let app = spawn_app_with(|s| {
        s.public_url = Some(url::Url::parse("https://tasks.example.com").unwrap());
    })
    .await;

    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-up/email"))
        .json(&json!({ "email": "dee@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}
