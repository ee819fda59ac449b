//! `/healthz`: 200 when the database answers, 503 when it does not, quickly
//! either way, so a load balancer can route around a replica that lost its database.
//!
//! A database that answered another call within the last [`FRESH`] (and has
//! not been found away since) is up: under load the check then answers at
//! once instead of queueing `SELECT 1` behind the work it is checking.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::AppState;
use crate::db;

/// Longer than a healthy `SELECT 1` ever takes; shorter than a load balancer's check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);
/// How recent another call's answer must be to stand for the database's health.
const FRESH: Duration = Duration::from_secs(2);
/// When a load balancer or person may look again.
const RETRY_AFTER_SECS: u32 = 5;

#[get("/healthz")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let failure = if state.pool.answered_within(FRESH) {
        None
    } else {
        match tokio::time::timeout(CHECK_TIMEOUT, db::ping(&state.pool)).await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("no answer in time".to_owned()),
        }
    };
    let mut answer = match &failure {
        None => HttpResponse::Ok(),
        Some(cause) => {
            tracing::warn!(error = %cause, "health check: the database did not answer");
            let mut answer = HttpResponse::ServiceUnavailable();
            answer.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS));
            answer
        }
    };
    answer
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; charset=utf-8")
        .body(if failure.is_none() {
            "ok"
        } else {
            "database unavailable"
        })
}
