//! JWTs: checked for algorithm, signature, expiry, issuer, audience, and that
//! the user still exists. Forged tokens are signed with the shared secret of
//! an app configured for HS256 (EdDSA keys: see `jwks.rs`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{SECRET, TestApp, spawn_app, spawn_hs256_app};

pub(crate) async fn me_with(app: &TestApp, token: &str) -> reqwest::Response {
    app.api_client()
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn assert_refused(app: &TestApp, token: &str) {
    let res = me_with(app, token).await;
    assert_eq!(res.status(), 401, "token was accepted: {token}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_TOKEN");
    // No detail of why it failed.
    assert_eq!(body["error"]["message"], "Invalid or expired token.");
}

#[tokio::test]
async fn an_issued_token_carries_the_user_and_expires_in_fifteen_minutes() {
    let app = spawn_app().await;
    let (browser, user_id) = app.signed_in_browser("pia@example.com").await;

    let token = app.jwt(&browser).await;

    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["sub"], user_id.as_str());
    assert_eq!(payload["email"], "pia@example.com");
    assert_eq!(payload["iss"], app.address.as_str());
    assert_eq!(payload["aud"], app.address.as_str());
    assert_eq!(
        payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
        900
    );
    assert_eq!(me_with(&app, &token).await.status(), 200);
}

#[tokio::test]
async fn expired_forged_unsigned_and_tampered_tokens_are_refused() {
    let app = spawn_hs256_app().await;
    let (browser, user_id) = app.signed_in_browser("quinn@example.com").await;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| json!({ "sub": user_id, "email": "quinn@example.com", "name": "Q", "iat": now - 3600, "exp": exp, "iss": app.address, "aud": app.address });

    let expired = sign(&claims(now - 600), SECRET);
    let wrong_key = sign(&claims(now + 600), "some-other-secret-that-is-long-enough!");
    let payload = URL_SAFE_NO_PAD.encode(claims(now + 600).to_string());
    let alg_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    let good = app.jwt(&browser).await;
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(claims(now + 86_400).to_string());
    let tampered = parts.join(".");
    let wrong_audience = sign(
        &json!({ "sub": user_id, "email": "", "name": "", "iat": now, "exp": now + 600, "iss": app.address, "aud": "http://elsewhere.example" }),
        SECRET,
    );

    for token in [
        &expired,
        &wrong_key,
        &alg_none,
        &tampered,
        &wrong_audience,
        &"not.a.jwt".to_owned(),
    ] {
        assert_refused(&app, token).await;
    }
}

#[tokio::test]
async fn a_deleted_users_token_stops_working() {
    let app = spawn_app().await;
    let (browser, user_id) = app.signed_in_browser("rosa@example.com").await;
    let token = app.jwt(&browser).await;
    assert_eq!(me_with(&app, &token).await.status(), 200);

    app.sql(&format!("DELETE FROM \"user\" WHERE id = '{user_id}'"));

    assert_refused(&app, &token).await;
}

#[tokio::test]
async fn a_bad_bearer_token_does_not_fall_back_to_the_cookie() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("sam@example.com").await;

    let res = browser
        .get(app.url("/api/me"))
        .bearer_auth("x.y.z")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 401);
}
