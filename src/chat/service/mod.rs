//! What can be done with conversations, always as their owner: reading them
//! ([`reads`]), managing them ([`threads`]) and taking a turn in them ([`turn`]). The chat pages and the
//! JSON chat API come here; neither holds a database call of its own.

pub mod ask;
pub mod error;
pub mod reads;
pub mod threads;
pub mod turn;

pub use error::ChatError;
pub use reads::{Overview, Page, conversations, find_user_message, overview, page};
pub use turn::{
    Answer, POLL_EVERY, Running, add_message, answer, answer_or_follow, look_at,
    start_conversation, wait_for,
};
