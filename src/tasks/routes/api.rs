//! The task JSON API. Another user's task is 404, like a missing one.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;

use super::TaskPath;
use crate::AppState;
use crate::auth::Caller;
use crate::db;
use crate::db::models::{Task, TaskFilter, TaskInsertForm, TaskSort, TaskUpdateForm};
use crate::error::AppError;
use crate::tasks::input::{TaskBody, TaskInput};
use crate::tasks::task_json;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `all` (default), `pending` or `completed`.
    status: Option<String>,
    /// `created` (default, oldest first) or `title`.
    sort: Option<String>,
}

impl ListQuery {
    /// The filter and order asked for; an unknown one is refused, not ignored.
    fn parse(&self) -> Result<(TaskFilter, TaskSort), AppError> {
        let filter = match self.status.as_deref() {
            None => TaskFilter::All,
            Some(s) => TaskFilter::parse(s).ok_or_else(|| {
                AppError::invalid("INVALID_QUERY", "status must be all, pending or completed.")
            })?,
        };
        let sort = match self.sort.as_deref() {
            None => TaskSort::Created,
            Some(s) => TaskSort::parse(s).ok_or_else(|| {
                AppError::invalid("INVALID_QUERY", "sort must be created or title.")
            })?,
        };
        Ok((filter, sort))
    }
}

/// The caller's tasks.
#[utoipa::path(get, path = "/api/tasks", operation_id = "list_tasks", tag = "tasks", params(ListQuery),
    responses((status = 200, description = "`[{id, title, description, completed, created_at, updated_at}]`"),
        (status = 400, description = "Unknown status or sort")))]
pub async fn list(
    state: web::Data<AppState>,
    Caller(current): Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (filter, sort) = query.parse()?;
    let user_id = current.user.id;
    let tasks = db::run(&state.pool, move |conn| {
        Task::list_by_user(conn, &user_id, filter, sort)
    })
    .await?;
    Ok(HttpResponse::Ok().json(tasks.iter().map(task_json).collect::<Vec<_>>()))
}

/// Adds a task.
#[utoipa::path(post, path = "/api/tasks", operation_id = "create_task", tag = "tasks", request_body = TaskBody,
    responses((status = 201, description = "The task"), (status = 400, description = "`INVALID_ARGUMENT`: missing or too long title, …")))]
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

/// One task.
#[utoipa::path(get, path = "/api/tasks/{id}", operation_id = "get_task", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, description = "The task"), (status = 404, description = "No such task of yours")))]
pub async fn show(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id);
    let task = db::run(&state.pool, move |conn| {
        Task::find_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(task_json(&task)))
}

/// `PUT`: the whole task (title required; a missing description clears it).
/// Replaces a task's title, description (and completed, if sent).
#[utoipa::path(put, path = "/api/tasks/{id}", operation_id = "replace_task", tag = "tasks", params(("id" = i64, Path)), request_body = TaskBody,
    responses((status = 200, description = "The task"), (status = 400, description = "Invalid fields"), (status = 404, description = "No such task of yours")))]
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
/// Changes the fields sent.
#[utoipa::path(patch, path = "/api/tasks/{id}", operation_id = "update_task", tag = "tasks", params(("id" = i64, Path)), request_body = TaskBody,
    responses((status = 200, description = "The task"), (status = 400, description = "Invalid fields"), (status = 404, description = "No such task of yours")))]
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
    .await?;
    Ok(HttpResponse::Ok().json(task_json(&task)))
}

/// `PATCH …/complete`: flips completed.
/// Flips a task between pending and completed.
#[utoipa::path(patch, path = "/api/tasks/{id}/complete", operation_id = "toggle_task", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, description = "The task"), (status = 404, description = "No such task of yours")))]
pub async fn toggle(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id);
    let task = db::run(&state.pool, move |conn| {
        Task::toggle_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(task_json(&task)))
}

/// Deletes a task.
#[utoipa::path(delete, path = "/api/tasks/{id}", operation_id = "delete_task", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such task of yours")))]
pub async fn delete(
    state: web::Data<AppState>,
    Caller(current): Caller,
    path: web::Path<TaskPath>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id);
    db::run(&state.pool, move |conn| {
        Task::delete_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::tools::arbitrary::query_string;

    proptest! {
        #[test]
        fn any_task_list_query_parses_to_a_named_filter_and_sort_or_is_refused(
            query in query_string(&["status", "sort"]),
        ) {
            if let Ok(list) = serde_urlencoded::from_str::<ListQuery>(&query)
                && let Ok((filter, sort)) = list.parse()
            {
                // What was asked for is what is used; nothing is guessed.
                let named = |asked: &Option<String>, parse: &dyn Fn(&str) -> bool| {
                    asked.as_deref().is_none_or(parse)
                };
                prop_assert!(named(&list.status, &|s| TaskFilter::parse(s) == Some(filter)));
                prop_assert!(named(&list.sort, &|s| TaskSort::parse(s) == Some(sort)));
                prop_assert!(list.status.is_some() || filter == TaskFilter::All);
                prop_assert!(list.sort.is_some() || sort == TaskSort::Created);
            }
        }
    }
}
