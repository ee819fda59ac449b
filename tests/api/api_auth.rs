//! Better-Auth's REST endpoints answer with the shapes its client expects.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn signing_up_returns_a_token_and_the_user_and_signs_in() {
    let app = spawn_app().await;
    let browser = app.browser();

    let res = app
        .post_json(
            &browser,
            "/api/auth/sign-up/email",
            &json!({ "email": "  Alice@Example.COM ", "password": PASSWORD, "name": "Alice" }),
        )
        .await;

    assert_eq!(res.status(), 200);
    assert!(res.headers().get("set-auth-token").is_some());
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], "alice@example.com");
    assert_eq!(body["user"]["name"], "Alice");
    assert_eq!(body["user"]["emailVerified"], false);
    assert!(body["user"]["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(body["token"].as_str().unwrap().len() >= 32);
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(
            cookie.contains(attribute),
            "cookie lacks {attribute}: {cookie}"
        );
    }
    assert!(!cookie.contains("Secure"), "plain http must not set Secure");
    assert_eq!(
        app.get_session(&browser).await["user"]["email"],
        "alice@example.com"
    );
}

#[tokio::test]
async fn signing_in_returns_betterauths_shape() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "bob@example.com").await;
    let browser = app.browser();

    let res = app.sign_in(&browser, "BOB@example.com", PASSWORD).await;

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["redirect"], false);
    assert_eq!(body["user"]["email"], "bob@example.com");
    let token = body["token"].as_str().unwrap();
    let session = app.get_session(&browser).await;
    assert_eq!(session["session"]["token"], token);
    assert_eq!(session["session"]["userId"], body["user"]["id"]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "carol@example.com").await;

    let wrong = app
        .sign_in(&app.api_client(), "carol@example.com", "not the password")
        .await;
    let unknown = app
        .sign_in(&app.api_client(), "nobody@example.com", PASSWORD)
        .await;

    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(
        wrong,
        json!({ "message": "Invalid email or password", "code": "INVALID_EMAIL_OR_PASSWORD" })
    );
}

#[tokio::test]
async fn signing_up_with_a_taken_email_answers_neutrally_and_changes_nothing() {
    let app = spawn_app().await;
    let first = app.sign_up(&app.api_client(), "dave@example.com").await;

    let res = app
        .post_json(
            &app.browser(),
            "/api/auth/sign-up/email",
            &json!({ "email": "dave@example.com", "password": "another password" }),
        )
        .await;

    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session for a taken email"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token"], Value::Null);
    assert_eq!(body["user"]["email"], "dave@example.com");
    assert_ne!(body["user"]["id"], first["user"]["id"]);
    assert_eq!(app.count("user"), 1);
    // The original password still works, the new one does not.
    assert_eq!(
        app.sign_in(&app.api_client(), "dave@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.sign_in(&app.api_client(), "dave@example.com", "another password")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn get_session_is_null_without_a_session_and_never_cached() {
    let app = spawn_app().await;

    let res = app.get(&app.api_client(), "/api/auth/get-session").await;

    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);
}

#[tokio::test]
async fn the_token_endpoint_needs_a_session() {
    let app = spawn_app().await;

    let res = app.get(&app.api_client(), "/api/auth/token").await;

    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "UNAUTHORIZED");
}

#[tokio::test]
async fn api_me_works_with_a_cookie_a_jwt_or_a_session_token() {
    let app = spawn_app().await;
    let browser = app.browser();
    let signed_up = app.sign_up(&browser, "erin@example.com").await;
    let jwt = app.jwt(&browser).await;
    let session_token = signed_up["token"].as_str().unwrap();

    let by_cookie: Value = app.get(&browser, "/api/me").await.json().await.unwrap();
    let by_jwt: Value = app
        .api_client()
        .get(app.url("/api/me"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_token: Value = app
        .api_client()
        .get(app.url("/api/me"))
        .bearer_auth(session_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(by_cookie["email"], "erin@example.com");
    assert_eq!(by_jwt, by_cookie);
    assert_eq!(by_token, by_cookie);
}

#[tokio::test]
async fn api_me_without_credentials_is_a_json_401() {
    let app = spawn_app().await;

    let res = app.get(&app.api_client(), "/api/me").await;

    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");
}

#[tokio::test]
async fn sign_out_ends_the_session_and_always_succeeds() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("frank@example.com").await;

    let res = app.sign_out(&browser).await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "success": true })
    );
    assert_eq!(app.get_session(&browser).await, Value::Null);
    assert_eq!(app.count("session"), 0);
    let again = app.sign_out(&browser).await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn forms_work_as_well_as_json() {
    let app = spawn_app().await;
    let browser = app.browser();

    let res = browser
        .post(app.url("/api/auth/sign-up/email"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email=gina%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    assert_eq!(app.get_session(&browser).await["user"]["name"], "gina");
}
