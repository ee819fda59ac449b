//! The one error strategy.
//!
//! Handlers and extractors return [`AppError`]. They do not decide how it
//! looks: the [`render`] middleware does, from the door the request came in by:
//!
//! | door | looks like |
//! |---|---|
//! | `/api/auth/*` | Better-Auth's `{"message", "code"}` (429 without `code`, plus `X-Retry-After`) |
//! | other `/api/*`, `/mcp`, `/chatkit` | `{"error": {"code", "message"}}`; 401 adds `WWW-Authenticate: Bearer` |
//! | HTMX request (`HX-Request`) | a toast fragment swapped into `#toasts`; 401 says the session expired |
//! | page | an error page; 401 redirects to `/login?next=…` |
//!
//! Whatever the door, a 503 `Unavailable` (the database cannot be reached:
//! the pool has no connection, or the one in use was lost) carries
//! `Retry-After`, a 405 carries `Allow`, a 415 for a compressed body
//! carries `Accept-Encoding: identity`, and a 408 closes the connection.
//!
//! Below the handlers nothing knows about HTTP: parsers and services return
//! their own small errors (`TaskFieldError`, `MessageTextError`,
//! `CredentialError`, and `DbError`, which names the operation that failed),
//! and the routes map them onto [`AppError`].
//!
//! What the user sees is always the variant's public message. `Internal`
//! errors show a generic message; their cause is logged (never a secret or a
//! message body: causes are database and I/O errors). actix's own extractor
//! errors (bad JSON, wrong content type, too large) are mapped to variants
//! here too, so every door answers in its own shape.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{
    JsonPayloadError, PathError, PayloadError, QueryPayloadError, UrlencodedError,
};
use actix_web::http::header::HeaderMap;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the input is wrong; the message says how to fix it.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 401: no valid session or token, or wrong credentials.
    #[error("{message}")]
    Unauthorized {
        code: &'static str,
        message: &'static str,
    },
    /// 403: authenticated, but this request is not allowed.
    #[error("{message}")]
    Forbidden {
        code: &'static str,
        message: &'static str,
    },
    /// 404: missing, or owned by someone else: the two look the same.
    #[error("Not found.")]
    NotFound,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 415: the body came compressed (`Content-Encoding`); we take it only as it is.
    #[error("Send the request body uncompressed: this server accepts no Content-Encoding.")]
    UnsupportedEncoding,
    #[error("Too many requests. Please try again later.")]
    RateLimited { retry_after: Duration },
    /// 405: the path exists, the method does not; `allow` lists the methods that do.
    #[error("This address does not accept that method.")]
    MethodNotAllowed { allow: String },
    /// 408: the request body did not arrive in time.
    #[error("The request took too long to arrive. Please try again.")]
    RequestTimeout,
    /// 503: the database cannot be reached just now. Nothing was changed, and
    /// the page or form the person is on keeps what they typed.
    #[error(
        "The service is temporarily unavailable. Nothing you typed is lost: please try again in a moment."
    )]
    Unavailable,
    /// 503: the AI provider failed; the user's message is saved in the conversation.
    #[error("The assistant could not answer just now. Your message is saved; try again.")]
    AssistantUnavailable { conversation_id: i64 },
    /// 500: our fault. Logged with its cause; the user sees a generic message.
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }

    /// No (valid) session or token.
    pub fn unauthorized() -> Self {
        AppError::Unauthorized {
            code: "UNAUTHORIZED",
            message: "Sign in to continue.",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Forbidden { code, .. } => code,
            AppError::NotFound => "NOT_FOUND",
            AppError::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            AppError::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            AppError::UnsupportedEncoding => "UNSUPPORTED_CONTENT_ENCODING",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            AppError::RequestTimeout => "REQUEST_TIMEOUT",
            AppError::Unavailable => "SERVICE_UNAVAILABLE",
            AppError::AssistantUnavailable { .. } => "ASSISTANT_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// Maps actix's own errors (extractors, routing) onto ours.
    fn from_actix(err: &actix_web::Error) -> AppError {
        if let Some(e) = err.as_error::<JsonPayloadError>() {
            return match e {
                JsonPayloadError::ContentType => {
                    AppError::UnsupportedMediaType("Send the body as application/json.".into())
                }
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => AppError::PayloadTooLarge,
                JsonPayloadError::Deserialize(e) => {
                    AppError::invalid("INVALID_BODY", format!("Invalid JSON body: {e}"))
                }
                _ => AppError::invalid("INVALID_BODY", "Could not read the JSON body."),
            };
        }
        if let Some(e) = err.as_error::<UrlencodedError>() {
            return match e {
                UrlencodedError::ContentType => AppError::UnsupportedMediaType(
                    "Send the form as application/x-www-form-urlencoded.".into(),
                ),
                UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge,
                _ => AppError::invalid("INVALID_BODY", "Some form fields are missing or invalid."),
            };
        }
        if let Some(PayloadError::Overflow) = err.as_error::<PayloadError>() {
            return AppError::PayloadTooLarge;
        }
        if let Some(e) = err.as_error::<QueryPayloadError>() {
            return AppError::invalid("INVALID_QUERY", format!("Invalid query string: {e}"));
        }
        if err.as_error::<PathError>().is_some() {
            return AppError::NotFound;
        }
        match err.as_response_error().status_code() {
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::UNAUTHORIZED => AppError::unauthorized(),
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                AppError::UnsupportedMediaType("Unsupported content type.".into())
            }
            s if s.is_client_error() => {
                AppError::invalid("BAD_REQUEST", "The request could not be understood.")
            }
            _ => AppError::Internal(anyhow::anyhow!("{err}")),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) | AppError::UnsupportedEncoding => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::AssistantUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Without the [`render`] middleware (never in the app), the JSON API shape.
    fn error_response(&self) -> HttpResponse<BoxBody> {
        with_common_headers(self, render_api(self))
    }
}

/// How long a client should wait before retrying after a 503 `Unavailable`.
const UNAVAILABLE_RETRY_AFTER_SECS: u32 = 5;

/// Every finder names the owner, so a row that is not there is "not found"
/// for this user (missing, or someone else's); a database that cannot be
/// reached is "unavailable"; any other database failure is ours.
impl From<crate::tasks::service::ListFull> for AppError {
    fn from(_: crate::tasks::service::ListFull) -> Self {
        AppError::Forbidden {
            code: "TASK_LIMIT_REACHED",
            message: crate::tasks::service::ListFull::MESSAGE,
        }
    }
}

impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        match e {
            e if e.is_not_found() => AppError::NotFound,
            e if e.is_outage() => {
                tracing::warn!(error = %e, "the database cannot be reached");
                AppError::Unavailable
            }
            e => AppError::Internal(e.into()),
        }
    }
}

