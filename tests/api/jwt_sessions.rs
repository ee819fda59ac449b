//! A JWT lives no longer than the session it was issued from: it names that
//! session (`sid`), which must still exist on every use, and only a session
//! (never a JWT) can get a new token.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::cli::tasktalk;
use crate::helpers::{PASSWORD, SECRET, TestApp, spawn_app, spawn_hs256_app};

/// The status of `GET /api/me`, `GET /api/tasks` and `POST /mcp` with `token`.
async fn statuses_with(app: &TestApp, token: &str) -> [u16; 3] {
    let client = app.api_client();
    let me = client
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let tasks = client
        .get(app.url("/api/tasks"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let mcp = client
        .post(app.url("/mcp"))
        .bearer_auth(token)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .unwrap();
    [me, tasks, mcp].map(|res| res.status().as_u16())
}

fn sign(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn a_jwt_cannot_renew_itself() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("ivo@example.com").await;
    let jwt = app.jwt(&browser).await;

    let res = app
        .api_client()
        .get(app.url("/api/auth/token"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "SESSION_REQUIRED");
    assert!(body["message"].as_str().unwrap().contains("session"));
}

#[tokio::test]
async fn a_session_bearer_token_can_get_a_jwt() {
    let app = spawn_app().await;
    let signed_up = app.sign_up(&app.api_client(), "jon@example.com").await;
    let session_token = signed_up["token"].as_str().unwrap();

    let res = app
        .api_client()
        .get(app.url("/api/auth/token"))
        .bearer_auth(session_token)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    let jwt = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(statuses_with(&app, &jwt).await, [200, 200, 200]);
}

#[tokio::test]
async fn signing_out_ends_the_sessions_jwts() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("kai@example.com").await;
    let jwt = app.jwt(&browser).await;
    assert_eq!(statuses_with(&app, &jwt).await, [200, 200, 200]);

    assert_eq!(app.sign_out(&browser).await.status(), 200);

    assert_eq!(statuses_with(&app, &jwt).await, [401, 401, 401]);
}

#[tokio::test]
async fn revoking_the_session_from_the_command_line_ends_its_jwts() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("lea@example.com").await;
    let jwt = app.jwt(&browser).await;
    let other_browser = app.browser();
    app.sign_in(&other_browser, "lea@example.com", PASSWORD)
        .await;
    let other_jwt = app.jwt(&other_browser).await;
    let session_id = app.get_session(&browser).await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (ok, out) = tasktalk(&app.database_url, &["sessions", "revoke", &session_id]);
    assert!(ok, "{out}");

    assert_eq!(statuses_with(&app, &jwt).await, [401, 401, 401]);
    // The person's other session, and its token, are untouched.
    assert_eq!(statuses_with(&app, &other_jwt).await, [200, 200, 200]);
}

#[tokio::test]
async fn a_jwt_of_an_expired_session_is_refused() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("max@example.com").await;
    let jwt = app.jwt(&browser).await;

    app.sql(&format!(
        "UPDATE \"session\" SET expires_at = '{}'",
        crate::helpers::sql_time(chrono::Duration::minutes(-1))
    ));

    assert_eq!(statuses_with(&app, &jwt).await, [401, 401, 401]);
}

#[tokio::test]
async fn a_jwt_without_a_session_or_with_someone_elses_is_refused() {
    let app = spawn_hs256_app().await;
    let (_, alice) = app.signed_in_browser("nia@example.com").await;
    let (bob_browser, _) = app.signed_in_browser("oli@example.com").await;
    let bob_session = app.get_session(&bob_browser).await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now().timestamp();
    let claims = |sid: Option<&str>| {
        let mut claims = json!({ "sub": alice, "email": "nia@example.com", "name": "N",
            "iat": now, "exp": now + 600, "iss": app.address, "aud": app.address });
        if let Some(sid) = sid {
            claims["sid"] = json!(sid);
        }
        claims
    };

    for token in [
        sign(&claims(None)),
        sign(&claims(Some(""))),
        sign(&claims(Some("no-such-session"))),
        sign(&claims(Some(&bob_session))),
    ] {
        assert_eq!(statuses_with(&app, &token).await, [401, 401, 401]);
    }
}

#[tokio::test]
async fn signing_out_with_a_jwt_ends_its_session_and_every_token_of_it() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("oli@example.com").await;
    let jwt = app.jwt(&browser).await;
    let sibling = app.jwt(&browser).await;

    let res = app
        .api_client()
        .post(app.url("/api/auth/sign-out"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    assert_eq!(statuses_with(&app, &jwt).await, [401, 401, 401]);
    assert_eq!(statuses_with(&app, &sibling).await, [401, 401, 401]);
    assert_eq!(app.get_session(&browser).await, Value::Null);
}
