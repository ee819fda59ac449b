//! `GET /metrics`: the Prometheus text format, never public. With
//! `METRICS_BIND` it is served on that address only, by a small server of its
//! own; with `METRICS_TOKEN` alone, on the main address. Wherever it is
//! served, a set token must come as `Authorization: Bearer <token>`. With
//! neither set the path is unknown (404) like any other.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{DB_CONNECTIONS_IDLE, DB_CONNECTIONS_IN_USE, DB_CONNECTIONS_MAX};
use crate::auth::current_user::bearer_token;
use crate::config::MetricsSettings;
use crate::db::DbPool;

/// The Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What a scrape reads: the recorder, the token it needs, and the pool whose
/// state it reports.
pub struct Exporter {
    handle: PrometheusHandle,
    token: Option<SecretString>,
    pool: DbPool,
}

/// Where `/metrics` is served.
pub struct Serving {
    /// On the main address (a token is set and no address of its own).
    pub main: Option<web::Data<Exporter>>,
    /// On its own address.
    pub dedicated: Option<(TcpListener, web::Data<Exporter>)>,
}

impl Serving {
    /// Installs the recorder and binds `METRICS_BIND` when metrics are on.
    pub fn from_settings(settings: &MetricsSettings, pool: &DbPool) -> anyhow::Result<Serving> {
        if !settings.enabled() {
            return Ok(Serving {
                main: None,
                dedicated: None,
            });
        }
        let exporter = web::Data::new(Exporter {
            handle: super::install()?,
            token: settings.token.clone(),
            pool: pool.clone(),
        });
        Ok(match settings.bind {
            Some(addr) => Serving {
                main: None,
                dedicated: Some((
                    TcpListener::bind(addr)
                        .with_context(|| format!("could not listen on METRICS_BIND {addr}"))?,
                    exporter,
                )),
            },
            None => Serving {
                main: Some(exporter),
                dedicated: None,
            },
        })
    }
}

/// Adds `/metrics` to the main app when it serves it there.
pub fn routes(cfg: &mut web::ServiceConfig, exporter: Option<&web::Data<Exporter>>) {
    if let Some(exporter) = exporter {
        cfg.service(
            web::resource("/metrics")
                .app_data(exporter.clone())
                .route(web::get().to(scrape)),
        );
    }
}

/// The server of `METRICS_BIND`: `/metrics` and nothing else, one worker.
pub fn serve(listener: TcpListener, exporter: web::Data<Exporter>) -> anyhow::Result<Server> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(exporter.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .context("could not serve metrics on METRICS_BIND")?;
    Ok(server.run())
}

async fn scrape(req: HttpRequest, exporter: web::Data<Exporter>) -> HttpResponse {
    if let Some(token) = &exporter.token
        && !bearer_matches(&req, token)
    {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .finish();
    }
    let pool = exporter.pool.state();
    gauge!(DB_CONNECTIONS_IN_USE).set(pool.connections.saturating_sub(pool.idle_connections));
    gauge!(DB_CONNECTIONS_IDLE).set(pool.idle_connections);
    gauge!(DB_CONNECTIONS_MAX).set(exporter.pool.max_size());
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(exporter.handle.render())
}

/// Compares digests in constant time, so neither the token's bytes nor its
/// length show in how long a refusal takes.
fn bearer_matches(req: &HttpRequest, token: &SecretString) -> bool {
    let Some(given) = bearer_token(req) else {
        return false;
    };
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(token.expose_secret().as_bytes());
    given[..].ct_eq(&expected[..]).into()
}
