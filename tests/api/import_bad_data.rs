//! What the import does with sources that are not quite what it expects:
//! broken rows are reported and skipped, missing tables are reported,
//! missing columns stop it, Better-Auth's snake_case variant is read too.

use crate::helpers::spawn_app;
use crate::import_helpers::{USERS, changed_sqlite_source, import, sees_their_list};

const ADA: &str = "QlvNXaIPCjdVtcLtUebFkZcg2gF4ei33";

#[tokio::test]
async fn broken_rows_are_reported_and_skipped_and_the_rest_goes_on() {
    let app = spawn_app().await;
    let long_title = "x".repeat(201);
    let (_dir, source) = changed_sqlite_source(&format!(
        "INSERT INTO messages (id, conversation_id, user_id, role, content, created_at) \
             VALUES (13, 2, '{ADA}', 'user', 'Not my conversation', '2025-12-20 10:02:00'); \
         INSERT INTO messages (id, conversation_id, user_id, role, content, created_at) \
             VALUES (14, 99, '{ADA}', 'user', 'Nowhere', '2025-12-20 10:02:00'); \
         INSERT INTO tasks (id, user_id, title, completed, created_at, updated_at) \
             VALUES (7, '{ADA}', '{long_title}', 0, '2025-12-20 12:00:00', '2025-12-20 12:00:00'); \
         INSERT INTO tasks (id, user_id, title, completed, created_at, updated_at) \
             VALUES (8, 'gone', 'Orphan', 0, '2025-12-20 12:00:00', '2025-12-20 12:00:00');"
    ));

    let (ok, out) = import(&app, &source, &[]);

    assert!(ok, "{out}");
    assert!(
        out.contains("Imported: 3 users, 6 tasks, 3 conversations, 12 messages."),
        "{out}"
    );
    assert!(
        out.contains("Skipped: 0 users, 2 tasks, 0 conversations, 2 messages:"),
        "{out}"
    );
    for line in [
        "message 13: its conversation 2 belongs to another user",
        "message 14: its conversation 99 does not exist",
        "task 7: title must be at most 200 characters.",
        "task 8: its user gone does not exist",
    ] {
        assert!(out.contains(line), "{line:?} not in {out}");
    }
    for (email, password) in USERS {
        sees_their_list(&app, email, password).await;
    }
}

#[tokio::test]
async fn a_missing_table_is_reported_and_the_rest_imported() {
    let app = spawn_app().await;
    let (_dir, source) = changed_sqlite_source("DROP TABLE messages; DROP TABLE conversations;");

    let (ok, out) = import(&app, &source, &[]);

    assert!(ok, "{out}");
    assert!(out.contains("No \"messages\" table in the source"), "{out}");
    assert!(
        out.contains("No \"conversations\" table in the source"),
        "{out}"
    );
    assert!(
        out.contains("Imported: 3 users, 6 tasks, 0 conversations, 0 messages."),
        "{out}"
    );
}

#[tokio::test]
async fn a_missing_needed_column_stops_the_import_and_is_named() {
    let app = spawn_app().await;
    let (_dir, source) = changed_sqlite_source(
        "ALTER TABLE tasks RENAME COLUMN title TO name; \
         ALTER TABLE messages DROP COLUMN role;",
    );

    let (ok, out) = import(&app, &source, &[]);

    assert!(!ok);
    assert!(out.contains("tasks.title"), "{out}");
    assert!(out.contains("messages.role"), "{out}");
    assert_eq!(app.count("user"), 0);
}

#[tokio::test]
async fn better_auths_snake_case_columns_are_read_too() {
    let app = spawn_app().await;
    let mut renames = String::new();
    for (table, columns) in [
        ("user", &["emailVerified", "createdAt", "updatedAt"][..]),
        (
            "account",
            &[
                "accountId",
                "providerId",
                "userId",
                "createdAt",
                "updatedAt",
            ][..],
        ),
    ] {
        for column in columns {
            let snake = column
                .chars()
                .map(|c| {
                    if c.is_uppercase() {
                        format!("_{}", c.to_ascii_lowercase())
                    } else {
                        c.to_string()
                    }
                })
                .collect::<String>();
            renames.push_str(&format!(
                "ALTER TABLE \"{table}\" RENAME COLUMN \"{column}\" TO {snake};"
            ));
        }
    }
    let (_dir, source) = changed_sqlite_source(&renames);

    let (ok, out) = import(&app, &source, &[]);

    assert!(ok, "{out}");
    assert!(out.contains("\"user\" (snake_case)"), "{out}");
    assert!(
        out.contains("Imported: 3 users, 6 tasks, 3 conversations, 12 messages."),
        "{out}"
    );
    sees_their_list(&app, USERS[0].0, USERS[0].1).await;
}
