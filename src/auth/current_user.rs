//! Who is making this request. The only place that decides it.
//!
//! `Authorization: Bearer <jwt>` (or a raw session token, as Better-Auth's
//! bearer plugin sends) wins over the session cookie. A bad bearer value is a
//! 401, never a silent fallback to the cookie. Every credential ends in a live
//! session row: a JWT names its session (`sid`), looked up on every use, so
//! signing out or revoking the session ends its JWTs too.

use std::net::IpAddr;

use actix_session::{Session as CookieSession, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::jwt::TokenError;
use super::service::{self, ClientInfo};
use super::session_token;
use crate::AppState;
use crate::db::models::{Session, User};
use crate::error::AppError;
use crate::request::bearer_token;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "tasktalk_session";
/// The key under which the cookie session keeps the session token.
const TOKEN_KEY: &str = "token";

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// The session cookie.
    Cookie { session: Session, token: String },
    /// `Authorization: Bearer <session token>`.
    BearerSession { session: Session, token: String },
    /// `Authorization: Bearer <jwt>`, issued from the session `session_id`.
    /// It cannot mint more tokens: only a session can.
    Jwt { session_id: String },
}

/// The signed-in user. Take it as a handler argument to require sign-in.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub credential: Credential,
}

impl CurrentUser {
    /// The database session behind this request and its token, unless it came with a JWT.
    pub fn session(&self) -> Option<(&Session, &str)> {
        match &self.credential {
            Credential::Cookie { session, token }
            | Credential::BearerSession { session, token } => Some((session, token)),
            Credential::Jwt { .. } => None,
        }
    }
}

/// The signed-in user if there is one; a bad or expired credential counts as none.
pub struct MaybeUser(pub Option<CurrentUser>);

/// The resolved identity, cached for the other extractors of the same request.
#[derive(Clone)]
struct Resolved(Option<CurrentUser>);

/// The id of the user a handled request was made as, if its handler asked
/// who that is (middleware reads it from the request after the handler).
pub fn resolved_user_id(req: &HttpRequest) -> Option<String> {
    req.extensions()
        .get::<Resolved>()
        .and_then(|r| r.0.as_ref())
        .map(|current| current.user.id.clone())
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req).await?.ok_or_else(AppError::unauthorized) })
    }
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match resolve(&req).await {
                Ok(user) => Ok(MaybeUser(user)),
                Err(AppError::Unauthorized { .. }) => Ok(MaybeUser(None)),
                Err(e) => Err(e),
            }
        })
    }
}

fn invalid_token() -> AppError {
    AppError::Unauthorized {
        code: "INVALID_TOKEN",
        message: "Invalid or expired token.",
    }
}

async fn resolve(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    if let Some(Resolved(found)) = req.extensions().get::<Resolved>() {
        return Ok(found.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| anyhow::anyhow!("application state is missing"))?;
    let found = match bearer_token(req) {
        Some(bearer) if session_token::looks_like_jwt(bearer) => {
            let claims = state.jwt.verify(bearer).await.map_err(|e| match e {
                TokenError::Invalid => invalid_token(),
                TokenError::Keys(e) => e.into(),
            })?;
            let found = service::authenticate_jwt_session(&state.pool, claims.sid, claims.sub)
                .await?
                .ok_or_else(invalid_token)?;
            Some(CurrentUser {
                user: found.user,
                credential: Credential::Jwt {
                    session_id: found.session.id,
                },
            })
        }
        Some(bearer) => {
            let token = bearer.to_owned();
            let active = service::authenticate_session(&state.pool, &token)
                .await?
                .ok_or_else(invalid_token)?;
            Some(CurrentUser {
                user: active.found.user,
                credential: Credential::BearerSession {
                    session: active.found.session,
                    token,
                },
            })
        }
        None => from_cookie(req, state).await?,
    };
    if let Some(current) = &found {
        tracing::Span::current().record("user_id", current.user.id.as_str());
    }
    req.extensions_mut().insert(Resolved(found.clone()));
    Ok(found)
}

async fn from_cookie(req: &HttpRequest, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let cookie = req.get_session();
    let Some(token) = cookie_token(&cookie) else {
        return Ok(None);
    };
    let Some(active) = service::authenticate_session(&state.pool, &token).await? else {
        // Expired or revoked (signed out elsewhere, or by an operator): drop the cookie.
        cookie.purge();
        return Ok(None);
    };
    if active.extended {
        // Re-send the cookie so the browser's expiry slides with the database's.
        cookie.renew();
    }
    Ok(Some(CurrentUser {
        user: active.found.user,
        credential: Credential::Cookie {
            session: active.found.session,
            token,
        },
    }))
}

/// The session token the cookie holds, live or not.
pub fn cookie_token(cookie: &CookieSession) -> Option<String> {
    cookie.get::<String>(TOKEN_KEY).ok().flatten()
}

/// Puts a new session's token in the cookie, under a fresh cookie identity.
pub fn start_cookie_session(cookie: &CookieSession, token: &str) -> Result<(), AppError> {
    cookie.renew();
    cookie
        .insert(TOKEN_KEY, token)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("could not write the session cookie: {e}")))
}

/// The client's IP: the peer address, or the proxy's forwarded one when trusted.
pub fn client_ip(req: &HttpRequest, trust_proxy_headers: bool) -> Option<IpAddr> {
    if trust_proxy_headers {
        let info = req.connection_info();
        if let Some(ip) = info.realip_remote_addr().and_then(parse_ip) {
            return Some(ip);
        }
    }
    req.peer_addr().map(|addr| addr.ip())
}

fn parse_ip(value: &str) -> Option<IpAddr> {
    value
        .parse::<IpAddr>()
        .ok()
        .or_else(|| value.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// The IP and user agent to record on a new session.
pub fn client_info(req: &HttpRequest, trust_proxy_headers: bool) -> ClientInfo {
    ClientInfo {
        ip_address: client_ip(req, trust_proxy_headers).map(|ip| ip.to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
    }
}
