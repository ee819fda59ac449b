//! Tasks: their fields' rules, the service every door goes through (the
//! tasks page, the task JSON API and the tools), always by owner.

pub mod fields;
pub mod input;
pub mod routes;
pub mod service;

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
