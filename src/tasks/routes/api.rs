//! The task JSON API. Another user's task is 404, like a missing one.

use actix_web::{HttpResponse, web};

use super::TaskPath;
use super::body::JsonFields;
use super::query::ListQuery;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, AppError};
use crate::tasks::input::{TaskBody, TaskPatch};
use crate::tasks::json::TaskView;
use crate::tasks::service;

/// The caller's tasks.
#[utoipa::path(get, path = "/api/tasks", operation_id = "list_tasks", tag = "tasks", params(ListQuery),
    responses((status = 200, body = [TaskView]),
        (status = 400, description = "`INVALID_QUERY`: unknown status or sort", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError)))]
pub async fn list(
    state: web::Data<AppState>,
    Caller(current): Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (filter, sort) = query.parse()?;
    let tasks = service::list(&state.pool, &current.user.id, filter, sort).await?;
    let tasks: Vec<TaskView> = tasks.into_iter().map(TaskView::from).collect();
    Ok(HttpResponse::Ok().json(tasks))
}

/// Adds a task.
#[utoipa::path(post, path = "/api/tasks", operation_id = "create_task", tag = "tasks", request_body = TaskBody,
    responses((status = 201, body = TaskView),
        (status = 400, description = "`INVALID_ARGUMENT`: missing or too long title, …", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "`TASK_LIMIT_REACHED`: the list holds 5,000 tasks already", body = ApiError)))]
pub async fn create(
    state: web::Data<AppState>,
    Caller(current): Caller,
    JsonFields(body): JsonFields<TaskBody>,
) -> Result<HttpResponse, AppError> {
    let task = service::create(&state.pool, &current.user.id, body.into_new()).await??;
    Ok(HttpResponse::Created().json(TaskView::from(task)))
}

/// One task.
#[utoipa::path(get, path = "/api/tasks/{id}", operation_id = "get_task", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, body = TaskView), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such task of yours", body = ApiError)))]
pub async fn show(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let task = service::get(&state.pool, &current.user.id, path.id).await?;
    Ok(HttpResponse::Ok().json(TaskView::from(task)))
}

/// Replaces a task's title and description (and completed, if sent).
///
/// A missing description clears it.
#[utoipa::path(put, path = "/api/tasks/{id}", operation_id = "replace_task", tag = "tasks", params(("id" = i64, Path)), request_body = TaskBody,
    responses((status = 200, body = TaskView), (status = 400, description = "`INVALID_ARGUMENT`", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such task of yours", body = ApiError)))]
pub async fn replace(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
    JsonFields(body): JsonFields<TaskBody>,
) -> Result<HttpResponse, AppError> {
    let changes = body.into_changes();
    let task = service::update(&state.pool, &current.user.id, path.id, changes).await?;
    Ok(HttpResponse::Ok().json(TaskView::from(task)))
}

/// Changes only the fields sent.
#[utoipa::path(patch, path = "/api/tasks/{id}", operation_id = "update_task", tag = "tasks", params(("id" = i64, Path)), request_body = TaskPatch,
    responses((status = 200, body = TaskView), (status = 400, description = "`INVALID_ARGUMENT`", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such task of yours", body = ApiError)))]
pub async fn update(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
    JsonFields(body): JsonFields<TaskPatch>,
) -> Result<HttpResponse, AppError> {
    let changes = body.into_changes();
    let task = service::update(&state.pool, &current.user.id, path.id, changes).await?;
    Ok(HttpResponse::Ok().json(TaskView::from(task)))
}

/// Flips a task between pending and completed.
#[utoipa::path(patch, path = "/api/tasks/{id}/complete", operation_id = "toggle_task", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, body = TaskView), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such task of yours", body = ApiError)))]
pub async fn toggle(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let task = service::toggle(&state.pool, &current.user.id, path.id).await?;
    Ok(HttpResponse::Ok().json(TaskView::from(task)))
}

/// Deletes a task.
#[utoipa::path(delete, path = "/api/tasks/{id}", operation_id = "delete_task", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = ApiError),
        (status = 404, description = "No such task of yours", body = ApiError)))]
pub async fn delete(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    service::delete(&state.pool, &current.user.id, path.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
