//! Tasktalk: a multi-user task manager you talk to.
//!
//! One binary serves the pages, the JSON API and the auth endpoints on
//! SQLite or PostgreSQL; `main.rs` only parses the command line and calls in here.

pub mod ai;
pub mod auth;
pub mod blocking;
pub mod chat;
pub mod chatkit;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod gauge;
pub mod htmx;
pub mod import;
pub mod mcp;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod request;
pub mod respond;
pub mod startup;
pub mod tasks;
pub mod telemetry;
pub mod timestamp;
pub mod tools;
pub mod unicode;

pub use startup::{AppState, Application};
