//! Black-box tests over HTTP: each starts the real server with a fresh
//! database (SQLite, or PostgreSQL when `TEST_POSTGRES_URL` is set).

// A failed test step panics: that is the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_auth;
mod bad_input;
mod better_auth_passwords;
mod chat_helpers;
mod chat_isolation;
mod chat_offline;
mod chat_offline_safety;
mod chat_pages;
mod chat_providers;
mod chatkit;
mod cli;
mod data_layer;
mod db_outage;
mod fake_llm;
mod health;
mod helpers;
mod http_hardening;
mod import;
mod import_bad_data;
mod import_helpers;
mod jwks;
mod jwt;
mod jwt_sessions;
mod mcp;
mod metrics;
mod openapi;
mod pages;
mod redirects;
mod replies;
mod security;
mod sessions;
mod sign_in_again;
mod tasks_api;
mod tasks_page;
mod wire_shapes;