/// An `Internal` error whose cause is a database outage (it came through
/// `anyhow` instead of `From<DbError>`) is answered as `Unavailable` too.
fn is_outage(cause: &anyhow::Error) -> bool {
    cause.chain().any(|e| {
        e.downcast_ref::<crate::db::DbError>()
            .is_some_and(crate::db::DbError::is_outage)
    })
}

/// How the client that made a request wants its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    AuthApi,
    Api,
    Htmx,
    Page,
}

impl Door {
    pub fn of(req: &HttpRequest) -> Door {
        let path = req.path();
        if path.starts_with("/api/auth/") {
            Door::AuthApi
        } else if path.starts_with("/api/")
            || path == "/api"
            || path.starts_with("/mcp")
            || path == "/chatkit"
        {
            Door::Api
        } else if crate::htmx::is_htmx(req) {
            Door::Htmx
        } else {
            Door::Page
        }
    }
}

/// Middleware: turns every error response into its door's shape (see the module docs).
/// Inner middlewares report errors as error responses (`req.error_response`), so they
/// pass through here too.
pub async fn render(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    match res.response().error() {
        Some(err) => {
            let mut response = respond(res.request(), err);
            keep_cors_headers(res.response().headers(), response.headers_mut());
            Ok(res.into_response(response))
        }
        None => Ok(res.map_into_boxed_body()),
    }
}

/// The CORS answer an inner middleware gave stays on the rendered error, so a
/// page on a trusted origin can read why its request was refused.
fn keep_cors_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if name.as_str().starts_with("access-control-") || name == header::VARY {
            to.append(name.clone(), value.clone());
        }
    }
}

fn respond(req: &HttpRequest, err: &actix_web::Error) -> HttpResponse {
    let mapped;
    let app_err = match err.as_error::<AppError>() {
        Some(e) => e,
        None => {
            mapped = AppError::from_actix(err);
            &mapped
        }
    };
    if let AppError::Internal(cause) = app_err {
        if is_outage(cause) {
            tracing::warn!(
                error = format!("{cause:#}"),
                "the database cannot be reached"
            );
            return render_for(Door::of(req), req, &AppError::Unavailable);
        }
        tracing::error!(error = format!("{cause:#}"), "request failed");
    }
    render_for(Door::of(req), req, app_err)
}

