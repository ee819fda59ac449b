//! `add_task`: creates a task.

use diesel::QueryResult;
use serde_json::{Value, json};

use super::{Tool, ToolError, args, changed};
use crate::db::DbConnection;
use crate::db::models::{Task, TaskInsertForm};

pub const TOOL: Tool = Tool {
    name: "add_task",
    description: "Add a new task to the user's list.",
    parameters,
    run,
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "Short title, 1-200 characters.", "minLength": 1, "maxLength": args::TITLE_MAX},
            "description": {"type": "string", "description": "Optional details, up to 1000 characters.", "maxLength": args::DESCRIPTION_MAX}
        },
        "required": ["title"],
        "additionalProperties": false
    })
}

fn run(
    conn: &mut DbConnection,
    user_id: &str,
    input: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    let (title, description) = match parse(input) {
        Ok(parsed) => parsed,
        Err(e) => return Ok(Err(e)),
    };
    let now = crate::db::now();
    let task = Task::insert(
        conn,
        &TaskInsertForm {
            user_id,
            title: &title,
            description: description.as_deref(),
            completed: false,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(Ok(changed(&task, "created")))
}

/// The title and the description, if any.
pub(super) fn parse(input: &Value) -> Result<(String, Option<String>), ToolError> {
    let title = match input.get("title") {
        Some(v) => args::title(v)?,
        None => return Err(ToolError::invalid("title is required.")),
    };
    Ok((title, args::description(input.get("description"))?))
}
