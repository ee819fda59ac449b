//! The Better-Auth fixtures (`tests/fixtures/better-auth`, written by
//! Better-Auth 1.7.25 itself) as import sources, and what a user should find
//! after moving in.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use serde_json::Value;

use crate::cli::tasktalk;
use crate::helpers::{TestApp, TestDb, postgres_database};

/// The fixture's users and their passwords (Zoë's needs NFKC: "ﬁ" is U+FB01).
pub const USERS: [(&str, &str); 3] = [
    ("ada@example.com", "correct horse battery staple"),
    ("zoe@example.com", "Żółć ﬁsh pässwörd 🐟"),
    ("bob@example.org", "password-1234"),
];

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/better-auth")
        .join(name)
}

pub fn sqlite_source() -> String {
    format!("sqlite://{}", fixture("better-auth.sqlite").display())
}

/// A writable copy of the SQLite fixture, changed by `sql` (foreign keys
/// unchecked: some tests break them on purpose).
pub fn changed_sqlite_source(sql: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("better-auth.sqlite");
    std::fs::copy(fixture("better-auth.sqlite"), &path).unwrap();
    // The fixture is read-only; the copy must not be.
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o600);
    std::fs::set_permissions(&path, permissions).unwrap();
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = OFF;").unwrap();
    conn.batch_execute(sql).unwrap();
    (dir, format!("sqlite://{}", path.display()))
}

/// The PostgreSQL dump loaded into a new database, when `TEST_POSTGRES_URL` is set.
pub fn postgres_source() -> Option<(String, TestDb)> {
    let (url, db) = postgres_database()?;
    // `\restrict` lines are for psql 17.6 and later; the SQL needs none of them.
    let dump: String = std::fs::read_to_string(fixture("better-auth.postgres.sql"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut psql = Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("psql runs");
    psql.stdin
        .take()
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    assert!(psql.wait().unwrap().success(), "the dump did not load");
    Some((url, db))
}

/// `tasktalk import better-auth --from <from> [more…]` into the app's database.
pub fn import(app: &TestApp, from: &str, more: &[&str]) -> (bool, String) {
    let mut args = vec!["import", "better-auth", "--from", from];
    args.extend(more);
    tasktalk(&app.database_url, &args)
}

/// Signs in as a fixture user and checks their tasks and conversation through
/// the API; returns the signed-in user.
pub async fn sees_their_list(app: &TestApp, email: &str, password: &str) -> Value {
    let browser = app.browser();
    let res = app.sign_in(&browser, email, password).await;
    assert_eq!(res.status(), 200, "{email} cannot sign in");
    let user = res.json::<Value>().await.unwrap()["user"].clone();

    let tasks: Vec<Value> = app.get(&browser, "/api/tasks").await.json().await.unwrap();
    let tasks: Vec<_> = tasks
        .iter()
        .map(|t| {
            (
                t["title"].clone(),
                t["description"].clone(),
                t["completed"].clone(),
            )
        })
        .collect();
    assert_eq!(
        tasks,
        [
            (
                "Buy groceries".into(),
                "Milk, eggs, bread".into(),
                false.into()
            ),
            ("Call mom".into(), Value::Null, true.into()),
        ],
        "{email}'s tasks"
    );

    let conversations: Vec<Value> = app
        .get(&browser, "/api/conversations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(conversations.len(), 1, "{email}'s conversations");
    assert_eq!(conversations[0]["title"], "Add a task to buy groceries");
    let path = format!("/api/conversations/{}/messages", conversations[0]["id"]);
    let page: Value = app.get(&browser, &path).await.json().await.unwrap();
    let messages: Vec<_> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let said = |role: &str, text: &str| (role.to_owned(), text.to_owned());
    assert_eq!(
        messages,
        [
            said("user", "Add a task to buy groceries"),
            said("assistant", "I added \"Buy groceries\" to your list."),
            said("user", "What is pending?"),
            said("assistant", "You have 1 pending task: Buy groceries."),
        ],
        "{email}'s messages"
    );
    user
}
