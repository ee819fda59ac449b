//! The sign-up, sign-in and home pages, driven as a browser drives them.

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_signed_out_visit_redirects_to_login_and_returns_after_signing_in() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "tara@example.com").await;
    let browser = app.browser();

    let visit = app.get(&browser, "/chat?tab=1").await;
    assert_eq!(visit.status(), 303);
    assert_eq!(visit.headers()["location"], "/login?next=%2Fchat%3Ftab%3D1");

    let form = app
        .get(&browser, "/login?next=%2Fchat%3Ftab%3D1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        form.contains(r#"name="next" value="/chat?tab=1""#),
        "{form}"
    );
    let login = app
        .post_form(
            &browser,
            "/login",
            &[
                ("email", "tara@example.com"),
                ("password", PASSWORD),
                ("next", "/chat?tab=1"),
            ],
        )
        .await;
    assert_eq!(login.status(), 303);
    assert_eq!(login.headers()["location"], "/chat?tab=1");

    let home = app.get(&browser, "/chat").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("tara@example.com"));
    assert!(html.contains(r#"action="/logout""#));
}

#[tokio::test]
async fn signing_up_on_the_page_signs_in_and_shows_who_you_are() {
    let app = spawn_app().await;
    let browser = app.browser();

    let res = app
        .post_form(
            &browser,
            "/signup",
            &[
                ("name", "Uma"),
                ("email", "Uma@Example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/chat");
    let html = app.get(&browser, "/chat").await.text().await.unwrap();
    assert!(html.contains("uma@example.com"));
}

#[tokio::test]
async fn the_signup_page_explains_problems_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let browser = app.browser();

    let short = app
        .post_form(
            &browser,
            "/signup",
            &[
                ("name", "Vic"),
                ("email", "vic@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 400);
    let html = short.text().await.unwrap();
    assert!(html.contains("Password too short"));
    assert!(html.contains(r#"value="vic@example.com""#));

    app.sign_up(&app.api_client(), "taken@example.com").await;
    let taken = app
        .post_form(
            &browser,
            "/signup",
            &[("email", "taken@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("If you already have an account, sign in instead")
    );
    assert_eq!(app.count("user"), 1);
}

#[tokio::test]
async fn a_wrong_password_on_the_login_page_says_so_without_saying_which() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "walt@example.com").await;

    let res = app
        .browser()
        .post(app.url("/login"))
        .form(&[
            ("email", "walt@example.com"),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("Invalid email or password"));
    assert!(html.contains(r#"value="walt@example.com""#));
}

#[tokio::test]
async fn logging_out_ends_only_this_browsers_session() {
    let app = spawn_app().await;
    let (first, _) = app.signed_in_browser("xena@example.com").await;
    let second = app.browser();
    app.post_form(
        &second,
        "/login",
        &[("email", "xena@example.com"), ("password", PASSWORD)],
    )
    .await;

    let out = first.post(app.url("/logout")).send().await.unwrap();

    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()["location"], "/login");
    assert_eq!(app.get(&first, "/chat").await.status(), 303);
    assert_eq!(app.get(&second, "/chat").await.status(), 200);
}

#[tokio::test]
async fn next_never_leads_off_site() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "yara@example.com").await;

    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let res = app
            .browser()
            .post(app.url("/login"))
            .form(&[
                ("email", "yara@example.com"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/chat", "next={next}");
    }
}

#[tokio::test]
async fn an_htmx_request_without_a_session_gets_a_toast_not_a_redirect() {
    let app = spawn_app().await;

    let res = app
        .browser()
        .get(app.url("/"))
        .header("HX-Request", "true")
        .header("HX-Current-URL", format!("{}/somewhere?x=1", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["hx-retarget"], "#toasts");
    let html = res.text().await.unwrap();
    assert!(html.contains("session expired"));
    assert!(html.contains("/login?next=%2Fsomewhere%3Fx%3D1"));
}

#[tokio::test]
async fn unknown_pages_are_a_friendly_404() {
    let app = spawn_app().await;

    let res = app.get(&app.browser(), "/no-such-page").await;

    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Not found"));
    let api = app.get(&app.api_client(), "/api/no-such-thing").await;
    assert_eq!(api.status(), 404);
    assert_eq!(
        api.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "NOT_FOUND"
    );
}
