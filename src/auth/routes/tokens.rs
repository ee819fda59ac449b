//! What a session asks for under `/api/auth`, in Better-Auth's shapes: itself
//! (`get-session`), a JWT (`token`), and the keys that verify JWTs (`jwks`).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::AppState;
use crate::auth::current_user::{CurrentUser, MaybeUser};
use crate::auth::json::{JwkSet, SessionAndUser, SessionView, Token, UserView};
use crate::error::{AppError, AuthApiError};

/// The current session and user, or `null`; never cached.
///
/// Like Better-Auth's JWT plugin, a session also gets a fresh JWT in
/// `set-auth-jwt`.
#[utoipa::path(get, path = "/api/auth/get-session", tag = "auth",
    responses((status = 200, description = "`null` when not signed in; with a session, a JWT in the `set-auth-jwt` header", body = Option<SessionAndUser>)))]
#[get("/get-session")]
pub async fn get_session(
    state: web::Data<AppState>,
    MaybeUser(current): MaybeUser,
) -> Result<HttpResponse, AppError> {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    let Some((current, session, token)) = current
        .as_ref()
        .and_then(|c| c.session().map(|(session, token)| (c, session, token)))
    else {
        return Ok(res.json(None::<SessionAndUser>));
    };
    let jwt = state.jwt.issue(&current.user, &session.id).await?;
    Ok(res
        .insert_header(("set-auth-jwt", jwt))
        .insert_header((header::ACCESS_CONTROL_EXPOSE_HEADERS, "set-auth-jwt"))
        .json(SessionAndUser {
            session: SessionView::of(session, token),
            user: UserView::from(&current.user),
        }))
}

/// A short-lived JWT for API clients and `/mcp`, bound to the session asking for it.
///
/// Only a session (cookie or session bearer token) may ask: a JWT that could
/// renew itself would outlive signing out.
#[utoipa::path(get, path = "/api/auth/token", tag = "auth",
    responses((status = 200, body = Token),
        (status = 401, description = "Not signed in, or (`SESSION_REQUIRED`) asked with a JWT instead of a session", body = AuthApiError)))]
#[get("/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let (session, _) = current.session().ok_or(AppError::Unauthorized {
        code: "SESSION_REQUIRED",
        message: "Tokens are issued to a signed-in session, not to another token.",
    })?;
    let token = state.jwt.issue(&current.user, &session.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Token { token }))
}

/// The public keys that verify our JWTs (a JSON Web Key Set).
///
/// Empty when tokens are signed with the shared secret (`JWT_ALGORITHM=HS256`).
#[utoipa::path(get, path = "/api/auth/jwks", tag = "auth",
    responses((status = 200, description = "A JSON Web Key Set", body = JwkSet)))]
#[get("/jwks")]
pub async fn jwks(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let keys = state.jwt.published().await?;
    Ok(HttpResponse::Ok()
        // Public, and verifiers fetch again when they meet a new `kid`.
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(JwkSet { keys }))
}
