//! `/chat`: the conversation list with a composer that starts a new one.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::MessageForm;
use super::show::ChatPage;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::chat::service;
use crate::chat::text::MessageText;
use crate::error::AppError;
use crate::htmx::is_htmx;
use crate::respond::{html, see_other};

#[get("/chat")]
pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let page = ChatPage::load(&state, &current, None).await?;
    html(&page, StatusCode::OK)
}

/// Starts a conversation with its first message and opens it; the page then
/// streams the answer.
#[post("/chat")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let text = MessageText::parse(&form.message)?;
    let (conversation, _) =
        service::start_conversation(&state.pool, &current.user.id, text).await?;
    let location = format!("/chat/{}", conversation.id);
    if is_htmx(&req) {
        return Ok(HttpResponse::Ok()
            .insert_header(("HX-Redirect", location))
            .finish());
    }
    Ok(see_other(&location))
}
