//! `/tasks`: the list with its filter tabs and counts, and adding a task.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::view::{self, AddForm, Added, FilterQuery, TasksPage};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::models::{Task, TaskInsertForm};
use crate::error::AppError;
use crate::pages::respond::{html, is_htmx, see_other, vary_on_htmx};
use crate::tasks::input::{FormErrors, TaskForm};

/// The page, or (for HTMX, after a filter tab) the list and counts alone.
#[get("/tasks")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter();
    let response = if is_htmx(&req) {
        html(
            &view::changed(&state.pool, &current.user.id, filter).await?,
            StatusCode::OK,
        )?
    } else {
        let (tasks, counts) = view::load(&state.pool, &current.user.id, filter).await?;
        let page = TasksPage {
            email: current.user.email.clone(),
            filter: filter.as_str(),
            tasks,
            counts,
            form: TaskForm::default(),
            errors: FormErrors::default(),
            oob: false,
        };
        html(&page, StatusCode::OK)?
    };
    Ok(vary_on_htmx(response))
}

#[post("/tasks")]
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    query: web::Query<FilterQuery>,
    form: web::Form<TaskForm>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter();
    let form = form.into_inner();
    let (title, description) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) if is_htmx(&req) => {
            let again = AddForm {
                filter: filter.as_str(),
                form,
                errors,
            };
            return html(&again, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(errors) => {
            let (tasks, counts) = view::load(&state.pool, &current.user.id, filter).await?;
            let page = TasksPage {
                email: current.user.email.clone(),
                filter: filter.as_str(),
                tasks,
                counts,
                form,
                errors,
                oob: false,
            };
            return html(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let user_id = current.user.id.clone();
    db::run(&state.pool, move |conn| {
        let now = db::now();
        Task::insert(
            conn,
            &TaskInsertForm {
                user_id: &user_id,
                title: &title,
                description: description.as_deref(),
                completed: false,
                created_at: now,
                updated_at: now,
            },
        )
    })
    .await?;
    if !is_htmx(&req) {
        return Ok(see_other(&format!("/tasks?status={}", filter.as_str())));
    }
    let (tasks, counts) = view::load(&state.pool, &current.user.id, filter).await?;
    let added = Added {
        filter: filter.as_str(),
        tasks,
        counts,
        form: TaskForm::default(),
        errors: FormErrors::default(),
    };
    html(&added, StatusCode::OK)
}
