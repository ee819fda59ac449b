//! `POST /mcp` with `Authorization: Bearer <jwt>`; `GET`/`DELETE` are 405
//! (no server-initiated stream, no sessions to end).

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, Responder};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::current_user::Credential;
use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/mcp")
            .route(web::post().to(post))
            .route(web::get().to(not_offered))
            .route(web::delete().to(not_offered)),
    );
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

async fn not_offered() -> impl Responder {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "POST"))
        .finish()
}
