//! One task on the tasks page: shown, edited in place, toggled, deleted.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, patch, put, web};
use futures_util::future::LocalBoxFuture;

use super::TaskPath;
use super::view::{self, EditRow, FilterQuery, Row};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::models::{Task, TaskFilter};
use crate::error::AppError;
use crate::respond::html;
use crate::tasks::input::{FormErrors, TaskForm};
use crate::tasks::service::{self, TaskChanges};

/// What every row action starts from: whose task, which one, and the filter
/// the page shows it under.
pub struct RowRequest {
    state: web::Data<AppState>,
    user_id: String,
    id: i64,
    filter: TaskFilter,
}

type Parts = (
    web::Data<AppState>,
    CurrentUser,
    web::Path<TaskPath>,
    web::Query<FilterQuery>,
);

impl FromRequest for RowRequest {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = Parts::from_request(req, payload);
        Box::pin(async move {
            let (state, current, path, query) = parts.await?;
            Ok(RowRequest {
                state,
                user_id: current.user.id,
                id: path.id,
                filter: query.filter(),
            })
        })
    }
}

impl RowRequest {
    async fn task(&self) -> Result<Task, AppError> {
        Ok(service::get(&self.state.pool, &self.user_id, self.id).await?)
    }

    /// The list and the counts, after a change that may move the task out of this filter.
    async fn changed(&self) -> Result<HttpResponse, AppError> {
        let changed = view::changed(&self.state.pool, &self.user_id, self.filter).await?;
        html(&changed, StatusCode::OK)
    }

    fn edit_row(&self, task: Task, form: TaskForm, errors: FormErrors) -> EditRow {
        EditRow {
            filter: self.filter.as_str(),
            task,
            form,
            errors,
        }
    }
}

/// The row as shown (also "cancel" from editing).
#[get("/tasks/{id}")]
pub async fn show(row: RowRequest) -> Result<HttpResponse, AppError> {
    let task = row.task().await?;
    let filter = row.filter.as_str();
    html(&Row { filter, task }, StatusCode::OK)
}

#[get("/tasks/{id}/edit")]
pub async fn edit(row: RowRequest) -> Result<HttpResponse, AppError> {
    let task = row.task().await?;
    let form = TaskForm {
        title: task.title.clone(),
        description: task.description.clone().unwrap_or_default(),
    };
    html(
        &row.edit_row(task, form, FormErrors::default()),
        StatusCode::OK,
    )
}

#[put("/tasks/{id}")]
pub async fn save(row: RowRequest, form: web::Form<TaskForm>) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (title, description) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            let again = row.edit_row(row.task().await?, form, errors);
            return html(&again, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let changes = TaskChanges {
        title: Some(title),
        description: Some(description),
        completed: None,
    };
    let task = service::update(&row.state.pool, &row.user_id, row.id, changes).await?;
    let filter = row.filter.as_str();
    html(&Row { filter, task }, StatusCode::OK)
}

/// Flips done/not done; answers with the list and the counts.
#[patch("/tasks/{id}/toggle")]
pub async fn toggle(row: RowRequest) -> Result<HttpResponse, AppError> {
    service::toggle(&row.state.pool, &row.user_id, row.id).await?;
    row.changed().await
}

/// Deletes the task; answers with the list and the counts.
#[delete("/tasks/{id}")]
pub async fn remove(row: RowRequest) -> Result<HttpResponse, AppError> {
    service::delete(&row.state.pool, &row.user_id, row.id).await?;
    row.changed().await
}
