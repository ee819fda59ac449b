//! Conversations as a whole, as their owner: one of them, a keyset page of
//! them in the order they were started, renaming and deleting. Another user's
//! conversation is not found, whatever is asked of it.

use super::ChatError;
use crate::chat::text::ConversationTitle;
use crate::db::models::{Conversation, Message};
use crate::db::{self, DbPool};

/// The user's conversation `id`.
pub async fn conversation(
    pool: &DbPool,
    user_id: &str,
    id: i64,
) -> Result<Conversation, ChatError> {
    let user_id = user_id.to_owned();
    let found = db::call(pool, "find a conversation", move |conn| {
        Conversation::find_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(found)
}

/// Whether the user's conversation `id` still exists.
pub async fn exists(pool: &DbPool, user_id: &str, id: i64) -> Result<bool, ChatError> {
    match conversation(pool, user_id, id).await {
        Ok(_) => Ok(true),
        Err(ChatError::Db(e)) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Up to `limit` of the user's conversations started after (or, when
/// `newest_first`, before) conversation `after`.
pub async fn conversations_by_start(
    pool: &DbPool,
    user_id: &str,
    after: Option<i64>,
    newest_first: bool,
    limit: i64,
) -> Result<Vec<Conversation>, ChatError> {
    let user_id = user_id.to_owned();
    let list = db::call(pool, "page conversations", move |conn| {
        Conversation::page_by_start(conn, &user_id, after, newest_first, limit)
    })
    .await?;
    Ok(list)
}

/// Renames the user's conversation and returns it.
pub async fn rename(
    pool: &DbPool,
    user_id: &str,
    id: i64,
    title: ConversationTitle,
) -> Result<Conversation, ChatError> {
    let user_id = user_id.to_owned();
    let renamed = db::call(pool, "rename a conversation", move |conn| {
        Conversation::rename(conn, id, &user_id, title.as_str())?;
        Conversation::find_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(renamed)
}

/// Deletes the user's conversation with its messages. A run still answering
/// in it finds its reply gone and stores nothing.
pub async fn delete(pool: &DbPool, user_id: &str, id: i64) -> Result<(), ChatError> {
    let user_id = user_id.to_owned();
    let deleted = db::call(pool, "delete a conversation", move |conn| {
        Conversation::delete(conn, id, &user_id)
    })
    .await?;
    match deleted {
        0 => Err(ChatError::NotFound),
        _ => Ok(()),
    }
}

/// Up to `limit` messages of the user's conversation from message `from`
/// (inclusive) upwards, or downwards when `newest_first`. Replies whose run
/// died are failed first, as every read does.
pub async fn messages_from(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    from: Option<i64>,
    newest_first: bool,
    limit: i64,
) -> Result<Vec<Message>, ChatError> {
    let user_id = user_id.to_owned();
    let messages = db::call(pool, "read a run of messages", move |conn| {
        Conversation::find_by_id_and_user(conn, conversation_id, &user_id)?;
        let fetch = |conn: &mut db::DbConnection| {
            Message::run_from(conn, conversation_id, &user_id, from, newest_first, limit)
        };
        let fetched = fetch(conn)?;
        let now = db::now();
        if !fetched.iter().any(|m| m.lease_lapsed(now)) {
            return Ok(fetched);
        }
        Message::fail_lapsed(conn, conversation_id, &user_id, now)?;
        fetch(conn)
    })
    .await?;
    Ok(messages)
}

/// Checks that every message in `ids` is in the user's conversation; any
/// other is not found.
pub async fn find_messages(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    mut ids: Vec<i64>,
) -> Result<(), ChatError> {
    ids.sort_unstable();
    ids.dedup();
    let user_id = user_id.to_owned();
    let wanted = ids.len() as i64;
    let found = db::call(pool, "find messages", move |conn| {
        Conversation::find_by_id_and_user(conn, conversation_id, &user_id)?;
        Message::count_in(conn, conversation_id, &user_id, &ids)
    })
    .await?;
    match found == wanted {
        true => Ok(()),
        false => Err(ChatError::NotFound),
    }
}
