//! The test app: the real server on 127.0.0.1:0 with a fresh database, a
//! temporary SQLite file, or a new PostgreSQL database when
//! `TEST_POSTGRES_URL` is set.

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tasktalk::config::Settings;
use tasktalk::db::{Backend, DbConnection, DbPool, build_pool};
use tasktalk::{Application, telemetry};

pub const PASSWORD: &str = "correct horse battery";
pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";

pub struct TestApp {
    pub address: String,
    /// The `METRICS_BIND` listener's port, when the settings asked for one.
    pub metrics_port: Option<u16>,
    pub database_url: String,
    pub pool: DbPool,
    server: actix_web::dev::ServerHandle,
    _db: TestDb,
}

/// A test database; dropped (or deleted) with this.
pub enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

/// A fresh, empty database URL (and what removes it afterwards).
fn fresh_database() -> (String, TestDb) {
    postgres_database().unwrap_or_else(sqlite_database)
}

/// A new, empty PostgreSQL database when `TEST_POSTGRES_URL` is set.
pub fn postgres_database() -> Option<(String, TestDb)> {
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!("tasktalk_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        PgConnection::establish(&admin_url).expect("TEST_POSTGRES_URL must be reachable");
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .expect("could not create a test database");
    let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL must be a URL");
    url.set_path(&name);
    Some((url.to_string(), TestDb::Postgres { admin_url, name }))
}

fn sqlite_database() -> (String, TestDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("tasktalk.db").display());
    (url, TestDb::Sqlite(dir))
}

pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::from_lookup(|_| None).expect("default settings");
    settings.bind = "127.0.0.1".into();
    settings.port = 0;
    settings.database_url = database_url.to_owned();
    settings.database_pool_size = 4;
    settings.workers = Some(1);
    settings.auth_secret = SECRET.to_owned().into();
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// An app that signs JWTs with the shared secret (`JWT_ALGORITHM=HS256`), so
/// a test can forge tokens with [`SECRET`].
pub async fn spawn_hs256_app() -> TestApp {
    spawn_app_with(|s| s.jwt_algorithm = tasktalk::config::JwtAlgorithm::Hs256).await
}

/// An app on SQLite even when the suite runs on PostgreSQL.
pub async fn spawn_sqlite_app() -> TestApp {
    spawn_app_on(sqlite_database(), |_| {}).await
}

pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(fresh_database(), customize).await
}

async fn spawn_app_on(
    (database_url, db): (String, TestDb),
    customize: impl FnOnce(&mut Settings),
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        telemetry::init_subscriber(false);
    }
    let mut settings = test_settings(&database_url);
    customize(&mut settings);
    let app = Application::build(settings).await.expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_port = app.metrics_port();
    let server = app.handle();
    tokio::spawn(app.run_until_stopped());
    let pool = build_pool(&Backend::from_url(&database_url).expect("url"), 2).expect("test pool");
    TestApp {
        address,
        metrics_port,
        database_url,
        pool,
        server,
        _db: db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A browser: keeps cookies, does not follow redirects, and sends our
    /// `Origin` like a browser does on same-site form posts.
    pub fn browser(&self) -> reqwest::Client {
        let mut headers = HeaderMap::new();
        headers.insert(
            "origin",
            HeaderValue::from_str(&self.address).expect("origin"),
        );
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client")
    }

    /// A program talking to the API: no cookies, no Origin.
    pub fn api_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<tasktalk::db::Manager> {
        self.pool.get().expect("a test connection")
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// `POST /api/auth/sign-out` as the given client.
    pub async fn sign_out(&self, client: &reqwest::Client) -> reqwest::Response {
        self.post_json(client, "/api/auth/sign-out", &json!({}))
            .await
    }

    pub async fn post_json(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Signs up through the JSON API in `client`; returns the response body.
    pub async fn sign_up(&self, client: &reqwest::Client, email: &str) -> Value {
        let res = self
            .post_json(
                client,
                "/api/auth/sign-up/email",
                &json!({ "email": email, "password": PASSWORD, "name": "Test User" }),
            )
            .await;
        assert_eq!(res.status(), 200, "sign-up of {email} failed");
        res.json().await.expect("json")
    }

    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_json(
            client,
            "/api/auth/sign-in/email",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// The `Cookie` pair a browser signed in as `email` would send.
    pub async fn session_cookie(&self, email: &str) -> String {
        let res = self.sign_in(&self.api_client(), email, PASSWORD).await;
        let set_cookie = res.headers()["set-cookie"]
            .to_str()
            .expect("a cookie")
            .to_owned();
        set_cookie.split(';').next().unwrap_or_default().to_owned()
    }

    /// A signed-in browser for a new user; returns it with the user's id.
    pub async fn signed_in_browser(&self, email: &str) -> (reqwest::Client, String) {
        let browser = self.browser();
        let body = self.sign_up(&browser, email).await;
        let id = body["user"]["id"].as_str().expect("user id").to_owned();
        (browser, id)
    }

    pub async fn get_session(&self, client: &reqwest::Client) -> Value {
        let res = self.get(client, "/api/auth/get-session").await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("json")
    }

    pub async fn jwt(&self, client: &reqwest::Client) -> String {
        let res = self.get(client, "/api/auth/token").await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Runs raw SQL against the app's database.
    pub fn sql(&self, query: &str) -> usize {
        diesel::sql_query(query)
            .execute(&mut **self.conn())
            .expect(query)
    }

    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let row: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{table}\""))
            .get_result(&mut **self.conn())
            .expect("count");
        row.n
    }
}

impl TestApp {
    /// Gives `user` `n` more tasks, titled "Task" with `description`, in one
    /// statement.
    pub fn add_tasks(&self, user: &str, n: usize, description: &str) {
        let now = sql_time(chrono::Duration::zero());
        self.sql(&format!(
            "INSERT INTO task (user_id, title, description, completed, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             SELECT '{user}', 'Task', '{description}', false, '{now}', '{now}' FROM n"
        ));
    }

    /// The messages of a conversation as `role status`, oldest first: what a
    /// failing test shows of a conversation.
    pub fn replies_in(&self, conversation: i64) -> String {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            role: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            status: String,
        }
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT role, status FROM message WHERE conversation_id = {conversation} ORDER BY id"
        ))
        .load(&mut **self.conn())
        .expect("messages");
        rows.iter()
            .map(|r| format!("{} {}", r.role, r.status))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A timestamp literal both backends accept, `offset` from now.
pub fn sql_time(offset: chrono::Duration) -> String {
    (chrono::Utc::now().naive_utc() + offset)
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

pub fn connection(url: &str) -> DbConnection {
    Backend::from_url(url)
        .expect("url")
        .connect()
        .expect("connect")
}