/// Renders `err` the way `door` wants it.
pub fn render_for(door: Door, req: &HttpRequest, err: &AppError) -> HttpResponse {
    let response = match door {
        Door::AuthApi => render_auth_api(err),
        Door::Api => render_api(err),
        Door::Htmx => render_toast(req, err),
        Door::Page => render_page(req, err),
    };
    with_common_headers(err, response)
}

/// The headers an error carries whatever the door (`Retry-After` on a 429
/// or a 503, `Allow` on a 405, …); pages that show an error in their own
/// form add them through this too.
pub fn with_common_headers(err: &AppError, mut response: HttpResponse) -> HttpResponse {
    match err {
        AppError::Unavailable => {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
            );
        }
        AppError::RateLimited { retry_after } => {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after.as_secs().max(1)),
            );
        }
        AppError::MethodNotAllowed { allow } => {
            if let Ok(value) = header::HeaderValue::from_str(allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
        }
        AppError::UnsupportedEncoding => {
            // RFC 9110 §12.5.3: a 415 for a content coding says which ones are taken.
            response.headers_mut().insert(
                header::ACCEPT_ENCODING,
                header::HeaderValue::from_static("identity"),
            );
        }
        AppError::RequestTimeout => {
            // The rest of the body may still be on its way: do not read it as a next request.
            response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
        }
        _ => {}
    }
    response
}

/// An error of the JSON API: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorDetail {
    /// What went wrong, for programs: `NOT_FOUND`, `INVALID_ARGUMENT`, …
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// With `ASSISTANT_UNAVAILABLE`: the conversation the message was saved in.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub conversation_id: Option<i64>,
}

/// An error under `/api/auth` in Better-Auth's shape, which its client reads:
/// `{"message", "code"}` (no `code` on a 429).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthApiError {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub code: Option<&'static str>,
}

fn render_api(err: &AppError) -> HttpResponse {
    let mut res = HttpResponse::build(err.status_code());
    let mut conversation_id = None;
    match err {
        AppError::Unauthorized { .. } => {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        AppError::AssistantUnavailable {
            conversation_id: id,
        } => conversation_id = Some(*id),
        _ => {}
    }
    res.json(ApiError {
        error: ApiErrorDetail {
            code: err.code(),
            message: err.to_string(),
            conversation_id,
        },
    })
}

fn render_auth_api(err: &AppError) -> HttpResponse {
    let mut res = HttpResponse::build(err.status_code());
    let mut code = Some(err.code());
    if let AppError::RateLimited { retry_after } = err {
        let secs = retry_after.as_secs().max(1).to_string();
        res.insert_header(("X-Retry-After", secs));
        code = None;
    }
    res.json(AuthApiError {
        message: err.to_string(),
        code,
    })
}

#[derive(Template)]
#[template(path = "_toast.html")]
struct Toast<'a> {
    message: &'a str,
    sign_in_url: Option<String>,
}

fn render_toast(req: &HttpRequest, err: &AppError) -> HttpResponse {
    let (message, sign_in_url) = match err {
        AppError::Unauthorized { .. } => {
            // HX-Current-URL is the page the person is on: come back to it after signing in.
            let back = req
                .headers()
                .get("hx-current-url")
                .and_then(|v| v.to_str().ok())
                .and_then(|u| url::Url::parse(u).ok())
                .map(|u| match u.query() {
                    Some(q) => format!("{}?{q}", u.path()),
                    None => u.path().to_owned(),
                })
                .unwrap_or_else(|| "/".to_owned());
            (
                "Your session expired — sign in again. What you typed is still here.".to_owned(),
                Some(login_url(&back)),
            )
        }
        other => (other.to_string(), None),
    };
    let body = Toast {
        message: &message,
        sign_in_url,
    }
    .render()
    .unwrap_or_else(|_| message.clone());
    HttpResponse::build(err.status_code())
        .insert_header(("HX-Retarget", "#toasts"))
        .insert_header(("HX-Reswap", "beforeend"))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

fn render_page(req: &HttpRequest, err: &AppError) -> HttpResponse {
    if let AppError::Unauthorized { .. } = err {
        let next = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        return HttpResponse::SeeOther()
            .insert_header((header::LOCATION, login_url(&next)))
            .finish();
    }
    let status = err.status_code();
    let title = status.canonical_reason().unwrap_or("Error");
    let message = err.to_string();
    let body = ErrorPage {
        title,
        message: &message,
    }
    .render()
    .unwrap_or_else(|_| message.clone());
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// `/login?next=<path>`, with the path encoded.
pub fn login_url(next: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/login?next={next}")
}
