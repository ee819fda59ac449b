//! `delete_task`: removes a task for good.

use diesel::QueryResult;
use serde_json::Value;

use super::{Change, Tool, ToolError, args, changed, not_found_as, parsed_then};
use crate::db::DbConnection;
use crate::tasks::service;

pub const TOOL: Tool = Tool {
    name: "delete_task",
    description: "Delete one of the user's tasks. When the user names a task instead of giving its number, list the tasks first to find its id.",
    parameters: args::task_id_schema,
    run,
};

fn run(
    conn: &mut DbConnection,
    user_id: &str,
    input: &Value,
) -> QueryResult<Result<Value, ToolError>> {
    parsed_then(input, args::task_id, |id| {
        let result = service::delete_in(conn, user_id, id);
        Ok(not_found_as(result, id)?.map(|task| changed(&task, Change::Deleted)))
    })
}
