//! The operator's commands, run as the real binary against the app's database.

use std::process::Command;

use crate::helpers::{PASSWORD, SECRET, spawn_app};

pub(crate) fn tasktalk(database_url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tasktalk"))
        .args(args)
        .env("DATABASE_URL", database_url)
        // The server's secret: the signing keys are encrypted with it.
        .env("AUTH_SECRET", SECRET)
        .env_remove("APP_ENV")
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn operators_can_list_show_and_delete_users() {
    let app = spawn_app().await;
    app.signed_in_browser("alice@example.com").await;
    app.signed_in_browser("bob@example.com").await;

    let (ok, list) = tasktalk(&app.database_url, &["users", "list"]);
    assert!(ok, "{list}");
    assert!(list.contains("alice@example.com") && list.contains("bob@example.com"));
    assert!(list.contains("2 user(s)"));

    let (ok, show) = tasktalk(&app.database_url, &["users", "show", "Alice@Example.com"]);
    assert!(ok, "{show}");
    assert!(show.contains("1 session(s), 1 account(s)"));

    let (ok, deleted) = tasktalk(&app.database_url, &["users", "delete", "alice@example.com"]);
    assert!(ok, "{deleted}");
    assert_eq!(app.count("user"), 1);
    assert_eq!(app.count("session"), 1);
    assert_eq!(app.count("account"), 1);

    let (ok, missing) = tasktalk(&app.database_url, &["users", "show", "alice@example.com"]);
    assert!(!ok);
    assert!(missing.contains("no user has the email alice@example.com"));
}

#[tokio::test]
async fn operators_can_list_and_revoke_sessions() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in_browser("carol@example.com").await;
    app.sign_in(&app.api_client(), "carol@example.com", PASSWORD)
        .await;
    app.signed_in_browser("dan@example.com").await;
    let session_id = app.get_session(&browser).await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (ok, list) = tasktalk(
        &app.database_url,
        &["sessions", "list", "carol@example.com"],
    );
    assert!(ok, "{list}");
    assert!(list.contains(&session_id));
    assert!(list.contains("2 session(s)"));

    let (ok, revoked) = tasktalk(&app.database_url, &["sessions", "revoke", &session_id]);
    assert!(ok, "{revoked}");
    assert_eq!(app.get_session(&browser).await, serde_json::Value::Null);
    assert_eq!(app.count("session"), 2);

    let (ok, all) = tasktalk(
        &app.database_url,
        &["sessions", "revoke", "--user", "carol@example.com"],
    );
    assert!(ok, "{all}");
    assert!(all.contains("Revoked 1 session(s)"));
    assert_eq!(app.count("session"), 1);
}

#[tokio::test]
async fn migrate_brings_a_new_database_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());

    let (ok, first) = tasktalk(&url, &["migrate"]);
    assert!(ok, "{first}");
    assert!(first.contains("applied"));
    let (ok, second) = tasktalk(&url, &["migrate"]);
    assert!(ok);
    assert!(second.contains("up to date"));
}

#[test]
fn production_refuses_to_start_with_the_default_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_tasktalk"))
        .env("APP_ENV", "production")
        .env_remove("AUTH_SECRET")
        .env_remove("BETTER_AUTH_SECRET")
        .env("DATABASE_URL", "sqlite://unused.db")
        .output()
        .unwrap();

    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AUTH_SECRET"));
}
