//! Sessions live in the database: hashed, seven days, sliding, one per device.

use chrono::Duration;
use serde_json::Value;

use crate::helpers::{PASSWORD, spawn_app, sql_time};

#[tokio::test]
async fn two_browsers_stay_signed_in_and_signing_out_one_leaves_the_other() {
    let app = spawn_app().await;
    let (laptop, _) = app.signed_in_browser("hana@example.com").await;
    let phone = app.browser();
    assert_eq!(
        app.sign_in(&phone, "hana@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(app.count("session"), 2);

    let res = app.sign_out(&laptop).await;
    assert_eq!(res.status(), 200);

    assert_eq!(app.get_session(&laptop).await, Value::Null);
    assert_eq!(
        app.get_session(&phone).await["user"]["email"],
        "hana@example.com"
    );
    assert_eq!(app.count("session"), 1);
}

#[tokio::test]
async fn the_database_stores_only_a_hash_of_the_token() {
    let app = spawn_app().await;
    let body = app.sign_up(&app.api_client(), "ivan@example.com").await;
    let token = body["token"].as_str().unwrap();

    let stored_raw = app.sql(&format!(
        "UPDATE \"session\" SET ip_address = ip_address WHERE token = '{token}'"
    ));
    let stored_hash = app.sql(&format!(
        "UPDATE \"session\" SET ip_address = ip_address WHERE token = '{}'",
        tasktalk::auth::session_token::hash(token)
    ));

    assert_eq!(stored_raw, 0, "the raw token must not be in the database");
    assert_eq!(stored_hash, 1);
}

#[tokio::test]
async fn an_expired_session_is_no_session_and_is_removed() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("judy@example.com").await;

    app.sql(&format!(
        "UPDATE \"session\" SET expires_at = '{}'",
        sql_time(-Duration::seconds(1))
    ));

    assert_eq!(app.get_session(&browser).await, Value::Null);
    assert_eq!(app.count("session"), 0);
    let home = app.get(&browser, "/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/login?next=%2F");
}

#[tokio::test]
async fn a_session_used_after_a_day_slides_forward_seven_days() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("ken@example.com").await;
    app.sql(&format!(
        "UPDATE \"session\" SET updated_at = '{}', expires_at = '{}'",
        sql_time(-Duration::days(2)),
        sql_time(Duration::days(5))
    ));

    let res = app.get(&browser, "/api/auth/get-session").await;

    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("the cookie is re-sent")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Max-Age=604800"));
    let body: Value = res.json().await.unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(body["session"]["expiresAt"].as_str().unwrap())
            .unwrap();
    let remaining = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        remaining > Duration::days(6) + Duration::hours(23),
        "expiry did not slide: {remaining}"
    );
    // The database agrees, so every replica sees the new expiry.
    let slid = app.sql(&format!(
        "UPDATE \"session\" SET ip_address = ip_address WHERE expires_at > '{}'",
        sql_time(Duration::days(6))
    ));
    assert_eq!(slid, 1);
}

#[tokio::test]
async fn a_session_used_within_a_day_is_not_rewritten() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("lena@example.com").await;
    let before = app.get_session(&browser).await;

    let res = app.get(&browser, "/api/auth/get-session").await;

    assert!(res.headers().get("set-cookie").is_none());
    let after: Value = res.json().await.unwrap();
    assert_eq!(
        after["session"]["expiresAt"],
        before["session"]["expiresAt"]
    );
    assert_eq!(
        after["session"]["updatedAt"],
        before["session"]["updatedAt"]
    );
}

#[tokio::test]
async fn signing_in_replaces_the_session_the_browser_had() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "mia@example.com").await;
    let browser = app.browser();
    assert_eq!(
        app.sign_in(&browser, "mia@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    let first = app.get_session(&browser).await["session"]["id"].clone();

    assert_eq!(
        app.sign_in(&browser, "mia@example.com", PASSWORD)
            .await
            .status(),
        200
    );

    let second = app.get_session(&browser).await["session"]["id"].clone();
    assert_ne!(first, second, "a sign-in must start a new session");
}

#[tokio::test]
async fn a_revoked_session_stops_working_at_once() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("nora@example.com").await;

    // What an operator's `tasktalk sessions revoke`, or another replica's sign-out, does.
    app.sql("DELETE FROM \"session\"");

    assert_eq!(app.get_session(&browser).await, Value::Null);
    let res = app.get(&browser, "/api/me").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_second_replica_on_the_same_database_honours_the_session() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("omar@example.com").await;
    let token = app.get_session(&browser).await["session"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let replica = tasktalk::Application::build(crate::helpers::test_settings(&app.database_url))
        .await
        .unwrap();
    let replica_url = format!("http://127.0.0.1:{}", replica.port());
    let handle = replica.handle();
    tokio::spawn(replica.run_until_stopped());

    let me = app
        .api_client()
        .get(format!("{replica_url}/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let out = app
        .api_client()
        .post(format!("{replica_url}/api/auth/sign-out"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);

    // Signed out on the replica: gone on the first server too.
    assert_eq!(app.get_session(&browser).await, Value::Null);
    handle.stop(false).await;
}

#[tokio::test]
async fn sessions_that_expired_unused_are_swept_away() {
    let app = spawn_app().await;
    app.signed_in_browser("pat@example.com").await;
    let (browser, _) = app.signed_in_browser("quin@example.com").await;
    app.sql(&format!(
        "UPDATE \"session\" SET expires_at = '{}' WHERE user_id IN (SELECT id FROM \"user\" WHERE email = 'pat@example.com')",
        sql_time(-Duration::minutes(1))
    ));

    let swept = tasktalk::auth::service::delete_expired_sessions(&app.pool)
        .await
        .unwrap();

    assert_eq!(swept, 1);
    assert_eq!(app.count("session"), 1);
    assert_eq!(
        app.get_session(&browser).await["user"]["email"],
        "quin@example.com"
    );
}
