//! The chat: conversations and their messages, the pages that show them, the
//! reply stream, and the JSON chat API.

pub mod calls;
pub mod json;
pub(crate) mod markdown;
pub mod relay;
pub mod routes;
pub mod run;
pub mod runs;
pub mod service;
pub mod sse;
pub mod text;
pub mod view;
