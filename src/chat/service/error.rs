//! What can go wrong with a conversation, in the chat's own words; the
//! doors (pages, APIs, ChatKit) turn it into their answers.

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// No such conversation or message of this user's: another user's looks
    /// the same as one that does not exist.
    #[error("no such conversation or message of yours")]
    NotFound,
    /// No new run starts (the server is stopping); the user's message is
    /// saved in the conversation, to be answered on retry.
    #[error("the assistant cannot answer now")]
    Unavailable { conversation_id: i64 },
    /// The user has as many runs going as one may; nothing of this turn
    /// was stored.
    #[error("too many replies are being written for this user")]
    Busy,
    /// The work of a turn stopped without an answer (it panicked).
    #[error("the turn stopped unexpectedly")]
    Interrupted,
    #[error(transparent)]
    Db(#[from] DbError),
}
