//! `next` (where to go after signing in) only ever leads to a path on this
//! site, and no value of it is a server error.

use crate::helpers::{PASSWORD, TestApp, spawn_app_with};

/// `next` values that lead off-site in some browser, or broke the
/// `Location` header, each as a form field would carry it (decoded).
const HOSTILE: &[&str] = &[
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "//evil.example/",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "%2f%2fevil.example",
    "/%2fevil.example",
    "/%5cevil.example",
    "/%255c%255cevil.example",
    "/.//evil.example",
    "/x\r\nSet-Cookie: a=b",
    "/x\0",
    "/x\u{7f}",
    "/%0a",
    "/%0d",
    "/%00",
    "/%7f",
    "evil.example",
    "",
];

/// Kept as they are.
const GOOD: &[(&str, &str)] = &[
    ("/tasks?status=pending", "/tasks?status=pending"),
    ("/chat/7", "/chat/7"),
];

async fn login_with_next(app: &TestApp, next: &str) -> reqwest::Response {
    app.browser()
        .post(app.url("/login"))
        .form(&[
            ("email", "uma@example.com"),
            ("password", PASSWORD),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> &str {
    res.headers()["location"].to_str().unwrap()
}

#[tokio::test]
async fn signing_in_with_a_hostile_next_lands_on_the_chat() {
    let app = spawn_app_with_user().await;

    for next in HOSTILE {
        let res = login_with_next(&app, next).await;
        assert_eq!(res.status(), 303, "next={next:?}");
        assert_eq!(location(&res), "/chat", "next={next:?}");
    }
    for (next, kept) in GOOD {
        let res = login_with_next(&app, next).await;
        assert_eq!(res.status(), 303, "next={next:?}");
        assert_eq!(location(&res), *kept);
    }
}

#[tokio::test]
async fn a_signed_in_visit_to_login_or_signup_with_a_hostile_next_lands_on_the_chat() {
    let app = spawn_app_with_user().await;
    let browser = app.browser();
    app.sign_in(&browser, "uma@example.com", PASSWORD).await;

    // Raw query strings, as a link would carry them: encoded control characters included.
    for query in [
        "next=%0a",
        "next=%0d",
        "next=%00",
        "next=%7f",
        "next=/%0d%0aSet-Cookie:%20a=b",
        "next=/%09/evil.example",
        "next=%2f%2fevil.example",
        "next=/%5cevil.example",
        "next=%2F%5Cevil.example",
        "next=https://evil.example",
        "next=%E2%80%AE",
        "next=%ff",
    ] {
        for page in ["/login", "/signup"] {
            let res = app.get(&browser, &format!("{page}?{query}")).await;
            assert_eq!(res.status(), 303, "{page}?{query}");
            assert_eq!(location(&res), "/chat", "{page}?{query}");
        }
    }
    let res = app
        .get(&browser, "/login?next=%2Ftasks%3Fstatus%3Dpending")
        .await;
    assert_eq!(location(&res), "/tasks?status=pending");
}

#[tokio::test]
async fn signing_up_on_the_page_with_a_hostile_next_lands_on_the_chat() {
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 0).await;

    for (i, next) in ["/%09/evil.example", "//evil.example", "/x\r\n"]
        .iter()
        .enumerate()
    {
        let res = app
            .browser()
            .post(app.url("/signup"))
            .form(&[
                ("email", format!("vic{i}@example.com").as_str()),
                ("password", PASSWORD),
                ("name", "Vic"),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "next={next:?}");
        assert_eq!(location(&res), "/chat", "next={next:?}");
    }
}

/// An app with a user to sign in as, and no sign-in rate limit (the tables sign in many times).
async fn spawn_app_with_user() -> TestApp {
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 0).await;
    app.sign_up(&app.api_client(), "uma@example.com").await;
    app
}
