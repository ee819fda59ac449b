//! The five task tools, defined once: name, description, JSON Schema of the
//! arguments, and execution as a given user. The chat agent, the offline
//! assistant and `/mcp` all call [`execute`].
//!
//! The user is never an argument: `user_id` comes from the authenticated
//! request, whatever the model writes. Another user's task is "not found",
//! exactly like a task that does not exist.

mod add_task;
pub(crate) mod args;
mod complete_task;
mod delete_task;
mod list_tasks;
mod update_task;

use diesel::QueryResult;
use serde_json::{Value, json};

use crate::db::DbConnection;

/// A tool as the model sees it.
pub struct Tool {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments object.
    pub parameters: fn() -> Value,
    run: fn(&mut DbConnection, &str, &Value) -> QueryResult<Result<Value, ToolError>>,
}

/// Every tool, in the order the model is told about them.
pub static TOOLS: [Tool; 5] = [
    add_task::TOOL,
    list_tasks::TOOL,
    complete_task::TOOL,
    delete_task::TOOL,
    update_task::TOOL,
];

pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Why a tool call did not do what it was asked; shown to the model so it can explain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ToolError {
    pub code: &'static str,
    pub message: String,
}

impl ToolError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ToolError {
            code: "INVALID_ARGUMENT",
            message: message.into(),
        }
    }

    pub fn task_not_found(id: i64) -> Self {
        ToolError {
            code: "TASK_NOT_FOUND",
            message: format!("There is no task #{id}."),
        }
    }

    /// `{"error": {"code", "message"}}`, the shape every door reports.
    pub fn to_json(&self) -> Value {
        json!({ "error": { "code": self.code, "message": self.message } })
    }
}

/// Runs the tool `name` with `args` as `user_id`. The outer result is the
/// database failing; the inner one is the tool's own answer, success or
/// structured error, which goes back to the model either way.
pub fn execute(
    conn: &mut DbConnection,
    user_id: &str,
    name: &str,
    args: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    let Some(tool) = find(name) else {
        return Ok(Err(ToolError {
            code: "UNKNOWN_TOOL",
            message: format!("There is no tool named {name:?}."),
        }));
    };
    if !args.is_object() && !args.is_null() {
        return Ok(Err(ToolError::invalid(
            "The arguments must be a JSON object.",
        )));
    }
    (tool.run)(conn, user_id, args)
}

/// The JSON value a tool call produced, success or error, as stored and shown.
pub fn outcome_json(outcome: &Result<Value, ToolError>) -> Value {
    match outcome {
        Ok(value) => value.clone(),
        Err(e) => e.to_json(),
    }
}

/// `{task_id, status, title}`, the answer of every tool that changes one task.
fn changed(task: &crate::db::models::Task, status: &str) -> Value {
    json!({ "task_id": task.id, "status": status, "title": task.title })
}

/// Maps "no such row" to the tool's not-found error; other database errors stay errors.
fn not_found_as(
    result: QueryResult<crate::db::models::Task>,
    id: i64,
) -> QueryResult<Result<crate::db::models::Task, ToolError>> {
    match result {
        Ok(task) => Ok(Ok(task)),
        Err(diesel::result::Error::NotFound) => Ok(Err(ToolError::task_not_found(id))),
        Err(e) => Err(e),
    }
}
