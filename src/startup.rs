//! Building and running the server: `Application::build` binds its own
//! listener (port 0 in tests) and returns the server ready to run.

mod app;
mod listener;
mod runtime;
mod send_patience;
mod server;
mod trust;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use std::sync::Arc;
use std::time::Duration;

use self::app::{api, body_limits, security_headers, session_middleware};
pub use self::runtime::main_runtime;
pub use self::send_patience::SEND_PATIENCE;
use self::server::Serve;
use self::trust::{cookie_key, jwt_keys, public_url, trusted_origins};
use crate::ai::Assistant;
use crate::auth::jwt::JwtKeys;
use crate::auth::origin::TrustedOrigins;
use crate::auth::rate_limit::AuthRateLimiter;
use crate::chat::runs::{Limits, Runs};
use crate::config::Settings;
use crate::db::{self, Backend, DbPool};
use crate::metrics::scrape::Serving;
use crate::middleware::answer_budget::{self, AnswerBudget};
use crate::middleware::{self, admission::Door};
use crate::telemetry::RequestSpan;

/// What one user may have at once on one server: reply streams open, and
/// assistant runs going (as many as streams: a user watching all their
/// replies never meets the second bound; one who asks and hangs up does).
const PER_USER: Limits = Limits {
    streams: 8,
    runs: 8,
};

/// How long connections get, beyond the grace, to close once the replies are
/// settled (stopped runs store their failure, streams send their last event).
const CONNECTIONS_CLOSE_WITHIN: Duration = Duration::from_secs(8);

/// How often each replica deletes sessions that expired unused.
const EXPIRED_SESSION_SWEEP: Duration = Duration::from_secs(3600);

/// What every request handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub jwt: JwtKeys,
    pub auth_limiter: AuthRateLimiter,
    pub origins: TrustedOrigins,
    pub trust_proxy_headers: bool,
    pub assistant: Arc<Assistant>,
    pub runs: Arc<Runs>,
}

pub struct Application {
    port: u16,
    public_url: String,
    server: Server,
    /// The port of the `METRICS_BIND` listener.
    metrics_port: Option<u16>,
    runs: Arc<Runs>,
    shutdown_grace: Duration,
}

impl Application {
    /// Connects to the database, applies pending migrations, binds the
    /// listener and builds the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let backend = Backend::from_url(&settings.database_url)?;
        let assistant = Assistant::from_settings(&settings.ai)?;
        tracing::info!(providers = %assistant.describe(), "assistant ready");
        let pool = connect_and_migrate(backend, settings.database_pool_size).await?;
        let metrics = Serving::from_settings(&settings.metrics, &pool)?;

        let listener = listener::bind(&settings.bind, settings.port)
            .with_context(|| format!("could not listen on {}:{}", settings.bind, settings.port))?;
        let port = listener.local_addr()?.port();
        let public_url = public_url(&settings, port);

        tokio::spawn(crate::auth::service::sweep_expired_sessions(
            pool.clone(),
            EXPIRED_SESSION_SWEEP,
        ));

