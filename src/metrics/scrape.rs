//! `GET /metrics`: the Prometheus text format, never public. With
//! `METRICS_BIND` it is served on that address only (a second listener of
//! the same server, so no threads are added); with `METRICS_TOKEN` alone, on
//! the main address. Wherever it is served, a set token must come as
//! `Authorization: Bearer <token>`. With neither set the path is unknown
//! (404) like any other.

use std::net::{SocketAddr, TcpListener};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::Context;

pub use super::exporter::Exporter;
use crate::config::MetricsSettings;
use crate::db::DbPool;

/// The `METRICS_BIND` listener's address, and what it serves.
pub struct Dedicated {
    addr: SocketAddr,
    exporter: Exporter,
}

/// The listening address a connection came in on (its connection data).
pub struct ArrivedOn(pub SocketAddr);

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
        let exporter = Exporter::new(handle, settings.token.clone(), pool.clone());
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
    let local = req.conn_data::<ArrivedOn>().map(|on| on.0);
    let dedicated = req
        .app_data::<web::Data<Dedicated>>()
        .filter(|d| Some(d.addr) == local)
        .cloned();
    let Some(dedicated) = dedicated else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let wanted = req.path() == "/metrics" && matches!(*req.method(), Method::GET | Method::HEAD);
    let answer = if wanted {
        dedicated.exporter.answer(req.request())
    } else {
        HttpResponse::NotFound().finish()
    };
    Ok(req.into_response(answer).map_into_right_body())
}

async fn scrape_route(req: HttpRequest, exporter: web::Data<Exporter>) -> HttpResponse {
    exporter.answer(&req)
}
