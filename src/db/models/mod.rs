//! Rows and the queries over them. Every finder of an owned row takes the
//! owner's id, so the owner is always in the WHERE clause.

pub mod account;
pub mod conversation;
pub mod key_pair;
pub mod message;
pub mod session;
pub mod task;
pub mod user;

pub use account::{Account, NewAccount};
pub use conversation::{Conversation, ConversationInsertForm};
pub use key_pair::KeyPair;
pub use message::{Message, MessageInsertForm, Question, ReplyStatus};
pub use session::{NewSession, Session, SessionWithUser};
pub use task::{Task, TaskFilter, TaskInsertForm, TaskSort, TaskUpdateForm};
pub use user::{NewUser, User, UserFootprint};
