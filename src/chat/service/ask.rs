//! Asking and waiting for the whole answer, as the JSON chat API does: the
//! message is stored (starting a conversation or adding to one), the turn
//! runs to its end, and the stored reply comes back only if it is done.

use std::sync::Arc;

use super::ChatError;
use super::threads;
use super::turn::{self, Answer};
use crate::ai::Assistant;
use crate::chat::runs::Runs;
use crate::chat::text::MessageText;
use crate::db::DbPool;
use crate::db::models::{Message, ReplyStatus};

/// Stores `text` in conversation `conversation_id` (a new one when `None`)
/// and waits for the finished reply. The run is its own task: a caller that
/// gives up does not stop it. A reply that failed is
/// [`ChatError::Unavailable`], naming the conversation the message is saved
/// in. A user with as many runs going as one may is [`ChatError::Busy`],
/// before anything is stored.
pub async fn ask(
    pool: &DbPool,
    assistant: &Arc<Assistant>,
    runs: &Arc<Runs>,
    user_id: &str,
    conversation_id: Option<i64>,
    text: MessageText,
) -> Result<Message, ChatError> {
    let slot = runs.reserve_run(user_id).ok_or(ChatError::Busy)?;
    // Storing the message and claiming its answer finish together even if
    // the caller hangs up in between: a hang-up never strands a message.
    let begin = {
        let (pool, assistant, runs, user_id) = (
            pool.clone(),
            assistant.clone(),
            runs.clone(),
            user_id.to_owned(),
        );
        async move {
            let (conversation, question) = match conversation_id {
                Some(id) => turn::add_message(&pool, &user_id, id, text).await?,
                None => turn::start_conversation(&pool, &user_id, text).await?,
            };
            let answer = turn::answer(&pool, &assistant, &runs, slot, &question).await?;
            Ok::<_, ChatError>((conversation, answer))
        }
    };
    let (conversation, answer) = runs
        .detached(begin)
        .await
        .map_err(|_| ChatError::Interrupted)??;
    let reply = match answer {
        Answer::Started(mut running) => {
            while running.events.recv().await.is_some() {}
            running.finished.await.ok()
        }
        Answer::Claimed(reply) => turn::wait_for(pool, reply).await.ok(),
    };
    match reply {
        Some(reply) if reply.status() == ReplyStatus::Done => Ok(reply),
        // Deleted while it was answered: nothing is saved to retry.
        _ if !threads::exists(pool, user_id, conversation.id).await? => Err(ChatError::NotFound),
        _ => Err(ChatError::Unavailable {
            conversation_id: conversation.id,
        }),
    }
}
