//! EdDSA JWTs (the default): signed with the current key of the `jwks` table,
//! verifiable with the public keys at `/api/auth/jwks`, and accepted only as
//! EdDSA from a published key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde_json::Value;

use crate::cli::tasktalk;
use crate::helpers::{TestApp, spawn_app, spawn_app_with, spawn_hs256_app};
use crate::jwt::me_with;

fn header_of(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn claims_of(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn jwks(app: &TestApp) -> JwkSet {
    let res = app.get(&app.api_client(), "/api/auth/jwks").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    me_with(app, token).await.status().as_u16()
}

/// A key pair of our own, unknown to the app.
fn stranger_key(seed: u8) -> EncodingKey {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let der = ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(&key).unwrap();
    EncodingKey::from_ed_der(der.as_bytes())
}

#[tokio::test]
async fn tokens_are_eddsa_and_verify_with_the_published_key_they_name() {
    let app = spawn_app().await;
    let (browser, user_id) = app.signed_in_browser("kim@example.com").await;

    let token = app.jwt(&browser).await;

    let header = header_of(&token);
    assert_eq!(header["alg"], "EdDSA");
    let kid = header["kid"].as_str().expect("a kid");
    let set = jwks(&app).await;
    let jwk = set.find(kid).expect("the token's key is published");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[&app.address]);
    validation.set_issuer(&[&app.address]);
    let claims = decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(me_status(&app, &token).await, 200);
}

#[tokio::test]
async fn get_session_also_hands_out_a_jwt() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("lou@example.com").await;

    let res = app.get(&browser, "/api/auth/get-session").await;

    let jwt = res.headers()["set-auth-jwt"].to_str().unwrap().to_owned();
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("set-auth-jwt"));
    assert_eq!(me_status(&app, &jwt).await, 200);
    let anonymous = app.get(&app.api_client(), "/api/auth/get-session").await;
    assert!(anonymous.headers().get("set-auth-jwt").is_none());
}

#[tokio::test]
async fn an_hs256_token_signed_with_the_public_key_is_refused() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("mo@example.com").await;
    let real = app.jwt(&browser).await;
    let kid = header_of(&real)["kid"].as_str().unwrap().to_owned();
    let published: Value = app
        .get(&app.api_client(), "/api/auth/jwks")
        .await
        .json()
        .await
        .unwrap();
    let public = &published["keys"][0];
    let x = public["x"].as_str().unwrap();
    let raw_x = URL_SAFE_NO_PAD.decode(x).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid);

    for secret in [x.as_bytes(), &raw_x, public.to_string().as_bytes()] {
        let forged = encode(
            &header,
            &claims_of(&real),
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_eq!(me_status(&app, &forged).await, 401);
    }
    assert_eq!(me_status(&app, &real).await, 200);
}

#[tokio::test]
async fn a_token_from_another_key_or_without_a_kid_is_refused() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("ned@example.com").await;
    let real = app.jwt(&browser).await;
    let kid = header_of(&real)["kid"].as_str().unwrap().to_owned();
    let stranger = stranger_key(7);

    let mut named = Header::new(Algorithm::EdDSA);
    named.kid = Some(kid);
    let unnamed = Header::new(Algorithm::EdDSA);
    for header in [named, unnamed] {
        let forged = encode(&header, &claims_of(&real), &stranger).unwrap();
        assert_eq!(me_status(&app, &forged).await, 401);
    }
}

#[tokio::test]
async fn rotation_keeps_old_tokens_valid_until_their_key_is_retired_for_good() {
    let app = spawn_app_with(|s| s.jwt_key_refresh = std::time::Duration::ZERO).await;
    let (browser, _) = app.signed_in_browser("ola@example.com").await;
    let old = app.jwt(&browser).await;
    let old_kid = header_of(&old)["kid"].as_str().unwrap().to_owned();

    let (ok, rotated) = tasktalk(&app.database_url, &["keys", "rotate"]);
    assert!(ok, "{rotated}");

    let new = app.jwt(&browser).await;
    let new_kid = header_of(&new)["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);
    let set = jwks(&app).await;
    assert!(set.find(&old_kid).is_some() && set.find(&new_kid).is_some());
    assert_eq!(me_status(&app, &old).await, 200);
    assert_eq!(me_status(&app, &new).await, 200);
    let (_, listed) = tasktalk(&app.database_url, &["keys", "list"]);
    assert!(listed.contains("2 key(s)"), "{listed}");

    // Long after the rotation, the tokens the old key signed have all expired.
    app.sql(&format!(
        "UPDATE jwks SET expires_at = '{}' WHERE id = '{old_kid}'",
        crate::helpers::sql_time(chrono::Duration::days(-1))
    ));
    assert!(jwks(&app).await.find(&old_kid).is_none());
    assert_eq!(me_status(&app, &old).await, 401);
    assert_eq!(me_status(&app, &new).await, 200);
}

#[tokio::test]
async fn one_key_is_current_and_its_private_half_is_stored_encrypted() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("pat@example.com").await;
    app.jwt(&browser).await;
    assert_eq!(app.count("jwks"), 1);

    use diesel::RunQueryDsl;
    let second_current = diesel::sql_query(
        "INSERT INTO jwks (id, public_key, private_key, alg, crv, created_at) \
         VALUES ('x', '{}', '\"00\"', 'EdDSA', 'Ed25519', '2026-01-01 00:00:00')",
    )
    .execute(&mut **app.conn());
    assert!(second_current.is_err(), "a second current key was stored");

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        private_key: String,
    }
    let row: Row = diesel::sql_query("SELECT private_key FROM jwks")
        .get_result(&mut **app.conn())
        .unwrap();
    assert!(!row.private_key.contains("\"d\""), "{}", row.private_key);
}

#[tokio::test]
async fn with_hs256_nothing_is_published_and_eddsa_tokens_are_refused() {
    let app = spawn_hs256_app().await;
    let (browser, _) = app.signed_in_browser("quy@example.com").await;
    let token = app.jwt(&browser).await;
    assert_eq!(header_of(&token)["alg"], "HS256");
    assert!(header_of(&token)["kid"].is_string());

    assert!(jwks(&app).await.keys.is_empty());
    let eddsa = encode(
        &Header::new(Algorithm::EdDSA),
        &claims_of(&token),
        &stranger_key(9),
    )
    .unwrap();
    assert_eq!(me_status(&app, &eddsa).await, 401);
    assert_eq!(me_status(&app, &token).await, 200);
}
