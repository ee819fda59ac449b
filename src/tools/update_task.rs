//! `update_task`: changes a task's title and/or description.

use diesel::QueryResult;
use serde_json::{Value, json};

use super::{Change, Tool, ToolError, args, changed, not_found_as, parsed_then};
use crate::db::DbConnection;
use crate::tasks::fields::{DESCRIPTION_MAX, TITLE_MAX};
use crate::tasks::service::{self, TaskChanges};

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
            "title": {"type": "string", "description": "The new title, 1-200 characters.", "minLength": 1, "maxLength": TITLE_MAX},
            "description": {"type": "string", "description": "The new description, up to 1000 characters; empty clears it.", "maxLength": DESCRIPTION_MAX}
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
    parsed_then(input, parse, |Edit { id, changes }| {
        let result = service::update_in(conn, user_id, id, &changes);
        Ok(not_found_as(result, id)?.map(|task| changed(&task, Change::Updated)))
    })
}

/// What to change in which task.
#[derive(Debug)]
pub(super) struct Edit {
    pub id: i64,
    pub changes: TaskChanges,
}

pub(super) fn parse(input: &Value) -> Result<Edit, ToolError> {
    let id = args::task_id(input)?;
    let changes = TaskChanges {
        title: args::new_title(input)?,
        description: args::description(input)?,
        completed: None,
    };
    if changes.title.is_none() && changes.description.is_none() {
        return Err(ToolError::invalid("Give a new title or description."));
    }
    Ok(Edit { id, changes })
}
