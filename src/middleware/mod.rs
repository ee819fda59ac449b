//! Rules that hold for every route at once, so no handler can forget them:
//! a bound on requests inside at once and on the memory of large answers
//! waiting for their clients, HEAD and 405 answers, a deadline on
//! reading request bodies, bodies sent uncompressed, forms that must be
//! UTF-8, only our own cookie parsed, and no caching of private JSON.

pub mod admission;
pub mod answer_budget;
pub mod body_deadline;
pub mod content_coding;
pub mod cookies;
pub mod methods;
pub mod no_store;
pub mod utf8_forms;
