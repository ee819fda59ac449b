//! What can be done with tasks, always as their owner: the JSON API, the
//! tasks page and the tools all come here. Each operation is one statement
//! where it can be; another user's task is "not found", like a missing one.
//!
//! The `*_in` functions run on a connection the caller already holds (the
//! tools run inside the agent's or `/mcp`'s database call); the others take
//! the pool and run on its database threads.

use diesel::QueryResult;

use super::fields::{TaskDescription, TaskTitle};
use crate::db::models::{Task, TaskFilter, TaskInsertForm, TaskSort, TaskUpdateForm};
use crate::db::{self, DbConnection, DbError, DbPool};

/// A task to add.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: TaskTitle,
    pub description: TaskDescription,
    pub completed: bool,
}

/// What to change in a task; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub title: Option<TaskTitle>,
    /// An empty description clears it.
    pub description: Option<TaskDescription>,
    pub completed: Option<bool>,
}

/// How many tasks the owner has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub all: i64,
    pub completed: i64,
}

/// The owner's tasks under a filter, with the counts of all of them.
#[derive(Debug)]
pub struct Listing {
    pub tasks: Vec<Task>,
    pub counts: Counts,
}

/// The most tasks one person's list holds, done ones included. Every list
/// is answered whole (the tasks page, `GET /api/tasks`, the `list_tasks`
/// tool and the reply that stores its result), so an endless list would
/// make answers without end: at this bound a list of typical tasks is about
/// 1 MB of JSON. Adds racing each other may pass it by as many as race.
pub const TASKS_MAX: i64 = 5_000;

/// A task cannot be added: the list holds [`TASKS_MAX`] already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", ListFull::MESSAGE)]
pub struct ListFull;

impl ListFull {
    /// What the person is told, through every door.
    pub const MESSAGE: &str =
        "Your list holds 5,000 tasks, the most it can: delete some to add more.";
}

/// Adds a task; a list already at [`TASKS_MAX`] takes no more.
pub fn create_in(
    conn: &mut DbConnection,
    owner: &str,
    new: &NewTask,
) -> QueryResult<Result<Task, ListFull>> {
    let (all, _) = Task::counts_by_user(conn, owner)?;
    if all >= TASKS_MAX {
        return Ok(Err(ListFull));
    }
    let now = db::now();
    Task::insert(
        conn,
        &TaskInsertForm {
            user_id: owner,
            title: new.title.as_str(),
            description: new.description.as_deref(),
            completed: new.completed,
            created_at: now,
            updated_at: now,
        },
    )
    .map(Ok)
}

pub fn update_in(
    conn: &mut DbConnection,
    owner: &str,
    id: i64,
    changes: &TaskChanges,
) -> QueryResult<Task> {
    let form = TaskUpdateForm {
        title: changes.title.as_ref().map(TaskTitle::as_str),
        description: changes.description.as_ref().map(TaskDescription::as_deref),
        completed: changes.completed,
        updated_at: Some(db::now()),
    };
    Task::update_by_id_and_user(conn, id, owner, &form)
}

pub fn delete_in(conn: &mut DbConnection, owner: &str, id: i64) -> QueryResult<Task> {
    Task::delete_by_id_and_user(conn, id, owner)
}

pub fn list_in(
    conn: &mut DbConnection,
    owner: &str,
    filter: TaskFilter,
    sort: TaskSort,
) -> QueryResult<Vec<Task>> {
    Task::list_by_user(conn, owner, filter, sort)
}

pub async fn create(
    pool: &DbPool,
    owner: &str,
    new: NewTask,
) -> Result<Result<Task, ListFull>, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "add a task", move |conn| {
        create_in(conn, &owner, &new)
    })
    .await
}

pub async fn get(pool: &DbPool, owner: &str, id: i64) -> Result<Task, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "find a task", move |conn| {
        Task::find_by_id_and_user(conn, id, &owner)
    })
    .await
}

pub async fn update(
    pool: &DbPool,
    owner: &str,
    id: i64,
    changes: TaskChanges,
) -> Result<Task, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "change a task", move |conn| {
        update_in(conn, &owner, id, &changes)
    })
    .await
}

/// Flips the task between pending and completed.
pub async fn toggle(pool: &DbPool, owner: &str, id: i64) -> Result<Task, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "toggle a task", move |conn| {
        Task::toggle_by_id_and_user(conn, id, &owner)
    })
    .await
}

/// Deletes the task; returns what it was.
pub async fn delete(pool: &DbPool, owner: &str, id: i64) -> Result<Task, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "delete a task", move |conn| {
        delete_in(conn, &owner, id)
    })
    .await
}

pub async fn list(
    pool: &DbPool,
    owner: &str,
    filter: TaskFilter,
    sort: TaskSort,
) -> Result<Vec<Task>, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "list tasks", move |conn| {
        list_in(conn, &owner, filter, sort)
    })
    .await
}

/// The owner's tasks under `filter`, oldest first, and the counts of all of
/// them, on one connection.
pub async fn list_with_counts(
    pool: &DbPool,
    owner: &str,
    filter: TaskFilter,
) -> Result<Listing, DbError> {
    let owner = owner.to_owned();
    db::call(pool, "list tasks with counts", move |conn| {
        let tasks = list_in(conn, &owner, filter, TaskSort::Created)?;
        let (all, completed) = Task::counts_by_user(conn, &owner)?;
        Ok(Listing {
            tasks,
            counts: Counts { all, completed },
        })
    })
    .await
}
