//! Signing in while the browser still holds a session ends that session:
//! no forgotten session stays valid behind the new one.

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn signing_in_again_through_the_api_deletes_the_old_session() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("pam@example.com").await;
    let first = app.get_session(&browser).await["session"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let res = app.sign_in(&browser, "pam@example.com", PASSWORD).await;

    assert_eq!(res.status(), 200);
    assert_eq!(app.count("session"), 1);
    let old = app
        .api_client()
        .get(app.url("/api/me"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401, "the old session still works");
    assert_eq!(app.get(&browser, "/api/me").await.status(), 200);
}

#[tokio::test]
async fn signing_in_again_on_the_login_page_deletes_the_old_session() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("quin@example.com").await;
    let first = app.get_session(&browser).await["session"]["id"].clone();

    let res = app
        .post_form(
            &browser,
            "/login",
            &[("email", "quin@example.com"), ("password", PASSWORD)],
        )
        .await;

    assert_eq!(res.status(), 303);
    assert_eq!(app.count("session"), 1);
    assert_ne!(app.get_session(&browser).await["session"]["id"], first);
}

#[tokio::test]
async fn signing_in_as_someone_else_ends_the_first_persons_session_in_this_browser() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("rae@example.com").await;
    app.sign_up(&app.api_client(), "sol@example.com").await;
    assert_eq!(app.count("session"), 2);

    app.sign_in(&browser, "sol@example.com", PASSWORD).await;

    // Sol's session from the sign-up, and the browser's new one: Rae's is gone.
    assert_eq!(app.count("session"), 2);
    assert_eq!(
        app.get_session(&browser).await["user"]["email"],
        "sol@example.com"
    );
    let left_behind = app.sql(
        "DELETE FROM \"session\" WHERE user_id IN \
         (SELECT id FROM \"user\" WHERE email = 'rae@example.com')",
    );
    assert_eq!(left_behind, 0, "Rae's session was left behind");
}
