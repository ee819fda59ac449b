//! A task as JSON: the one shape the JSON API, `/mcp` and the assistant's
//! `list_tasks` answer all use.

use serde::Serialize;

use crate::db::models::Task;
use crate::timestamp::Timestamp;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub title: String,
    #[schema(required = true)]
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Task> for TaskView {
    fn from(task: Task) -> Self {
        TaskView {
            id: task.id,
            title: task.title,
            description: task.description,
            completed: task.completed,
            created_at: task.created_at.into(),
            updated_at: task.updated_at.into(),
        }
    }
}
