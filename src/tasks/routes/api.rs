//! The task JSON API. Another user's task is 404, like a missing one.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::auth::Caller;
use crate::db::models::{Task, TaskFilter, TaskInsertForm, TaskSort, TaskUpdateForm};
use crate::db::{self, DbError};
use crate::error::AppError;
use crate::tasks::input::TaskInput;
use crate::tasks::task_json;

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    sort: Option<String>,
}

#[derive(Deserialize)]
pub struct TaskPath {
    id: i64,
}

pub async fn list(
    state: web::Data<AppState>,
    Caller(current): Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = match query.status.as_deref() {
        None => TaskFilter::All,
        Some(s) => TaskFilter::parse(s).ok_or_else(|| {
            AppError::invalid("INVALID_QUERY", "status must be all, pending or completed.")
        })?,
    };
    let sort = match query.sort.as_deref() {
        None => TaskSort::Created,
        Some(s) => TaskSort::parse(s)
            .ok_or_else(|| AppError::invalid("INVALID_QUERY", "sort must be created or title."))?,
    };
    let user_id = current.user.id;
    let tasks = db::run(&state.pool, move |conn| {
        Task::list_by_user(conn, &user_id, filter, sort)
    })
    .await?;
    Ok(HttpResponse::Ok().json(tasks.iter().map(task_json).collect::<Vec<_>>()))
}

pub async fn create(
    state: web::Data<AppState>,
    Caller(current): Caller,
    body: web::Json<Value>,
) -> Result<HttpResponse, AppError> {
    let input = TaskInput::from_json(&body, true)?;
    let user_id = current.user.id;
    let task = db::run(&state.pool, move |conn| {
        let now = db::now();
        Task::insert(
            conn,
            &TaskInsertForm {
                user_id: &user_id,
                title: input.title.as_deref().unwrap_or_default(),
                description: input.description.flatten().as_deref(),
                completed: input.completed.unwrap_or(false),
                created_at: now,
                updated_at: now,
            },
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(task_json(&task)))
}

pub async fn show(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id);
    let task = db::run(&state.pool, move |conn| {
        Task::find_by_id_and_user(conn, id, &user_id)
    })
    .await;
    Ok(HttpResponse::Ok().json(task_json(&found(task)?)))
}

/// `PUT`: the whole task (title required; a missing description clears it).
pub async fn replace(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
    body: web::Json<Value>,
) -> Result<HttpResponse, AppError> {
    let input = TaskInput::from_json(&body, true)?;
    apply(&state, current.user.id, path.id, input).await
}

/// `PATCH`: only the fields sent.
pub async fn update(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
    body: web::Json<Value>,
) -> Result<HttpResponse, AppError> {
    let input = TaskInput::from_json(&body, false)?;
    apply(&state, current.user.id, path.id, input).await
}

async fn apply(
    state: &AppState,
    user_id: String,
    id: i64,
    input: TaskInput,
) -> Result<HttpResponse, AppError> {
    let task = db::run(&state.pool, move |conn| {
        let form = TaskUpdateForm {
            title: input.title.as_deref(),
            description: input.description.as_ref().map(|d| d.as_deref()),
            completed: input.completed,
            updated_at: Some(db::now()),
        };
        Task::update_by_id_and_user(conn, id, &user_id, &form)
    })
    .await;
    Ok(HttpResponse::Ok().json(task_json(&found(task)?)))
}

/// `PATCH …/complete`: flips completed.
pub async fn toggle(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id);
    let task = db::run(&state.pool, move |conn| {
        Task::toggle_by_id_and_user(conn, id, &user_id)
    })
    .await;
    Ok(HttpResponse::Ok().json(task_json(&found(task)?)))
}

pub async fn delete(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id);
    let task = db::run(&state.pool, move |conn| {
        Task::delete_by_id_and_user(conn, id, &user_id)
    })
    .await;
    found(task)?;
    Ok(HttpResponse::NoContent().finish())
}

/// A missing row (or another user's) is 404.
fn found(result: Result<Task, DbError>) -> Result<Task, AppError> {
    match result {
        Err(DbError::Query(diesel::result::Error::NotFound)) => Err(AppError::NotFound),
        other => Ok(other?),
    }
}
