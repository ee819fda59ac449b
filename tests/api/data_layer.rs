//! The schema enforces ownership: cascades from `user`, a composite foreign
//! key from `message` to its owner's conversation, reversible migrations.

use diesel::RunQueryDsl;

use crate::helpers::{TestApp, connection, spawn_app, sql_time};

/// Adds a task, a conversation and a message owned by `user_id`; returns the conversation id.
fn give_rows(app: &TestApp, user_id: &str) -> i64 {
    let now = sql_time(chrono::Duration::zero());
    app.sql(&format!(
        "INSERT INTO \"task\" (user_id, title, completed, created_at, updated_at) VALUES ('{user_id}', 'Buy milk', FALSE, '{now}', '{now}')"
    ));
    app.sql(&format!(
        "INSERT INTO \"conversation\" (user_id, title, created_at, updated_at) VALUES ('{user_id}', 'Chat', '{now}', '{now}')"
    ));
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let conversation: Id = diesel::sql_query(format!(
        "SELECT id FROM \"conversation\" WHERE user_id = '{user_id}'"
    ))
    .get_result(&mut **app.conn())
    .unwrap();
    app.sql(&format!(
        "INSERT INTO \"message\" (conversation_id, user_id, role, content, created_at) VALUES ({}, '{user_id}', 'user', 'hi', '{now}')",
        conversation.id
    ));
    conversation.id
}

#[tokio::test]
async fn deleting_a_user_removes_every_row_they_own_and_nothing_else() {
    let app = spawn_app().await;
    let (_, alice) = app.signed_in_browser("alice@example.com").await;
    let (_, bob) = app.signed_in_browser("bob@example.com").await;
    give_rows(&app, &alice);
    give_rows(&app, &bob);
    app.sql(&format!(
        "INSERT INTO \"verification\" (id, identifier, value, expires_at, created_at, updated_at) VALUES ('v1', 'x', 'y', '{0}', '{0}', '{0}')",
        sql_time(chrono::Duration::hours(1))
    ));

    app.sql(&format!("DELETE FROM \"user\" WHERE id = '{alice}'"));

    for table in [
        "user",
        "session",
        "account",
        "task",
        "conversation",
        "message",
    ] {
        assert_eq!(app.count(table), 1, "{table} should keep only bob's row");
        let bobs = app.sql(&format!(
            "UPDATE \"{table}\" SET {col} = {col} WHERE {col} = '{bob}'",
            col = if table == "user" { "id" } else { "user_id" }
        ));
        assert_eq!(bobs, 1, "bob's {table} row is gone");
    }
    assert_eq!(app.count("verification"), 1);
}

#[tokio::test]
async fn a_message_cannot_sit_in_another_users_conversation() {
    let app = spawn_app().await;
    let (_, alice) = app.signed_in_browser("alice@example.com").await;
    let (_, bob) = app.signed_in_browser("bob@example.com").await;
    let alices_conversation = give_rows(&app, &alice);

    let now = sql_time(chrono::Duration::zero());
    let result = diesel::sql_query(format!(
        "INSERT INTO \"message\" (conversation_id, user_id, role, content, created_at) VALUES ({alices_conversation}, '{bob}', 'user', 'sneaky', '{now}')"
    ))
    .execute(&mut **app.conn());

    assert!(
        matches!(
            result,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _
            ))
        ),
        "expected a foreign key violation, got {result:?}"
    );
    assert_eq!(app.count("message"), 1);
}

#[tokio::test]
async fn every_migration_reverts_and_reapplies() {
    let app = spawn_app().await;
    app.signed_in_browser("alice@example.com").await;
    drop(app.pool.clone());
    let mut conn = connection(&app.database_url);

    let reverted = tasktalk::db::migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), 6);
    let reapplied = tasktalk::db::migrations::run_pending(&mut conn).unwrap();
    assert_eq!(reapplied.len(), 6);

    assert_eq!(app.count("user"), 0);
    let again = tasktalk::db::migrations::run_pending(&mut conn).unwrap();
    assert!(again.is_empty());
}

#[test]
fn both_backends_have_the_same_migrations_each_with_a_down() {
    let list = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!("migrations/{backend}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in &names {
            for file in ["up.sql", "down.sql"] {
                let path = format!("migrations/{backend}/{name}/{file}");
                let sql = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(!sql.trim().is_empty(), "{path} is missing or empty");
            }
        }
        names
    };
    assert_eq!(list("sqlite"), list("postgres"));
}

#[tokio::test]
async fn the_app_recovers_when_postgres_drops_its_connections() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        return; // SQLite has no server to lose.
    }
    let (browser, _) = app.signed_in_browser("alice@example.com").await;
    let db_name = app.database_url.rsplit('/').next().unwrap().to_owned();

    // What a server restart or failover does to every open connection.
    let mut admin = connection(&std::env::var("TEST_POSTGRES_URL").unwrap());
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db_name}' AND pid <> pg_backend_pid()"
    ))
    .execute(&mut admin)
    .unwrap();

    // Each dead pooled connection fails at most one request, then is replaced.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let res = app.get(&browser, "/api/auth/get-session").await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
    let failures = statuses.iter().filter(|s| **s != 200).count();
    assert!(
        failures <= 4,
        "more failures than pooled connections: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .skip_while(|s| **s != 200)
            .all(|s| *s == 200),
        "{statuses:?}"
    );
}
