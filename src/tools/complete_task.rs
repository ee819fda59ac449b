//! `complete_task`: marks a task as done.

use diesel::QueryResult;
use serde_json::Value;

use super::{Change, Tool, ToolError, args, changed, not_found_as, parsed_then};
use crate::db::DbConnection;
use crate::tasks::service::{self, TaskChanges};

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
    let done = TaskChanges {
        completed: Some(true),
        ..TaskChanges::default()
    };
    parsed_then(input, args::task_id, |id| {
        let result = service::update_in(conn, user_id, id, &done);
        Ok(not_found_as(result, id)?.map(|task| changed(&task, Change::Completed)))
    })
}
