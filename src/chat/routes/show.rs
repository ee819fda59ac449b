//! `/chat` and `/chat/{id}`: the conversation list, one conversation on its
//! latest messages, and older pages on request.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::chat::service::{self, Overview};
use crate::chat::text::MESSAGE_MAX_CHARS;
use crate::chat::view::{self, Shown, ShownMessage};
use crate::db::{self, models::Conversation};
use crate::error::AppError;
use crate::htmx::vary_on_htmx;
use crate::respond::html;

/// Messages per page.
const PAGE: i64 = 30;
/// Conversations listed beside the chat.
const LISTED: i64 = 50;

#[derive(Template)]
#[template(path = "chat/page.html")]
pub struct ChatPage {
    pub email: String,
    pub conversations: Vec<Conversation>,
    pub conversation: Option<Conversation>,
    pub current_id: Option<i64>,
    pub conversation_id: i64,
    pub messages: Vec<ShownMessage>,
    pub older_before: Option<i64>,
    pub max_chars: usize,
}

impl ChatPage {
    /// The page for `current`, on `conversation` (or on a new chat).
    pub async fn load(
        state: &AppState,
        current: &CurrentUser,
        conversation_id: Option<i64>,
    ) -> Result<ChatPage, AppError> {
        let Overview {
            conversations,
            open,
        } = service::overview(&state.pool, &current.user.id, conversation_id, LISTED, PAGE).await?;
        let (conversation, page) = match open {
            Some((conversation, page)) => (Some(conversation), Some(page)),
            None => (None, None),
        };
        Ok(ChatPage {
            email: current.user.email.clone(),
            current_id: conversation.as_ref().map(|c| c.id),
            conversation_id: conversation_id.unwrap_or_default(),
            conversation,
            conversations,
            messages: page
                .as_ref()
                .map_or_else(Vec::new, |p| view::page(&p.messages, true, db::now())),
            older_before: page.and_then(|p| p.older_before),
            max_chars: MESSAGE_MAX_CHARS,
        })
    }

    fn is_current(&self, conversation: &Conversation) -> bool {
        self.current_id == Some(conversation.id)
    }
}

#[get("/chat/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let page = ChatPage::load(&state, &current, Some(path.into_inner())).await?;
    html(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "chat/_older.html")]
struct OlderMessages {
    conversation_id: i64,
    messages: Vec<ShownMessage>,
    older_before: Option<i64>,
}

#[derive(Deserialize)]
pub struct OlderQuery {
    before: i64,
}

/// The page of messages before `?before=`, with its own "load older" button
/// when there are more (keyset paging: as fast on page 300 as on page 1).
#[get("/chat/{id}/messages")]
pub async fn older(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<OlderQuery>,
) -> Result<HttpResponse, AppError> {
    let (conversation_id, before) = (path.into_inner(), query.before);
    let page = service::page(
        &state.pool,
        &current.user.id,
        conversation_id,
        Some(before),
        PAGE,
    )
    .await?;
    let fragment = OlderMessages {
        conversation_id,
        messages: view::page(&page.messages, false, db::now()),
        older_before: page.older_before,
    };
    Ok(vary_on_htmx(html(&fragment, StatusCode::OK)?))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::OlderQuery;
    use crate::tools::arbitrary::query_string;

    proptest! {
        #[test]
        fn any_older_messages_query_parses_to_the_id_it_names_or_is_refused(
            query in query_string(&["before", "limit"]),
        ) {
            if let Ok(older) = serde_urlencoded::from_str::<OlderQuery>(&query) {
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap();
                let named = |(key, value): &(String, String)| {
                    key == "before" && value.parse() == Ok(older.before)
                };
                prop_assert!(pairs.iter().any(named), "{}", query);
            }
        }
    }
}
