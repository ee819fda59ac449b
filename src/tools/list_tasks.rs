//! `list_tasks`: the user's tasks, all or by status.

use diesel::QueryResult;
use serde_json::{Value, json};

use super::{Tool, ToolError, args, json_of, parsed_then};
use crate::db::DbConnection;
use crate::db::models::{TaskFilter, TaskSort};
use crate::tasks::json::TaskView;
use crate::tasks::service;

pub const TOOL: Tool = Tool {
    name: "list_tasks",
    description: "List the user's tasks: all of them, only pending ones, or only completed ones.",
    parameters,
    run,
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks to list; all when omitted."}
        },
        "additionalProperties": false
    })
}

fn run(
    conn: &mut DbConnection,
    user_id: &str,
    input: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    parsed_then(input, parse, |filter| {
        let tasks = service::list_in(conn, user_id, filter, TaskSort::Created)?;
        let tasks: Vec<TaskView> = tasks.into_iter().map(TaskView::from).collect();
        Ok(Ok(json_of(&tasks)))
    })
}

/// Which tasks to list.
pub(super) fn parse(input: &Value) -> Result<TaskFilter, ToolError> {
    match input.get("status") {
        None | Some(Value::Null) => Ok(TaskFilter::All),
        Some(Value::String(s)) => args::status(s)
            .ok_or_else(|| ToolError::invalid("status must be one of all, pending, completed.")),
        Some(_) => Err(ToolError::invalid("status must be a string.")),
    }
}