        let state = web::Data::new(AppState {
            jwt: jwt_keys(&settings, &pool, &public_url),
            pool,
            auth_limiter: AuthRateLimiter::new(settings.auth_rate_limit_per_minute),
            origins: TrustedOrigins::new(trusted_origins(&settings, &public_url, port)),
            trust_proxy_headers: settings.trust_proxy_headers,
            assistant,
            runs: Runs::new(PER_USER),
        });
        let metrics_port = match &metrics.listener {
            Some(listener) => Some(listener.local_addr()?.port()),
            None => None,
        };
        let runs = state.runs.clone();
        let secure = public_url.starts_with("https://");
        let server = Application::serve(&settings, listener, state, metrics, secure)?;
        Ok(Application {
            port,
            public_url,
            server,
            metrics_port,
            runs,
            shutdown_grace: settings.shutdown_grace,
        })
    }

    /// The server over `state`, with its middleware and routes, on `listener`
    /// and on the `METRICS_BIND` listener if there is one.
    fn serve(
        settings: &Settings,
        listener: TcpListener,
        state: web::Data<AppState>,
        metrics: Serving,
        secure: bool,
    ) -> std::io::Result<Server> {
        let cookie_key = cookie_key(&settings.auth_secret);
        let (main_metrics, metrics_only) = (metrics.main, metrics.dedicated.clone());
        let mut listeners = vec![listener];
        listeners.extend(metrics.listener);
        let serve = Serve {
            listeners,
            workers: settings.workers,
            // Shutdown is ours (see `run_until_signalled`): replies first, then connections.
            shutdown_timeout: settings.shutdown_grace + CONNECTIONS_CLOSE_WITHIN,
            send_patience: settings.send_timeout,
        };
        let budget = AnswerBudget::new(answer_budget::BUDGET_BYTES);
        serve.start(move |door: Door| {
            let budget = budget.clone();
            App::new()
                .wrap(from_fn(move |req, next| budget.clone().limit(req, next)))
                .wrap(from_fn(middleware::utf8_forms::refuse_invalid))
                .wrap(from_fn(middleware::content_coding::refuse_encoded))
                .wrap(from_fn(middleware::body_deadline::limit))
                .wrap(from_fn(crate::auth::origin::check))
                .wrap(from_fn(middleware::methods::not_allowed))
                .wrap(from_fn(crate::error::render))
                .wrap(from_fn(middleware::no_store::private_json))
                .wrap(session_middleware(cookie_key.clone(), secure))
                .wrap(from_fn(middleware::cookies::keep_ours))
                .wrap(security_headers(secure))
                .wrap(from_fn(middleware::methods::head_as_get))
                .wrap(TracingLogger::<RequestSpan>::new())
                .wrap(from_fn(middleware::body_deadline::close_if_unread))
                .wrap(from_fn(move |req, next| door.admit(req, next)))
                .wrap(from_fn(crate::metrics::http::track))
                .wrap(Condition::new(
                    metrics_only.is_some(),
                    from_fn(crate::metrics::scrape::only_metrics_on_their_address),
                ))
                .configure(|cfg| crate::metrics::scrape::dedicated(cfg, metrics_only.as_ref()))
                .app_data(state.clone())
                .configure(body_limits)
                .configure(api)
                .configure(crate::auth::routes::pages)
                .configure(crate::chat::routes::pages)
                .configure(|cfg| crate::chatkit::routes(cfg, &state.origins))
                .configure(crate::mcp::routes::routes)
                .configure(crate::tasks::routes::pages)
                .configure(crate::pages::routes)
                .configure(|cfg| crate::metrics::scrape::routes(cfg, main_metrics.as_ref()))
                // Last in every router: a path with other methods is a 405, else a 404.
                .service(middleware::methods::fallback())
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the `METRICS_BIND` listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The origin people use to reach this server.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Stops the server from elsewhere (tests stop theirs when they end).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: stops
    /// accepting connections, lets running replies finish within the grace
    /// (`SHUTDOWN_GRACE_SECONDS`), stores the rest as failed (retryable on
    /// another replica), ends their streams, closes the connections.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let (handle, runs, grace) = (self.server.handle(), self.runs.clone(), self.shutdown_grace);
        let shutdown = tokio::spawn(async move {
            stop_signal().await;
            shut_down(handle, runs, grace).await;
        });
        let served = self.server.await;
        if self.runs.shutting_down() {
            let _ = shutdown.await;
        }
        served
    }

    /// Serves until stopped through [`Application::handle`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The graceful shutdown, once a stop signal came: the listener closes at
/// once (new connections are refused, so clients go to another replica);
/// requests already accepted are served and running replies get the grace to
/// finish. Then replies still running are stopped and stored as failed, and
/// the last connections close.
pub async fn shut_down(handle: actix_web::dev::ServerHandle, runs: Arc<Runs>, grace: Duration) {
    tracing::info!(
        running = runs.active(),
        grace_seconds = grace.as_secs(),
        "stopping: no new connections; letting running replies finish"
    );
    runs.begin_draining();
    let (stopped_tx, mut stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        handle.stop(true).await;
        let _ = stopped_tx.send(true);
    });
    let settled = async {
        let _ = stopped.wait_for(|s| *s).await;
        runs.idle().await;
    };
    let _ = tokio::time::timeout(grace, settled).await;
    runs.stop_remaining().await;
    let _ = stopped.wait_for(|s| *s).await;
    tracing::info!("stopped");
}

/// SIGTERM (what orchestrators send) or SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            tracing::warn!("could not listen for stop signals; stop with SIGKILL");
            std::future::pending::<()>().await;
        }
    }
}

/// Opens the pool and brings the schema up to date, off the async runtime.
pub async fn connect_and_migrate(backend: Backend, pool_size: u32) -> anyhow::Result<DbPool> {
    let name = backend.name();
    let pool = tokio::task::spawn_blocking(move || -> anyhow::Result<DbPool> {
        let pool = db::build_pool(&backend, pool_size)?;
        let mut conn = pool.get()?;
        let applied = db::migrations::run_pending(&mut conn)
            .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied database migrations");
        }
        drop(conn);
        Ok(pool)
    })
    .await??;
    tracing::info!(backend = name, "database ready");
    Ok(pool)
}
