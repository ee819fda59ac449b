//! `update_task`: changes a task's title and/or description.

use diesel::QueryResult;
use serde_json::{Value, json};

use super::{Tool, ToolError, args, changed, not_found_as};
use crate::db::DbConnection;
use crate::db::models::{Task, TaskUpdateForm};

pub const TOOL: Tool = Tool {
    name: "update_task",
    description: "Change the title and/or description of one of the user's tasks.",
    parameters,
    run,
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "task_id": {"type": "integer", "description": "The task's id (its number).", "minimum": 1},
            "title": {"type": "string", "description": "The new title, 1-200 characters.", "minLength": 1, "maxLength": args::TITLE_MAX},
            "description": {"type": "string", "description": "The new description, up to 1000 characters; empty clears it.", "maxLength": args::DESCRIPTION_MAX}
        },
        "required": ["task_id"],
        "additionalProperties": false
    })
}

fn run(
    conn: &mut DbConnection,
    user_id: &str,
    input: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    let Changes {
        id,
        title,
        description,
    } = match parse(input) {
        Ok(changes) => changes,
        Err(e) => return Ok(Err(e)),
    };
    let form = TaskUpdateForm {
        title: title.as_deref(),
        description: description.as_ref().map(|d| d.as_deref()),
        updated_at: Some(crate::db::now()),
        ..Default::default()
    };
    let result = Task::update_by_id_and_user(conn, id, user_id, &form);
    Ok(not_found_as(result, id)?.map(|task| changed(&task, "updated")))
}

/// What to change in which task.
#[derive(Debug)]
pub(super) struct Changes {
    pub id: i64,
    pub title: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
}

pub(super) fn parse(input: &Value) -> Result<Changes, ToolError> {
    let id = args::task_id(input)?;
    let title = input
        .get("title")
        .filter(|v| !v.is_null())
        .map(args::title)
        .transpose()?;
    let description = match input.get("description") {
        None => None,
        some => Some(args::description(some)?),
    };
    if title.is_none() && description.is_none() {
        return Err(ToolError::invalid("Give a new title or description."));
    }
    Ok(Changes {
        id,
        title,
        description,
    })
}
