//! `/healthz`: 200 when the database answers, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use diesel::RunQueryDsl;

use crate::AppState;
use crate::db;
use crate::error::AppError;

#[get("/healthz")]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    db::run(&state.pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .body("ok"))
}
