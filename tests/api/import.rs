//! `tasktalk import better-auth`: every user of a Better-Auth deployment signs
//! in with the password they had and finds their tasks and conversations;
//! the import is safe to run again and to try first with `--dry-run`.
//!
//! The target is the suite's backend; the source is the SQLite fixture, and
//! the PostgreSQL dump too when `TEST_POSTGRES_URL` is set (into PostgreSQL
//! and into SQLite).

use serde_json::Value;

use crate::cli::tasktalk;
use crate::helpers::{TestApp, spawn_app, spawn_sqlite_app};
use crate::import_helpers::{USERS, import, postgres_source, sees_their_list, sqlite_source};

const EVERYTHING: &str = "3 users, 6 tasks, 3 conversations, 12 messages";

async fn everyone_moves_in(app: &TestApp, from: &str) {
    let (ok, out) = import(app, from, &[]);

    assert!(ok, "{out}");
    assert!(out.contains(&format!("Imported: {EVERYTHING}.")), "{out}");
    assert!(out.contains("\"user\" (camelCase)"), "{out}");
    for (email, password) in USERS {
        sees_their_list(app, email, password).await;
    }
}

#[tokio::test]
async fn everyone_signs_in_with_their_password_and_finds_their_list() {
    let app = spawn_app().await;
    everyone_moves_in(&app, &sqlite_source()).await;
}

#[tokio::test]
async fn a_postgresql_deployment_moves_in_too() {
    let Some((source, _db)) = postgres_source() else {
        eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL source is not tested");
        return;
    };
    let app = spawn_app().await;
    everyone_moves_in(&app, &source).await;
}

#[tokio::test]
async fn a_postgresql_deployment_moves_into_sqlite() {
    let Some((source, _db)) = postgres_source() else {
        return;
    };
    let app = spawn_sqlite_app().await;
    everyone_moves_in(&app, &source).await;
}

#[tokio::test]
async fn ids_names_and_times_are_kept() {
    let app = spawn_app().await;
    import(&app, &sqlite_source(), &[]);

    let zoe = sees_their_list(&app, USERS[1].0, USERS[1].1).await;

    assert_eq!(zoe["id"], "TuFrij53S46ldqTvduc5xFRleM2gh23L");
    assert_eq!(zoe["name"], "Zoë Ünicode");
    assert_eq!(zoe["createdAt"], "2026-11-25T14:36:02.279Z");
    assert_eq!(zoe["emailVerified"], false);
}

#[tokio::test]
async fn a_second_run_imports_nothing_and_says_so() {
    let app = spawn_app().await;
    import(&app, &sqlite_source(), &[]);

    let (ok, out) = import(&app, &sqlite_source(), &[]);

    assert!(ok, "{out}");
    assert!(out.contains("Imported: 0 users, 0 tasks"), "{out}");
    assert!(
        out.contains("Already imported before, left as they are: 3 user(s)."),
        "{out}"
    );
    assert!(out.contains("Nothing to import"), "{out}");
    assert_eq!(
        [
            app.count("user"),
            app.count("task"),
            app.count("conversation"),
            app.count("message")
        ],
        [3, 6, 3, 12]
    );
}

#[tokio::test]
async fn a_dry_run_says_what_it_would_do_and_changes_nothing() {
    let app = spawn_app().await;

    let (ok, out) = import(&app, &sqlite_source(), &["--dry-run"]);

    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("Would import: {EVERYTHING}.")),
        "{out}"
    );
    assert!(out.contains("Dry run: nothing was written."), "{out}");
    for table in ["user", "account", "task", "conversation", "message"] {
        assert_eq!(app.count(table), 0, "{table}");
    }
    let (_, real) = import(&app, &sqlite_source(), &[]);
    assert!(real.contains(&format!("Imported: {EVERYTHING}.")), "{real}");
}

#[tokio::test]
async fn the_first_sign_in_replaces_the_scrypt_hash_with_argon2id() {
    let app = spawn_app().await;
    import(&app, &sqlite_source(), &[]);
    let (email, password) = USERS[1];
    let (_, before) = tasktalk(&app.database_url, &["users", "show", email]);
    assert!(before.contains("password:       scrypt"), "{before}");

    sees_their_list(&app, email, password).await;

    let (_, after) = tasktalk(&app.database_url, &["users", "show", email]);
    assert!(after.contains("password:       argon2id"), "{after}");
    // The NFKC spelling Better-Auth accepted still works after the upgrade.
    let plain = password.replace('ﬁ', "fi");
    assert_eq!(
        app.sign_in(&app.browser(), email, &plain).await.status(),
        200
    );
    assert_eq!(
        app.sign_in(&app.browser(), email, password).await.status(),
        200
    );
}

#[tokio::test]
async fn a_wrong_password_gets_the_same_answer_as_an_unknown_email() {
    let app = spawn_app().await;
    import(&app, &sqlite_source(), &[]);

    let wrong = app
        .sign_in(&app.browser(), "bob@example.org", "password-12345")
        .await;
    let unknown = app
        .sign_in(&app.browser(), "rob@example.org", "password-12345")
        .await;

    assert_eq!(
        (wrong.status().as_u16(), unknown.status().as_u16()),
        (401, 401)
    );
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(wrong, unknown.json::<Value>().await.unwrap());
    let (_, shown) = tasktalk(&app.database_url, &["users", "show", "bob@example.org"]);
    assert!(shown.contains("password:       scrypt"), "{shown}");
}

#[tokio::test]
async fn an_email_already_here_is_skipped_with_its_reason() {
    let app = spawn_app().await;
    app.sign_up(&app.api_client(), "ada@example.com").await;

    let (ok, out) = import(&app, &sqlite_source(), &[]);

    assert!(ok, "{out}");
    assert!(
        out.contains("Imported: 2 users, 4 tasks, 2 conversations, 8 messages."),
        "{out}"
    );
    assert!(
        out.contains("user ada@example.com: a user with this email already exists here (with 2 tasks, 1 conversation, 4 messages)"),
        "{out}"
    );
}
