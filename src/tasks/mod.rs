//! Tasks: their fields' rules, the service every door goes through (the
//! tasks page, the task JSON API and the tools), always by owner.

pub mod fields;
pub mod input;
pub mod json;
pub mod routes;
pub mod service;
