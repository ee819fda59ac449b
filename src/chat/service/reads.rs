//! Reading conversations: the list, one conversation's messages a keyset
//! page at a time, and a user's own message. Replies whose run died (a lapsed
//! lease) are shown, and stored, as failed: whoever reads next gives up on
//! them, on any replica.

use super::ChatError;
use crate::db::models::{Conversation, Message, Question};
use crate::db::{self, DbConnection, DbPool};

/// One page of a conversation, oldest first.
#[derive(Debug)]
pub struct Page {
    pub messages: Vec<Message>,
    /// Pass as `before` for the page before this one; `None` when this page
    /// starts the conversation.
    pub older_before: Option<i64>,
}

impl Page {
    /// Of up to `limit + 1` messages (oldest first), the newest `limit`, and
    /// where the older ones end if there was one more.
    fn of(mut fetched: Vec<Message>, limit: i64) -> Page {
        if fetched.len() as i64 <= limit {
            return Page {
                messages: fetched,
                older_before: None,
            };
        }
        fetched.remove(0);
        let older_before = fetched.first().map(|m| m.id);
        Page {
            messages: fetched,
            older_before,
        }
    }

    /// Reads the page, giving up first on replies whose run died.
    fn read_in(
        conn: &mut DbConnection,
        conversation_id: i64,
        user_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> diesel::QueryResult<Page> {
        let fetch = |conn: &mut DbConnection| {
            Message::page(conn, conversation_id, user_id, before, limit + 1)
        };
        let mut fetched = fetch(conn)?;
        let now = db::now();
        if fetched.iter().any(|m| m.lease_lapsed(now)) {
            Message::fail_lapsed(conn, conversation_id, user_id, now)?;
            fetched = fetch(conn)?;
        }
        Ok(Page::of(fetched, limit))
    }
}

/// The messages before `before` (or the latest) in the user's conversation,
/// `limit` of them; another user's conversation is not found.
pub async fn page(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Page, ChatError> {
    let user_id = user_id.to_owned();
    let page = db::call(pool, "read a page of messages", move |conn| {
        Conversation::find_by_id_and_user(conn, conversation_id, &user_id)?;
        Page::read_in(conn, conversation_id, &user_id, before, limit)
    })
    .await?;
    Ok(page)
}

/// The user's conversations, most recently active first.
pub async fn conversations(
    pool: &DbPool,
    user_id: &str,
    limit: i64,
) -> Result<Vec<Conversation>, ChatError> {
    let user_id = user_id.to_owned();
    let list = db::call(pool, "list conversations", move |conn| {
        Conversation::list_by_user(conn, &user_id, limit)
    })
    .await?;
    Ok(list)
}

/// What the chat page shows: the user's latest conversations and, if one is
/// open, it with its latest page of messages.
pub struct Overview {
    pub conversations: Vec<Conversation>,
    pub open: Option<(Conversation, Page)>,
}

/// The chat page's data in one database call; an `open` conversation that is
/// not the user's is not found.
pub async fn overview(
    pool: &DbPool,
    user_id: &str,
    open: Option<i64>,
    listed: i64,
    per_page: i64,
) -> Result<Overview, ChatError> {
    let user_id = user_id.to_owned();
    let overview = db::call(pool, "read the chat overview", move |conn| {
        let conversations = Conversation::list_by_user(conn, &user_id, listed)?;
        let open = match open {
            None => None,
            Some(id) => {
                let conversation = Conversation::find_by_id_and_user(conn, id, &user_id)?;
                Some((
                    conversation,
                    Page::read_in(conn, id, &user_id, None, per_page)?,
                ))
            }
        };
        Ok(Overview {
            conversations,
            open,
        })
    })
    .await?;
    Ok(overview)
}

/// The user's own message `message_id` in their conversation `conversation_id`.
pub async fn find_user_message(
    pool: &DbPool,
    user_id: &str,
    conversation_id: i64,
    message_id: i64,
) -> Result<Message, ChatError> {
    let user_id = user_id.to_owned();
    let found = db::call(pool, "find a user's message", move |conn| {
        let question = Question {
            id: message_id,
            conversation_id,
            user_id: &user_id,
        };
        Message::find_question(conn, question)
    })
    .await?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: i64) -> Message {
        Message {
            id,
            conversation_id: 1,
            user_id: "u".into(),
            role: "user".into(),
            content: String::new(),
            tool_calls: None,
            created_at: chrono::NaiveDateTime::default(),
            reply_to: None,
            status: "done".into(),
            lease_until: None,
            run_id: None,
        }
    }

    fn ids(page: &Page) -> Vec<i64> {
        page.messages.iter().map(|m| m.id).collect()
    }

    #[test]
    fn one_message_more_than_the_limit_means_there_are_older_ones() {
        let page = Page::of((1..=4).map(message).collect(), 3);
        assert_eq!((ids(&page), page.older_before), (vec![2, 3, 4], Some(2)));
        let page = Page::of((1..=3).map(message).collect(), 3);
        assert_eq!((ids(&page), page.older_before), (vec![1, 2, 3], None));
    }
}
