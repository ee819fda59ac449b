//! `add_task`: creates a task.

use diesel::QueryResult;
use serde_json::{Value, json};

use super::{Change, Tool, ToolError, args, changed, parsed_then};
use crate::db::DbConnection;
use crate::tasks::fields::{DESCRIPTION_MAX, TITLE_MAX};
use crate::tasks::service::{self, NewTask};

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
            "title": {"type": "string", "description": "Short title, 1-200 characters.", "minLength": 1, "maxLength": TITLE_MAX},
            "description": {"type": "string", "description": "Optional details, up to 1000 characters.", "maxLength": DESCRIPTION_MAX}
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
    parsed_then(input, parse, |new| {
        Ok(match service::create_in(conn, user_id, &new)? {
            Ok(task) => Ok(changed(&task, Change::Created)),
            Err(full) => Err(full.into()),
        })
    })
}

/// The task to add: its title and the description, if any.
pub(super) fn parse(input: &Value) -> Result<NewTask, ToolError> {
    Ok(NewTask {
        title: args::title(input)?,
        description: args::description(input)?.unwrap_or_default(),
        completed: false,
    })
}
