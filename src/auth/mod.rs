//! Accounts and sessions: passwords, session tokens, JWTs, the `CurrentUser`
//! extractor, the origin check, the sign-in rate limit, and their routes.

pub mod better_auth_scrypt;
pub mod caller;
pub mod credentials;
pub mod current_user;
pub mod input;
pub mod json;
pub mod jwks;
pub mod jwt;
pub mod origin;
pub mod password;
pub mod rate_limit;
pub mod redirect;
pub mod routes;
pub mod service;
pub mod session_token;

pub use caller::Caller;
pub use current_user::{CurrentUser, MaybeUser};
