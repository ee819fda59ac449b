//! `GET /metrics`: the Prometheus text format, never public. With
//! `METRICS_BIND` it is served on that address only (a second listener of
//! the same server, so no threads are added); with `METRICS_TOKEN` alone, on
//! the main address. Wherever it is served, a set token must come as
//! `Authorization: Bearer <token>`. With neither set the path is unknown
//! (404) like any other.

use std::net::{SocketAddr, TcpListener};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::Context;
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{DB_CONNECTIONS_IDLE, DB_CONNECTIONS_IN_USE, DB_CONNECTIONS_MAX};
use crate::config::MetricsSettings;
use crate::db::DbPool;
use crate::request::bearer_token;

/// The Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What a scrape reads: the recorder, the token it needs, and the pool whose
/// state it reports.
pub struct Exporter {
    handle: PrometheusHandle,
    token: Option<SecretString>,
    pool: DbPool,
}

/// The `METRICS_BIND` listener's address, and what it serves.
pub struct Dedicated {
    addr: SocketAddr,
    exporter: Exporter,
}

/// Where `/metrics` is served.
#[derive(Default)]
pub struct Serving {
    /// On the main address (a token is set and no address of its own).
    pub main: Option<web::Data<Exporter>>,
    /// On its own address: what requests arriving there get.
    pub dedicated: Option<web::Data<Dedicated>>,
    /// The `METRICS_BIND` listener, to add to the server.
    pub listener: Option<TcpListener>,
}

impl Serving {
    /// When metrics are on: installs the recorder, keeps it tidy, and binds
    /// `METRICS_BIND`.
    pub fn from_settings(settings: &MetricsSettings, pool: &DbPool) -> anyhow::Result<Serving> {
        if !settings.enabled() {
            return Ok(Serving::default());
        }
        let handle = super::install()?;
        super::spawn_upkeep(handle.clone());
        let exporter = Exporter {
            handle,
            token: settings.token.clone(),
            pool: pool.clone(),
        };
        let Some(bind) = settings.bind else {
            return Ok(Serving {
                main: Some(web::Data::new(exporter)),
                ..Serving::default()
            });
        };
        let listener = TcpListener::bind(bind)
            .with_context(|| format!("could not listen on METRICS_BIND {bind}"))?;
        Ok(Serving {
            main: None,
            dedicated: Some(web::Data::new(Dedicated {
                addr: listener.local_addr()?,
                exporter,
            })),
            listener: Some(listener),
        })
    }
}

/// Adds `/metrics` to the main app when it serves it there.
pub fn routes(cfg: &mut web::ServiceConfig, exporter: Option<&web::Data<Exporter>>) {
    if let Some(exporter) = exporter {
        cfg.service(
            web::resource("/metrics")
                .app_data(exporter.clone())
                .route(web::get().to(scrape_route)),
        );
    }
}

/// Gives [`only_metrics_on_their_address`] the address to look for.
pub fn dedicated(cfg: &mut web::ServiceConfig, dedicated: Option<&web::Data<Dedicated>>) {
    if let Some(dedicated) = dedicated {
        cfg.app_data(dedicated.clone());
    }
}

/// Middleware, outermost, when `METRICS_BIND` is set: a request that came in
/// on that address gets `/metrics` or a bare 404, and reaches nothing else.
pub async fn only_metrics_on_their_address(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let local = req.app_config().local_addr();
    let dedicated = req
        .app_data::<web::Data<Dedicated>>()
        .filter(|d| d.addr == local)
        .cloned();
    let Some(dedicated) = dedicated else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let wanted = req.path() == "/metrics" && matches!(*req.method(), Method::GET | Method::HEAD);
    let answer = if wanted {
        scrape(req.request(), &dedicated.exporter)
    } else {
        HttpResponse::NotFound().finish()
    };
    Ok(req.into_response(answer).map_into_right_body())
}

async fn scrape_route(req: HttpRequest, exporter: web::Data<Exporter>) -> HttpResponse {
    scrape(&req, &exporter)
}

fn scrape(req: &HttpRequest, exporter: &Exporter) -> HttpResponse {
    if let Some(token) = &exporter.token
        && !bearer_matches(req, token)
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
