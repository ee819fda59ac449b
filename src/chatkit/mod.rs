//! `POST /chatkit`: the ChatKit server protocol, so a ChatKit frontend
//! (`@openai/chatkit-react` in custom-backend mode) works on the same
//! conversations, messages and assistant runs as the chat page.
//!
//! One URL; the body's `type` says what is asked. Turns (`threads.create`,
//! `threads.add_user_message`, `threads.retry_after_item`) answer as an event
//! stream ([`stream`]); everything else as JSON ([`reads`]). Threads are our
//! conversations and items our messages and their tool calls ([`ids`],
//! [`items`]). Auth and ownership are the API's: a bearer token, or the
//! session cookie with the origin check; another user's thread is not found.
//!
//! CORS is allowed here, and only here, for the trusted origins: a ChatKit
//! page on another origin sends its token from its own `fetch`.

pub mod ids;
pub mod items;
mod reads;
pub mod request;
mod stream;
pub mod wire;

use actix_cors::Cors;
use actix_web::http::{Method, header};
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, http::header::HeaderValue};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::origin::TrustedOrigins;
use crate::error::AppError;
use request::Request;

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE_SECS: usize = 600;

pub fn routes(cfg: &mut web::ServiceConfig, origins: &TrustedOrigins) {
    cfg.service(
        web::resource("/chatkit")
            .wrap(cors(origins.clone()))
            .route(web::post().to(post)),
    );
}

/// Cross-origin calls from the trusted origins only, with a bearer token:
/// no cookies travel cross-origin (no `Allow-Credentials`).
fn cors(origins: TrustedOrigins) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| origins.contains(o))
        })
        .allowed_methods([Method::POST])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(PREFLIGHT_MAX_AGE_SECS)
}

async fn post(
    state: web::Data<AppState>,
    current: CurrentUser,
    body: Bytes,
) -> Result<HttpResponse, AppError> {
    let user_id = &current.user.id;
    match request::parse(&body)? {
        Request::Turn(turn) => stream::answer(state.clone(), user_id, turn).await,
        Request::Read(read) => reads::answer(&state.pool, user_id, read).await,
    }
}
