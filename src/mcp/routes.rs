//! `POST /mcp` with `Authorization: Bearer <jwt>`. Nothing else: no
//! server-initiated stream (GET) and no sessions to end (DELETE), so those are
//! the router's 405 with `Allow: POST`, as the transport allows.

use actix_web::HttpResponse;
use actix_web::web::{self, Bytes};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::current_user::Credential;
use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/mcp").route(web::post().to(post)));
}

async fn post(
    state: web::Data<AppState>,
    current: CurrentUser,
    body: Bytes,
) -> Result<HttpResponse, AppError> {
    // Agents authenticate with a token; a browser's cookie does not open /mcp.
    if let Credential::Cookie { .. } = current.credential {
        return Err(AppError::Unauthorized {
            code: "BEARER_TOKEN_REQUIRED",
            message: "Send Authorization: Bearer <token from /api/auth/token>.",
        });
    }
    Ok(
        match super::handle(&state.pool, &current.user.id, &body).await {
            Some(answer) => HttpResponse::Ok().json(answer),
            None => HttpResponse::Accepted().finish(),
        },
    )
}
