//! Tasks without chat: the tasks page and the task JSON API. Both go through
//! the same model functions as the tools, always by owner.

pub mod input;
pub mod routes;

use serde_json::{Value, json};

use crate::auth::json::iso;
use crate::db::models::Task;

/// A task as the JSON API shows it.
pub fn task_json(task: &Task) -> Value {
    json!({
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "created_at": iso(&task.created_at),
        "updated_at": iso(&task.updated_at),
    })
}
