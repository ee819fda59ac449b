//! Accounts holding a Better-Auth scrypt hash sign in with their password,
//! and that first sign-in replaces the hash with argon2id.

use serde_json::Value;

use crate::cli::tasktalk;
use crate::helpers::{TestApp, spawn_app};

/// Written by Better-Auth 1.7.25 for "correct horse battery staple".
const ADA_HASH: &str = "d01f1e45bddbdf3101877d442fcfe933:9353b87b23abffc3fbd72427a49dc6705c186e2d8093aaffcee133caa185707a7df8d707febf5ee39061b8c0e8eb4e619f00308c4d63c90b4bd7b26c167b4ef9";
const ADA_PASSWORD: &str = "correct horse battery staple";

/// A user whose credential holds `hash`, as an import leaves it.
async fn user_with_hash(app: &TestApp, email: &str, hash: &str) {
    app.sign_up(&app.api_client(), email).await;
    app.sql(&format!(
        "UPDATE account SET password = '{hash}' WHERE user_id = \
         (SELECT id FROM \"user\" WHERE email = '{email}')"
    ));
}

fn stored_hash(app: &TestApp, email: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        password: String,
    }
    use diesel::RunQueryDsl;
    let row: Row = diesel::sql_query(format!(
        "SELECT password FROM account WHERE user_id = \
         (SELECT id FROM \"user\" WHERE email = '{email}')"
    ))
    .get_result(&mut **app.conn())
    .unwrap();
    row.password
}

#[tokio::test]
async fn a_better_auth_hash_signs_in_and_is_replaced_by_argon2id() {
    let app = spawn_app().await;
    user_with_hash(&app, "ada@example.com", ADA_HASH).await;
    let (_, shown) = tasktalk(&app.database_url, &["users", "show", "ada@example.com"]);
    assert!(shown.contains("password:       scrypt"), "{shown}");

    let res = app
        .sign_in(&app.browser(), "ada@example.com", ADA_PASSWORD)
        .await;

    assert_eq!(res.status(), 200);
    assert!(stored_hash(&app, "ada@example.com").starts_with("$argon2id$"));
    let (_, shown) = tasktalk(&app.database_url, &["users", "show", "ada@example.com"]);
    assert!(shown.contains("password:       argon2id"), "{shown}");
    let again = app
        .sign_in(&app.browser(), "ada@example.com", ADA_PASSWORD)
        .await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn a_wrong_password_on_a_better_auth_hash_gets_the_usual_answer_and_keeps_the_hash() {
    let app = spawn_app().await;
    user_with_hash(&app, "ada@example.com", ADA_HASH).await;

    let wrong = app
        .sign_in(&app.browser(), "ada@example.com", "correct horse battery")
        .await;
    let unknown = app
        .sign_in(
            &app.browser(),
            "nobody@example.com",
            "correct horse battery",
        )
        .await;

    assert_eq!(
        (wrong.status().as_u16(), unknown.status().as_u16()),
        (401, 401)
    );
    let (wrong, unknown): (Value, Value) =
        (wrong.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["code"], "INVALID_EMAIL_OR_PASSWORD");
    assert_eq!(stored_hash(&app, "ada@example.com"), ADA_HASH);
    assert_eq!(app.count("session"), 1, "only the sign-up's session");
}
