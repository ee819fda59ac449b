//! Rows and the queries over them. Every finder of an owned row takes the
//! owner's id, so the owner is always in the WHERE clause.

pub mod account;
pub mod session;
pub mod user;

pub use account::{Account, NewAccount};
pub use session::{NewSession, Session, SessionWithUser};
pub use user::{NewUser, User, UserFootprint};
