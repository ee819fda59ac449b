//! What a scrape of `/metrics` answers: the recorder's text, after the
//! token check, with the pool's state read at that moment.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{DB_CONNECTIONS_IDLE, DB_CONNECTIONS_IN_USE, DB_CONNECTIONS_MAX};
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

impl Exporter {
    pub fn new(handle: PrometheusHandle, token: Option<SecretString>, pool: DbPool) -> Exporter {
        Exporter {
            handle,
            token,
            pool,
        }
    }

    /// The scrape's answer: 401 without the token (when one is set), else
    /// every metric, the pool's gauges read now.
    pub fn answer(&self, req: &HttpRequest) -> HttpResponse {
        if let Some(token) = &self.token
            && !bearer_matches(req, token)
        {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .finish();
        }
        let pool = self.pool.state();
        gauge!(DB_CONNECTIONS_IN_USE).set(pool.connections.saturating_sub(pool.idle_connections));
        gauge!(DB_CONNECTIONS_IDLE).set(pool.idle_connections);
        gauge!(DB_CONNECTIONS_MAX).set(self.pool.max_size());
        HttpResponse::Ok()
            .content_type(CONTENT_TYPE)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(self.handle.render())
    }
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
