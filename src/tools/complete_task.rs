//! `complete_task`: marks a task as done.

use diesel::QueryResult;
use serde_json::Value;

use super::{Tool, ToolError, args, changed, not_found_as};
use crate::db::DbConnection;
use crate::db::models::{Task, TaskUpdateForm};

pub const TOOL: Tool = Tool {
    name: "complete_task",
    description: "Mark one of the user's tasks as completed.",
    parameters: args::task_id_schema,
    run,
};

fn run(
    conn: &mut DbConnection,
    user_id: &str,
    input: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    let id = match args::task_id(input) {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    let form = TaskUpdateForm {
        completed: Some(true),
        updated_at: Some(crate::db::now()),
        ..Default::default()
    };
    let result = Task::update_by_id_and_user(conn, id, user_id, &form);
    Ok(not_found_as(result, id)?.map(|task| changed(&task, "completed")))
}
