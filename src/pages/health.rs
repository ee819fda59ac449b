//! `/healthz`: 200 when the database answers, 503 when it does not, quickly
//! either way, so a load balancer can route around a replica that lost its database.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use diesel::RunQueryDsl;

use crate::AppState;
use crate::db;

/// Longer than a healthy `SELECT 1` ever takes; shorter than a load balancer's check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[get("/healthz")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let check = db::run(&state.pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)
    });
    let (mut answer, body) = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(_)) => (HttpResponse::Ok(), "ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: the database did not answer");
            (HttpResponse::ServiceUnavailable(), "database unavailable")
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer in time");
            (HttpResponse::ServiceUnavailable(), "database unavailable")
        }
    };
    answer
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; charset=utf-8")
        .body(body)
}
