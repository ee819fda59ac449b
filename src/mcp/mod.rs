//! `/mcp`: the five task tools for any agent, over the Model Context
//! Protocol's Streamable HTTP transport.
//!
//! The subset a tool server needs, written by hand: `initialize`,
//! `notifications/initialized`, `ping`, `tools/list`, `tools/call`, as
//! JSON-RPC 2.0 over `POST /mcp` answered with `application/json` (no server
//! stream, no sessions: every request carries its bearer JWT, so any replica
//! can answer it). The official Rust SDK (rmcp) serves this transport as a
//! tower/axum service; mounting it in actix would need a third-party bridge
//! for five methods.

pub mod routes;
mod rpc;

pub use rpc::handle;
