//! One task on the tasks page: shown, edited in place, toggled, deleted.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, put, web};

use super::TaskPath;
use super::view::{self, EditRow, FilterQuery, Row};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::models::{Task, TaskUpdateForm};
use crate::error::AppError;
use crate::pages::respond::html;
use crate::tasks::input::{FormErrors, TaskForm};

async fn find(state: &AppState, user_id: &str, id: i64) -> Result<Task, AppError> {
    let user_id = user_id.to_owned();
    let task = db::run(&state.pool, move |conn| {
        Task::find_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    Ok(task)
}

/// The row as shown (also "cancel" from editing).
#[get("/tasks/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<TaskPath>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let task = find(&state, &current.user.id, path.id).await?;
    html(
        &Row {
            filter: query.filter().as_str(),
            task,
        },
        StatusCode::OK,
    )
}

#[get("/tasks/{id}/edit")]
pub async fn edit(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<TaskPath>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let task = find(&state, &current.user.id, path.id).await?;
    let form = TaskForm {
        title: task.title.clone(),
        description: task.description.clone().unwrap_or_default(),
    };
    let row = EditRow {
        filter: query.filter().as_str(),
        task,
        form,
        errors: FormErrors::default(),
    };
    html(&row, StatusCode::OK)
}

#[put("/tasks/{id}")]
pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<TaskPath>,
    query: web::Query<FilterQuery>,
    form: web::Form<TaskForm>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter().as_str();
    let form = form.into_inner();
    let (title, description) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            let task = find(&state, &current.user.id, path.id).await?;
            return html(
                &EditRow {
                    filter,
                    task,
                    form,
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let (id, user_id) = (path.id, current.user.id.clone());
    let task = db::run(&state.pool, move |conn| {
        let change = TaskUpdateForm {
            title: Some(&title),
            description: Some(description.as_deref()),
            updated_at: Some(db::now()),
            ..Default::default()
        };
        Task::update_by_id_and_user(conn, id, &user_id, &change)
    })
    .await?;
    html(&Row { filter, task }, StatusCode::OK)
}

/// Flips done/not done; answers with the list (the task may leave this filter) and the counts.
#[patch("/tasks/{id}/toggle")]
pub async fn toggle(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<TaskPath>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id.clone());
    db::run(&state.pool, move |conn| {
        Task::toggle_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    html(
        &view::changed(&state.pool, &current.user.id, query.filter()).await?,
        StatusCode::OK,
    )
}

#[delete("/tasks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<TaskPath>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = (path.id, current.user.id.clone());
    db::run(&state.pool, move |conn| {
        Task::delete_by_id_and_user(conn, id, &user_id)
    })
    .await?;
    html(
        &view::changed(&state.pool, &current.user.id, query.filter()).await?,
        StatusCode::OK,
    )
}
